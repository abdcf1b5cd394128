"""The book's LaTeX macros in JupyterLab, without writing them into any notebook.

jupyterlab-myst renders markdown cells with KaTeX and takes macros from one place only: a YAML front-matter
block (``math:``) at the top of a notebook's first markdown cell. It reads no setting, no notebook metadata and no
project file. The chapters cannot carry such a block -- jupyter-book 1 would print it on the site as text -- so
JupyterLab is served through :class:`MacroContentsManager`: when a notebook is opened it prepends the block, made
from the one definition in ``_config.yml`` (``tools/macros.py``), to the first markdown cell, and when the
notebook is saved it removes it again. The files on disk, and so the site, never contain it.

``tools/jupyter_lab_config.py`` switches it on: ``make lab`` passes it as ``--config``, Binder's ``postBuild``
loads it from the environment's ``jupyter_server_config.py``, and ``tests/lab`` starts JupyterLab with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # imported as a plain module (python tools/lab_macros.py)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

from tools import macros as book_macros

MARKER = "# the book's macros, added by JupyterLab from _config.yml (tools/lab_macros.py); never saved"


def _quote(text: str) -> str:
    """A YAML single-quoted scalar (backslashes stay literal; a quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def front_matter(macros: dict[str, tuple[str, int]] | None = None) -> str:
    """The front-matter block that gives jupyterlab-myst (KaTeX) every macro.

    KaTeX counts a macro's arguments from the highest ``#n`` in its body, so ``nargs`` needs no separate entry.
    """
    lines = ["---", MARKER, "math:"]
    for name, (body, _nargs) in (macros or book_macros.load()).items():
        lines.append(f"  {_quote(chr(92) + name)}: {_quote(body)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _first_markdown(nb) -> dict | None:
    return next((c for c in nb.get("cells", []) if c.get("cell_type") == "markdown"), None)


def add_macros(nb, block: str | None = None) -> bool:
    """Prepend the front matter to the first markdown cell of notebook content ``nb`` (a dict); True if added.

    A cell that already starts with front matter of its own is left alone.
    """
    cell = _first_markdown(nb)
    if cell is None or _source(cell).startswith("---"):
        return False
    cell["source"] = (block or front_matter()) + _source(cell)
    return True


def remove_macros(nb) -> bool:
    """Remove the block :func:`add_macros` added (any version of it: found by its marker line); True if removed."""
    cell = _first_markdown(nb)
    if cell is None:
        return False
    source = _source(cell)
    lines = source.split("\n")
    if len(lines) < 3 or lines[0] != "---" or lines[1] != MARKER:
        return False
    try:
        end = lines.index("---", 2)
    except ValueError:
        return False
    cell["source"] = "\n".join(lines[end + 1:])
    return True


class MacroContentsManager(AsyncLargeFileManager):
    """Jupyter Server's default contents manager, plus the book's macros in every notebook it serves."""

    async def get(self, path, content=True, type=None, format=None, require_hash=False):
        model = await super().get(path, content=content, type=type, format=format, require_hash=require_hash)
        if model.get("type") == "notebook" and model.get("content"):
            add_macros(model["content"])
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and model.get("content"):
            remove_macros(model["content"])
        return await super().save(model, path)


if __name__ == "__main__":
    print(front_matter(), end="")

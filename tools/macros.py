"""The book's LaTeX macros (``\\R``, ``\\grad``, ``\\norm{x}``, ...), read from their one definition.

They are defined once, in ``_config.yml`` under ``sphinx.config.mathjax3_config.tex.macros`` (what the site's
MathJax uses). Everything else that renders the book's math takes them from here: the PDF's LaTeX preamble and
JupyterLab (through jupyterlab-myst). A macro is either ``"body"`` or ``["body with #1", nargs]``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load(config: Path = ROOT / "_config.yml") -> dict[str, tuple[str, int]]:
    """Return ``{name: (body, nargs)}`` for every macro, in the order ``_config.yml`` lists them."""
    raw = yaml.safe_load(config.read_text())["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    out: dict[str, tuple[str, int]] = {}
    for name, value in raw.items():
        body, nargs = (value, 0) if isinstance(value, str) else (value[0], int(value[1]))
        out[name] = (body, nargs)
    return out


def as_latex(macros: dict[str, tuple[str, int]] | None = None) -> str:
    r"""The macros as LaTeX definitions for a preamble (``\providecommand`` then ``\renewcommand``, so a
    name LaTeX already defines, such as ``\C`` or ``\R`` in some classes, is replaced rather than an error)."""
    lines = []
    for name, (body, nargs) in (macros or load()).items():
        args = f"[{nargs}]" if nargs else ""
        lines.append(f"\\providecommand{{\\{name}}}{{}}\\renewcommand{{\\{name}}}{args}{{{body}}}")
    return "\n".join(lines)

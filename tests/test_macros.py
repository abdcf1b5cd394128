"""The book's macros reach JupyterLab from their one definition, and never reach a notebook file."""

import copy
import re

import nbformat
import yaml

from tests.conftest import CHAPTERS, ROOT, read_nb
from tools import lab_macros, macros


def test_the_front_matter_carries_every_macro_of_config_yml():
    block = lab_macros.front_matter()
    assert block.startswith("---\n" + lab_macros.MARKER + "\n") and block.endswith("\n---\n")
    parsed = yaml.safe_load(block.strip().strip("-"))["math"]
    expected = {"\\" + name: body for name, (body, _) in macros.load().items()}
    assert parsed == expected
    for name, (body, nargs) in macros.load().items():  # KaTeX counts arguments from the highest #n
        assert max(map(int, re.findall(r"#(\d)", body)), default=0) == nargs, name


def test_the_front_matter_follows_config_yml(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("sphinx:\n  config:\n    mathjax3_config:\n      tex:\n        macros:\n"
                      "          Q: \"\\\\mathbb{Q}\"\n          pair: [\"\\\\langle #1, #2 \\\\rangle\", 2]\n")
    block = lab_macros.front_matter(macros.load(config))
    expected = {"\\Q": "\\mathbb{Q}", "\\pair": "\\langle #1, #2 \\rangle"}
    assert yaml.safe_load(block.strip().strip("-"))["math"] == expected


def test_added_then_removed_gives_back_every_chapter_unchanged():
    for path in CHAPTERS:
        nb = read_nb(path)
        original = copy.deepcopy(nb)
        assert lab_macros.add_macros(nb), path.name
        first = next(c for c in nb.cells if c.cell_type == "markdown")
        assert first.source.startswith("---\n" + lab_macros.MARKER) and "math:" in first.source
        assert not lab_macros.add_macros(nb), "a second add must not stack a second block"
        assert lab_macros.remove_macros(nb)
        assert nbformat.writes(nb) == nbformat.writes(original), path.name


def test_remove_leaves_other_front_matter_and_list_sources_alone():
    own = {"cells": [{"cell_type": "markdown", "source": "---\ntitle: Mine\n---\n# Hi"}]}
    assert not lab_macros.add_macros(own) and not lab_macros.remove_macros(own)
    assert own["cells"][0]["source"] == "---\ntitle: Mine\n---\n# Hi"
    # what JupyterLab sends back on save may split the source into lines
    sent = {"cells": [{"cell_type": "code", "source": "x = 1"},
                      {"cell_type": "markdown", "source": lab_macros.front_matter().splitlines(True) + ["# T\n", "x"]}]}
    assert lab_macros.remove_macros(sent) and sent["cells"][1]["source"] == "# T\nx"
    assert sent["cells"][0]["source"] == "x = 1"


def test_no_notebook_file_carries_the_macros():
    """The block lives only between the server and the browser: a saved copy of it in a chapter is a bug."""
    offenders = [p.name for p in CHAPTERS if lab_macros.MARKER in p.read_text()]
    assert not offenders, offenders


def test_every_way_into_jupyterlab_uses_the_macro_config():
    config = "tools/jupyter_lab_config.py"
    makefile = (ROOT / "Makefile").read_text()
    lab_recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert f"jupyter lab --notebook-dir=. --config={config}" in lab_recipe
    assert config in (ROOT / "binder/postBuild").read_text()
    assert f"--config={config}" in (ROOT / "tests/lab/test_jupyterlab.py").read_text()
    namespace = {"get_config": lambda: namespace["c"], "__file__": str(ROOT / config)}
    from traitlets.config import Config

    namespace["c"] = Config()
    exec(compile((ROOT / config).read_text(), config, "exec"), namespace)
    assert namespace["c"].ServerApp.contents_manager_class is lab_macros.MacroContentsManager


def test_jupyterlab_myst_is_pinned_for_lab_and_binder():
    from tests.test_repository import pins

    lab, binder = pins(ROOT / "requirements.txt"), pins(ROOT / "binder/requirements.txt")
    assert lab["jupyterlab-myst"] == binder["jupyterlab-myst"]

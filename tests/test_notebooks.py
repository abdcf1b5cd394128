"""Source guards for every chapter notebook: the rules of CONTRIBUTING.md that can be checked without running it."""

import re

import pytest

from tests.conftest import CHAPTERS, ROOT, read_nb, toc_files
from tools.make_exercises import exercises_of

CHECK_CALL = re.compile(r"\b(check_close|check_true|check_grad|expect_fail)\(")


def test_there_are_chapters():
    assert CHAPTERS, "no book/NN_*.ipynb found"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = read_nb(path)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; run `make strip`"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_python3_kernelspec(path):
    assert read_nb(path).metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_listed_in_toc_in_numeric_order(path):
    chapters = [f for f in toc_files() if re.match(r"book/\d\d_", f)]
    assert f"book/{path.stem}" in chapters, f"{path.name} is not in _toc.yml"
    assert chapters == sorted(chapters), "_toc.yml lists chapters out of numeric order"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_skeleton(path):
    """Title `# N. ...` matching the file number, Overview, a setup cell importing helpers, Summary, Exercises."""
    nb = read_nb(path)
    number = int(path.name[:2])
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.match(rf"# {number}\. \S", first.source), (
        f"{path.name}: first cell must start with '# {number}. Title'"
    )
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("## Overview", "## Summary", "## Exercises"):
        assert re.search(rf"^{heading}\b", markdown, re.M), f"{path.name}: missing '{heading}'"
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert re.search(r"^from helpers import", setup.source, re.M), f"{path.name}: setup cell must import helpers"
    assert "use_book_style()" in setup.source, f"{path.name}: setup cell must call use_book_style()"
    # use_book_style() freezes the garbage collector's view of what the imports created: imports after it
    # would stay in the collector and slow every full collection of the chapter down again
    lines = setup.source.splitlines()
    # an import line, or the lone ")" that closes a multi-line `from helpers import (...)`
    last_import = max(i for i, line in enumerate(lines) if re.match(r"(import|from) \w|\)$", line))
    assert lines.index("use_book_style()") > last_import, f"{path.name}: call use_book_style() after every import"
    # seaborn pulls in pandas and scipy.stats (about 1.4 s a kernel); use_book_style() already applies its theme
    heavy = re.findall(r"^(?:import|from) (seaborn|pandas)\b", setup.source, re.M)
    assert not heavy, f"{path.name}: do not import {heavy} (see CONTRIBUTING, Speed)"
    assert "default_rng(" in setup.source, f"{path.name}: setup cell must seed a generator"
    if re.search(r"^import torch", setup.source, re.M):
        assert "torch.manual_seed(" in setup.source, f"{path.name}: torch is imported but not seeded"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    later_imports = [i for i, c in enumerate(code_cells[1:], 1) if re.search(r"^\s*(import|from) \w", c.source, re.M)]
    assert not later_imports, f"{path.name}: imports belong in the setup cell (code cells {later_imports})"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_calls_checks(path):
    code = "\n".join(c.source for c in read_nb(path).cells if c.cell_type == "code")
    assert len(CHECK_CALL.findall(code)) >= 5, f"{path.name}: a chapter states its claims as checks"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_follow_the_five_cell_format(path):
    nb = read_nb(path)
    exercises = exercises_of(nb)  # raises ExerciseFormatError naming the exercise if malformed
    assert 3 <= len(exercises) <= 5, f"{path.name}: {len(exercises)} exercises, expected 3 to 5"
    number = int(path.name[:2])
    for k, ex in enumerate(exercises, 1):
        assert ex["label"] == f"ex-{number:02d}-{k}", f"{path.name}: exercise {k} is labelled {ex['label']}"
        check = nb.cells[ex["check"]].source
        assert CHECK_CALL.search(check), f"{path.name}: {ex['label']} check cell calls no check"
        for i in ex["solutions"]:
            assert "# BEGIN SOLUTION" in nb.cells[i].source or i != ex["solutions"][0]


def test_no_stray_notebooks_or_pages():
    """Every page in book/ is in the toc (only_build_toc_files would silently skip it)."""
    listed = set(toc_files())
    pages = {f"book/{p.stem}" for p in (ROOT / "book").iterdir() if p.suffix in {".md", ".ipynb"}}
    assert pages <= listed, f"pages not in _toc.yml: {sorted(pages - listed)}"


# The book stands alone: it never argues with material the reader does not have (notes, "our sources", a
# variable named after an outside example). A random *seed* (torch.manual_seed, "over 200 seeds") is fine.
OUTSIDE_MATERIAL = re.compile(
    r"\bsource[- ]notes?\b|\bour sources?\b|\b(?:a|the|one) (?:first|second|third|other) sources?\b"
    r"|\bthe (?:same )?sources?\b(?!\s+code)|\bsources?'s?(?=\s)|\bsource correction|\bthe notes\b"
    r"|\b(?!manual_seed\b|initial_seed\b)\w+_seed\b",
    re.I,
)
PAGES = CHAPTERS + sorted((ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_no_reference_to_material_outside_the_book(path):
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in read_nb(path).cells)
    else:
        text = path.read_text()
    hits = sorted({m.group(0) for m in OUTSIDE_MATERIAL.finditer(text)})
    assert not hits, f"{path.name} refers to material the reader does not have: {hits}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_fences_stand_on_their_own_lines(path):
    """A ``` that does not start its line is text to MyST: the block above it never closes (a reflow can do this)."""
    bad = []
    for i, cell in enumerate(read_nb(path).cells):
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        bad += [f"cell {i}: {line[-60:]!r}" for line in lines if "```" in line and not line.lstrip().startswith("```")]
        opened = sum(bool(re.match(r"\s*```\{", line)) for line in lines)
        closed = sum(bool(re.fullmatch(r"\s*```\s*", line)) for line in lines)
        if opened > closed:
            bad.append(f"cell {i}: {opened} directive(s) opened, {closed} closed")
    assert not bad, f"{path.name}: fences not on their own line or not closed:\n" + "\n".join(bad)

"""Tests over the book as one PDF, _build/latex/gradients.pdf (run after `make pdf`; `make pdf-test`).

The PDF is read with poppler-utils (`make texlive` installs them): pdftotext for the text, pdftohtml -xml for
its outline (the bookmarks of parts and chapters, with their pages) and pdfimages for its images. What it is
compared with comes from the sources: _toc.yml and the notebooks' first headings, their directives, and the
executed notebooks in the jupyter-cache the PDF was rendered from.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.conftest import CHAPTERS, ROOT, toc_files

LATEX = ROOT / "_build" / "latex"
PDF = LATEX / "gradients.pdf"
pytestmark = pytest.mark.skipif(not PDF.exists(), reason="no PDF: run `make pdf`")

sys.path.insert(0, str(ROOT / "tools"))
import macros  # noqa: E402
import pdf_book  # noqa: E402

TYPED_NUMBER = re.compile(r"^\d+\.\s+")
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{(prf:theorem|prf:lemma|exercise)\}[ \t]*(.*)$", re.M)
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)  # scanned left to right: $a$ and $b$ are two
MATH_LETTER = re.compile("[\U0001d400-\U0001d7ff]")  # unicode-math's math italic (and bold, ...) letters
CODE = re.compile(r"^(`{3,})(?!\{).*?^\1|`[^`\n]+`", re.M | re.S)  # code fences (not directives), `code`


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: `make texlive` installs poppler-utils")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def norm(text: str) -> str:
    """Lowercase letters, digits and dots only: NFKC folds the math italic letters of unicode-math (𝑓 -> f)
    and ligatures; hyphenation, spacing, quotes and brackets drop out."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return re.sub(r"[^0-9a-z.]", "", text.lower())


def text_fragments(title: str) -> list[str]:
    """The parts of a title outside its $math$, long enough to find."""
    return [f for f in (norm(part) for part in re.split(r"\$[^$]*\$", title)) if len(f) >= 3]


@cache
def pages() -> list[str]:
    return poppler("pdftotext", "-enc", "UTF-8", str(PDF), "-").split("\f")


@cache
def full_text() -> str:
    return "\n".join(pages())


@cache
def outline() -> list[tuple[int, str, int]]:
    """(depth, title, page) of every bookmark, in order."""
    xml = poppler("pdftohtml", "-xml", "-i", "-q", "-stdout", str(PDF))
    root = ET.fromstring(xml.encode())
    found = []

    def walk(node, depth):
        for child in node:
            if child.tag == "item":
                found.append((depth, "".join(child.itertext()).strip(), int(child.get("page"))))
            elif child.tag == "outline":
                walk(child, depth + 1)

    top = root.find("outline")
    assert top is not None, "the PDF has no outline (bookmarks)"
    walk(top, 0)
    return found


def source(file: str) -> Path:
    path = ROOT / file
    return path.with_suffix(".ipynb") if path.with_suffix(".ipynb").exists() else path.with_suffix(".md")


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        return "\n\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    return path.read_text()


def first_heading(path: Path) -> str:
    heading = next(line for line in markdown_of(path).splitlines() if line.startswith("# "))
    return TYPED_NUMBER.sub("", heading[2:].strip())


def chapter_titles() -> list[str]:
    """Every page of the table of contents after the root (the root is the title page), in order."""
    return [first_heading(source(f)) for f in toc_files()[1:]]


def chapter_pages() -> dict[str, tuple[int, int]]:
    """Chapter title -> (first page, last page), from the outline: a chapter ends where the next part or
    chapter begins."""
    titles = {norm(t): t for t in chapter_titles()}
    marks = [(d, t, p) for d, t, p in outline() if d <= 1]
    spans = {}
    for i, (_, title, page) in enumerate(marks):
        key = norm(re.sub(r"^\d+\s+", "", title))
        if key in titles:
            end = marks[i + 1][2] - 1 if i + 1 < len(marks) else len(pages())
            spans[titles[key]] = (page, max(page, end))
    return spans


def chapter_text(stem: str) -> str:
    first, last = chapter_pages()[first_heading(ROOT / "book" / f"{stem}.ipynb")]
    return "\n".join(pages()[first - 1:last])


@cache
def executed(nb_path: Path):
    """The notebook as the build rendered it: its outputs from the jupyter-cache of _config.yml."""
    from jupyter_cache import get_cache

    cache_dir = ROOT / yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["cache"]
    _, nb = get_cache(str(cache_dir)).merge_match_into_notebook(nbformat.read(nb_path, as_version=4))
    return nb


def image_outputs(nb) -> tuple[int, int]:
    """(image outputs, jshtml animations) of the code cells whose outputs are shown."""
    images = animations = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or {"remove-output", "remove-cell"} & set(cell.metadata.get("tags", [])):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any(k in data for k in ("image/png", "image/jpeg", "image/svg+xml", "application/pdf")):
                images += 1
            elif pdf_book.last_frame(str(data.get("text/html", ""))) is not None:
                animations += 1
    return images, animations


def pdf_images(first: int, last: int) -> int:
    rows = poppler("pdfimages", "-list", "-f", str(first), "-l", str(last), str(PDF)).splitlines()[2:]
    return sum(1 for row in rows if row.split()[2] == "image")  # not the "smask" (alpha) rows


# --------------------------------------------------------------------------- structure


def test_title_page():
    assert norm(first_heading(source(toc_files()[0]))) in norm(pages()[0])
    assert "Title:" in (info := poppler("pdfinfo", str(PDF))) and re.search(r"^Title:\s+Gradients$", info, re.M)


def test_every_chapter_title_is_a_bookmark_in_toc_order():
    marks = [norm(re.sub(r"^\d+\s+", "", t)) for d, t, _ in outline() if d <= 1]
    expected = [norm(t) for t in chapter_titles()]
    in_pdf = [m for m in marks if m in expected]
    assert in_pdf == expected, f"chapters in the PDF's outline: {in_pdf}\nexpected (_toc.yml): {expected}"


def test_parts_are_the_toc_captions_in_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    captions = [norm(part["caption"]) for part in toc["parts"]]
    assert [norm(t) for d, t, _ in outline() if d == 0] == captions


def test_every_chapter_starts_on_its_page_with_its_title_and_the_sites_number():
    """Chapters 1-15 carry the site's numbers (CHAPTER ONE ... FIFTEEN); front and back matter none."""
    spans = chapter_pages()
    for file in toc_files()[1:]:
        title = first_heading(source(file))
        first, _ = spans[title]
        page = norm(pages()[first - 1])
        assert norm(title) in page, f"{title!r} is not on its first page ({first})"
        stem = Path(file).name
        heading = f"chapter{NUMBER_WORDS[int(stem[:2])]}" if stem[:2].isdigit() else ""
        assert page.startswith(heading + norm(title)), f"{file}: page {first} begins {page[:50]!r}"


# --------------------------------------------------------------------------- references and math


def test_no_unresolved_reference():
    assert "??" not in full_text(), [p[:80] for p in pages() if "??" in p]
    log = (LATEX / "gradients.log").read_text(errors="replace")
    assert "There were undefined references" not in log
    assert not re.findall(r"Reference `[^']+' on page \d+ undefined", log)


def test_no_raw_dollar_math_in_the_text():
    """No $...$ of any page's prose reaches the PDF as typed (a string that some code cell also holds, such as
    a plot label "$k$", is not evidence either way and is left out)."""
    text = re.sub(r"\s+", " ", full_text())
    code = "\n".join(c.source for nb in CHAPTERS for c in nbformat.read(nb, as_version=4).cells
                     if c.cell_type == "code")
    leaked, checked = [], 0
    for file in toc_files():
        for m in MATH.finditer(CODE.sub(" ", markdown_of(source(file)))):
            if m.group(0) in code:
                continue
            checked += 1
            if re.sub(r"\s+", " ", m.group(0)) in text:
                leaked.append(f"{file}: {m.group(0)}")
    assert checked > 500, f"only {checked} math snippets to look for"
    assert not leaked, "math typed as text in the PDF:\n" + "\n".join(leaked[:20])
    # math that did not parse as math: a \command on a line of typeset math (code lines are plain ASCII),
    # or prose swallowed into math (a long run of math-italic letters, no spaces)
    lines = full_text().splitlines()
    raw = [line for line in lines if MATH_LETTER.search(line) and re.search(r"\\[A-Za-z]{2,}", line)]
    swallowed = [line for line in lines if re.search(MATH_LETTER.pattern + "{15,}", line)]
    bad = list(dict.fromkeys(raw + swallowed))
    assert not bad, "LaTeX source or prose inside typeset math:\n" + "\n".join(bad[:10])


def test_the_macros_reach_the_preamble_from_their_one_definition():
    tex = (LATEX / "gradients.tex").read_text()
    assert macros.as_latex() in tex.split("\\begin{document}")[0]
    # \norm{x} renders: the example on the notation page is in the text as ‖x‖
    assert "‖" in full_text()


# --------------------------------------------------------------------------- theorems, exercises, figures


def directives(nb_path: Path) -> list[tuple[str, str]]:
    return DIRECTIVE.findall(markdown_of(nb_path))


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_theorem_and_exercise_titles_and_numbers(nb_path):
    """Each theorem and exercise heads its box as on the site: 'Theorem 3.2 (Title)', 'Exercise 3.1 (Title)'."""
    chapter = int(nb_path.stem[:2])
    text = norm(chapter_text(nb_path.stem))
    counters: dict[str, int] = {}
    missing = []
    for kind, title in directives(nb_path):
        word = kind.split(":")[-1]
        counters[word] = counters.get(word, 0) + 1
        head = norm(f"{word} {chapter}.{counters[word]}")
        fragments = text_fragments(title)
        if word in ("theorem", "exercise"):
            needle = head + (fragments[0] if fragments and title.find("$") != 0 else "")
            if needle not in text:
                missing.append(f"{word} {chapter}.{counters[word]} ({title})")
        for fragment in fragments:
            if fragment not in text:
                missing.append(f"{word} title {title!r}: {fragment!r}")
    assert not missing, f"{nb_path.name}: not in its chapter of the PDF:\n" + "\n".join(missing)


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_of_the_executed_notebook_is_in_its_chapter(nb_path):
    """The images on a chapter's pages are exactly its executed notebook's image outputs plus one still
    frame per animation."""
    images, animations = image_outputs(executed(nb_path))
    first, last = chapter_pages()[first_heading(nb_path)]
    assert pdf_images(first, last) == images + animations, f"pages {first}-{last}"
    chapter = chapter_text(nb_path.stem)
    assert chapter.count(pdf_book.ANIMATION_NOTE.split(";")[0]) == animations


def test_the_pdf_has_every_figure_and_no_repr_of_an_html_output():
    total = sum(sum(image_outputs(executed(nb))) for nb in CHAPTERS)
    assert total > 0 and pdf_images(1, len(pages())) == total
    assert "IPython.core.display" not in full_text()

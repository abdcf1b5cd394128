"""Tests over the built site in _build/html (run after `make site`): pages, links, images, browser.

The repository, edit, issue and launch buttons of both builds are tested in test_identity.py."""

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from bs4 import BeautifulSoup

from tests.conftest import CHAPTERS, toc_files
from tests.site.conftest import HTML, pages, per_page

pytestmark = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="site not built: run `make site`")


@functools.cache
def soup(page: Path):
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def test_every_toc_entry_produced_a_page():
    missing = [f for f in toc_files() if not (HTML / f"{f}.html").exists()]
    assert not missing, f"toc entries without a page: {missing}"


def test_every_image_has_meaningful_alt_text_and_exists():
    bad = []
    for page in pages():
        for img in soup(page).find_all("img"):
            alt = (img.get("alt") or "").strip()
            src = img.get("src", "")
            if not urlparse(src).scheme and not src.startswith("data:"):
                if not (page.parent / unquote(urlparse(src).path)).exists():
                    bad.append(f"{page.relative_to(HTML)}: missing image file {src}")
            if not alt or alt == src or alt == Path(src).name or re.fullmatch(r"[0-9a-f]{64}\.\w+", alt):
                bad.append(f"{page.relative_to(HTML)}: {src[:60]}")
    assert not bad, "images without alt text or file:\n" + "\n".join(bad)


def test_no_broken_internal_links_or_anchors():
    broken = []
    for page in pages():
        for a in soup(page).find_all("a", href=True):
            href = a["href"]
            url = urlparse(href)
            if url.scheme or href.startswith(("mailto:", "javascript:", "//")):
                continue
            target = page if not url.path else (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(HTML)} -> {href}")
                continue
            if url.fragment and target.suffix == ".html":
                ids = {t.get("id") for t in soup(target).find_all(id=True)} | {
                    t.get("name") for t in soup(target).find_all(attrs={"name": True})
                }
                if unquote(url.fragment) not in ids:
                    broken.append(f"{page.relative_to(HTML)} -> {href} (no anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:40])


def test_check_report_counts_match_the_chapter_pages():
    """The report table on 'How this book checks itself' agrees with the PASS lines on each chapter page."""
    report = soup(HTML / "book" / "how_this_book_checks_itself.html")
    table = report.find("table", class_="check-report")
    assert table is not None, "the check report table is missing"
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = tr.find_all("td")
        link = cells[0].find("a")
        if link is not None:
            rows[Path(urlparse(link["href"]).path).stem] = int(cells[1].get_text(strip=True))
    assert set(rows) == {nb.stem for nb in CHAPTERS}
    for stem, count in rows.items():
        page = soup(HTML / "book" / f"{stem}.html")
        outputs = "\n".join(div.get_text() for div in page.select("div.cell_output pre"))
        on_page = len(re.findall(r"^PASS\b", outputs, re.M))
        assert count == on_page > 0, f"{stem}: report says {count}, the page shows {on_page} PASS lines"


def test_math_is_served_locally():
    index = (HTML / "book" / "intro.html").read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', index)
    assert any("mathjax/tex-chtml.js" in s and not s.startswith("http") for s in scripts), scripts
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert (HTML / "_static" / "mathjax" / "fonts" / "mathjax-newcm-font" / "chtml" / "woff2").is_dir()
    chapter = (HTML / "book" / f"{CHAPTERS[0].stem}.html").read_text()
    assert '"displayOverflow": "linebreak"' in chapter, "display math must break over lines (MathJax 4)"


# --------------------------------------------------------------------------- a real browser
# Each page is loaded once at 1280 px and once at 400 px (tests/site/conftest.py: `reports`).


def browser_pages():
    return ["book/intro.html", "book/how_this_book_checks_itself.html"] + [f"book/{nb.stem}.html" for nb in CHAPTERS]


@per_page(browser_pages())
def test_page_in_headless_chromium(reports, path):
    r = reports.desktop(path)
    m = r["layout"]
    # a page with math source (chapters, the notation page) must show it typeset; the intro has none
    assert m["math"] >= m["math_sources"], f"{path}: {m['math_sources']} math sources but only {m['math']} typeset"
    assert not m["wide_math"], f"{path}: display equations wider than the text column at 1280 px: {m['wide_math']}"
    assert not m["math_sources"] or m["version"].startswith("4."), f"{path}: MathJax {m['version']!r}, not 4"
    assert m["code_px"] >= 13, f"{path}: code cells in {m['code_px']} px type (at least 13 px)"
    wide_code = m["wide_code"]
    assert not wide_code, f"{path}: {len(wide_code)} code cells scroll sideways at 1280 px, e.g. {wide_code[:3]}"
    assert not m["wide_outputs"], f"{path}: cell outputs that scroll sideways at 1280 px: {m['wide_outputs'][:3]}"
    assert not m["wide_tables"], f"{path}: tables wider than the text column at 1280 px: {m['wide_tables']}"
    assert m["math_errors"] == 0, f"{path}: {m['math_errors']} MathJax errors"
    assert m["raw_tex"] == 0, f"{path}: {m['raw_tex']} math elements left untypeset"
    assert not m["broken_imgs"], f"{path}: images failed to load: {m['broken_imgs']}"
    assert not r["errors"], f"{path}: JavaScript errors (light mode, or after the switch to dark): {r['errors']}"
    assert not r["external"], f"{path}: requests leaving the site: {r['external'][:5]}"


@per_page(browser_pages())
def test_page_on_a_phone(reports, path):
    """At 400 px (a phone) no display equation is wider than its column: MathJax 4 breaks them over lines.
    Code cells may scroll sideways there (counted and printed, not asserted; test_accessibility.py checks
    that they are reachable by keyboard)."""
    r = reports.phone(path)
    print(f"{path}: {r['code_scrolling']}/{r['code_cells']} code cells scroll sideways at 400 px")
    assert r["math_errors"] == 0, f"{path}: {r['math_errors']} MathJax errors at 400 px"
    # break a display that is too wide with \\ (and align it with &)
    assert not r["wide_math"], f"{path}: display equations wider than the column at 400 px: {r['wide_math']}"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_title_is_numbered_once_by_the_toc(nb):
    """The notebook's typed '# N. Title' becomes the toctree's 'N. Title', not 'N. N. Title'."""
    h1 = soup(HTML / "book" / f"{nb.stem}.html").select_one("section > h1")
    text = h1.get_text(" ", strip=True).rstrip("#").strip()
    number = int(nb.name[:2])
    assert re.match(rf"^{number}\. [A-Z]", text), f"{nb.name}: page title is {text!r}"
    assert not re.match(r"^\d+\.\s+\d+\.", text), f"{nb.name}: chapter number doubled: {text!r}"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_figures_were_rendered(nb):
    """Every code cell that carries alt-text metadata produced an image on the page (a figure that
    silently vanished -- a non-inline backend, a plt.close() too early -- fails here)."""
    from tests.conftest import read_nb

    cells = [c for c in read_nb(nb).cells if c.cell_type == "code"]
    expected = sum(1 for c in cells if c.metadata.get("mystnb", {}).get("image", {}).get("alt"))
    images = soup(HTML / "book" / f"{nb.stem}.html").select("div.cell_output img")
    assert expected > 0, f"{nb.name}: no figure cell with alt text"
    assert len(images) >= expected, f"{nb.name}: {expected} figure cells but {len(images)} images on the page"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_no_cell_output_shows_an_object_repr(nb):
    """A cell whose last line returns an object (``torch.manual_seed(0)`` returns a Generator) prints
    ``<... at 0x7f...>``: noise to a reader, and a different address in every build."""
    outputs = soup(HTML / "book" / f"{nb.stem}.html").select("div.cell_output")
    reprs = [m for o in outputs for m in re.findall(r"<[\w.]+ (?:object )?at 0x[0-9a-f]+>", o.get_text())]
    assert not reprs, f"{nb.name}: cell output shows {reprs}; end the cell with a statement, not an expression"

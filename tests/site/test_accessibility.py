"""axe-core over every page of the built site, in the theme's light and dark mode (run after `make site`).

A violation of impact "serious" or "critical" fails the page; no rule is disabled. axe-core is the copy bundled
in the pinned ``axe-playwright-python`` wheel (requirements.txt), injected into the page with Playwright. The
fixes live in tools/static/gradients.css (link contrast in boxes) and tools/book_extensions.py
(``fix_accessibility``: the animation slider's name, the references page's list markup).

Also: every region that scrolls sideways (code cells on a phone, wide outputs) is reachable by keyboard.
"""

import functools
from pathlib import Path

import pytest

from tests.site.test_site import HTML, browser, pages, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="site not built: run `make site`")
# every page but index.html, a bare <meta http-equiv="Refresh"> to book/intro.html
SITE_PAGES = [p.relative_to(HTML).as_posix() for p in pages() if 'http-equiv="Refresh"' not in p.read_text()[:500]]
BLOCKING = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def open_page(browser, server, path, mode, width=1280):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=mode)
    # what the theme's light/dark button stores (pydata-sphinx-theme reads localStorage "mode" on load)
    page.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    page.goto(f"{server}/{path}", wait_until="load")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)", timeout=60000)
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
    assert page.evaluate("() => document.documentElement.dataset.theme") == mode, f"{path}: not in {mode} mode"
    return page


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("path", SITE_PAGES)
def test_no_serious_axe_violations(browser, server, path, mode):  # noqa: F811
    page = open_page(browser, server, path, mode)
    page.add_script_tag(content=axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    page.close()
    bad = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']} -- {v['nodes'][0]['target']}: "
        + v["nodes"][0]["failureSummary"].replace("\n", " ")[:200]
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    assert result["testEngine"]["version"].startswith("4."), result["testEngine"]
    assert not bad, f"{path} ({mode} mode): axe-core violations:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", SITE_PAGES)
def test_scrollable_regions_are_reachable_by_keyboard(browser, server, path):  # noqa: F811
    """On a phone (400 px) code cells scroll sideways: each scrolling region must take keyboard focus
    (tabindex >= 0; pydata-sphinx-theme sets it on scrollable pre / outputs / tables) or hold a focusable
    element, so a keyboard user can scroll it."""
    page = open_page(browser, server, path, "light", width=400)
    query = """() => [...document.querySelectorAll('#main-content *')].filter(e => {
        const s = getComputedStyle(e);
        return ['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
      })"""
    focusable = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"
    reachable = f"e => e.tabIndex >= 0 || e.querySelector(\"{focusable}\")"
    try:  # the theme sets its tab stops 300 ms after the last change to the page (MathJax typesetting)
        page.wait_for_function(f"() => ({query})().every({reachable})", timeout=5000, polling=250)
    except Exception:  # noqa: BLE001  (reported below, with the offending regions)
        pass
    unreachable = page.evaluate(
        f"() => ({query})().filter(e => !({reachable})(e))"
        ".map(e => e.tagName + '.' + [...e.classList].join('.') + ': ' + e.textContent.trim().slice(0, 50))"
    )
    scrolling = page.evaluate(f"() => ({query})().length")
    page.close()
    print(f"{path}: {scrolling} regions scroll sideways at 400 px")
    assert not unreachable, f"{path}: regions that scroll but take no keyboard focus: {unreachable[:5]}"

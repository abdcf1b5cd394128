"""The browser side of the site tests: one HTTP server and one Chromium per test session, and each page loaded
as few times as its checks allow.

Loading a chapter page costs seconds (MathJax typesets hundreds of formulas), and five tests used to load each
page five times. Here a page is loaded **twice**, and every browser test of that page reads the report of those
two loads:

- ``desktop(path)``: at 1280 px in light mode, the layout metrics, JavaScript errors and outside requests, and
  axe-core; then the theme's light/dark button is clicked, as a reader would, and axe-core runs again in dark mode.
- ``phone(path)``: at 400 px, display math against its column, and whether each region that scrolls sideways
  can take keyboard focus.

``per_page(paths)`` parametrizes a test by page and puts every test of one page in the same pytest-xdist group,
so that under ``-n 2 --dist loadgroup`` a page is still loaded once. ``make site-test`` runs in one process all the
same: one Chromium on a chapter page already keeps two cores busy, and on this project's 2-core machine four
chapter pages took 451 s with two workers against 303 s in one process (the same tests, one after the other).
"""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

HTML = Path(os.environ.get("GRADIENTS_SITE_HTML") or ROOT / "_build" / "html")  # another build: set the variable


def pages():
    """Every HTML page of the site (not its static files or page sources)."""
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


MATHJAX_READY = "() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)"
LAYOUT = """() => {
  const all = (q) => [...document.querySelectorAll(q)];
  const longest = (e) => e.textContent.split('\\n').reduce((a, b) => b.length > a.length ? b : a).slice(0, 70);
  return {
    math: all('mjx-container').length,
    math_sources: all('span.math, div.math').length,
    math_errors: all('mjx-merror, .MathJax_Error').length,
    raw_tex: all('span.math, div.math').filter(e => !e.querySelector('mjx-container')).length,
    broken_imgs: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    // a display equation wider than the text column scrolls sideways: break it over lines with \\\\
    wide_math: all('mjx-container[display="true"]').filter(m => m.scrollWidth > m.clientWidth + 2)
      .map(m => (m.querySelector('mjx-assistive-mml') || m).textContent.slice(0, 60)),
    // code fits the column at 1280 px in >= 13 px type: notebooks are formatted to 88 columns (book/ruff.toml)
    wide_code: all('div.cell_input pre').filter(e => e.scrollWidth > e.clientWidth).map(longest),
    code_px: all('div.cell_input pre').map(e => parseFloat(getComputedStyle(e).fontSize))
      .reduce((a, b) => Math.min(a, b), 99),
    version: window.MathJax && MathJax.version ? MathJax.version : '',
    // outputs (check messages) wrap and tables shrink to the column (tools/static/gradients.css)
    wide_outputs: all('div.cell_output pre').filter(e => e.scrollWidth > e.clientWidth + 2)
      .map(e => e.textContent.slice(0, 60)),
    wide_tables: all('article table').filter(t => t.scrollWidth > t.parentElement.clientWidth + 2)
      .map(t => t.querySelector('tr').textContent.trim().slice(0, 60)),
    theme: document.documentElement.dataset.theme,
  };
}"""
PHONE = """() => {
  const all = (q) => [...document.querySelectorAll(q)];
  const code = all('div.cell_input pre');
  return {
    wide_math: all('mjx-container[display]').filter(m => m.scrollWidth > m.clientWidth + 1
        || m.getBoundingClientRect().right > m.parentElement.getBoundingClientRect().right + 1)
      .map(m => [m.scrollWidth, m.clientWidth, (m.closest('.math') || m).textContent.trim().slice(0, 60)]),
    math_errors: all('mjx-merror').length,
    code_scrolling: code.filter(e => e.scrollWidth > e.clientWidth).length,
    code_cells: code.length,
  };
}"""
# regions that scroll sideways, and whether a keyboard can reach each (focusable itself, or holding a focusable)
SCROLLING = """() => [...document.querySelectorAll('#main-content *')].filter(e => {
    const s = getComputedStyle(e);
    return ['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
  })"""
TRANSITIONS_DONE = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const fading = document.getAnimations().filter(a => a instanceof CSSTransition);
  await Promise.all(fading.map(a => a.finished.catch(() => null)));
}"""
FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"
REACHABLE = f'e => e.tabIndex >= 0 || e.querySelector("{FOCUSABLE}")'


def pytest_configure(config):  # the mark is pytest-xdist's; registered here for runs without it (-p no:xdist)
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one pytest-xdist worker")


def per_page(paths):
    """Parametrize over pages, one xdist group per page: its tests share one worker and so one report."""
    return pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xdist_group(p)) for p in paths])


@pytest.fixture(scope="session")
def server():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    from tools.browser import describe, launch  # the one place that finds Chromium

    assert describe(), "no Chromium: `make chromium` (Debian), `make playwright-chromium`, or set GRADIENTS_CHROMIUM"
    with playwright.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@functools.cache
def axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


class Reports:
    """What the browser saw on each page, loaded once per viewport and kept for the session."""

    def __init__(self, browser, server):
        self.browser, self.server = browser, server

    def _open(self, path, width):
        page = self.browser.new_page(viewport={"width": width, "height": 900}, color_scheme="light")
        # what the theme's button stores (pydata-sphinx-theme reads localStorage "mode" on load)
        page.add_init_script("localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light');")
        errors, external = [], []
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)

        def route(r):
            if r.request.url.startswith(self.server):
                r.continue_()
            else:  # the site must work offline: record and refuse anything external
                external.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(f"{self.server}/{path}", wait_until="load")
        page.wait_for_function(MATHJAX_READY, timeout=60000)
        page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
        return page, errors, external

    def _axe(self, page):
        page.add_script_tag(content=axe_source())
        return page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")

    @functools.cache  # noqa: B019  (one Reports per session: the cache is the point)
    def desktop(self, path):
        page, errors, external = self._open(path, 1280)
        try:
            report = {"layout": page.evaluate(LAYOUT)}
            # errors are the page's own, not axe-core's: axe's stylesheet preload resolves the theme's
            # `@import "../basic.css"` against the site root and asks for a /basic.css that does not exist
            page_errors = errors[:]
            report["axe"] = {"light": self._axe(page)}
            report["theme"] = {"light": report["layout"]["theme"]}
            seen = len(errors)
            # to dark mode as a reader gets there: with the system in dark mode, the button goes light -> dark
            background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            page.emulate_media(color_scheme="dark")
            page.locator(".theme-switch-button:visible").first.click()
            page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'", timeout=30000)
            page.wait_for_function(
                f"() => getComputedStyle(document.body).backgroundColor !== {background!r}", timeout=30000
            )
            # the theme fades colours (CSS transitions): axe-core must see the end colours, not a frame on the way
            page.evaluate(TRANSITIONS_DONE)
            report["theme"]["dark"] = page.evaluate("() => document.documentElement.dataset.theme")
            page_errors += errors[seen:]  # the switch to dark mode
            report["axe"]["dark"] = self._axe(page)
        finally:
            page.close()
        report["errors"], report["external"] = page_errors, external
        return report

    @functools.cache  # noqa: B019
    def phone(self, path):
        page, _, _ = self._open(path, 400)
        try:
            report = page.evaluate(PHONE)
            try:  # the theme sets its tab stops 300 ms after the last change to the page (MathJax typesetting)
                page.wait_for_function(f"() => ({SCROLLING})().every({REACHABLE})", timeout=15000, polling=250)
            except Exception:  # noqa: BLE001  (reported by the test, with the offending regions)
                pass
            report["unreachable"] = page.evaluate(
                f"() => ({SCROLLING})().filter(e => !({REACHABLE})(e)).map(e => e.tagName + '.'"
                " + [...e.classList].join('.') + ': ' + e.textContent.trim().slice(0, 50))"
            )
            report["scrolling"] = page.evaluate(f"() => ({SCROLLING})().length")
        finally:
            page.close()
        return report


@pytest.fixture(scope="session")
def reports(browser, server):
    return Reports(browser, server)

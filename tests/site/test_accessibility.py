"""axe-core over every page of the built site, in the theme's light and dark mode (run after `make site`).

A violation of impact "serious" or "critical" fails the page; no rule is disabled. axe-core is the copy bundled
in the pinned ``axe-playwright-python`` wheel (requirements.txt), injected into the page with Playwright. Dark
mode is reached the way a reader reaches it, with the theme's button (tests/site/conftest.py). The fixes live in
tools/static/gradients.css (link contrast in boxes) and tools/book_extensions.py (``fix_accessibility``: the
animation slider's name, the references page's list markup).

Also: every region that scrolls sideways (code cells on a phone, wide outputs) is reachable by keyboard.
"""

import pytest

from tests.site.conftest import HTML, pages, per_page

pytestmark = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="site not built: run `make site`")
# every page but index.html, a bare <meta http-equiv="Refresh"> to book/intro.html
SITE_PAGES = [p.relative_to(HTML).as_posix() for p in pages() if 'http-equiv="Refresh"' not in p.read_text()[:500]]
BLOCKING = ("serious", "critical")


@pytest.mark.parametrize("mode", ["light", "dark"])
@per_page(SITE_PAGES)
def test_no_serious_axe_violations(reports, path, mode):
    report = reports.desktop(path)
    assert report["theme"][mode] == mode, f"{path}: not in {mode} mode ({report['theme']})"
    result = report["axe"][mode]
    bad = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']} -- {v['nodes'][0]['target']}: "
        + v["nodes"][0]["failureSummary"].replace("\n", " ")[:200]
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    assert result["testEngine"]["version"].startswith("4."), result["testEngine"]
    assert not bad, f"{path} ({mode} mode): axe-core violations:\n" + "\n".join(bad)


@per_page(SITE_PAGES)
def test_scrollable_regions_are_reachable_by_keyboard(reports, path):
    """On a phone (400 px) code cells scroll sideways: each scrolling region must take keyboard focus
    (tabindex >= 0; pydata-sphinx-theme sets it on scrollable pre / outputs / tables) or hold a focusable
    element, so a keyboard user can scroll it."""
    report = reports.phone(path)
    print(f"{path}: {report['scrolling']} regions scroll sideways at 400 px")
    assert not report["unreachable"], (
        f"{path}: regions that scroll but take no keyboard focus: {report['unreachable'][:5]}"
    )

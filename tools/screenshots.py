"""Screenshots of the built site in headless Chromium, for looking at what readers see: `make screenshots`.

Writes _build/screenshots/<page>-<mode>.png (light and dark mode), full page, 1280 px wide, plus
a narrow (phone-width) shot of each chapter to catch overflowing tables and code.

    python tools/screenshots.py [page-glob ...]
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.browser import launch  # noqa: E402  (the one place that finds Chromium)

HTML = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "screenshots"


def main(patterns):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    pages = sorted({p for pat in patterns for p in HTML.glob(pat)})
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for page_path in pages:
            rel = page_path.relative_to(HTML).as_posix()
            for mode, width in (("light", 1280), ("dark", 1280), ("narrow", 400)):
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        color_scheme="dark" if mode == "dark" else "light")
                page.goto(f"{base}/{rel}", wait_until="load")
                page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
                shot = OUT / f"{page_path.stem}-{mode}.png"
                page.screenshot(path=str(shot), full_page=True)
                page.close()
                print(shot.relative_to(ROOT))
        browser.close()
    httpd.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:] or ["book/*.html"])

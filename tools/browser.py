"""The one place that finds the Chromium the site tests and screenshots drive (through Playwright).

In order: the ``GRADIENTS_CHROMIUM`` (or ``CHROMIUM``) environment variable, a path to the executable;
else a ``chromium`` on ``PATH`` (Debian's package: ``make chromium``); else Playwright's own bundled
Chromium (``make playwright-chromium``, which GitHub Actions uses: Ubuntu's chromium is a snap that does
not run on the runners).

    python tools/browser.py     # say which browser would be used; exit 1 if none is installed
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ENV_VARS = ("GRADIENTS_CHROMIUM", "CHROMIUM")


def chromium_executable() -> str | None:
    """Path of the Chromium to launch, or None to use Playwright's bundled one."""
    for var in ENV_VARS:
        value = os.environ.get(var, "").strip()
        if value:
            path = shutil.which(value) or value
            if not Path(path).is_file():
                raise FileNotFoundError(f"{var}={value!r}: no such browser executable")
            return path
    return shutil.which("chromium")


def playwright_chromium() -> str | None:
    """Path of Playwright's bundled Chromium if it is installed, else None."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        path = p.chromium.executable_path
    return path if path and Path(path).is_file() else None


def describe() -> str | None:
    exe = chromium_executable()
    if exe:
        return exe
    bundled = playwright_chromium()
    return f"{bundled} (Playwright's bundled Chromium)" if bundled else None


def launch(playwright, **kwargs):
    """Launch headless Chromium from a ``sync_playwright()`` context, found as the module docstring says."""
    exe = chromium_executable()
    options = {"args": ARGS, **kwargs}
    if exe:
        options["executable_path"] = exe
    return playwright.chromium.launch(**options)


def main() -> int:
    found = describe()
    if not found:
        print("no Chromium: set GRADIENTS_CHROMIUM, or run `make chromium` (Debian) or `make playwright-chromium`",
              file=sys.stderr)
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())

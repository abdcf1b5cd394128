"""Invalidate the jupyter-cache when the code that notebooks import changes.

jupyter-cache keys a notebook by its code cells only, so after an edit to ``helpers/`` a cached
notebook would be served with stale outputs. This script hashes ``helpers/``, the Sphinx extension
and the requirements; if the hash differs from the one stored beside the cache, it deletes the cache
and Sphinx's saved environment (``.doctrees``), so that Sphinx re-reads every page and myst-nb
re-executes every notebook -- deleting the cache alone leaves Sphinx serving its old pages.

    python tools/cache_guard.py [--build-dir _build]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ["helpers/**/*.py", "tools/book_extensions.py", "tools/pdf_book.py", "requirements.txt", "_config.yml"]


def source_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for pattern in WATCHED:
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def guard(build_dir: Path, root: Path = ROOT) -> bool:
    """Delete ``build_dir/.jupyter_cache`` if the watched sources changed. Returns True if it did."""
    cache = build_dir / ".jupyter_cache"
    stamp = build_dir / ".cache-source-hash"
    current = source_hash(root)
    stale = stamp.exists() and stamp.read_text().strip() != current
    if stale or (cache.exists() and not stamp.exists()):
        for derived in (cache, build_dir / ".doctrees", build_dir / "jupyter_execute"):
            shutil.rmtree(derived, ignore_errors=True)
        stale = True
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)
    return stale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build")
    args = parser.parse_args()
    if guard(args.build_dir):
        print("helpers/ or the build config changed: notebook cache cleared, chapters will re-execute")


if __name__ == "__main__":
    main()

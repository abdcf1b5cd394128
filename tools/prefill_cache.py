"""Execute the book's notebooks in parallel into the jupyter-cache, so that `jupyter-book build` only renders.

myst-nb (``execute_notebooks: cache``) executes a notebook whose code is not in the cache itself, one after
another on one core. This script fills the same cache first with jupyter-cache's ``local-parallel`` executor
(one kernel per core, a notebook's own folder as its working directory, exactly as myst-nb runs it), so the
build finds every notebook cached. jupyter-cache keys a notebook by its kernelspec and code cells, the key
myst-nb looks up, so a hit is a hit for both.

The guarantees of the build stay:

* a failing cell fails here: the script prints the traceback and exits 1 (``allow_errors`` and the cell
  timeout come from ``_config.yml``'s ``execute:`` section, as for the build);
* a ``helpers/`` change re-executes everything: ``tools/cache_guard.py`` runs first (``make site``) and empties
  the cache when helpers/, the extension, the requirements or ``_config.yml`` change.

``--verify-log LOG`` checks a build log afterwards: every notebook of the table of contents was served from
the cache ("Using cached notebook"), none executed by the build. ``make site`` runs both.

    python tools/prefill_cache.py [NOTEBOOK ...]     # one kernel per core (multiprocessing.Pool)
    python tools/prefill_cache.py --verify-log _build/site-build.log
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Every ``.ipynb`` the table of contents names (the notebooks the build executes), in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    entries = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                entries.append(item["file"])
            walk(item.get("sections"))
            walk(item.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    out = []
    for entry in entries:
        path = root / entry
        path = path if path.suffix == ".ipynb" else path.with_suffix(".ipynb")
        if path.exists():
            out.append(path.resolve())
    return out


def execute_config(root: Path = ROOT) -> dict:
    ex = yaml.safe_load((root / "_config.yml").read_text()).get("execute", {})
    if ex.get("execute_notebooks") != "cache":
        raise SystemExit("_config.yml: execute_notebooks must be 'cache' for the cache to be pre-filled")
    return {
        "cache": (root / ex.get("cache", "_build/.jupyter_cache")).resolve(),
        "timeout": int(ex.get("timeout", 30)),
        "allow_errors": bool(ex.get("allow_errors", False)),
    }


def prefill(notebooks: list[Path], cache_path: Path, timeout: int, allow_errors: bool):
    """Execute the notebooks missing from the cache in parallel. Returns (executed, failures, seconds)."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_path))
    uris = [str(cache.add_nb_to_project(str(nb)).uri) for nb in notebooks]
    stale = [r.uri for r in cache.list_unexecuted(filter_uris=uris)]
    if not stale:
        return [], {}, 0.0
    logger = logging.getLogger("prefill_cache")
    logger.setLevel(logging.WARNING)
    executor = load_executor("local-parallel", cache=cache, logger=logger)
    start = time.perf_counter()
    result = executor.run_and_cache(filter_uris=stale, timeout=timeout, allow_errors=allow_errors)
    seconds = time.perf_counter() - start
    failures = {}
    for uri in result.excepted + result.errored:
        record = cache.get_project_record(uri)
        failures[uri] = record.traceback or "failed before execution (see the log above)"
    missing = [u for u in stale if u not in result.all()]
    for uri in missing:
        failures[uri] = "not executed"
    return result.succeeded, failures, seconds


CACHED = re.compile(r"^(?P<path>\S+\.ipynb): Using cached notebook", re.M)
EXECUTED = re.compile(r"^(?P<path>\S+\.ipynb): Executing notebook", re.M)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _rel(path) -> str:
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def verify_log(log: Path, notebooks: list[Path]) -> list[str]:
    """Problems with a build log: a notebook the build executed itself, or one it never took from the cache."""
    text = ANSI.sub("", log.read_text(errors="replace"))
    cached = {str(Path(m["path"]).resolve()) for m in CACHED.finditer(text)}
    executed = {str(Path(m["path"]).resolve()) for m in EXECUTED.finditer(text)}
    problems = [f"{_rel(p)}: executed by the build, not served from the cache" for p in sorted(executed)]
    problems += [f"{_rel(nb)}: not served from the cache" for nb in notebooks
                 if str(nb) not in cached and str(nb) not in executed]
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    parser.add_argument("--verify-log", type=Path, help="check a build log instead: every notebook from the cache")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    notebooks = [p.resolve() for p in args.notebooks] or toc_notebooks(root)
    if args.verify_log:
        problems = verify_log(args.verify_log, notebooks)
        if problems:
            print("the build did not render from the pre-filled cache:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        print(f"[prefill] build log: all {len(notebooks)} notebooks served from the cache")
        return 0
    cfg = execute_config(root)
    executed, failures, seconds = prefill(notebooks, cfg["cache"], cfg["timeout"], cfg["allow_errors"])
    cached = len(notebooks) - len(executed) - len(failures)
    print(f"[prefill] {len(executed)} notebook(s) executed in parallel in {seconds:.1f} s on {os.cpu_count()} cores, "
          f"{cached} already cached, {len(failures)} failed")
    for uri, tb in failures.items():
        # nbclient's message ends with the failing cell and its error: the part a reader needs
        tail = tb[tb.find("CellExecutionError: An error occurred"):] if "CellExecutionError: An error" in tb else tb
        print(f"\nFAILED: {uri}\n{tail}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""A change under helpers/ must make the next build re-execute the notebooks (jupyter-cache keys only code cells)."""

import shutil
from pathlib import Path

from tools.cache_guard import guard

ROOT = Path(__file__).resolve().parent.parent


def test_cache_is_dropped_when_helpers_change(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "helpers", repo / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("requirements.txt", "_config.yml"):
        shutil.copy(ROOT / name, repo / name)
    build = repo / "_build"
    cache = build / ".jupyter_cache"

    assert guard(build, repo) is False  # first build: nothing to drop
    cache.mkdir(parents=True)
    (cache / "entry").write_text("executed outputs")
    assert guard(build, repo) is False and cache.exists()  # nothing changed: cache kept

    doctrees = build / ".doctrees"
    doctrees.mkdir()
    with open(repo / "helpers" / "checks.py", "a") as fh:
        fh.write("\n# an edit\n")
    assert guard(build, repo) is True and not cache.exists()  # helpers changed: cache dropped ...
    assert not doctrees.exists()  # ... and Sphinx's environment, or Sphinx would not re-read the pages
    cache.mkdir()
    assert guard(build, repo) is False and cache.exists()

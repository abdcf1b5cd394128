"""Shared fixtures: the repository root, the chapters, and the table of contents."""

from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def toc_files():
    """Every `file:` entry of _toc.yml, in order (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [ch["file"] for ch in part.get("chapters", [])]
    return files


@pytest.fixture(scope="session")
def root():
    return ROOT


def read_nb(path):
    return nbformat.read(path, as_version=4)

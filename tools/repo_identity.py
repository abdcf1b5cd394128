"""The repository's identity -- GitHub ``owner/name``, branch, Pages URL -- from ONE place.

Every repository-dependent link of the site (repository, edit and issue buttons, the Binder launch button,
the canonical Pages URL) is built from what :func:`resolve` returns, by ``tools/book_extensions.py``. It is
looked up, first hit wins:

1. an explicit override: ``make book REPO=owner/name BRANCH=main`` (the Makefile exports them as
   ``GRADIENTS_REPO`` / ``GRADIENTS_BRANCH``); ``REPO=none`` builds a site with no repository at all;
2. GitHub Actions: ``GITHUB_REPOSITORY`` and the branch the run is for (``GITHUB_REF_NAME`` on a push,
   the target branch ``GITHUB_BASE_REF`` on a pull request, whose ``GITHUB_REF_NAME`` is ``N/merge``);
3. the git remote ``origin``, when it is a GitHub URL (https or ssh), with the branch the checkout tracks
   there (else origin's default branch, else ``main``).

With none of them, :func:`resolve` returns ``None`` and the site shows no repository-dependent button
rather than a dead one. A JupyterHub launch button needs a hub: ``make book HUB=https://hub.your.org``
(``GRADIENTS_JUPYTERHUB_URL``); without one there is none.

    python tools/repo_identity.py          # print what a build here would use, as JSON
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
NONE_WORDS = {"none", "-", "off"}
OWNER_NAME = re.compile(r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})$")
GITHUB_REMOTE = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<slug>[^/]+/[^/]+?)(?:\.git)?/?$"
)
BAD_BRANCH = re.compile(r"(^[-/.])|(\.\.)|([\s~^:?*\[\\])|(/$)|(\.lock$)|(@\{)")


class IdentityError(ValueError):
    """An override that cannot name a GitHub repository or branch."""


@dataclass(frozen=True)
class Identity:
    owner: str
    name: str
    branch: str
    source: str  # where it came from: "override", "actions" or "origin"

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def url(self) -> str:
        return f"https://github.com/{self.slug}"

    @property
    def pages_url(self) -> str:
        host = f"{self.owner.lower()}.github.io"
        return f"https://{host}/" if self.name.lower() == host else f"https://{host}/{self.name}/"

    def as_dict(self) -> dict:
        return {**asdict(self), "slug": self.slug, "url": self.url, "pages_url": self.pages_url}


def _check_slug(slug: str, where: str) -> tuple[str, str]:
    m = OWNER_NAME.match(slug.strip())
    if not m or m["name"] in {".", ".."}:
        raise IdentityError(f"{where}={slug!r} is not a GitHub repository: write owner/name, e.g. REPO=octo/gradients")
    return m["owner"], m["name"]


def _check_branch(branch: str, where: str) -> str:
    branch = branch.strip()
    if not branch or BAD_BRANCH.search(branch):
        raise IdentityError(f"{where}={branch!r} is not a valid git branch name")
    return branch


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def parse_github_remote(url: str) -> tuple[str, str] | None:
    """``(owner, name)`` of a GitHub remote URL (https or ssh), else None."""
    m = GITHUB_REMOTE.match(url.strip())
    if not m:
        return None
    try:
        return _check_slug(m["slug"], "origin")
    except IdentityError:
        return None


def _origin_branch(root: Path) -> str:
    upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    if upstream and upstream.startswith("origin/"):
        return upstream.removeprefix("origin/")
    default = _git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
    if default and default.startswith("origin/"):
        return default.removeprefix("origin/")
    return "main"


def resolve(env: dict | None = None, root: Path = ROOT) -> Identity | None:
    """The repository this build belongs to, or None when nothing names one (see the module docstring)."""
    env = os.environ if env is None else env
    repo = (env.get("GRADIENTS_REPO") or "").strip()
    branch = (env.get("GRADIENTS_BRANCH") or "").strip()
    if repo:
        if repo.lower() in NONE_WORDS:
            return None
        owner, name = _check_slug(repo, "REPO")
        return Identity(owner, name, _check_branch(branch or "main", "BRANCH"), "override")
    if env.get("GITHUB_REPOSITORY"):
        owner, name = _check_slug(env["GITHUB_REPOSITORY"], "GITHUB_REPOSITORY")
        if env.get("GITHUB_EVENT_NAME", "").startswith("pull_request") and env.get("GITHUB_BASE_REF"):
            ref = env["GITHUB_BASE_REF"]
        else:
            ref = env.get("GITHUB_REF_NAME") or "main"
        return Identity(owner, name, _check_branch(branch or ref, "BRANCH"), "actions")
    remote = _git(root, "remote", "get-url", "origin")
    parsed = parse_github_remote(remote) if remote else None
    if parsed:
        return Identity(*parsed, _check_branch(branch or _origin_branch(root), "BRANCH"), "origin")
    return None


def jupyterhub_url(env: dict | None = None) -> str:
    """The JupyterHub to launch chapters on, or "" when none is configured."""
    env = os.environ if env is None else env
    url = (env.get("GRADIENTS_JUPYTERHUB_URL") or "").strip().rstrip("/")
    if url:
        parts = urlparse(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise IdentityError(f"HUB={url!r} is not an http(s) URL of a JupyterHub")
    return url


def main() -> int:
    try:
        ident = resolve()
        hub = jupyterhub_url()
    except IdentityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"repository": ident.as_dict() if ident else None, "jupyterhub_url": hub or None}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

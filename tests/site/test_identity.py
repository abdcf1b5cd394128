"""The repository-dependent links of BOTH site builds (`make site`, then `make site-variant`).

Each build writes the identity it used (tools/repo_identity.py) to ``<build>/repository.json``. One of the two
builds has a repository and the other has none (the variant takes the other case: ``REPO=none`` when the main
build has one, else a test repository on a non-default branch). For the build with a repository, every
repository, edit, issue, Binder and JupyterHub link names that repository and branch; for the build without
one, none of those buttons exists. Neither build links to a placeholder or example host.
"""

import functools
import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from tests.conftest import CHAPTERS, ROOT, toc_files

SITES = {"main": ROOT / "_build" / "html", "variant": ROOT / "_build" / "variant" / "_build" / "html"}
PLACEHOLDERS = re.compile(r"gradients-book|example\.(org|com|net)|hub\.example|your-?(org|name|user)", re.I)
REPO_BUTTONS = ("btn-source-repository-button", "btn-source-edit-button", "btn-source-issues-button")


def built(name):
    return (SITES[name] / "index.html").exists() and (SITES[name].parent / "repository.json").exists()


sites = pytest.mark.parametrize(
    "site",
    [pytest.param(n, marks=pytest.mark.skipif(not built(n), reason=f"{n} site not built: make site site-variant"))
     for n in SITES],
)


@functools.cache
def identity(site):
    return json.loads((SITES[site].parent / "repository.json").read_text())


TAG = re.compile(r"<(a|link|script|img|iframe|button)\b([^>]*)>", re.I)
ATTR = re.compile(r'([\w:-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


@functools.cache
def tags(page: Path):
    """(tag, attributes) of every link-bearing tag of a page. A regex, not a parser: Sphinx writes quoted
    attributes, and parsing the ~40 pages of two builds with BeautifulSoup cost minutes on a loaded machine."""
    out = []
    for m in TAG.finditer(page.read_text(encoding="utf-8")):
        attrs = {a[0].lower(): html.unescape(a[1] if a[1] or not a[2] else a[2]) for a in ATTR.findall(m.group(2))}
        out.append((m.group(1).lower(), attrs))
    return out


def pages(site):
    root = SITES[site]
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def urls(page):
    return [a.get("href") or a.get("src") for _, a in tags(page) if a.get("href") or a.get("src")]


def header_links(page):
    """(classes, href) of the page's header buttons (sphinx-book-theme gives each link the class "btn")."""
    return [(a.get("class", "").split(), a["href"]) for t, a in tags(page)
            if t == "a" and "href" in a and "btn" in a.get("class", "").split()]


def has_class(page, cls):
    return any(cls in a.get("class", "").split() for _, a in tags(page))


def canonical(page):
    return [a["href"] for t, a in tags(page) if t == "link" and a.get("rel") == "canonical" and "href" in a]


def test_the_two_builds_cover_both_cases():
    if not (built("main") and built("variant")):
        pytest.skip("both builds are needed: make site site-variant")
    kinds = {identity(s)["repository"] is None for s in SITES}
    assert kinds == {True, False}, "one build must have a repository and the other none"


@sites
def test_no_link_to_a_placeholder_or_example_host(site):
    bad = [f"{p.relative_to(SITES[site])}: {u}" for p in pages(site) for u in urls(p) if PLACEHOLDERS.search(u)]
    assert not bad, "links to placeholder hosts:\n" + "\n".join(bad[:20])


@sites
def test_a_build_without_repository_shows_no_repository_button(site):
    if identity(site)["repository"] is not None:
        pytest.skip("this build has a repository")
    bad = []
    for page in pages(site):
        for cls in (*REPO_BUTTONS, "dropdown-launch-buttons"):
            if has_class(page, cls):
                bad.append(f"{page.name}: a {cls}")
        bad += [f"{page.name}: {c} {h}" for c, h in header_links(page) if urlparse(h).scheme]
        bad += [f"{page.name}: {u}" for u in urls(page)
                if re.search(r"mybinder\.org|/hub/user-redirect|colab\.research", u)]
        if canonical(page):
            bad.append(f"{page.name}: a canonical link with no Pages URL known")
    assert not bad, "repository-dependent links in a build with no repository:\n" + "\n".join(bad[:20])


@sites
@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_buttons_name_the_configured_repository_and_branch(site, nb):
    ident = identity(site)
    repo = ident["repository"]
    if repo is None:
        pytest.skip("this build has no repository")
    if f"book/{nb.stem}" not in toc_files():
        pytest.skip(f"{nb.name} is not in _toc.yml yet")
    page = SITES[site] / "book" / f"{nb.stem}.html"
    url, branch, slug = repo["url"], repo["branch"], repo["slug"]
    links, hrefs = {}, [href for _, href in header_links(page)]
    for classes, href in header_links(page):
        for cls in classes:
            links.setdefault(cls, []).append(href)
    assert links.get("btn-source-repository-button") == [url]
    assert links.get("btn-source-edit-button") == [f"{url}/edit/{branch}/book/{nb.name}"]
    (issues,) = links.get("btn-source-issues-button")
    assert issues.startswith(f"{url}/issues/new?")
    binder = [h for h in hrefs if "mybinder.org" in h]
    assert binder == [f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/book/{nb.name}"], binder
    hubs = [h for h in hrefs if "/hub/user-redirect/git-pull" in h]
    if ident["jupyterhub_url"]:
        (hub,) = hubs
        query = parse_qs(urlparse(hub).query)
        assert hub.startswith(ident["jupyterhub_url"] + "/hub/")
        assert query["repo"] == [url] and query["branch"] == [branch], query
    else:
        assert not hubs, f"a JupyterHub button with no hub configured: {hubs}"
    # every external link of the header buttons is one of the above (no stray repository anywhere)
    for href in hrefs:
        if urlparse(href).scheme:
            assert href.startswith((url + "/", "https://mybinder.org/v2/gh/" + slug + "/")) or href == url or (
                ident["jupyterhub_url"] and href.startswith(ident["jupyterhub_url"])
            ), href
    # the download button serves this build's own copy of the notebook
    downloads = [h for c, h in header_links(page) if "btn-download-source-button" in c]
    assert downloads and all(not urlparse(h).scheme for h in downloads), downloads
    assert all((page.parent / unquote(h)).is_file() for h in downloads), downloads
    assert canonical(page) == [f"{repo['pages_url']}book/{nb.stem}.html"], canonical(page)


@sites
def test_every_github_and_binder_link_on_the_site_names_the_repository(site):
    """Prose may link to other GitHub projects; buttons and launch links may name only this one."""
    repo = identity(site)["repository"]
    bad = []
    for page in pages(site):
        for _classes, href in header_links(page):
            if "github.com" in href and (repo is None or not (href + "/").startswith(repo["url"] + "/")):
                bad.append(f"{page.name}: {href}")
        for u in urls(page):
            if "mybinder.org" in u and (repo is None or f"/v2/gh/{repo['slug']}/{repo['branch']}?" not in u):
                bad.append(f"{page.name}: {u}")
    assert not bad, "links naming another repository or branch:\n" + "\n".join(bad[:20])

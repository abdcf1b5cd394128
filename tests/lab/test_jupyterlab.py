"""The book as a reader meets it in JupyterLab (`make lab`, Binder): MyST renders, the macros typeset, the cells run.

Starts the real ``.venv/bin/jupyter lab`` on a free port of 127.0.0.1 with a random token, a throw-away config,
runtime, settings and workspace folder, and the project's server config (``tools/jupyter_lab_config.py``, what
``make lab`` passes), then drives headless Chromium (found by ``tools/browser.py``) through Playwright. Autosave is
off and nothing is saved: the chapter on disk must be byte-for-byte the same afterwards. Screenshots go to
``_build/screenshots/lab/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT
from tools import browser
from tools.lab_macros import MARKER
from tools.make_exercises import main as make_exercises

pytestmark = pytest.mark.lab

CHAPTER = "book/03_gradients.ipynb"
STUDENT = "exercises/03_gradients.ipynb"
SHOTS = ROOT / "_build" / "screenshots" / "lab"
WORK = ROOT / "_build" / "lab-test"  # notebooks the test writes must lie under the server's root
NOT_DONE = "replace this line with your answer"  # the stub's message (tools/make_exercises.py)
# Test-only JupyterLab settings: every cell in the DOM (so every formula is checked), no autosave (a test must
# never write outputs into book/), no news pop-up over the screenshots.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                          "checkForUpdates": False},
}
# The notebook on show (the others stay in the DOM, hidden), and a formula KaTeX could not typeset in it:
# jupyterlab-myst shows its source, with KaTeX's message ("Undefined control sequence: \\x at position 1: ...")
# as the title. (An unresolved {cite} is drawn in the same colour, without such a title: not a math error.)
NB = ".jp-NotebookPanel:not(.lm-mod-hidden)"
MATH_ERRORS = ", ".join(f"{NB} .myst {sel}" for sel in (
    ".katex-error", "[title*='control sequence']", "[title*=' at position ']", "[title*='KaTeX']"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token) of a JupyterLab server started for this module; stopped by its pid afterwards."""
    tmp = tmp_path_factory.mktemp("lab")
    for name, value in SETTINGS.items():
        (tmp / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "settings" / name).write_text(json.dumps(value))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces")}
    log = (tmp / "lab.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip", "127.0.0.1",
         "--port", str(port), f"--IdentityProvider.token={token}", "--config=tools/jupyter_lab_config.py",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{(tmp / 'lab.log').read_text()[-3000:]}") from exc
                time.sleep(0.3)
        yield base, token
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group of the server we started (start_new_session)
            proc.wait(5)
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = browser.launch(pw)
        pg = chromium.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(60_000)
        yield pg
        chromium.close()


def open_notebook(page, lab, path):
    """Open ``path`` in JupyterLab and wait until every markdown cell is rendered by MyST."""
    base, token = lab
    page.goto(f"{base}/lab/tree/{path}?token={token}")
    page.wait_for_function(
        """(path) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
             if (!w || !w.context || w.context.path !== path || !w.sessionContext.session?.kernel) return false;
             const md = w.content.widgets.filter(c => c.model.type === 'markdown');
             return md.length > 0 && md.every(c => c.node.querySelector('.myst')); }""", arg=path, polling=250)


def wait_idle(page, timeout=120_000):
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget; const k = w.sessionContext.session?.kernel;
             const code = w.content.widgets.filter(c => c.model.type === 'code');
             return k && k.status === 'idle' && code.every(c => c.model.executionCount !== null); }""",
        timeout=timeout, polling=250)


def code_cells(page):
    """[{index, tags, outputs}] of the current notebook's code cells, outputs as nbformat JSON."""
    return page.evaluate(
        """() => window.jupyterapp.shell.currentWidget.content.widgets
             .map((c, i) => ({index: i, type: c.model.type, tags: c.model.getMetadata('tags') || [],
                              outputs: c.model.type === 'code' ? c.model.outputs.toJSON() : []}))
             .filter(c => c.type === 'code')""")


def shoot(page, selector, name):
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / name))


def test_an_unknown_macro_is_caught_and_the_books_macros_typeset(page, lab):
    """The error detector has power: an unknown macro shows up in it, the book's \\R and \\norm do not."""
    WORK.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    probe = r"Known $\R^n$ and $\norm{x}$, unknown $\notamacro x$."
    nb.cells = [nbformat.v4.new_markdown_cell("# Probe\n\n" + probe)]
    nbformat.write(nb, WORK / "probe.ipynb")
    open_notebook(page, lab, "_build/lab-test/probe.ipynb")
    errors = page.locator(MATH_ERRORS)
    assert errors.count() == 1 and "notamacro" in errors.first.inner_text()
    assert page.locator(f"{NB} .myst .katex annotation", has_text=r"\R^n").count() == 1
    shoot(page, f"{NB} .myst", "probe-unknown-macro.png")


def test_chapter_renders_myst_and_runs_all_cells_clean(page, lab):
    before = _sha(ROOT / CHAPTER)
    open_notebook(page, lab, CHAPTER)
    text = page.locator(f"{NB} .jp-Notebook").inner_text()
    assert "{exercise}" not in text and "{prf:theorem}" not in text, "MyST directives shown as raw text"
    source = "\n".join(c.source for c in nbformat.read(ROOT / CHAPTER, as_version=4).cells)
    wanted = re.findall(r"^```\{exercise\} (.+)$", source, re.M)
    titles = [t for t in page.locator(f"{NB} .myst-exercise .myst-exercise-title").all_inner_texts()
              if t.startswith("Exercise")]  # the solution's start and end markers are drawn in the same style
    assert len(wanted) == 4 and titles == [f"Exercise {k} ({t})" for k, t in enumerate(wanted, start=1)], titles
    theorems = page.locator(f"{NB} .myst-proof .myst-proof-title").all_inner_texts()
    assert any(t.startswith("Theorem") and "Steepest ascent" in t for t in theorems), theorems
    assert page.locator(f"{NB} .myst .katex").count() > 100, "the chapter's math is typeset by KaTeX"
    bad = page.locator(MATH_ERRORS).all_inner_texts()
    assert not bad, f"formulas KaTeX could not typeset: {bad[:5]}"
    shoot(page, f"{NB} .myst-proof", "chapter-theorem.png")
    shoot(page, f"{NB} .myst-exercise", "chapter-exercise.png")

    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_idle(page)
    cells = code_cells(page)
    errors = [(c["index"], o.get("ename"), o.get("evalue")) for c in cells for o in c["outputs"]
              if o["output_type"] == "error"]
    assert not errors, f"error output after Run All: {errors}"
    stream = "".join("".join(o.get("text", "")) for c in cells for o in c["outputs"] if o["output_type"] == "stream")
    passes = re.findall(r"^PASS\b", stream, re.M)
    checks = [c for c in cells if "check" in c["tags"]]
    assert len(passes) >= len(checks) + 10 and not re.search(r"^FAIL\b", stream, re.M), (len(passes), len(checks))
    shoot(page, f"{NB} .jp-Cell:last-child", "chapter-run-all.png")
    assert _sha(ROOT / CHAPTER) == before, "the chapter on disk changed while JupyterLab had it open"


def test_student_copy_says_each_unfinished_exercise_is_not_done(page, lab):
    assert make_exercises([str(ROOT / CHAPTER), "--out", str(ROOT / "exercises")]) in (0, None)
    open_notebook(page, lab, STUDENT)
    # Run All stops at the first error, as it should; a learner runs each check cell, so run them one by one.
    page.evaluate(
        """async () => { const w = window.jupyterapp.shell.currentWidget;
             for (let i = 0; i < w.content.widgets.length; i++) {
               if (w.content.widgets[i].model.type !== 'code') continue;
               w.content.activeCellIndex = i;
               await window.jupyterapp.commands.execute('notebook:run-cell');
             } }""")
    wait_idle(page)
    cells = code_cells(page)
    checks = [c for c in cells if "check" in c["tags"]]
    assert len(checks) == 4
    for number, cell in enumerate(checks, start=1):
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert errors, f"exercise 3.{number}: the check passed on the stub"
        assert errors[0]["ename"] == "NotImplementedError", errors[0]
        assert f"Exercise 3.{number}: {NOT_DONE}" in errors[0]["evalue"], errors[0]["evalue"]
    shown = page.locator(f"{NB} .jp-OutputArea-output", has_text=NOT_DONE)
    assert shown.count() == 4, "each check cell shows the not-done message"
    others = [c["index"] for c in cells if "check" not in c["tags"]
              and any(o["output_type"] == "error" for o in c["outputs"])]
    assert not others, f"cells other than the checks fail in the student copy: {others}"
    shown.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "student-not-done.png"))


def test_saving_from_lab_keeps_the_macros_out_of_the_file(lab):
    """What JupyterLab receives carries the macros; what it saves back is the file as it was."""
    base, token = lab
    WORK.mkdir(parents=True, exist_ok=True)
    copy = WORK / "roundtrip.ipynb"
    copy.write_bytes((ROOT / CHAPTER).read_bytes())
    url = f"{base}/api/contents/_build/lab-test/roundtrip.ipynb"
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:
        model = json.load(r)
    first = next(c for c in model["content"]["cells"] if c["cell_type"] == "markdown")
    assert first["source"].startswith("---\n" + MARKER + "\nmath:\n")
    body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
    urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers, method="PUT")).close()
    saved, original = nbformat.read(copy, as_version=4), nbformat.read(ROOT / CHAPTER, as_version=4)
    assert saved.cells[0].source == original.cells[0].source
    assert MARKER not in copy.read_text()

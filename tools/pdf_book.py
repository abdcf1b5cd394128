"""The book as one PDF (``make pdf``: jupyter-book's LaTeX builder, xelatex): what the PDF needs from the build.

Loaded by ``tools/book_extensions.py`` (``setup`` below), for every builder, because the HTML and LaTeX builds
share one Sphinx environment (``_build/.doctrees``) and one notebook cache: the PDF is rendered from the same
executed notebooks as the site, never executed again.

1. **The macros, defined once.** ``\\R``, ``\\grad``, ``\\norm{x}``, ... are defined in ``_config.yml`` for
   MathJax; ``tools/macros.py`` turns them into LaTeX definitions, appended here to the LaTeX preamble.
2. **Animations.** A matplotlib ``to_jshtml`` animation is an HTML/JavaScript output with no LaTeX form (LaTeX
   would show its ``text/plain`` repr, ``<IPython.core.display.HTML object>``). When a document is read, each
   such output gets an ``image/png`` alternative: its last frame (taken from the frames the HTML embeds) and a
   note that it is animated on the website. The HTML builder prefers ``text/html`` and keeps the animation;
   the LaTeX builder prefers the image.
3. **Numbered as on the site.** Chapters 1-15 carry the site's numbers (front and back matter and the parts
   none), and so do theorems and exercises (Theorem 2.1, not 2.4.1).
4. **What LaTeX needs that MathJax and the HTML writers do not**: ``_`` inside ``\\text{}`` escaped, proofs
   titled, no proof index, a stand-in for the ``bbm`` package (tools/latex/bbm.sty), makeindex instead of xindy.
5. **The PDF on the site.** ``PDF_NAME`` is copied into the HTML output by ``make pdf``; the intro page links
   it and every page's download menu gets a "whole book .pdf" entry.

tests/pdf/test_pdf.py checks the PDF (``make pdf-test``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

sys.path.insert(0, str(Path(__file__).resolve().parent))
import macros  # noqa: E402  (tools/macros.py, beside this file)

LATEX_FILES = Path(__file__).resolve().parent / "latex"
PDF_NAME = "gradients.pdf"  # _config.yml latex.latex_documents.targetname, with .pdf
FRAME = re.compile(r'frames\[(\d+)\]\s*=\s*"data:image/(png|jpeg);base64,([^"]+)"')
ALT = re.compile(r'<img alt="([^"]*)" id="_anim_img')
ANIMATION_NOTE = "Animated on the website; the last frame is shown here."


def configure_latex(app, config):
    """Append the book's macros (from _config.yml, through tools/macros.py) to the LaTeX preamble, and the
    rest of the LaTeX configuration (harmless for the HTML builder, which reads none of it)."""
    elements = dict(config.latex_elements or {})
    block = "% The book's macros, from _config.yml (tools/macros.py)\n" + macros.as_latex()
    if block not in elements.get("preamble", ""):
        elements["preamble"] = elements.get("preamble", "") + "\n" + block + "\n" + NUMBERING
    config.latex_elements = elements
    app.gradients_numfig_secnum_depth = config.numfig_secnum_depth
    # jupyterBook.cls loads bbm, which only texlive-fonts-extra has: a stand-in, copied beside gradients.tex
    extra = str(LATEX_FILES / "bbm.sty")
    if extra not in config.latex_additional_files:
        config.latex_additional_files = [*config.latex_additional_files, extra]
    # the book has no index; xindy (Sphinx's default for xelatex) is one more Debian package (with clisp)
    config.latex_use_xindy = False
    # sphinx-proof's "Proof index" points at labels its LaTeX writer names None:... (every entry "??")
    config.latex_domain_indices = False
    # the intro's {tableofcontents} would repeat the PDF's own table of contents as a bullet list
    config.jblatex_show_tocs = False


def keep_site_numbering(app):
    """sphinx-jupyterbook-latex sets numfig_secnum_depth to 2 for a book with parts (Theorem 2.4.1); the
    site numbers by chapter (Theorem 2.1): keep the configured depth, so the PDF numbers as the site does."""
    if app.builder.format == "latex":
        app.config.numfig_secnum_depth = app.gradients_numfig_secnum_depth


def last_frame(page_html: str) -> tuple[bytes, str, str] | None:
    """(image bytes, image type, alt text) of the last frame a matplotlib jshtml animation embeds, or None."""
    frames = {int(i): (kind, data) for i, kind, data in FRAME.findall(page_html)}
    if not frames:
        return None
    kind, data = frames[max(frames)]
    alt = ALT.search(page_html)
    return base64.b64decode(data), kind, html.unescape(alt.group(1)) if alt else "animation, last frame"


def animation_stand_ins(app, doctree):
    """Give every jshtml animation output an image/png alternative (its last frame plus a note)."""
    output_folder = getattr(getattr(app.env, "mystnb_config", None), "output_folder", None)
    if not output_folder:
        return
    for bundle in list(doctree.findall(nodes.container)):
        if bundle.get("nb_element") != "mime_bundle":
            continue
        kinds = {child.get("mime_type"): child for child in bundle.children}
        if "text/html" not in kinds or any(k.startswith("image/") for k in kinds):
            continue
        frame = last_frame(kinds["text/html"].astext())
        if frame is None:
            continue
        data, kind, alt = frame
        target = Path(output_folder) / f"{hashlib.sha256(data).hexdigest()}.{kind}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_bytes(data)
        # Sphinx reads "/path" as relative to the source folder, as myst-nb writes its own output images
        uri = "/" + os.path.relpath(target.resolve(), Path(app.srcdir).resolve())
        stand_in = nodes.container(mime_type=f"image/{kind}")
        stand_in += nodes.image(uri=uri, alt=alt)
        stand_in += nodes.paragraph("", "", nodes.emphasis(text=ANIMATION_NOTE), classes=["animation-note"])
        bundle.insert(0, stand_in)


# Chapter numbers as on the site: only the chapters of numbered toctree parts (1-15) are numbered; front and
# back matter and the parts themselves (their captions say "Part I — ...") are not. The class's own
# secnumdepth is kept in \GradientsSecnumdepth and restored at each numbered chapter.
NUMBERING = "\\AtBeginDocument{\\edef\\GradientsSecnumdepth{\\the\\value{secnumdepth}}}\n"


def latex_numbering(app, doctree, docname):
    """Before each part and chapter of the assembled LaTeX document, set secnumdepth: numbered or not; and
    let sphinx-proof find each chapter (its theorem numbers and labels)."""
    if app.builder.format != "latex":
        return
    env = app.env
    for start in list(doctree.findall(addnodes.start_of_file)):
        doc = start.get("docname")
        if doc not in env.all_docs:  # a part heading made from a toctree caption (sphinx-jupyterbook-latex)
            depth = "-2"
        elif env.toc_secnumbers.get(doc):
            depth = "\\GradientsSecnumdepth"
        else:
            depth = "-1"
        start.insert(0, nodes.raw("", f"\\setcounter{{secnumdepth}}{{{depth}}}\n", format="latex"))
        # sphinx-proof's LaTeX writer finds a theorem's chapter by the chapter section's name equal to its
        # title; tools/book_extensions.py drops the typed "3. " from the title, not from the name: add it.
        if doc in env.all_docs and doc in env.titles:
            section = next(iter(start.findall(nodes.section)), None)
            title = env.titles[doc].astext().lower()
            if section is not None and title not in section["names"]:
                section["names"].append(title)


TEXT_ARG = re.compile(r"\\text\{([^{}]*)\}")


def escape_text_underscores(math: str) -> str:
    r"""``\text{max_norm}`` -> ``\text{max\_norm}`` (an ``_`` already escaped, or outside ``\text{}``, stays)."""
    return TEXT_ARG.sub(lambda m: "\\text{" + re.sub(r"(?<!\\)_", r"\\_", m.group(1)) + "}", math)


def latex_math(app, doctree, docname):
    """Math that MathJax accepts and LaTeX does not: a bare ``_`` inside ``\\text{...}`` (``\\text{max_norm}``)."""
    if app.builder.format != "latex":
        return
    for node in list(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
        text = node.astext()
        fixed = escape_text_underscores(text)
        if fixed != text:
            node.children = []
            node += nodes.Text(fixed)


def latex_proof_titles(app, doctree, docname):
    """sphinx-proof's proof is an admonition with no title, its "Proof. " typed into the first paragraph: in
    LaTeX the box's title then takes the paragraph's first token (an empty title bar). Make "Proof" its title."""
    if app.builder.format != "latex":
        return
    for box in list(doctree.findall(nodes.admonition)):
        if "proof" not in box["classes"] or (box.children and isinstance(box[0], nodes.title)):
            continue
        para = next(iter(box.findall(nodes.paragraph)), None)
        first = para[0] if para is not None and para.children else None
        match = re.match(r"(\w+)\. ", str(first)) if isinstance(first, nodes.Text) else None
        if match:
            para.replace(first, nodes.Text(str(first)[match.end():]))
            box.insert(0, nodes.title("", match.group(1)))


def download_menu_entry(app, pagename, templatename, context, doctree):
    """Add 'whole book (PDF)' to sphinx-book-theme's per-page download menu (after the theme builds it)."""
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append({
                "type": "link",
                "url": context["pathto"](PDF_NAME, 1),
                "text": "whole book .pdf",
                "tooltip": "Download the whole book as one PDF",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            })


def setup(app):
    app.connect("config-inited", configure_latex)
    app.connect("builder-inited", keep_site_numbering, priority=600)  # after sphinx-jupyterbook-latex's
    # before Sphinx's image collector (priority 500) so the frame is collected and copied like any figure
    app.connect("doctree-read", animation_stand_ins, priority=400)
    app.connect("doctree-resolved", latex_math)
    app.connect("doctree-resolved", latex_numbering)
    app.connect("doctree-resolved", latex_proof_titles)
    app.connect("html-page-context", download_menu_entry, priority=502)  # after sphinx-book-theme's (501)

"""tools/pdf_book.py without TeX: the animation stand-in, the LaTeX math fix and the preamble's macros.
(The PDF itself is tested by tests/pdf, after `make pdf`.)"""

import base64
import sys
from types import SimpleNamespace

import numpy as np

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import macros  # noqa: E402
import pdf_book  # noqa: E402


def test_last_frame_of_a_real_animation_is_its_final_png_with_the_alt_text():
    from helpers.plotting import animate_paths

    path = np.array([[1.5, 1.5], [0.5, 0.7], [0.1, 0.1]])
    html = animate_paths(lambda v: v[0] ** 2 + v[1] ** 2, [path], alt='descent "to" the minimum').data
    data, kind, alt = pdf_book.last_frame(html)
    assert kind == "png" and data.startswith(b"\x89PNG\r\n\x1a\n")
    assert alt == 'descent "to" the minimum'
    frames = pdf_book.FRAME.findall(html)
    assert len(frames) == 3 and frames[0][2] != frames[-1][2]  # the path grows: the frames differ
    assert data == base64.b64decode(frames[-1][2])  # the last one, the whole path


def test_no_stand_in_for_html_without_frames():
    assert pdf_book.last_frame("<table><tr><td>1</td></tr></table>") is None


def test_underscores_in_text_are_escaped_for_latex_and_nothing_else():
    assert pdf_book.escape_text_underscores(r"\min(1, \text{max_norm}/x_1)") == r"\min(1, \text{max\_norm}/x_1)"
    assert pdf_book.escape_text_underscores(r"\text{a\_b} + w_t") == r"\text{a\_b} + w_t"


def test_the_preamble_gets_the_macros_of_config_once():
    config = SimpleNamespace(latex_elements={"preamble": "% before"}, latex_additional_files=[],
                             numfig_secnum_depth=1)
    app = SimpleNamespace()
    pdf_book.configure_latex(app, config)
    pdf_book.configure_latex(app, config)
    preamble = config.latex_elements["preamble"]
    assert preamble.startswith("% before") and preamble.count(macros.as_latex()) == 1
    assert r"\renewcommand{\grad}{\nabla}" in preamble
    assert config.latex_additional_files == [str(ROOT / "tools" / "latex" / "bbm.sty")]

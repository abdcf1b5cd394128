"""Plot builders: they draw without error, write nothing to disk, and the animation works offline."""

import os

import matplotlib

matplotlib.use("Agg")  # headless; notebooks keep the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import animate_paths, contour_with_gradients, loglog_errors, plot_path, use_book_style  # noqa: E402


def test_static_builders_draw_and_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    use_book_style()
    fig, (a, b, c) = plt.subplots(1, 3)
    contour_with_gradients(a, lambda v: v @ v, lambda v: 2 * v, arrows=5, n=30)
    plot_path(a, np.array([[1.0, 1.0], [0.5, 0.5], [0.0, 0.0]]), label="path")
    loglog_errors(b, np.logspace(-8, -1, 8), [np.logspace(-8, -1, 8)], labels=["err"])
    assert len(a.collections) > 0 and len(b.lines) == 1
    plt.close(fig)
    assert os.listdir(tmp_path) == []


def test_animation_is_offline_and_has_alt_text():
    html = animate_paths(lambda v: v @ v, [np.zeros((3, 2))], alt='a "quoted" path').data
    assert 'alt="a &quot;quoted&quot; path"' in html
    assert "https://" not in html and "http://" not in html and 'class="fa ' not in html
    with pytest.raises(ValueError, match="alt text"):
        animate_paths(lambda v: v @ v, [np.zeros((3, 2))], alt=" ")


def test_grid_evaluation_matches_pointwise_calls_vectorised_or_not():
    from helpers.plotting import _grid

    vectorisable = lambda v: v[0] ** 2 + 3 * v[0] * v[1]
    not_vectorisable = lambda v: float(np.sum(v**2))  # a scalar for the whole grid: must fall back
    for f in (vectorisable, not_vectorisable):
        X, Y, Z = _grid(f, (-1, 2), (-3, 1), 7)
        loop = np.array([[f(np.array([x, y])) for x, y in zip(rx, ry)] for rx, ry in zip(X, Y)])
        assert Z.shape == X.shape and np.allclose(Z, loop, rtol=1e-12, atol=1e-12)


def test_use_book_style_freezes_the_objects_the_imports_left():
    """After the setup cell, full collections must not walk the imported libraries again."""
    import gc

    gc.unfreeze()
    try:
        use_book_style()
        assert gc.get_freeze_count() > 1000, "use_book_style() did not move the imported objects out of the collector"
    finally:
        gc.unfreeze()


def test_book_style_is_seaborns_colorblind_theme_without_importing_seaborn():
    """use_book_style() writes seaborn's theme out (seaborn costs a chapter about 1.4 s to import);
    this fails if seaborn's theme and the written-out copy drift apart, or if seaborn sneaks back in."""
    import subprocess
    import sys

    import matplotlib as mpl
    from matplotlib.colors import to_hex

    from helpers.plotting import BOOK_OVERRIDES

    def settings():
        rc = dict(mpl.rcParams)
        rc["axes.prop_cycle"] = [to_hex(c) for c in rc["axes.prop_cycle"].by_key()["color"]]
        return rc

    with mpl.rc_context():
        mpl.rcdefaults()
        use_book_style()
        ours = settings()
    import seaborn as sns

    with mpl.rc_context():
        mpl.rcdefaults()
        sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
        mpl.rcParams.update(BOOK_OVERRIDES)
        theirs = settings()
    assert {k: v for k, v in ours.items() if v != theirs[k]} == {}

    code = "import sys, helpers; helpers.use_book_style(); print(sorted({'seaborn', 'pandas'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"use_book_style() imported {loaded.strip()}"


def test_plot_path_marks_the_minimum_only_when_given():
    """The star is the true minimiser, never the path's end: a diverging run must not look like it converged."""
    use_book_style()
    diverging = np.array([[0.1, 0.1], [-0.3, 0.4], [1.5, -2.0]])

    def stars(ax):
        return [ln for ln in ax.lines if ln.get_marker() == "*"]

    fig, (a, b) = plt.subplots(1, 2)
    plot_path(a, diverging, label="diverging")
    assert stars(a) == [], "without minimum=, plot_path must not draw a star"
    ends = [ln for ln in a.lines if len(ln.get_xdata()) == 1]
    assert [tuple(np.ravel(ln.get_xydata())) for ln in ends] == [(0.1, 0.1), (1.5, -2.0)]
    plot_path(b, diverging, minimum=(0.0, 0.0))
    (star,) = stars(b)
    assert tuple(np.ravel(star.get_xydata())) == (0.0, 0.0), "the star must sit at the minimiser, not at the end"
    with pytest.raises(ValueError, match="shape"):
        plot_path(b, np.zeros(4))
    plt.close(fig)

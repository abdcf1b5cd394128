"""The book's figure style and the few plot builders that several chapters share.

matplotlib is imported inside the functions, so ``import helpers`` stays light. Nothing here
writes a file: figures are shown inline and the site build stores them. Introduced in Chapter 1.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = [
    "PALETTE",
    "use_book_style",
    "contour_with_gradients",
    "plot_path",
    "loglog_errors",
    "animate_paths",
]

# seaborn's "colorblind" palette (Okabe-Ito inspired), fixed here so chapters can name colours.
PALETTE = {
    "blue": "#0173b2",
    "orange": "#de8f05",
    "green": "#029e73",
    "red": "#d55e00",
    "purple": "#cc78bc",
    "brown": "#ca9161",
    "pink": "#fbafe4",
    "grey": "#949494",
    "yellow": "#ece133",
    "cyan": "#56b4e9",
}


# Plain-text stand-ins for the Font Awesome icons of matplotlib's animation player.
_PLAYER_ICONS = {  # only U+25C0/U+25B6 triangles and ASCII: glyphs every browser font has
    "fa-minus": "&minus;",
    "fa-fast-backward": "|&#x25C0;&#x25C0;",
    "fa-step-backward": "|&#x25C0;",
    "fa-play fa-flip-horizontal": "&#x25C0;",
    "fa-pause": "||",
    "fa-play": "&#x25B6;",
    "fa-step-forward": "&#x25B6;|",
    "fa-fast-forward": "&#x25B6;&#x25B6;|",
    "fa-plus": "+",
}


# seaborn's ``set_theme(context="notebook", style="whitegrid", palette="colorblind")``, written out
# (its colour cycle is PALETTE, its colormap is replaced below). Importing seaborn costs a chapter
# about 1.4 s (it pulls in pandas and scipy.stats) for nothing but these settings;
# tests/test_plotting.py asserts that they still equal what seaborn itself sets.
SEABORN_THEME = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.labelsize": 12.0,
    "axes.linewidth": 1.25,
    "axes.titlesize": 12.0,
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 12.0,
    "grid.color": ".8",
    "grid.linewidth": 1.0,
    "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.labelsize": 11.0,
    "xtick.major.size": 6.0,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4.0,
    "xtick.minor.width": 1.0,
    "ytick.color": ".15",
    "ytick.labelsize": 11.0,
    "ytick.left": False,
    "ytick.major.size": 6.0,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4.0,
    "ytick.minor.width": 1.0,
}

# The book's own choices on top of the theme.
BOOK_OVERRIDES = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 80,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "image.cmap": "viridis",  # perceptually uniform and colorblind-safe
    "animation.embed_limit": 8,  # MB; the book's animations are far smaller
}


def use_book_style():
    """Finish a chapter's setup cell: the book's plotting style, then a settled garbage collector.

    Style: seaborn's colorblind "whitegrid" theme (``SEABORN_THEME``, without importing seaborn),
    readable fonts and PNG at 2x (``retina``), which keeps lines and labels sharp on high-density
    screens at a fraction of an SVG's size for filled contour plots.

    Collector: the imports before this call leave about 200 000 long-lived objects (torch,
    matplotlib, numpy), and every full collection the chapter triggers would walk them all
    again (0.1-0.25 s a collection on the book's 2-core CI machine; up to 1 s a chapter).
    ``gc.freeze()`` moves them to the permanent generation, so a collection walks only what the
    chapter itself creates. Nothing imported is ever garbage, so nothing is leaked. Call it last
    in the setup cell, after every import.
    """
    import gc

    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update({**SEABORN_THEME, "axes.prop_cycle": cycler(color=list(PALETTE.values()))})
    mpl.rcParams.update(BOOK_OVERRIDES)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
    except Exception:  # not in IPython: nothing to configure
        pass
    gc.freeze()


def _grid(f, xlim, ylim, n):
    """``f`` on an n-by-n grid. Most book functions index ``v[0], v[1]`` and so accept the whole grid
    at once; the vectorised result is used only if it has the grid's shape and agrees with pointwise
    calls at a few grid points, otherwise ``f`` is called point by point."""
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    X, Y = np.meshgrid(xs, ys)
    try:
        Z = np.asarray(f(np.stack([X, Y])), dtype=float)
        probes = [(0, 0), (n // 3, (2 * n) // 3), (n - 1, n // 2), (n - 1, n - 1)]
        if Z.shape == X.shape and all(
            np.isclose(Z[i, j], f(np.array([X[i, j], Y[i, j]])), rtol=1e-12, atol=1e-12) for i, j in probes
        ):
            return X, Y, Z
    except Exception:  # f is not vectorisable: fall back to pointwise calls
        pass
    Z = np.array([[f(np.array([x, y])) for x, y in zip(rx, ry)] for rx, ry in zip(X, Y)])
    return X, Y, Z


def contour_with_gradients(ax, f, grad=None, *, xlim=(-2, 2), ylim=(-2, 2), levels=20, n=120, arrows=11,
                           log_levels=False):
    """Filled contours of ``f`` on ``ax`` with, optionally, a quiver of ``grad`` on a coarse grid.

    Arrows are drawn with their true direction and scaled lengths. Returns the contour set.
    """
    X, Y, Z = _grid(f, xlim, ylim, n)
    if log_levels:
        Z = np.log10(Z - Z.min() + 1e-3)
    cs = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.85)
    ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.4, alpha=0.6, linestyles="solid")
    if grad is not None:
        gx, gy = np.meshgrid(np.linspace(*xlim, arrows), np.linspace(*ylim, arrows))
        G = np.array([[grad(np.array([x, y])) for x, y in zip(rx, ry)] for rx, ry in zip(gx, gy)])
        ax.quiver(gx, gy, G[..., 0], G[..., 1], color=PALETTE["red"], angles="xy")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_aspect("equal")
    return cs


def plot_path(ax, path, *, label=None, color=None, marker="o", minimum=None):
    """Draw an optimisation path (array of shape (steps+1, 2)) with its start and its last iterate marked.

    The start is a square and the last iterate a circled dot: where the run *stopped*, which need not be a
    minimum (a diverging or stalled run ends anywhere). Pass ``minimum=(x, y)``, the true minimiser, to mark it
    with a star; without it no star is drawn.
    """
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
        raise ValueError(f"plot_path needs an array of shape (steps+1, 2), got shape {path.shape}")
    color = color or PALETTE["orange"]
    ax.plot(path[:, 0], path[:, 1], marker=marker, ms=3, lw=1.5, color=color, label=label)
    ax.plot(*path[0], marker="s", ms=7, color=color, mec="black", ls="none")
    ax.plot(*path[-1], marker="o", ms=8, color="white", mec=color, mew=2, ls="none")
    if minimum is not None:
        ax.plot(*np.asarray(minimum, dtype=float), marker="*", ms=14, color=PALETTE["yellow"], mec="black",
                ls="none")


def loglog_errors(ax, steps, errors, *, labels=None, title=None):
    """Error against step size on log-log axes, one curve per row of ``errors``."""
    errors = np.atleast_2d(errors)
    labels = labels or [None] * len(errors)
    for err, label in zip(errors, labels):
        ax.loglog(steps, np.maximum(err, 1e-17), marker=".", label=label)
    ax.set_xlabel("step $h$")
    ax.set_ylabel("absolute error")
    if title:
        ax.set_title(title)
    if any(labels):
        ax.legend()


def animate_paths(f, paths, *, alt, labels=None, xlim=(-2, 2), ylim=(-2, 2), title="", frames=None,
                  interval=120):
    """An HTML/JavaScript animation of one or more descent paths over the contours of ``f``.

    Returns an ``IPython.display.HTML`` object that plays in the browser with no kernel
    (matplotlib's ``to_jshtml``), so it works on the static site. ``alt`` (required) becomes the
    alt text of the animation's frame image, which the site tests require of every image.
    Introduced in Chapter 7.
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("animate_paths needs alt text describing what the animation shows")
    import matplotlib.pyplot as plt
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    paths = [np.asarray(p) for p in paths]
    labels = labels or [None] * len(paths)
    n_frames = frames or max(len(p) for p in paths)
    fig, ax = plt.subplots(figsize=(5, 4), dpi=72)
    contour_with_gradients(ax, f, xlim=xlim, ylim=ylim)
    colors = list(PALETTE.values())[1:]
    lines = [ax.plot([], [], marker="o", ms=3, color=c, label=lab)[0] for c, lab in zip(colors, labels)]
    ax.set_title(title)
    if any(labels):
        ax.legend(loc="upper right")

    def draw(k):
        for line, p in zip(lines, paths):
            upto = p[: min(k + 1, len(p))]
            line.set_data(upto[:, 0], upto[:, 1])
        return lines

    anim = FuncAnimation(fig, draw, frames=n_frames, interval=interval, blit=True, init_func=lambda: lines)
    html = anim.to_jshtml(default_mode="once")
    plt.close(fig)
    # matplotlib's player loads Font Awesome 4 from a CDN for its button icons; the book must work
    # offline, so drop the stylesheet and draw the icons as plain characters.
    html = re.sub(r'<link rel="stylesheet"\s+href="https://maxcdn[^"]*font-awesome[^"]*">', "", html)
    for icon, glyph in _PLAYER_ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', glyph)
    if "https://" in html:
        raise RuntimeError("the animation still refers to an external resource")
    escaped = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    if "<img id=" not in html:
        raise RuntimeError("matplotlib's jshtml layout changed: cannot attach alt text")
    return HTML(html.replace("<img id=", f'<img alt="{escaped}" id=', 1))

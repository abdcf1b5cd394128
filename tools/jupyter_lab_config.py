# JupyterLab (Jupyter Server) configuration for *Gradients*: serve notebooks with the book's LaTeX macros.
# `make lab` passes this file as --config, Binder's postBuild loads it from the environment's
# jupyter_server_config.py, and tests/lab/test_jupyterlab.py starts JupyterLab with it. See tools/lab_macros.py.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.lab_macros import MacroContentsManager  # noqa: E402

c = get_config()  # noqa: F821 -- provided by traitlets when it loads this file
c.ServerApp.contents_manager_class = MacroContentsManager

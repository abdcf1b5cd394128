"""`import helpers` must stay light: no torch, seaborn, matplotlib or pandas."""

import subprocess
import sys


def test_import_helpers_pulls_in_no_heavy_modules():
    code = (
        "import sys, helpers; heavy = [m for m in ('torch', 'seaborn', 'pandas', 'matplotlib', 'scipy') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"import helpers imported: {out.strip()}"

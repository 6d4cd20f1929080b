"""Ctrl-C while accord is still importing its command line (the first ~50 ms of a slow run):
exit 130, as a command interrupted by SIGINT, with no traceback and nothing changed.

The interrupt is raised at the import of `accord.reconciler.cli.main` itself (where a real
Ctrl-C would land in that window), through the import system rather than a timed signal, so the
test is deterministic.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli.support import clean_environment

_ENTRY = """
import builtins, sys
real_import = builtins.__import__

def interrupted(name, *args, **kwargs):
    if name == "accord.reconciler.cli.main":
        raise KeyboardInterrupt
    return real_import(name, *args, **kwargs)

builtins.__import__ = interrupted
sys.argv = ["accord", "lock"]
from accord.reconciler.entry import main
main()
"""


def test_ctrl_c_while_importing_exits_130_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\nrequires-python = ">=3.10"\ndependencies = []\n'
    )
    result = subprocess.run(
        [sys.executable, "-c", _ENTRY],
        cwd=tmp_path,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]

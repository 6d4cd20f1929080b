# ruff: noqa: E501
"""Marker rendering against uv 0.13.8 itself, side by side (no recorded answers).

Each marker is the requirement marker of a virtual project depending on a local path
package; uv's lock records it in ``requires-dist`` in its own spelling, which must equal
accord's ``render_marker``. The markers are ones where uv's DNF simplification has to run
to a fixed point (an older uv stopped after one pass), plus the basic spellings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker

from accord.model.markers import render_marker

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MARKERS = [
    "python_version >= '3.10' and python_version < '3.11' and platform_system == 'Windows'",
    "sys_platform == 'linux' and python_version < '3.11' or sys_platform == 'darwin'",
    # uv 0.13.8 writes the shorter spelling, the Python version on top:
    # python_full_version == '3.11.*' or (python_full_version >= '3.12' and sys_platform != 'linux')
    "(python_version >= '3.11' and sys_platform != 'linux') or "
    "(python_version == '3.11' and sys_platform == 'linux')",
    "python_version >= '3.11' and sys_platform != 'emscripten' or python_version == '3.11' and sys_platform == 'emscripten'",
    "(((python_version < '3.11' and sys_platform == 'linux') or (platform_python_implementation == 'PyPy' or python_full_version >= '3.11.2')) or sys_platform == 'linux')",
    "(platform_python_implementation == 'PyPy' or ((sys_platform == 'emscripten' or platform_system == 'Windows') and (platform_machine == 'x86_64' or python_version >= '3.12')))",
    "((implementation_name == 'cpython' or python_full_version >= '3.11.2') or ((python_full_version >= '3.11.2' and python_full_version >= '3.11.2') or (platform_system == 'Windows' or platform_machine == 'x86_64')))",
    "(((implementation_name == 'cpython' or implementation_name == 'cpython') or (platform_system == 'Windows' and python_version >= '3.12')) or python_version < '3.13')",
    "(((os_name == 'nt' or python_version < '3.13') or (sys_platform == 'emscripten' or python_version < '3.13')) or (platform_system == 'Windows' and (platform_python_implementation == 'PyPy' or python_full_version >= '3.11.2')))",
    "(((platform_machine == 'x86_64' or sys_platform == 'darwin') or (python_version < '3.11' and python_version == '3.10')) or python_full_version >= '3.11.2')",
    "(((sys_platform == 'emscripten' or os_name == 'nt') and platform_python_implementation == 'PyPy') or ((python_version < '3.11' or platform_system == 'Windows') or (platform_python_implementation == 'PyPy' or python_version < '3.13')))",
    "(((sys_platform == 'linux' or sys_platform == 'linux') or (platform_machine == 'x86_64' or os_name == 'nt')) and python_version == '3.10')",
    # uv 0.13.8 reduces the DNF by what it means and orders extras by name, `!=` first:
    "extra == 'b' or extra != 'a'",
    "extra != 'c' or extra == 'a' or extra != 'b'",
    "(extra == 'a' and extra != 'b') or (extra != 'a' and extra == 'b')",
    "extra == 'x' or (extra == 'a' and extra == 'b')",
    "(extra == 'a' and extra == 'b') or (extra != 'a' and extra == 'y') or (extra != 'b' and extra == 'x' and extra == 'y')",
    "(extra == 'a' and extra == 'b') or (extra == 'a' and extra != 'x') or (extra == 'x' and extra == 'y') or (extra == 'b' and extra != 'x') or (extra != 'a' and extra != 'b' and extra == 'y')",
    "(sys_platform == 'linux' and extra == 'a') or extra == 'b'",
    "(implementation_name == 'cpython' and sys_platform != 'win32' and extra == 'a') or (extra == 'a' and extra == 'b')",
    "(python_full_version < '3.11' and extra == 'a') or (python_full_version >= '3.11' and extra == 'b') or extra == 'c'",
    # ...but not by the platform exclusions (os_name 'nt' never meets sys_platform 'linux'):
    "(sys_platform == 'linux') and ((python_version < '3.9') or (os_name == 'nt'))",
]


def _uv_rendering(uv: Path, cache: Path, root: Path, marker: str) -> str | None:
    (root / "dep").mkdir(parents=True)
    (root / "dep" / "pyproject.toml").write_text(
        '[project]\nname = "dep"\nversion = "1"\n', encoding="utf-8"
    )
    dependency = json.dumps(f"dep ; {marker}")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "0"\nrequires-python = ">=3.8"\n'
        f"dependencies = [{dependency}]\n"
        '[tool.uv.sources]\ndep = { path = "dep" }\n[tool.uv]\npackage = false\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(uv), "lock", "--offline", "--cache-dir", str(cache)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lock = tomllib.loads((root / "uv.lock").read_text(encoding="utf-8"))
    (project,) = [p for p in lock["package"] if p["name"] == "p"]
    (requirement,) = project["metadata"]["requires-dist"]
    return requirement.get("marker")


@pytest.mark.parametrize("marker", MARKERS)
def test_render_marker_matches_uv(
    uv_bin: Path, uv_cache: Path, tmp_path: Path, marker: str
) -> None:
    assert render_marker(Marker(marker)) == _uv_rendering(uv_bin, uv_cache, tmp_path, marker)

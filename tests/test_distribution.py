"""What accord's own wheel installs: one import package, `accord`, and the launcher.

The repository keeps `model/` and `reconciler/` at its top level; the wheel carries them as
`accord/model` and `accord/reconciler`, so a project's own `model.py` (or another distribution's
top-level `model`) can neither shadow accord's code nor be overwritten by it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixtures.backends import backends_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """accord's wheel, built by its real backend (hatchling) from the served backend wheels."""
    backends = backends_dir()
    assert backends is not None
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--find-links",
            str(backends),
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("accord-*.whl")
    return built


@pytest.mark.backends
def test_the_wheel_holds_only_accord_the_launcher_and_its_dist_info(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"accord", "accord-0.1.0.dist-info", "accord-0.1.0.data"}
    assert [n for n in names if n.startswith("accord-0.1.0.data/")] == [
        "accord-0.1.0.data/scripts/accord"
    ]
    assert "accord/__init__.py" in names
    assert "accord/model/lock.py" in names
    assert "accord/reconciler/entry.py" in names
    assert "accord/reconciler/lock/resolve/provider.py" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith("accord/reconciler/scripts")]


@pytest.mark.backends
def test_the_installed_accord_ignores_a_model_module_on_pythonpath(
    wheel: Path, tmp_path: Path
) -> None:
    # The wheel unpacked alone (its dependencies come from this interpreter's environment),
    # behind a directory holding a project's `model.py` and `reconciler.py` that refuse to load.
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    user = tmp_path / "project"
    user.mkdir()
    for name in ("model", "reconciler"):
        refusal = f"raise SystemExit('the project {name}.py was imported')\n"
        (user / f"{name}.py").write_text(refusal)
    env = {**os.environ, "PYTHONPATH": f"{user}{os.pathsep}{target}"}
    code = (
        "import sys; sys.argv = ['accord', '--help'];"
        "import accord.reconciler.entry as entry;"
        f"assert entry.__file__.startswith({str(target)!r}), entry.__file__;"
        "entry.main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: accord [OPTIONS] <COMMAND>" in result.stdout
    assert "was imported" not in result.stdout + result.stderr

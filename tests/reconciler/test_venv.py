"""Virtual environments made by accord, checked with their own interpreter and with real uv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accord.model.interpreter import Interpreter
from accord.reconciler.errors import EnvironmentNotRecreatable
from accord.reconciler.install.venv import create_venv, remove_venv
from accord.reconciler.interpreters.find import query_interpreter
from accord.reconciler.interpreters.layout import read_pyvenv_cfg, venv_interpreter_path

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def pyenv_python(minor: str) -> Path:
    """pyenv's newest `minor` (e.g. "3.12") interpreter, or skip the test."""
    found = sorted(
        (d for d in PYENV_VERSIONS.glob(f"{minor}.*") if d.name.replace(".", "").isdigit()),
        key=lambda d: tuple(int(p) for p in d.name.split(".")),
    )
    for directory in reversed(found):
        for name in ("python3", "python"):
            if (directory / "bin" / name).is_file():
                return directory / "bin" / name
    pytest.skip(f"pyenv has no Python {minor} in {PYENV_VERSIONS}")


@pytest.fixture
def py312() -> Interpreter:
    return query_interpreter(pyenv_python("3.12"))


def run_python(venv: Path, code: str) -> str:
    proc = subprocess.run(
        [str(venv_interpreter_path(venv)), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
    )
    return proc.stdout.strip()


@pytest.mark.parametrize("minor", ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"])
def test_create_venv_runs_with_the_venv_as_prefix(tmp_path: Path, minor: str) -> None:
    base = query_interpreter(pyenv_python(minor))
    venv = tmp_path / ".venv"

    create_venv(venv, base)

    code = (
        "import sys, site; print(sys.prefix, sys.base_prefix, site.getsitepackages()[0], sep='\\n')"
    )
    prefix, base_prefix, site_packages = run_python(venv, code).splitlines()
    assert prefix == str(venv)
    assert base_prefix == str(base.prefix)
    assert site_packages == str(venv / "lib" / f"python{minor}" / "site-packages")


def test_create_venv_site_packages_empty_and_writable(tmp_path: Path, py312: Interpreter) -> None:
    venv = tmp_path / ".venv"
    create_venv(venv, py312)
    site_packages = venv / "lib" / "python3.12" / "site-packages"
    assert list(site_packages.iterdir()) == []

    (site_packages / "probe_module.py").write_text("VALUE = 42\n")
    assert run_python(venv, "import probe_module; print(probe_module.__file__)") == str(
        site_packages / "probe_module.py"
    )


def test_create_venv_layout(tmp_path: Path, py312: Interpreter) -> None:
    venv = tmp_path / ".venv"
    create_venv(venv, py312, prompt="my-project")
    base = Path(py312.base_executable)

    assert read_pyvenv_cfg(venv) == {
        "home": str(base.parent),
        "implementation": "CPython",
        "accord": read_pyvenv_cfg(venv)["accord"],  # type: ignore[index]
        "version_info": str(py312.version),
        "include-system-site-packages": "false",
        "prompt": "my-project",
    }
    assert os.readlink(venv / "bin" / "python") == str(base)
    assert os.readlink(venv / "bin" / "python3") == "python"
    assert os.readlink(venv / "bin" / "python3.12") == "python"
    if sys.maxsize > 2**32 and sys.platform == "linux":
        assert os.readlink(venv / "lib64") == "lib"
    assert (venv / ".gitignore").read_text() == "*"
    assert (venv / "CACHEDIR.TAG").read_text() == "Signature: 8a477f597d28d172789f06886806bc55"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".venv"]  # no staging left behind
    (tmp_path / "reference").mkdir()  # the environment gets the umask's mode, like mkdir
    assert venv.stat().st_mode == (tmp_path / "reference").stat().st_mode


def test_create_venv_from_another_venv_links_the_real_interpreter(
    tmp_path: Path, py312: Interpreter
) -> None:
    first = tmp_path / "first"
    create_venv(first, py312)
    second = tmp_path / "second"

    create_venv(second, query_interpreter(venv_interpreter_path(first)))

    assert os.readlink(second / "bin" / "python") == str(py312.base_executable)
    assert run_python(second, "import sys; print(sys.prefix)") == str(second)


def test_create_venv_into_empty_directory(tmp_path: Path, py312: Interpreter) -> None:
    venv = tmp_path / ".venv"
    venv.mkdir()
    create_venv(venv, py312)
    assert run_python(venv, "import sys; print(sys.prefix)") == str(venv)


def test_create_venv_refuses_a_non_empty_directory(
    tmp_path: Path, py312: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "notes.txt").write_text("mine")
    with pytest.raises(EnvironmentNotRecreatable) as caught:
        create_venv(tmp_path / ".venv", py312)
    assert caught.value.message == (
        "`.venv` cannot be created because the path already exists and is not an empty directory"
    )
    assert (tmp_path / ".venv" / "notes.txt").read_text() == "mine"


def test_create_venv_is_accepted_by_uv(
    tmp_path: Path, py312: Interpreter, uv_bin: Path, uv_cache: Path
) -> None:
    venv = tmp_path / ".venv"
    create_venv(venv, py312)
    env = {**os.environ, "UV_CACHE_DIR": str(uv_cache), "UV_NO_CONFIG": "1"}

    listed = subprocess.run(
        [str(uv_bin), "pip", "list", "--python", str(venv / "bin" / "python")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ""
    assert "Using Python 3.12" in listed.stderr

    found = subprocess.run(
        [str(uv_bin), "python", "find", "--no-project"],
        capture_output=True,
        text=True,
        env={**env, "VIRTUAL_ENV": str(venv)},
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(venv / "bin" / "python")


def test_activate_script_sets_virtual_env_and_path(tmp_path: Path, py312: Interpreter) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    venv = tmp_path / "my env"
    create_venv(venv, py312)
    script = (
        f'source "{venv}/bin/activate"; echo "$VIRTUAL_ENV"; command -v python;'
        ' deactivate; echo "${VIRTUAL_ENV:-unset}"'
    )
    out = subprocess.run([bash, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [str(venv), str(venv / "bin" / "python"), "unset"]


def test_read_pyvenv_cfg_normalises_keys_and_values(tmp_path: Path) -> None:
    (tmp_path / "pyvenv.cfg").write_text("Home =  /usr/bin \nversion=3.11.2\nnot a pair\n")
    assert read_pyvenv_cfg(tmp_path) == {"home": "/usr/bin", "version": "3.11.2"}


def test_read_pyvenv_cfg_missing(tmp_path: Path) -> None:
    assert read_pyvenv_cfg(tmp_path) is None


def test_remove_venv_removes_an_environment(tmp_path: Path, py312: Interpreter) -> None:
    venv = tmp_path / ".venv"
    create_venv(venv, py312)
    remove_venv(venv)
    assert list(tmp_path.iterdir()) == []


def test_remove_venv_removes_an_empty_directory(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    remove_venv(tmp_path / ".venv")
    assert list(tmp_path.iterdir()) == []


def test_remove_venv_missing_is_a_no_op(tmp_path: Path) -> None:
    (tmp_path / "neighbour.txt").write_text("keep me")
    remove_venv(tmp_path / ".venv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neighbour.txt"]


def test_remove_venv_refuses_a_directory_with_user_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "important.txt").write_text("keep me")

    with pytest.raises(EnvironmentNotRecreatable) as caught:
        remove_venv(tmp_path / ".venv")

    assert caught.value.message == (
        "`.venv` is not a compatible environment but cannot be recreated because it is not a"
        " virtual environment"
    )
    assert caught.value.hint == "remove it yourself, or point the project environment elsewhere"
    assert (tmp_path / ".venv" / "important.txt").read_text() == "keep me"


def test_remove_venv_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / ".venv").write_text("not a directory")
    with pytest.raises(EnvironmentNotRecreatable):
        remove_venv(tmp_path / ".venv")
    assert (tmp_path / ".venv").read_text() == "not a directory"


def test_accord_version_constant_matches_pyproject() -> None:
    import sys

    from accord.reconciler import __version__

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == __version__

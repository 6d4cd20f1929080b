"""What accord may replace at an environment's path, and how observe describes damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.model.observed import EnvironmentState
from accord.reconciler.errors import EnvironmentNotRecreatable
from accord.reconciler.install.observe import observe_environment
from accord.reconciler.install.venv import check_replaceable, create_venv, remove_venv
from accord.reconciler.interpreters.find import query_interpreter


def test_remove_venv_removes_an_environment_whose_pyvenv_cfg_was_deleted(
    tmp_path: Path, base_python: Path
) -> None:
    venv = tmp_path / ".venv"
    create_venv(venv, query_interpreter(base_python))
    (venv / "pyvenv.cfg").unlink()

    assert observe_environment(venv).state is EnvironmentState.BROKEN
    remove_venv(venv)

    assert list(tmp_path.iterdir()) == []


def test_observe_refuses_a_directory_of_user_files_and_leaves_it(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("not an interpreter")  # but no site-packages

    with pytest.raises(EnvironmentNotRecreatable) as caught:
        observe_environment(venv)

    assert caught.value.message == (
        f"Project virtual environment directory `{venv}` cannot be used because it is not a"
        " valid Python environment (no Python executable was found)"
    )
    assert (venv / "bin" / "python").read_text() == "not an interpreter"


@pytest.mark.parametrize("kind", ["missing", "empty", "dangling-link"])
def test_check_replaceable(tmp_path: Path, kind: str) -> None:
    venv = tmp_path / ".venv"
    if kind == "empty":
        venv.mkdir()
    elif kind == "dangling-link":
        venv.symlink_to(tmp_path / "nowhere")
        with pytest.raises(EnvironmentNotRecreatable, match="symbolic link to nothing"):
            check_replaceable(venv)
        return
    check_replaceable(venv)

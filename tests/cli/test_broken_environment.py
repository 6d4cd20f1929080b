"""A damaged `.venv` is recreated by the plan; a `.venv` accord may not replace is refused first.

uv 0.13.8, side by side: with `pyvenv.cfg` deleted uv runs the command in the base interpreter
without a word, and a garbled one breaks the command. accord's plan says "Recreate" and the
command runs in a repaired environment. A `.venv` that is a file, or a directory of someone
else's files, is refused (exit 2, as uv does) before anything is written: no uv.lock either.
"""

from __future__ import annotations

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, installed, tree

PREFIX = ["python", "-c", "import sys, pkg; print(sys.prefix == sys.base_prefix, pkg.__version__)"]

DAMAGE = [
    pytest.param(None, "pyvenv.cfg is missing", id="deleted"),
    pytest.param(b"home = /usr/\xff\xfe\n", "pyvenv.cfg is not UTF-8 text", id="not-utf8"),
    pytest.param(b"\x00garbage\n", "pyvenv.cfg has no `home` or `version_info`", id="garbage"),
    pytest.param(
        b"home = /nowhere/bin\nversion_info = 3.12.0\n",
        "pyvenv.cfg names a `home` that does not exist (/nowhere/bin)",
        id="home-gone",
    ),
]


@pytest.mark.parametrize(("content", "detail"), DAMAGE)
def test_broken_environment_plan_says_recreate_and_the_run_repairs(
    cli: Cli, make_project: MakeProject, content: bytes | None, detail: str
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    config = project / ".venv" / "pyvenv.cfg"
    if content is None:
        config.unlink()
    else:
        config.write_bytes(content)

    plan = cli.run(project, "--frozen", "--dry-plan", "python", "-c", "pass")
    assert plan.returncode == 0, plan.stderr
    assert f"  ! Recreate .venv: broken environment: {detail}\n" in plan.stdout
    result = cli.run(project, "--frozen", *PREFIX)

    assert (result.returncode, result.stdout) == (0, "False 1.0\n"), result.stderr
    assert "Traceback" not in result.stderr
    assert installed(project) == {"pkg": "1.0"}
    check = cli.run(project, "--frozen", "--dry-plan", "--check", "python", "-c", "pass")
    assert check.returncode == 0, check.stdout


def test_broken_environment_deleted_pyvenv_cfg_is_not_run_by_the_fast_path(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    (project / ".venv" / "pyvenv.cfg").unlink()

    result = cli.run(project, "--frozen", *PREFIX)

    assert (result.returncode, result.stdout) == (0, "False 1.0\n"), result.stderr


@pytest.mark.parametrize("kind", ["file", "user-directory"])
def test_broken_environment_not_replaceable_is_refused_before_the_lock_is_written(
    cli: Cli, make_project: MakeProject, kind: str
) -> None:
    project = make_project("minimal", lock=False)
    venv = project / ".venv"
    if kind == "file":
        venv.write_text("not an environment\n")
        reason = "expected directory but found a file"
    else:
        venv.mkdir()
        (venv / "notes.txt").write_text("keep me\n")
        reason = "it is not a valid Python environment (no Python executable was found)"
    before = tree(project)

    index = {"ACCORD_INDEX_URL": cli.index_url}
    result = cli.run(project, "python", "-c", "pass", env=index)
    plan = cli.run(project, "--dry-plan", "python", "-c", "pass", env=index)

    expected = (
        f"error: Project virtual environment directory `{venv}` cannot be used because {reason}\n\n"
        "hint: remove it yourself, or point the project environment elsewhere\n"
    )
    assert (result.returncode, result.stderr) == (2, expected)
    assert (plan.returncode, plan.stderr) == (2, expected)
    assert tree(project) == before  # no uv.lock, nothing in .venv

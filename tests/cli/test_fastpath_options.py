"""Which runs the fast path serves: every option it understands keeps a no-op run off the slow
path (no click, tomlkit, resolvelib...), a quietness option does not change the stamp's key,
a script named by its path runs with the environment's interpreter, and wildcard cache keys
are read back from the stamp."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from fixtures import PROJECTS_DIR, MakeProject
from tests.cli.support import Cli, clean_environment, run_importing

HEAVY_MODULES = frozenset({"click", "tomlkit", "resolvelib", "cattrs", "urllib3", "rich"})


def _imported_by(
    cli: Cli, project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> set[str]:
    """Top-level modules a run of `accord run ARGS` imports (`-X importtime` on accord's own
    interpreter), after checking it succeeded."""
    argv = [str(arg) for arg in cli.argv(*args)][1:]
    result, imported = run_importing(project, argv, clean_environment(env))
    assert result.returncode == 0 or not check, result.stderr
    return {name.split(".")[0] for name in imported}


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(("--all-extras",), id="all-extras"),
        pytest.param(("--no-dev", "--exact"), id="no-dev-exact"),
        pytest.param(("--all-groups",), id="all-groups"),
        pytest.param(("--extra", "color"), id="extra"),
    ],
)
def test_fastpath_serves_every_selection_option_it_knows(
    cli: Cli, make_project: MakeProject, options: tuple[str, ...]
) -> None:
    project = make_project("simple")
    command = ("--frozen", *options, "--", "python", "-c", "pass")
    first = cli.run(project, *command)
    assert first.returncode == 0, first.stderr
    assert _imported_by(cli, project, *command) & HEAVY_MODULES == set()


@pytest.mark.parametrize("quietness", ["--quiet", "-q", "--no-progress"])
def test_fastpath_quietness_is_not_part_of_the_key(
    cli: Cli, make_project: MakeProject, quietness: str
) -> None:
    project = make_project("simple")
    cli.sync(project)  # stamps `--frozen` alone
    command = ("--frozen", quietness, "--", "python", "-c", "pass")
    assert _imported_by(cli, project, *command) & HEAVY_MODULES == set()


def test_fastpath_runs_a_script_path_with_the_environments_python(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")
    cli.sync(project)
    (project / "show.py").write_text("import sys\nprint(sys.prefix)\n")
    command = ("--frozen", "--", "./show.py")
    assert _imported_by(cli, project, *command) & HEAVY_MODULES == set()
    result = cli.run(project, *command)
    assert (result.returncode, result.stdout) == (0, f"{project / '.venv'}\n"), result.stderr


@pytest.mark.backends
def test_fastpath_serves_a_project_with_wildcard_cache_keys(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "pkg-hatch"
    shutil.copytree(PROJECTS_DIR / "pkg-hatch", project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.uv]\ncache-keys = [{ file = "pyproject.toml" }, { file = "conf/*.toml" }]\n'
    )
    (project / "conf").mkdir()
    (project / "conf" / "a.toml").write_text("x = 1\n")
    env = {"ACCORD_INDEX_URL": cli.index_url}
    for _ in range(2):
        result = cli.run(project, "--", "python", "-c", "pass", env=env)
        assert result.returncode == 0, result.stderr
    imported = _imported_by(cli, project, "--", "python", "-c", "pass", env=env)
    assert imported & HEAVY_MODULES == set()


def test_fastpath_an_option_written_with_equals_is_served_too(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")
    command = ("--frozen", "--extra=color", "--", "python", "-c", "pass")
    first = cli.run(project, *command)
    assert first.returncode == 0, first.stderr
    assert _imported_by(cli, project, *command) & HEAVY_MODULES == set()


@pytest.mark.parametrize("variable", ["UV_ISOLATED", "ACCORD_ISOLATED"])
def test_fastpath_isolated_from_the_environment_is_not_served_from_the_stamp(
    cli: Cli, make_project: MakeProject, variable: str
) -> None:
    project = make_project("simple")
    cli.sync(project)
    cli.sync(project)  # the stamp for .venv is written and matches
    prefix = "import sys; print(sys.prefix)"
    result = cli.run(project, "--frozen", "--", "python", "-c", prefix, env={variable: "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() != str(project / ".venv")


# A variable that changes what a sync makes (uv reads each: lock mode, indexes, builds,
# resolution, selection). The value only has to differ from the stamp's (there it is unset).
SYNC_VARIABLES = {
    "UV_NO_INDEX": "1",
    "UV_FIND_LINKS": "/nonexistent/links",
    "UV_NO_BUILD": "1",
    "UV_NO_BINARY": "1",
    "UV_COMPILE_BYTECODE": "1",
    "UV_RESOLUTION": "lowest",
    "UV_PRERELEASE": "allow",
    "UV_EXCLUDE_NEWER": "2024-01-01T00:00:00Z",
    "UV_NO_DEV": "1",
    "UV_INDEX_URL": "http://127.0.0.1:9/simple/",
    "UV_EXTRA_INDEX_URL": "http://127.0.0.1:9/simple/",
    "UV_FORK_STRATEGY": "fewest",
    "UV_LOCKED": "1",
    "UV_PROJECT_ENVIRONMENT": "other-env",
}


def test_fastpath_a_variable_that_changes_the_sync_is_not_served_from_the_stamp(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")
    command = ("--frozen", "--", "python", "-c", "pass")
    served = []
    for variable, value in SYNC_VARIABLES.items():
        cli.sync(project)  # the stamp is the one made without the variable again
        if "click" not in _imported_by(cli, project, *command, env={variable: value}, check=False):
            served.append(variable)  # the fast path ran the command: the stamp matched
    assert served == []


def _lock_environment(cli: Cli, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Variables for a plain `accord sync`/`accord lock` (no `--python`, so the stamp's options
    are none): the session's index and interpreter."""
    return clean_environment(
        {"ACCORD_INDEX_URL": cli.index_url, "UV_PYTHON": str(cli.python), **(extra or {})}
    )


def _resolved_line(stderr: str) -> str:
    return re.sub(r" in [0-9.]+m?s$", " in T", stderr.strip())


def test_fastpath_a_plain_lock_after_a_sync_is_answered_from_the_stamp(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")
    env = _lock_environment(cli)
    synced, _ = run_importing(project, ["sync"], env)
    assert synced.returncode == 0, synced.stderr
    before = (project / "uv.lock").read_bytes()
    for quiet in ([], ["-q"]):
        fast, imported = run_importing(project, ["lock", *quiet], env)
        assert fast.returncode == 0, fast.stderr
        assert {name.split(".")[0] for name in imported} & HEAVY_MODULES == set()
        slow, imported = run_importing(
            project, ["lock", *quiet], {**env, "ACCORD_NO_FAST_PATH": "1"}
        )
        assert "click" in {name.split(".")[0] for name in imported}
        # the same words as the slow path (the time aside), and nothing at all under -q
        assert _resolved_line(fast.stderr) == _resolved_line(slow.stderr)
        assert fast.stderr.startswith("Resolved ") != bool(quiet)
    assert (project / "uv.lock").read_bytes() == before


@pytest.mark.parametrize(
    "change",
    ["pyproject", "lock", "frozen-sync", "frozen-variable", "check"],
)
def test_fastpath_a_lock_the_stamp_does_not_prove_current_takes_the_slow_path(
    cli: Cli, make_project: MakeProject, change: str
) -> None:
    # An input edited since the sync, a sync that never checked the lock (--frozen,
    # UV_FROZEN), or a lock command with an option: the slow path decides.
    project = make_project("simple")
    variables = {"UV_FROZEN": "1"} if change == "frozen-variable" else {}
    env = _lock_environment(cli, variables)
    synced, _ = run_importing(
        project, ["sync", *(["--frozen"] if change == "frozen-sync" else [])], env
    )
    assert synced.returncode == 0, synced.stderr
    if change == "pyproject":
        with (project / "pyproject.toml").open("a") as stream:
            stream.write("# edited\n")
    elif change == "lock":
        with (project / "uv.lock").open("a") as stream:
            stream.write("\n")
    argv = ["lock", "--check"] if change == "check" else ["lock"]
    result, imported = run_importing(project, argv, env)
    assert "click" in {name.split(".")[0] for name in imported}, result.stderr
    assert result.returncode == 0, result.stderr


def test_fastpath_a_lock_naming_a_tree_the_stamp_does_not_hold_is_not_vouched_for(
    tmp_path: Path,
) -> None:
    # A sync records the trees it installed; a path dependency it left out (behind an extra)
    # still decides whether the lock is current, so only the slow path may say.
    from accord.reconciler.fastlock import _trees_in_stamp

    root = str(tmp_path)
    files = [f"{root}/pyproject.toml", f"{root}/packages/member/pyproject.toml", f"{root}/uv.lock"]
    lock = (
        b'[[package]]\nname = "app"\nsource = { virtual = "." }\n\n'
        b'[[package]]\nname = "member"\nsource = { editable = "packages/member" }\n\n'
        b'[[package]]\nname = "dep"\nsource = { registry = "https://pypi.org/simple" }\n'
    )
    assert _trees_in_stamp(lock, root, files)
    outside = lock + b'\n[[package]]\nname = "leaf"\nsource = { directory = "../leaf" }\n'
    assert not _trees_in_stamp(outside, root, files)
    archive = (
        lock + b'\n[[package]]\nname = "whl"\nsource = { path = "dist/whl-1.0-py3-none-any.whl" }\n'
    )
    assert not _trees_in_stamp(archive, root, files)
    assert _trees_in_stamp(
        outside, root, [*files, os.path.normpath(f"{root}/../leaf/pyproject.toml")]
    )

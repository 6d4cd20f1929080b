"""`accord` and uv 0.13.8 side by side: options, global options, variables and `sync`.

Each test runs the same arguments through both tools, in twin copies of a project, with the
same environment (uv's variables pointing at the local index, cache and interpreter), and
compares exit codes, the key phrases of stderr, and what each left on disk.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from fixtures import MakeProject
from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, clean_environment, installed, run_program, tree


def _env(cli: Cli, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = uv_environment(
        cli.index_url, cache_dir=cli.uv_cache, python=cli.python, base=clean_environment()
    )
    env.update(extra or {})
    return env


def _both(
    cli: Cli, project: Path, *args: str, env: Mapping[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], Path]:
    """`accord ARGS` in `project` and `uv ARGS` in a copy of it made first."""
    twin = project.parent / f"{project.name}-uv"
    if project.exists():
        shutil.copytree(project, twin, symlinks=True)
    else:
        twin.mkdir()
    environment = _env(cli, env)
    accord = run_program(cli.accord, project, args, environment)
    uv = run_program(cli.uv_bin, twin, args, environment)
    return accord, uv, twin


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("run", "--frozn", "python", "-c", "pass"), id="run-similar"),
        pytest.param(("run", "--xyzzy", "python"), id="run-unknown"),
        pytest.param(("run", "-qx", "python"), id="run-short-cluster"),
        pytest.param(("--frozn", "run", "python"), id="before-subcommand"),
        pytest.param(("sync", "--frozn"), id="sync-similar"),
        pytest.param(("run", "--python"), id="missing-value"),
        pytest.param(("run", "--color", "blah", "python"), id="bad-choice"),
        pytest.param(("run", "--no-sync=1", "python"), id="flag-with-value"),
        pytest.param(("run", "--locked", "--frozen", "python"), id="locked-frozen"),
        pytest.param(("run", "--frozen", "--locked", "python"), id="frozen-locked"),
        pytest.param(("rn",), id="unknown-subcommand"),
        pytest.param(("run", "-q", "-v", "python"), id="quiet-verbose"),
    ],
)
def test_cli_usage_errors_match_uv_and_change_nothing(
    cli: Cli, make_project: MakeProject, args: tuple[str, ...]
) -> None:
    project = make_project("minimal", lock=False)
    before = tree(project)

    accord, uv, twin = _both(cli, project, *args)

    assert (accord.returncode, uv.returncode) == (2, 2), accord.stderr + uv.stderr
    # All of it: the error, the tip, the usage line, `For more information`.
    said = [line.replace("accord", "uv") for line in accord.stderr.splitlines()]
    assert said == uv.stderr.splitlines()
    assert tree(project) == before == tree(twin)  # no lock, no .venv
    assert "Traceback" not in accord.stderr


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        pytest.param(("--frozn",), "error: unexpected argument '--frozn' found", id="unknown"),
        pytest.param(
            ("-q", "-v"),
            "error: the argument '--quiet...' cannot be used with '--verbose...'",
            id="quiet-verbose",
        ),
    ],
)
def test_cli_usage_errors_on_a_synced_project(
    cli: Cli, make_project: MakeProject, args: tuple[str, ...], phrase: str
) -> None:
    """A stamp that matches must not let the fast path take `--frozn` for the command."""
    project = make_project("minimal")
    cli.sync(project)

    result = cli.run(project, *args, "python", "-c", "pass")

    assert result.returncode == 2
    assert phrase in result.stderr


def test_cli_no_sync_does_not_sync(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal", lock=False)

    accord, uv, twin = _both(cli, project, "run", "--no-sync", "python", "-c", "import pkg")

    assert accord.returncode == uv.returncode == 1, accord.stderr
    assert "ModuleNotFoundError: No module named 'pkg'" in accord.stderr
    for directory in (project, twin):
        assert not (directory / "uv.lock").exists()
        assert (directory / ".venv" / "pyvenv.cfg").is_file()  # created empty, as uv does


def test_cli_uv_no_sync_variable_does_not_sync(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal", lock=False)

    accord, uv, _ = _both(
        cli, project, "run", "python", "-c", "import pkg", env={"UV_NO_SYNC": "1"}
    )

    assert accord.returncode == uv.returncode == 1
    assert not (project / "uv.lock").exists()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("-q", "run", "python", "-c", "import pkg"), id="quiet-first"),
        pytest.param(("--offline", "run", "--frozen", "python", "-c", "import pkg"), id="offline"),
        pytest.param(("--no-progress", "run", "python", "-c", "import pkg"), id="no-progress"),
        pytest.param(("--color", "never", "run", "python", "-c", "import pkg"), id="color"),
        pytest.param(("run", "-q", "--no-config", "python", "-c", "import pkg"), id="after"),
        pytest.param(("--no-cache", "run", "python", "-c", "import pkg"), id="no-cache"),
        pytest.param(("run", "--", "python", "-c", "import pkg"), id="double-dash"),
    ],
)
def test_cli_global_options_before_or_after_the_subcommand(
    cli: Cli, make_project: MakeProject, args: tuple[str, ...]
) -> None:
    project = make_project("minimal")
    if "--offline" in args:
        # Both caches must hold the wheel, whichever tests ran before on this worker.
        warm = shutil.copytree(project, project.parent / "warm")
        online = tuple(arg for arg in args if arg != "--offline")
        assert [r.returncode for r in _both(cli, warm, *online)[:2]] == [0, 0]

    accord, uv, _ = _both(cli, project, *args)

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr
    assert installed(project)["pkg"] == "1.0"


def test_cli_directory_before_the_subcommand(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    args = ("--directory", project.name, "run", "python", "-c", "import pkg")

    accord = run_program(cli.accord, project.parent, args, _env(cli))
    uv = run_program(cli.uv_bin, project.parent, args, _env(cli))

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr


def test_cli_version_and_help(cli: Cli, tmp_path: Path) -> None:
    env = _env(cli)
    for flag in ("-V", "--version"):
        result = run_program(cli.accord, tmp_path, (flag,), env)
        assert result.returncode == 0
        assert result.stdout.startswith("accord ")
    result = run_program(cli.accord, tmp_path, ("help", "run"), env)
    assert result.returncode == 0
    assert "Usage: accord run [OPTIONS] [COMMAND]" in result.stdout
    assert "--no-sync" in result.stdout
    result = run_program(cli.accord, tmp_path, ("help", "rn"), env)
    uv = run_program(cli.uv_bin, tmp_path, ("help", "rn"), env)
    assert result.returncode == uv.returncode == 2
    assert "error: There is no command `rn` for `accord`. Did you mean one of:" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        pytest.param(
            ("--python-platform", "linux"),
            {},
            "`--python-platform`",
            id="python-platform",
        ),
        pytest.param(
            ("--keyring-provider", "subprocess"),
            {},
            "`--keyring-provider subprocess`",
            id="keyring-provider",
        ),
        pytest.param((), {"UV_LINK_MODE": "copy"}, "`UV_LINK_MODE=copy`", id="UV_LINK_MODE"),
    ],
)
def test_cli_options_accord_cannot_honour_are_refused_by_name(
    cli: Cli,
    make_project: MakeProject,
    args: tuple[str, ...],
    env: dict[str, str],
    named: str,
) -> None:
    project = make_project("minimal", lock=False)
    before = tree(project)

    result = run_program(
        cli.accord, project, ("run", *args, "python", "-c", "pass"), _env(cli, env)
    )

    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {named} is not supported by accord yet\n\nhint: ")
    assert tree(project) == before


def test_cli_uv_default_index_alone_decides_the_index(cli: Cli, make_project: MakeProject) -> None:
    """No `--index` anywhere: UV_DEFAULT_INDEX (set by `_env`) must be the one used."""
    project = make_project("minimal", lock=False)

    accord, uv, twin = _both(cli, project, "lock")

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr
    lock = (project / "uv.lock").read_text()
    assert f'source = {{ registry = "{cli.index_url}" }}' in lock
    assert "pypi.org" not in lock
    assert lock == (twin / "uv.lock").read_text()


def test_cli_uv_index_url_alone_decides_the_index(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal", lock=False)
    env = _env(cli)
    env["UV_INDEX_URL"] = env.pop("UV_DEFAULT_INDEX")

    result = run_program(cli.accord, project, ("lock",), env)

    assert result.returncode == 0, result.stderr
    assert f'registry = "{cli.index_url}"' in (project / "uv.lock").read_text()


def _stale(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("pkg==1.0", "pkg==1.1"))


def test_cli_uv_locked_with_a_stale_lock_exits_1_and_leaves_it(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    _stale(project)
    lock = (project / "uv.lock").read_bytes()

    accord, uv, twin = _both(cli, project, "run", "python", "-c", "pass", env={"UV_LOCKED": "1"})

    assert (accord.returncode, uv.returncode) == (1, 1), accord.stderr
    phrase = "needs to be updated, but `UV_LOCKED=1` was provided"
    assert phrase in accord.stderr
    assert phrase in uv.stderr
    assert (project / "uv.lock").read_bytes() == lock == (twin / "uv.lock").read_bytes()


@pytest.mark.parametrize(
    ("env", "args", "phrase"),
    [
        pytest.param(
            {"UV_LOCKED": "1", "UV_FROZEN": "1"},
            (),
            "error: the argument `UV_LOCKED` (environment variable) cannot be used with "
            "`UV_FROZEN` (environment variable)",
            id="both-variables",
        ),
        pytest.param(
            {"UV_LOCKED": "maybe"},
            (),
            "error: Failed to parse environment variable `UV_LOCKED` with invalid value "
            "`maybe`: expected a boolish value",
            id="not-boolish",
        ),
    ],
)
def test_cli_lock_mode_variables_as_uv_reads_them(
    cli: Cli,
    make_project: MakeProject,
    env: dict[str, str],
    args: tuple[str, ...],
    phrase: str,
) -> None:
    project = make_project("minimal")

    accord, uv, _ = _both(cli, project, "run", *args, "python", "-c", "pass", env=env)

    assert (accord.returncode, uv.returncode) == (2, 2)
    assert phrase in accord.stderr
    assert phrase in uv.stderr
    assert not (project / ".venv").exists()


def test_cli_frozen_flag_beats_uv_locked_with_uv_warning(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    _stale(project)

    accord, uv, _ = _both(
        cli, project, "run", "--frozen", "python", "-c", "pass", env={"UV_LOCKED": "1"}
    )

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr
    warning = "warning: Ignoring `UV_LOCKED` because `--frozen` was provided"
    assert warning in accord.stderr
    assert warning in uv.stderr


def test_cli_uv_frozen_uses_the_lock_as_it_is(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    _stale(project)
    lock = (project / "uv.lock").read_bytes()

    accord, uv, _ = _both(cli, project, "run", "python", "-c", "import pkg", env={"UV_FROZEN": "1"})

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr
    assert (project / "uv.lock").read_bytes() == lock
    assert installed(project)["pkg"] == "1.0"


def _add_extraneous(cli: Cli, project: Path) -> None:
    result = subprocess.run(
        [
            str(cli.uv_bin),
            "pip",
            "install",
            "--python",
            str(project / ".venv" / "bin" / "python"),
            "dep-a==1.0",
        ],
        cwd=project,
        env=_env(cli),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_cli_sync_removes_an_extraneous_package_as_uv_sync_does(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    _add_extraneous(cli, project)
    assert "dep-a" in installed(project)

    accord, uv, twin = _both(cli, project, "sync")

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr
    assert "dep-a" not in installed(project)
    assert installed(project) == installed(twin)
    assert " - dep-a==1.0" in accord.stderr.splitlines()
    assert " - dep-a==1.0" in uv.stderr.splitlines()
    assert " - dep-b==2.0" in accord.stderr.splitlines()  # dep-a's dependency
    assert "Uninstalled 2 packages in" in accord.stderr
    assert "Uninstalled 2 packages in" in uv.stderr


def test_cli_sync_inexact_keeps_an_extraneous_package(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    cli.sync(project)
    _add_extraneous(cli, project)

    accord, uv, twin = _both(cli, project, "sync", "--inexact")

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr
    assert installed(project)["dep-a"] == installed(twin)["dep-a"] == "1.0"


def test_cli_sync_check_fails_on_an_outdated_environment(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    _add_extraneous(cli, project)

    accord, uv, _ = _both(cli, project, "sync", "--check")

    assert (accord.returncode, uv.returncode) == (1, 1), accord.stderr
    assert "error: The environment is outdated; run `accord sync`" in accord.stderr
    assert "error: The environment is outdated; run `uv sync`" in uv.stderr
    assert "dep-a" in installed(project)


def _timeless(stderr: str) -> list[str]:
    """The `Would …`, `Found …` and `Checked …` lines and the package lines uv and accord print."""
    return [
        line
        for line in stderr.splitlines()
        if line.startswith(("Would ", "Found ", "Checked ", " + ", " - "))
    ]


def test_cli_sync_dry_run_says_what_uv_says(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    cli.sync(project)
    _add_extraneous(cli, project)

    accord, uv, _ = _both(cli, project, "sync", "--dry-run")

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr
    assert accord.stdout == uv.stdout == ""
    assert _timeless(accord.stderr) == _timeless(uv.stderr)
    assert "Would uninstall 2 packages" in accord.stderr
    assert "dep-a" in installed(project)  # nothing changed


def test_cli_sync_check_passes_when_only_the_lock_would_change(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as stream:
        stream.write('\n[project.optional-dependencies]\nx = ["dep-a"]\n')

    accord, uv, _ = _both(cli, project, "sync", "--check")

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr
    assert "Would update lockfile at: uv.lock" in uv.stderr
    assert [line.split(" in ")[0] for line in _timeless(accord.stderr)] == [
        line.split(" in ")[0] for line in _timeless(uv.stderr)
    ]


def test_cli_sync_nothing_to_do_says_so(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    cli.sync(project)

    accord, uv, _ = _both(cli, project, "sync")

    assert (accord.returncode, uv.returncode) == (0, 0)
    assert accord.stderr.startswith("Resolved 2 packages in ")
    assert uv.stderr.startswith("Resolved 2 packages in ")


@pytest.mark.parametrize("command", ["sync", "lock"])
def test_cli_sync_and_lock_outside_any_project_fail_as_uv(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    accord, uv, _ = _both(cli, empty, command)

    assert (accord.returncode, uv.returncode) == (2, 2)
    message = "error: No `pyproject.toml` found in current directory or any parent directory\n"
    assert accord.stderr == uv.stderr == message


def test_cli_compile_bytecode_compiles_site_packages(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")

    result = run_program(cli.accord, project, ("sync", "--compile-bytecode"), _env(cli))

    assert result.returncode == 0, result.stderr
    assert list((project / ".venv" / "lib").glob("*/site-packages/pkg/__pycache__/*.pyc"))

"""`accord run` end to end: the real console script, real venvs, the local index."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from packaging.tags import sys_tags

from fixtures import MakeProject
from fixtures.catalog import NATIVE_LINUX_TAG
from fixtures.wheels import expand_tags
from tests.cli.support import (
    Cli,
    clean_environment,
    installed,
    run_importing,
    site_packages,
    venv_python,
)

SIMPLE_DEFAULT = {
    "cli-tool": "1.0",
    "datafiles": "1.0",
    "dep-a": "1.0",
    "dep-b": "2.0",
    "devtool": "1.0",
    "pkg": "1.1",
}
"""What `simple` installs on a non-Windows interpreter with the default (`dev`) group."""

SIMPLE_NOTE = (
    "Note: simple is not installed, only its dependencies: it is a virtual project "
    "(no [build-system], or tool.uv.package = false)"
)
KEEP_LOCK = "  = Keep uv.lock (--frozen: used as it is)"
HEAVY_MODULES = frozenset({"click", "tomlkit", "resolvelib", "cattrs", "urllib3", "rich"})
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def _require_pyenv(minor: str) -> None:
    if not any(d.is_dir() for d in PYENV_VERSIONS.glob(f"{minor}.*")):
        pytest.skip(f"pyenv has no Python {minor} in {PYENV_VERSIONS}")


# --- syncing ------------------------------------------------------------------------------


def test_run_frozen_installs_the_locked_packages_for_this_interpreter(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")

    result = cli.run(
        project, "--frozen", "--", "python", "-c", "import pkg; print(pkg.__version__)"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "1.1\n"
    assert (project / ".venv" / "pyvenv.cfg").is_file()
    # Not winonly (sys_platform == 'win32'), not fancy/colorful (extra), not linter (group).
    assert installed(project) == SIMPLE_DEFAULT


def test_run_dry_plan_after_a_run_is_empty(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    cli.sync(project)

    result = cli.run(project, "--frozen", "--dry-plan")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        cli.plan_header,
        KEEP_LOCK,
        SIMPLE_NOTE,
        "Nothing to do: .venv matches the lock (6 packages)",
    ]
    assert cli.run(project, "--frozen", "--dry-plan", "--check").returncode == 0


def test_run_dry_plan_text_lists_create_and_installs(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    lock_before = (project / "uv.lock").read_bytes()

    result = cli.run(project, "--frozen", "--dry-plan")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        cli.plan_header,
        KEEP_LOCK,
        "  + Create .venv: no environment yet",
        *(f"  + Install {name}=={version}: missing" for name, version in SIMPLE_DEFAULT.items()),
        SIMPLE_NOTE,
        "Plan: 6 to install",
    ]
    assert not (project / ".venv").exists()
    assert (project / "uv.lock").read_bytes() == lock_before


def test_run_dry_plan_json_describes_the_plan(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    lock_before = (project / "uv.lock").read_bytes()

    result = cli.run(project, "--frozen", "--dry-plan", "--format", "json")

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["is_empty"] is False
    assert document["environment"]["action"]["kind"] == "create"
    assert document["environment"]["interpreter"]["executable"] == str(cli.python)
    assert [(p["kind"], p["name"], p["target"]["version"]) for p in document["packages"]] == [
        ("install", name, version) for name, version in SIMPLE_DEFAULT.items()
    ]
    assert not (project / ".venv").exists()
    assert (project / "uv.lock").read_bytes() == lock_before


def test_run_dry_plan_check_fails_on_a_fresh_project(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")

    result = cli.run(project, "--frozen", "--dry-plan", "--check")

    assert result.returncode == 1
    assert "  + Create .venv: no environment yet" in result.stdout.splitlines()
    assert not (project / ".venv").exists()


def test_run_replaces_a_package_whose_locked_version_changed(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    assert installed(project) == {"pkg": "1.0"}
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("pkg==1.0", "pkg==1.1"))
    cli.relock(project)

    planned = cli.run(project, "--frozen", "--dry-plan")
    applied = cli.run(
        project, "--frozen", "--", "python", "-c", "import pkg; print(pkg.__version__)"
    )
    after = cli.run(project, "--frozen", "--dry-plan")

    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.splitlines()[1:] == [
        KEEP_LOCK,
        "  ~ Replace pkg 1.0 → 1.1: version differs: 1.0 → 1.1",
        "Note: minimal is not installed, only its dependencies: it is a virtual project "
        "(no [build-system], or tool.uv.package = false)",
        "Plan: 1 to replace",
    ]
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout == "1.1\n"
    assert installed(project) == {"pkg": "1.1"}
    assert after.stdout.splitlines()[-1] == "Nothing to do: .venv matches the lock (1 package)"


# --- --exact ------------------------------------------------------------------------------


@pytest.fixture
def minimal_with_extraneous(cli: Cli, make_project: MakeProject) -> Path:
    """`minimal` synced by accord, plus `colorful` put there by `uv pip install`."""
    project = make_project("minimal")
    cli.sync(project)
    result = cli.uv(
        project, "pip", "install", "--python", str(project / ".venv" / "bin" / "python"), "colorful"
    )
    assert result.returncode == 0, result.stderr
    assert installed(project) == {"pkg": "1.0", "colorful": "1.0"}
    return project


def test_run_without_exact_keeps_an_extraneous_package(
    cli: Cli, minimal_with_extraneous: Path
) -> None:
    project = minimal_with_extraneous

    result = cli.run(project, "--frozen", "--", "python", "-c", "import colorful")

    assert result.returncode == 0, result.stderr
    assert installed(project) == {"pkg": "1.0", "colorful": "1.0"}
    assert (site_packages(project) / "colorful" / "__init__.py").is_file()


def test_run_exact_removes_an_extraneous_package(cli: Cli, minimal_with_extraneous: Path) -> None:
    project = minimal_with_extraneous
    site = site_packages(project)
    venv_python(project, "import colorful")  # leaves bytecode that RECORD does not list
    assert (site / "colorful" / "__pycache__").is_dir()

    planned = cli.run(project, "--frozen", "--exact", "--dry-plan")
    result = cli.run(project, "--frozen", "--exact", "--", "python", "-c", "import pkg")

    assert (
        "  - Remove colorful==1.0: not required by the lock (exact sync)"
        in planned.stdout.splitlines()
    )
    assert result.returncode == 0, result.stderr
    assert installed(project) == {"pkg": "1.0"}
    assert not (site / "colorful").exists()
    assert not (site / "colorful-1.0.dist-info").exists()
    assert (site / "pkg" / "__init__.py").is_file()


# --- extras and groups --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param(
            ("--extra", "color"),
            {**SIMPLE_DEFAULT, "fancy": "1.0", "colorful": "1.0"},
            id="extra-color",
        ),
        pytest.param(("--group", "lint"), {**SIMPLE_DEFAULT, "linter": "1.0"}, id="group-lint"),
        pytest.param(
            ("--no-dev",),
            {k: v for k, v in SIMPLE_DEFAULT.items() if k != "devtool"},
            id="no-dev",
        ),
        pytest.param(("--only-group", "lint"), {"linter": "1.0"}, id="only-group-lint"),
    ],
)
def test_run_selection_installs_what_it_selects(
    cli: Cli, make_project: MakeProject, options: tuple[str, ...], expected: dict[str, str]
) -> None:
    project = make_project("simple")

    result = cli.run(project, "--frozen", *options, "--", "python", "-c", "pass")

    assert result.returncode == 0, result.stderr
    assert installed(project) == expected


def test_run_unknown_extra_is_a_usage_error(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")

    result = cli.run(project, "--frozen", "--extra", "nope", "--", "python", "-c", "pass")

    assert result.returncode == 2
    assert result.stderr == (
        "error: Extra `nope` is not defined in the `optional-dependencies` table for `simple`\n"
    )
    assert result.stdout == ""
    assert not (project / ".venv").exists()


# --- executing the command ----------------------------------------------------------------

PATHS = [pytest.param(False, id="slow-path"), pytest.param(True, id="fast-path")]


@pytest.mark.parametrize("synced_before", PATHS)
def test_run_passes_the_exit_code_through(
    cli: Cli, make_project: MakeProject, synced_before: bool
) -> None:
    project = make_project("minimal")
    if synced_before:
        cli.sync(project)

    result = cli.run(project, "--frozen", "--", "python", "-c", "import sys; sys.exit(3)")

    assert result.returncode == 3, result.stderr


@pytest.mark.parametrize("synced_before", PATHS)
def test_run_execs_the_command_in_its_own_process(
    cli: Cli, make_project: MakeProject, synced_before: bool
) -> None:
    project = make_project("minimal")
    if synced_before:
        cli.sync(project)

    process = subprocess.Popen(
        cli.argv("--frozen", "--", "python", "-c", "import os; print(os.getpid())"),
        cwd=project,
        env=clean_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate(timeout=120)

    assert process.returncode == 0, stderr
    assert int(stdout) == process.pid


def test_run_command_sees_the_project_environment(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    code = "import os, sys; print(sys.prefix); print(os.environ['VIRTUAL_ENV'])"

    result = cli.run(project, "--frozen", "--", "python", "-c", code)

    assert result.returncode == 0, result.stderr
    venv = str((project / ".venv").resolve())
    assert [os.path.realpath(line) for line in result.stdout.splitlines()] == [venv, venv]


def test_run_installs_the_native_wheel_for_this_platform(
    cli: Cli, make_project: MakeProject
) -> None:
    supported = {str(tag) for tag in sys_tags()}
    if not supported & set(expand_tags(NATIVE_LINUX_TAG)):
        pytest.skip(f"this interpreter cannot install {NATIVE_LINUX_TAG} wheels")
    project = make_project("native")

    result = cli.run(
        project, "--frozen", "--", "python", "-c", "import native; print(native.__wheel__)"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "linux\n"
    assert installed(project) == {"native": "1.0"}


# --- the fast path ------------------------------------------------------------------------


def _imported_by_a_run(cli: Cli, project: Path) -> set[str]:
    """Top-level modules accord imports for `run --frozen -- python -c pass` (the same
    options as `cli.sync`), seen through `-X importtime` on accord's own interpreter."""
    argv = [str(arg) for arg in cli.argv("--frozen", "--", "python", "-c", "pass")][1:]
    result, imported = run_importing(project, argv, clean_environment())
    assert result.returncode == 0, result.stderr
    return {name.split(".")[0] for name in imported}


def test_run_fast_path_skips_heavy_imports(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    cli.sync(project)

    imported = _imported_by_a_run(cli, project)

    assert "accord" in imported  # the trick works: accord's own imports are listed
    assert imported & HEAVY_MODULES == set()


SYNC_MUST_NOT_IMPORT = (
    "accord.reconciler.fetch.index",  # the index client: only a build or a lock asks it
    "accord.reconciler.lock.resolve",
    "accord.model.export_formats",  # a sync's selection is export's, not its formats
    "email",  # read from a wheel only when it is unpacked
    "resolvelib",
)


def test_a_sync_of_cached_wheels_into_a_new_environment_imports_no_index_client(
    cli: Cli, make_project: MakeProject
) -> None:
    # The slow path of a first sync (no replay: ACCORD_NO_FAST_PATH) installs wheels the cache
    # holds unpacked already; it neither resolves, builds, downloads nor exports.
    project = make_project("simple")
    cli.sync(project)
    shutil.rmtree(project / ".venv")
    argv = [str(arg) for arg in cli.argv("--frozen", "--", "python", "-c", "pass")][1:]
    env = clean_environment({"ACCORD_NO_FAST_PATH": "1"})
    result, imported = run_importing(project, argv, env)

    assert result.returncode == 0, result.stderr
    assert "accord.reconciler.install.apply" in imported  # the trick works: it installed
    assert (project / ".venv").is_dir()
    assert {
        name
        for name in imported
        if any(name == banned or name.startswith(f"{banned}.") for banned in SYNC_MUST_NOT_IMPORT)
    } == set()


def test_run_fast_path_ignores_quietness(cli: Cli, make_project: MakeProject) -> None:
    # -q/-v change what is printed, not what is synced: a run with -q stamps for a run
    # without it.
    project = make_project("simple")
    result = cli.run(project, "--frozen", "-q", "--", "python", "-c", "pass")
    assert result.returncode == 0, result.stderr
    assert _imported_by_a_run(cli, project) & HEAVY_MODULES == set()


def test_run_fast_path_falls_back_when_pyproject_changes(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")
    cli.sync(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "# a comment changes the digest\n")

    after_edit = _imported_by_a_run(cli, project)
    again = _imported_by_a_run(cli, project)

    assert "click" in after_edit
    assert again & HEAVY_MODULES == set()


# --- interpreters -------------------------------------------------------------------------


def test_run_recreates_the_venv_when_the_interpreter_changes(
    cli: Cli, make_project: MakeProject
) -> None:
    _require_pyenv("3.12")
    _require_pyenv("3.11")
    project = make_project("simple")
    version = "import sys; print('%d.%d' % sys.version_info[:2])"

    first = cli.run(project, "--frozen", "--", "python", "-c", version, python="3.12")
    planned = cli.run(project, "--frozen", "--dry-plan", python="3.11")
    second = cli.run(project, "--frozen", "--", "python", "-c", version, python="3.11")

    assert first.returncode == 0, first.stderr
    assert first.stdout == "3.12\n"
    plan = planned.stdout.splitlines()
    assert re.fullmatch(
        r"  ! Recreate \.venv: interpreter changed: 3\.12\.\d+ \(\S+\) → 3\.11\.\d+ \(\S+\)",
        plan[2],
    ), plan
    assert plan[3:-2] == [f"  + Install {n}=={v}: missing" for n, v in SIMPLE_DEFAULT.items()]
    assert second.returncode == 0, second.stderr
    assert second.stdout == "3.11\n"
    assert venv_python(project, version) == "3.11"
    assert site_packages(project).parent.name == "python3.11"
    assert installed(project) == SIMPLE_DEFAULT


def test_run_concurrent_syncs_both_succeed(cli: Cli, make_project: MakeProject) -> None:
    # The environment's file lock serialises them: neither sees a half-installed package.
    project = make_project("simple")
    argv = cli.argv("--frozen", "--", "python", "-c", "import pkg, dep_a, cli_tool")
    processes = [
        subprocess.Popen(
            argv,
            cwd=project,
            env=clean_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    plan = cli.run(project, "--frozen", "--dry-plan", "--check")
    assert plan.returncode == 0, plan.stdout


def test_run_repairs_a_damaged_package(cli: Cli, make_project: MakeProject) -> None:
    # A file listed in RECORD is gone (an interrupted install, or a stray rm): the slow path
    # plans a replacement for that package alone; `accord sync` (never on the fast path,
    # which trusts site-packages' top-level listing) repairs it; then the plan is empty.
    project = make_project("minimal")
    cli.sync(project)
    (site_packages(project) / "pkg" / "__init__.py").unlink()
    planned = cli.run(project, "--frozen", "--dry-plan")
    assert "  ~ Replace pkg==1.0: files missing or modified: pkg/__init__.py is missing" in (
        planned.stdout.splitlines()
    )
    repair = subprocess.run(
        [str(cli.accord), "sync", "--frozen", "--python", str(cli.python)],
        cwd=project,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert repair.returncode == 0, repair.stderr
    show = "import pkg; print(pkg.__version__)"
    result = cli.run(project, "--frozen", "--", "python", "-c", show)
    assert (result.returncode, result.stdout) == (0, "1.0\n"), result.stderr
    assert cli.run(project, "--frozen", "--dry-plan", "--check").returncode == 0


def test_a_sync_keeps_what_checked_clean_and_a_dry_plan_keeps_nothing(
    cli: Cli, make_project: MakeProject
) -> None:
    # `.accord-checked` (reconciler.install.checked): after a sync, the dists it kept that
    # checked clean against RECORD, so the next observation need not stat their every file.
    project = make_project("minimal")

    def sync() -> None:  # `accord sync` observes: never on the fast path
        argv = [str(cli.accord), "sync", "--frozen", "--python", str(cli.python)]
        done = subprocess.run(
            argv, cwd=project, env=clean_environment(), capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr

    sync()
    snapshot = project / ".venv" / ".accord-checked"
    then = time.time() - 60  # out of the window a change could hide in
    for directory, _, files in os.walk(project / ".venv"):
        for name in files:
            os.utime(os.path.join(directory, name), (then, then), follow_symlinks=False)
        os.utime(directory, (then, then))
    snapshot.unlink(missing_ok=True)

    assert cli.run(project, "--frozen", "--dry-plan").returncode == 0
    assert not snapshot.exists()
    sync()

    kept = json.loads(snapshot.read_text())
    assert sorted(kept["dists"]) == [
        path.name for path in sorted(site_packages(project).glob("*.dist-info"))
    ]
    module = site_packages(project) / "pkg" / "__init__.py"
    before = os.stat(module.parent)
    module.unlink()
    replace = "  ~ Replace pkg==1.0: files missing or modified: pkg/__init__.py is missing"
    os.utime(module.parent, ns=(before.st_atime_ns, before.st_mtime_ns))
    # Its directory's time put back: the snapshot vouches, unless --verify, which trusts it
    # with nothing.
    assert replace not in cli.run(project, "--frozen", "--dry-plan").stdout.splitlines()
    verified = cli.run(project, "--frozen", "--dry-plan", "--verify")
    assert replace in verified.stdout.splitlines(), verified.stdout
    os.utime(module.parent)
    planned = cli.run(project, "--frozen", "--dry-plan")
    assert replace in planned.stdout.splitlines()
    sync()
    # pkg was replaced: it is checked in full next time (the only package, so no file).
    left = json.loads(snapshot.read_text())["dists"] if snapshot.exists() else {}
    assert "pkg-1.0.dist-info" not in left

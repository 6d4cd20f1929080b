"""`--active`: the environment `VIRTUAL_ENV` names is synced instead of the project's.

uv 0.13.8's `run`, `sync`, `add` and `remove` take `--active` (and the hidden `--no-active`,
the later of the two winning): with `VIRTUAL_ENV` set, the project is synced into that
environment (made when missing; relative to the working directory) and the command runs
there; unset, or naming the project's own, it changes nothing. Without either, a `VIRTUAL_ENV`
naming another environment draws uv's warning, which points at `--active`; `--no-active`
silences it. Each case runs uv and accord side by side in copies of the project, and the fast
path and the replay, which only know `<root>/.venv`, must leave a run `--active` moves
elsewhere to the slow path. A PEP 723 script goes the same way, from its cached environment
to the active one (`run` only adds to it); without `--active`, only `sync --script` warns.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from fixtures import MakeProject
from tests.cli.support import Cli, clean_environment, run_importing, write_project

_TIME = re.compile(r" in \d+(\.\d+)?(ms|s)$", re.MULTILINE)
_WARNING = (
    "warning: `VIRTUAL_ENV={active}` does not match the project environment path `{project}` "
    "and will be ignored; use `--active` to target the active environment instead\n"
)
_PREFIX = "import os, sys; print(sys.prefix, os.environ['VIRTUAL_ENV'])"

PYPROJECT = """\
[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["dep-a==1.0"]
"""


def _said(result: subprocess.CompletedProcess[str], root: Path) -> tuple[int, str, str]:
    """Exit status, stdout and stderr, with the times and the tool's own directory masked.
    `Prepared …` depends on each tool's cache, and `Created uv.lock` is accord's own news."""
    stderr = "".join(
        line
        for line in _TIME.sub(" in <time>", result.stderr).splitlines(keepends=True)
        if not line.startswith(("Prepared ", "Created uv.lock"))
    )
    return (
        result.returncode,
        result.stdout.replace(str(root), "<root>"),
        stderr.replace(str(root), "<root>"),
    )


def _both(
    cli: Cli, tmp_path: Path, *args: str, env: dict[str, str] | None = None, cwd: str = "proj"
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """What accord and uv do with ``ARGS`` in their copies (``<root>`` in ``env`` is each
    tool's own directory)."""
    said = []
    for who in ("accord", "uv"):
        root = tmp_path / who
        variables = {key: value.replace("<root>", str(root)) for key, value in (env or {}).items()}
        variables["UV_PYTHON"] = str(cli.python)
        if who == "accord":
            result = cli.invoke(root / cwd, *args, env=variables)
        else:
            result = cli.uv(root / cwd, *args, env=variables)
        said.append(_said(result, root))
    return said[0], said[1]


def _projects(cli: Cli, tmp_path: Path, *, active: bool = False) -> None:
    """The project in both tools' directories, each with an empty `active` environment."""
    for who in ("accord", "uv"):
        write_project(tmp_path, who, PYPROJECT)
        if active:
            made = cli.uv(tmp_path, "venv", "-q", str(tmp_path / who / "active"))
            assert made.returncode == 0, made.stderr


def _packages(venv: Path) -> set[str]:
    """The `name-version` of every distribution in ``venv``."""
    (site,) = venv.glob("lib/python*/site-packages")
    return {entry.name.removesuffix(".dist-info") for entry in site.glob("*.dist-info")}


def test_sync_active_syncs_the_environment_virtual_env_names(cli: Cli, tmp_path: Path) -> None:
    _projects(cli, tmp_path, active=True)
    env = {"VIRTUAL_ENV": "<root>/active"}
    ours, theirs = _both(cli, tmp_path, "sync", "--active", env=env)
    assert ours == theirs
    assert theirs == (
        0,
        "",
        "Resolved 3 packages in <time>\nInstalled 2 packages in <time>\n"
        " + dep-a==1.0\n + dep-b==2.0\n",
    )
    for who in ("accord", "uv"):
        assert _packages(tmp_path / who / "active") == {"dep_a-1.0", "dep_b-2.0"}
        assert not (tmp_path / who / "proj" / ".venv").exists()

    # Without --active: the project's environment, and uv's warning, tip and all.
    ours, theirs = _both(cli, tmp_path, "sync", env=env)
    assert ours == theirs
    assert theirs[2].startswith(_WARNING.format(active="<root>/active", project=".venv"))
    assert (tmp_path / "accord" / "proj" / ".venv" / "pyvenv.cfg").is_file()

    # --no-active keeps the project's without a word; of the two, the later given wins.
    for args in (("--no-active",), ("--active", "--no-active"), ("--no-active", "--active")):
        ours, theirs = _both(cli, tmp_path, "sync", *args, env=env)
        assert (
            ours
            == theirs
            == (0, "", "Resolved 3 packages in <time>\nChecked 2 packages in <time>\n")
        )


def test_run_active_makes_the_active_environment_and_runs_there(cli: Cli, tmp_path: Path) -> None:
    _projects(cli, tmp_path)
    env = {"VIRTUAL_ENV": "<root>/active"}
    ours, theirs = _both(cli, tmp_path, "run", "--active", "python", "-c", _PREFIX, env=env)
    assert ours == theirs
    assert theirs[:2] == (0, "<root>/active <root>/active\n")
    assert "Creating virtual environment at: <root>/active\n" in theirs[2]

    # The project's environment, made and stamped by a run without --active ...
    ours, theirs = _both(cli, tmp_path, "run", "python", "-c", _PREFIX, env=env)
    assert ours == theirs
    assert theirs[1] == "<root>/proj/.venv <root>/proj/.venv\n"
    assert theirs[2].startswith(_WARNING.format(active="<root>/active", project=".venv"))
    # ... does not answer for one with it (the fast path steps aside) ...
    ours, theirs = _both(cli, tmp_path, "run", "--active", "python", "-c", _PREFIX, env=env)
    assert ours == theirs == (0, "<root>/active <root>/active\n", "")
    # ... nor keeps its warning under --no-active.
    ours, theirs = _both(cli, tmp_path, "run", "--no-active", "python", "-c", _PREFIX, env=env)
    assert ours == theirs == (0, "<root>/proj/.venv <root>/proj/.venv\n", "")


def test_active_without_another_environment_is_the_project_environment(
    cli: Cli, tmp_path: Path
) -> None:
    _projects(cli, tmp_path)
    for env in (
        {},
        {"VIRTUAL_ENV": ""},
        {"VIRTUAL_ENV": "<root>/proj/.venv"},
        {"VIRTUAL_ENV": ".venv"},
    ):
        ours, theirs = _both(cli, tmp_path, "run", "--active", "python", "-c", _PREFIX, env=env)
        assert ours == theirs
        assert theirs[:2] == (0, "<root>/proj/.venv <root>/proj/.venv\n")
        assert "warning" not in theirs[2]


def test_active_wins_over_the_project_environment_variable(cli: Cli, tmp_path: Path) -> None:
    _projects(cli, tmp_path)
    env = {"VIRTUAL_ENV": "<root>/active", "UV_PROJECT_ENVIRONMENT": "<root>/configured"}
    ours, theirs = _both(cli, tmp_path, "sync", "--active", env=env)
    assert ours == theirs
    assert "Creating virtual environment at: <root>/active\n" in theirs[2]
    assert not (tmp_path / "accord" / "configured").exists()

    ours, theirs = _both(cli, tmp_path, "sync", env=env)
    assert ours == theirs
    assert theirs[2].startswith(
        _WARNING.format(active="<root>/active", project="<root>/configured")
    )
    assert (tmp_path / "accord" / "configured" / "pyvenv.cfg").is_file()


def test_a_relative_virtual_env_is_read_from_the_working_directory(
    cli: Cli, tmp_path: Path
) -> None:
    """`--directory` moves the working directory first; `--project` does not."""
    _projects(cli, tmp_path)
    env = {"VIRTUAL_ENV": "relative"}
    ours, theirs = _both(cli, tmp_path, "--directory", "proj", "sync", "--active", env=env, cwd="")
    assert ours == theirs
    assert "Creating virtual environment at: relative\n" in theirs[2]
    ours, theirs = _both(cli, tmp_path, "sync", "--project", "proj", "--active", env=env, cwd="")
    assert ours == theirs
    for who in ("accord", "uv"):
        assert (tmp_path / who / "proj" / "relative" / "pyvenv.cfg").is_file()
        assert (tmp_path / who / "relative" / "pyvenv.cfg").is_file()
        assert not (tmp_path / who / "proj" / ".venv").exists()


def test_add_and_remove_sync_the_active_environment(cli: Cli, tmp_path: Path) -> None:
    _projects(cli, tmp_path, active=True)
    env = {"VIRTUAL_ENV": "<root>/active"}
    ours, theirs = _both(cli, tmp_path, "add", "--active", "dep-c", env=env)
    assert ours == theirs
    assert theirs[2].endswith(
        "Installed 3 packages in <time>\n + dep-a==1.0\n + dep-b==2.0\n + dep-c==1.0\n"
    )
    ours, theirs = _both(cli, tmp_path, "remove", "--active", "dep-c", env=env)
    assert ours == theirs
    assert theirs[2].endswith(" - dep-c==1.0\n")
    for who in ("accord", "uv"):
        assert _packages(tmp_path / who / "active") == {"dep_a-1.0", "dep_b-2.0"}
        assert not (tmp_path / who / "proj" / ".venv").exists()

    ours, theirs = _both(cli, tmp_path, "add", "dep-c", env=env)
    assert ours == theirs
    assert theirs[2].startswith(_WARNING.format(active="<root>/active", project=".venv"))
    ours, theirs = _both(cli, tmp_path, "remove", "--no-active", "dep-c", env=env)
    assert ours == theirs
    assert "warning" not in theirs[2]
    assert _packages(tmp_path / "accord" / "proj" / ".venv") == {"dep_a-1.0", "dep_b-2.0"}


def test_active_given_twice_is_refused_as_uv_refuses_it(cli: Cli, tmp_path: Path) -> None:
    _projects(cli, tmp_path)
    for args in (
        ("sync", "--active", "--active"),
        ("run", "--no-active", "--no-active", "python"),
        ("add", "--active", "--active", "dep-c"),
        ("remove", "--no-active", "--no-active", "dep-c"),
    ):
        ours, theirs = _both(cli, tmp_path, *args)
        assert ours == (theirs[0], theirs[1], theirs[2].replace("uv ", "accord ")), args
        assert theirs[0] == 2 and "cannot be used multiple times" in theirs[2]


def test_the_fast_path_serves_active_only_for_the_project_environment(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project("simple")
    cli.sync(project)  # stamps `--frozen`
    argv = cli.argv("--frozen", "--active", "python", "-c", "import sys; print(sys.prefix)")[1:]
    for virtual_env in (None, str(project / ".venv"), ".venv"):
        env = clean_environment({"VIRTUAL_ENV": virtual_env} if virtual_env else {})
        result, imported = run_importing(project, argv, env)
        assert (result.returncode, result.stdout) == (0, f"{project / '.venv'}\n"), result.stderr
        assert "click" not in imported, virtual_env

    # The same variables as the sync that wrote the stamp, but for VIRTUAL_ENV.
    other = tmp_path / "other"
    result, imported = run_importing(project, argv, clean_environment({"VIRTUAL_ENV": str(other)}))
    assert (result.returncode, result.stdout) == (0, f"{other}\n"), result.stderr
    assert "click" in imported


def test_the_replay_makes_the_project_environment_only(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """A missing `.venv` with a recipe: `sync --active` naming another environment syncs that
    one and leaves `.venv` missing; naming the project's own, the replay makes it."""
    project = make_project("simple")
    venv, other = project / ".venv", tmp_path / "other"
    base = {
        "ACCORD_CACHE_DIR": str(tmp_path / "cache"),
        "ACCORD_INDEX_URL": cli.index_url,
        "UV_PYTHON": str(cli.python),
    }

    def sync(*options: str, virtual_env: Path) -> tuple[str, bool]:
        env = clean_environment({**base, "VIRTUAL_ENV": str(virtual_env)})
        result, imported = run_importing(project, ["sync", "--frozen", *options], env)
        assert result.returncode == 0, result.stderr
        return result.stderr, "click" in imported

    assert sync(virtual_env=venv)[1]  # the slow path leaves the recipe
    shutil.rmtree(venv)
    said, slow = sync("--active", virtual_env=other)
    assert slow and "Creating virtual environment at: " in said
    assert (other / "pyvenv.cfg").is_file() and not os.path.lexists(venv)
    said, slow = sync("--active", virtual_env=venv)
    assert not slow and (venv / "pyvenv.cfg").is_file()
    shutil.rmtree(venv)
    said, slow = sync("--no-active", virtual_env=other)
    assert not slow and "warning" not in said
    shutil.rmtree(venv)
    said, slow = sync(virtual_env=other)
    assert not slow
    assert said.startswith(_WARNING.format(active=other, project=".venv"))


SCRIPT = """\
# /// script
# requires-python = ">=3.10"
# dependencies = ["dep-a==1.0"]
# ///
import os, sys
print(sys.prefix, os.environ['VIRTUAL_ENV'])
"""
_CACHED = re.compile(r"/\S*/environments(-v2)?/[^\s`/]+")


def _scripts(tmp_path: Path) -> None:
    for who in ("accord", "uv"):
        (tmp_path / who).mkdir()
        (tmp_path / who / "s.py").write_text(SCRIPT)


def _cached(said: tuple[int, str, str]) -> tuple[int, str, str]:
    """``said`` with each tool's cached script environment as ``<cached>``."""
    return said[0], _CACHED.sub("<cached>", said[1]), _CACHED.sub("<cached>", said[2])


def test_active_runs_a_script_in_the_environment_virtual_env_names(
    cli: Cli, tmp_path: Path
) -> None:
    """uv installs a script's dependencies into the active environment (made when missing),
    adding to what it holds under `run`, exactly under `sync --script`; nothing of accord's
    own is left in it."""
    _scripts(tmp_path)
    env = {"VIRTUAL_ENV": "<root>/active"}
    ours, theirs = _both(cli, tmp_path, "run", "--active", "s.py", env=env, cwd="")
    assert (
        ours == theirs == (0, "<root>/active <root>/active\n", "Installed 2 packages in <time>\n")
    )
    for who in ("accord", "uv"):
        added = cli.uv(tmp_path / who, "pip", "install", "-q", "--python", "active", "dep-c")
        assert added.returncode == 0, added.stderr
    ours, theirs = _both(cli, tmp_path, "run", "--active", "s.py", env=env, cwd="")
    assert ours == theirs == (0, "<root>/active <root>/active\n", "")

    ours, theirs = _both(cli, tmp_path, "sync", "--active", "--script", "s.py", env=env, cwd="")
    assert ours == theirs
    assert theirs == (
        0,
        "",
        "Using script environment at: active\nResolved 2 packages in <time>\n"
        "Uninstalled 1 package in <time>\n - dep-c==1.0\n",
    )
    ours, theirs = _both(
        cli, tmp_path, "sync", "--active", "--script", "s.py", env={"VIRTUAL_ENV": "new"}, cwd=""
    )
    assert ours == theirs
    assert theirs[2].startswith("Creating script environment at: new\n")
    for who in ("accord", "uv"):
        for venv in ("active", "new"):
            assert _packages(tmp_path / who / venv) == {"dep_a-1.0", "dep_b-2.0"}
        (site,) = (tmp_path / who / "active").glob("lib/python*/site-packages")
        assert sorted(p.name for p in site.iterdir()) == [
            "dep_a",
            "dep_a-1.0.dist-info",
            "dep_b",
            "dep_b-2.0.dist-info",
        ]
        assert not (tmp_path / who / "active" / "accord.lock").exists()


def test_a_script_passes_over_virtual_env_without_active(cli: Cli, tmp_path: Path) -> None:
    """Without `--active` a script keeps its cached environment; `sync --script` says that
    VIRTUAL_ENV goes unused (not `run`, `-q` or `--no-active`), and with `--active` but no
    VIRTUAL_ENV nothing changes."""
    _scripts(tmp_path)
    env = {"VIRTUAL_ENV": "<root>/active"}
    ours, theirs = _both(cli, tmp_path, "run", "--active", "s.py", cwd="")
    assert _cached(ours) == _cached(theirs)
    assert _cached(theirs)[:2] == (0, "<cached> <cached>\n")
    ours, theirs = _both(cli, tmp_path, "run", "s.py", env=env, cwd="")
    assert _cached(ours) == _cached(theirs) == (0, "<cached> <cached>\n", "")

    ours, theirs = _both(cli, tmp_path, "sync", "--script", "s.py", env=env, cwd="")
    assert _cached(ours) == _cached(theirs)
    assert _cached(theirs) == (
        0,
        "",
        "warning: `VIRTUAL_ENV=active` does not match the script environment path `<cached>` "
        "and will be ignored; use `--active` to target the active environment instead\n"
        "Using script environment at: <cached>\nResolved 2 packages in <time>\n"
        "Checked 2 packages in <time>\n",
    )
    for args in (("-q",), ("--no-active",)):
        ours, theirs = _both(cli, tmp_path, "sync", *args, "--script", "s.py", env=env, cwd="")
        assert _cached(ours) == _cached(theirs)
        assert "warning" not in theirs[2]
    for who in ("accord", "uv"):
        assert not (tmp_path / who / "active").exists()

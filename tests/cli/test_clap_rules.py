"""`accord` and uv 0.13.8 side by side on options given together (`reconciler.cli.clap_rules`).

uv's parser refuses a single-valued option given twice and the pairs it declares in
conflict (exit 2, before anything on disk changes), lets the later of two overriding flags
win, and counts a variable it reads itself (`UV_PYTHON`, not `UV_FROZEN`) as given after the
command line. Each test runs the same arguments through both tools, in twin copies of a
project with an extra `web` and groups `dev`, `lint`, and compares all of stderr: the error,
the usage line (the arguments given, as clap names them) and `For more information`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, clean_environment, installed, tree

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

_PYPROJECT = """\
[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = []

[project.optional-dependencies]
web = ["dep-a"]

[dependency-groups]
dev = ["linter"]
lint = ["colorful"]
"""

_SCRIPT = """\
# /// script
# dependencies = []
# ///
"""


def _both(
    cli: Cli,
    tmp_path: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    variables: bool = True,
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], Path, Path]:
    """`accord ARGS` and `uv ARGS`, each in its own copy of the project; `variables=False`
    leaves out uv's variables for the local index, cache and interpreter (for a refusal: they
    would be on its usage line)."""
    environment = (
        uv_environment(
            cli.index_url, cache_dir=cli.uv_cache, python=cli.python, base=clean_environment()
        )
        if variables
        else clean_environment()
    )
    environment.update(env or {})
    results = []
    projects = []
    for name, executable in (("accord", cli.accord), ("uv", cli.uv_bin)):
        project = tmp_path / name / "proj"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(_PYPROJECT, encoding="utf-8")
        (project / "script.py").write_text(_SCRIPT, encoding="utf-8")
        projects.append(project)
        results.append(
            subprocess.run(
                [str(executable), *args],
                cwd=project,
                env=environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
                timeout=180,
            )
        )
    return results[0], results[1], projects[0], projects[1]


def _said(stderr: str) -> list[str]:
    """Every line of stderr, with the tool's name taken out."""
    return [line.replace("accord", "uv") for line in stderr.splitlines()]


_PY = ("python", "-c", "pass")
_CONFLICT = ("--frozen", "--locked")
_WEB = ("--extra", "web")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("sync", "--all-extras", "--extra", "web"), id="sync-all-extras-extra"),
        pytest.param(("sync", "--extra", "web", "--all-extras"), id="sync-extra-all-extras"),
        pytest.param(("run", "--all-extras", "--extra", "web", *_PY), id="run-all-extras-extra"),
        pytest.param(("export", "--extra=web", "--all-extras"), id="export-extra-all-extras"),
        pytest.param(("sync", "--no-dev", "--only-dev"), id="sync-no-dev-only-dev"),
        pytest.param(("run", "--only-dev", "--group", "lint", *_PY), id="run-only-dev-group"),
        pytest.param(("export", "--only-dev", "--all-groups"), id="export-only-dev-all-groups"),
        pytest.param(
            ("sync", "--only-group", "lint", "--group", "dev"), id="sync-only-group-group"
        ),
        pytest.param(("run", "--dev", "--only-group", "lint", *_PY), id="run-dev-only-group"),
        pytest.param(("export", "--only-group", "lint", "--extra", "web"), id="export-only-extra"),
        pytest.param(("sync", "--all-groups", "--only-group", "lint"), id="sync-all-groups-only"),
        pytest.param(("sync", "-p", "3.11", "--python", "3.11"), id="sync-python-twice"),
        pytest.param(("run", "--python=3.11", "-p3.11", *_PY), id="run-python-twice"),
        pytest.param(("lock", "-p", "3.11", "--python", "3.11"), id="lock-python-twice"),
        pytest.param(("export", "-p", "3.11", "-p", "3.12"), id="export-python-twice"),
        pytest.param(("add", "-p", "3.11", "-p", "3.11", "colorful"), id="add-python-twice"),
        pytest.param(("sync", "--frozen", "--frozen"), id="sync-flag-twice"),
        pytest.param(("run", "--no-exact", "--inexact", *_PY), id="run-alias-twice"),
        pytest.param(("run", "-v", "-q", *_PY), id="run-verbose-quiet"),
        pytest.param(("-v", "--quiet", "sync"), id="global-verbose-quiet"),
        pytest.param(("run", "--module", "--script", "x"), id="run-module-script"),
        pytest.param(("lock", "--check-exists", "--check"), id="lock-check-exists-check"),
        pytest.param(("lock", "--locked", "--check-exists"), id="lock-locked-check-exists"),
        pytest.param(("add", "--group", "lint", "--dev", "colorful"), id="add-group-dev"),
        pytest.param(
            ("remove", "--group", "lint", "--optional", "web", "dep-a"), id="remove-group-optional"
        ),
        pytest.param(
            ("add", "--optional", "web", "--script", "script.py", "colorful"),
            id="add-optional-script",
        ),
        pytest.param(("sync", "--frozen", "--locked"), id="sync-frozen-locked"),
        pytest.param(("run", "--locked", "--frozen", *_PY), id="run-locked-frozen"),
        pytest.param(("sync", "--upgrade", "--locked"), id="sync-upgrade-locked"),
        pytest.param(("run", "--frozen", "-U", *_PY), id="run-frozen-upgrade"),
        pytest.param(("sync", "--no-sources", "--frozen"), id="sync-no-sources-frozen"),
        pytest.param(("sync", "--upgrade", "--frozen", "--locked"), id="sync-upgrade-with-two"),
        pytest.param(
            ("sync", "--extra", "web", "--extra", "web", "--all-extras"),
            id="sync-extra-listed-once",
        ),
        pytest.param(
            ("sync", "-q", "--color", "never", "-p", "3.11", "-v"), id="sync-names-as-clap-does"
        ),
        pytest.param(
            ("sync", "--exact", "--inexact", "--frozen", "--locked"), id="sync-overridden"
        ),
        pytest.param(
            ("sync", "--dev", "--no-all-extras", "--no-refresh", "--native-tls", *_WEB, *_CONFLICT),
            id="sync-hidden-left-out",
        ),
        pytest.param(("sync", "--extra", "web", "--script", "script.py"), id="sync-extra-script"),
        pytest.param(("sync", "--package", "proj", "--all-packages"), id="sync-package-all"),
        pytest.param(("run", "--package", "proj", "--no-project", *_PY), id="run-package-no-proj"),
        pytest.param(("lock", "--check", "--dry-run"), id="lock-check-dry-run"),
        pytest.param(("lock", "--frozen", "--locked"), id="lock-hidden-frozen"),
        pytest.param(("lock", "--locked", "--upgrade"), id="lock-locked-upgrade"),
        pytest.param(("export", "--frozen", "--no-sources"), id="export-frozen-no-sources"),
        pytest.param(("export", "--script", "script.py", "--package", "p"), id="export-script"),
        pytest.param(("add", "--editable", "--raw", "colorful"), id="add-editable-raw"),
        pytest.param(("add", "--frozen", "--no-install-project", "x"), id="add-frozen-install"),
        pytest.param(("add", "--no-sync", "--only-install-local", "x"), id="add-no-sync-install"),
        pytest.param(("add", "--locked", "--upgrade", "x"), id="add-locked-upgrade"),
        pytest.param(("remove", "--frozen", "--upgrade", "x"), id="remove-frozen-upgrade"),
        pytest.param(("remove", "--no-sync", "--dev", "--group", "l", "x"), id="remove-dev-group"),
        pytest.param(("-q", "--no-cache", "-v", "sync"), id="global-names-what-was-given"),
    ],
)
def test_clap_refusals_match_uv_and_change_nothing(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    accord, uv, project, twin = _both(cli, tmp_path, "--offline", *args)

    assert (accord.returncode, uv.returncode) == (2, 2), accord.stderr + uv.stderr
    assert _said(accord.stderr) == _said(uv.stderr)
    assert uv.stderr.startswith("error: the argument '"), uv.stderr
    _assert_untouched(project, twin)


def _assert_untouched(project: Path, twin: Path) -> None:
    """No lock, no .venv, pyproject.toml as it was: refused before any work."""
    assert (
        tree(project)
        == tree(twin)
        == {
            "pyproject.toml": _PYPROJECT.encode(),
            "script.py": _SCRIPT.encode(),
        }
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("sync", "--dev", "--only-group", "lint"), id="sync-nothing-left"),
        pytest.param(("run", "--dev", "--only-group", "lint", *_PY), id="run-nothing-left"),
        pytest.param(("lock", "--frozen", "--locked"), id="lock-nothing-left"),
        pytest.param(("export", "--dev", "--only-group", "lint"), id="export-nothing-left"),
        pytest.param(("sync", "--frozen", "--no-froze"), id="sync-suggestion-overrides"),
        pytest.param(("sync", "--frozen", "--locked"), id="sync-frozen-locked"),
    ],
)
def test_clap_usage_without_variables_matches_uv(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Without uv's variables: `[OPTIONS]` when no argument is left to show."""
    accord, uv, project, twin = _both(cli, tmp_path, "--offline", *args, variables=False)

    assert (accord.returncode, uv.returncode) == (2, 2), accord.stderr + uv.stderr
    assert _said(accord.stderr) == _said(uv.stderr)
    _assert_untouched(project, twin)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(("sync", "--frozen"), {"UV_NO_SOURCES": "1"}, id="uv-no-sources-frozen"),
        pytest.param(
            ("sync", "--no-compile-bytecode"),
            {"UV_COMPILE_BYTECODE": "1"},
            id="variable-does-not-yield",
        ),
        pytest.param(
            ("sync", "--build-isolation"), {"UV_NO_BUILD_ISOLATION": "true"}, id="build-isolation"
        ),
        pytest.param(("sync", "-q", "-v"), {"UV_NO_CACHE": "bogus"}, id="not-a-boolean"),
        pytest.param(
            ("run", "--frozen", "--locked", *_PY),
            {"UV_NO_PROJECT": "1", "UV_ENV_FILE": ".env", "UV_OFFLINE": "1", "UV_FROZEN": "1"},
            id="run-variables-listed",
        ),
        pytest.param(
            ("add", "--frozen", "--locked", "x"),
            {"UV_COMPILE_BYTECODE": "0", "UV_RESOLUTION": "lowest", "UV_NO_DEV": "1"},
            id="add-variables-listed",
        ),
        pytest.param(("-q", "-v", "lock"), {"UV_NO_CACHE": "1"}, id="global-variables-listed"),
        pytest.param(
            ("run", *_PY), {"UV_RUN_MAX_RECURSION_DEPTH": "x"}, id="hidden-variable-read-by-clap"
        ),
    ],
)
def test_clap_variables_read_by_clap_match_uv(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    """A variable clap reads for an argument is given, after the command line: listed on the
    usage line, and in conflict with an argument that would have overridden it."""
    accord, uv, project, twin = _both(cli, tmp_path, "--offline", *args, env=env)

    assert (accord.returncode, uv.returncode) == (2, 2), accord.stderr + uv.stderr
    assert _said(accord.stderr) == _said(uv.stderr)
    _assert_untouched(project, twin)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("sync", "--inexact", "--exact"), id="sync-inexact-exact"),
        pytest.param(("run", "--exact", "--inexact", *_PY), id="run-exact-inexact"),
        pytest.param(("sync", "--dev", "--no-dev"), id="sync-dev-no-dev"),
        pytest.param(("sync", "--no-all-extras", "--all-extras"), id="sync-all-extras-last"),
        pytest.param(("sync", "--only-dev", "--extra", "web"), id="sync-only-dev-extra"),
        pytest.param(("export", "--only-dev", "--extra", "web"), id="export-only-dev-extra"),
        pytest.param(("--quiet", "sync", "--verbose"), id="quiet-before-verbose-after"),
        pytest.param(("-v", "run", "-q", *_PY), id="verbose-before-quiet-after"),
        pytest.param(("sync", "--locked", "--no-locked"), id="sync-no-locked-last"),
        pytest.param(("sync", "--upgrade", "--no-upgrade", "--frozen", "--no-frozen"), id="no-up"),
    ],
)
def test_clap_accepted_combinations_match_uv(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    accord, uv, project, twin = _both(cli, tmp_path, *args)

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr
    if args[0] == "export":
        assert _requirements(accord.stdout) == _requirements(uv.stdout)
    else:
        assert installed(project) == installed(twin)
    if "--quiet" in args or "-q" in args:
        # Quiet, but for the DEBUG lines of -v.
        shown = [line for line in accord.stderr.splitlines() if not line.startswith("DEBUG")]
        assert shown == [line for line in uv.stderr.splitlines() if not line.startswith("DEBUG")]
        assert any(line.startswith("DEBUG") for line in accord.stderr.splitlines())


def _requirements(text: str) -> list[str]:
    return [line.split(" ")[0] for line in text.splitlines() if line and line[0].isalpha()]


def test_clap_uv_dev_yields_to_add_group(cli: Cli, tmp_path: Path) -> None:
    """A variable never conflicts: `UV_DEV=1 add --group lint` adds to `lint`, as in uv."""
    accord, uv, project, twin = _both(
        cli, tmp_path, "add", "--group", "lint", "colorful", "--frozen", env={"UV_DEV": "1"}
    )

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr
    groups = [
        tomllib.loads((p / "pyproject.toml").read_text())["dependency-groups"]
        for p in (project, twin)
    ]
    assert groups[0] == groups[1]
    assert groups[0]["dev"] == ["linter"]


@pytest.mark.parametrize("command", ["sync", "export"])
def test_clap_several_packages_are_refused_by_name_not_cut_to_the_last(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    """uv takes `--package` several times (several members at once); accord says it cannot
    rather than keep only the last one, and changes nothing."""
    ours, _, project, _ = _both(cli, tmp_path, command, "--package", "a", "--package", "b")
    assert ours.returncode == 2, ours.stderr
    assert ours.stderr.splitlines()[0] == (
        "error: `--package` given more than once is not supported by accord yet"
    )
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml", "script.py"]


def test_the_fast_path_steps_aside_on_every_conflict_it_could_see() -> None:
    """The fast path (standard library only) keeps its own list of the conflicts among the
    options it understands; each conflict of the clap rules between two of those options must
    be on it, or a refused combination would run from a matching stamp."""
    from accord.reconciler import fastargs
    from accord.reconciler.cli import clap_tables

    understood = fastargs._FLAGS | fastargs._VALUED
    quietness = {"--quiet", "--verbose"}
    for command in ("run", "sync"):
        for a, b in clap_tables.CONFLICTS[command]:
            flags = {"--" + a.replace("_", "-"), "--" + b.replace("_", "-")}
            if flags <= understood and not flags & quietness:
                assert any(flags == {x, y} for x, y in fastargs._CONFLICTS), flags

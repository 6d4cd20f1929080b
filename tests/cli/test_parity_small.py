"""Three small differences from uv 0.13.8, closed and checked side by side with it.

1. uv reads `UV_FROZEN` and `UV_LOCKED` itself, not through clap: a variable never conflicts
   with an option. `UV_FROZEN=1 sync --upgrade` is a frozen sync (the upgrade unused, no
   word of it), `UV_LOCKED=1 lock --upgrade` fails as a stale lock, and `lock` honours
   `UV_LOCKED`, `--no-locked` and `--no-frozen` as the other commands do.
2. A requirement on a name with a path, git, URL or workspace source takes the version the
   source has: its own specifier is neither checked nor recorded.
3. A `.python-version` line uv does not support there (an executable name: `not-a-python`,
   `garbage!!`) is skipped with uv's warning, said on every run; the next line is the request.

Each case runs accord and uv in copies of one project and compares what they print (times
and the hint's program name aside), their exit status and the files they leave.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, installed, run_program, write_project

_TIME = re.compile(r" in \d+(\.\d+)?(ms|s)$", re.MULTILINE)

PYPROJECT = """\
[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["pkg"]
"""


def _text(result: subprocess.CompletedProcess[str], root: Path) -> str:
    """stderr as both tools would say it: times, the tool's copy of the project, uv's name in
    hints, `Prepared` lines (which depend on what each cache already held) left out."""
    text = _TIME.sub(" in <time>", result.stderr).replace(str(root), "<root>")
    for command in ("lock", "sync", "lock --script"):
        text = text.replace(f"`uv {command}`", f"`accord {command}`")
    return "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("Prepared ")
    )


def _twins(tmp_path: Path, text: str = PYPROJECT) -> tuple[Path, Path]:
    """The project for accord and its copy for uv."""
    return write_project(tmp_path, "accord", text), write_project(tmp_path, "uv", text)


def _locked_at_1_0(cli: Cli, tmp_path: Path) -> tuple[Path, Path, bytes]:
    """Both projects with one current uv lock holding `pkg` 1.0 (1.1 is the newest)."""
    ours, theirs = _twins(tmp_path)
    made = cli.uv(theirs, "lock", "--upgrade-package", "pkg==1.0")
    assert made.returncode == 0, made.stderr
    lock = (theirs / "uv.lock").read_bytes()
    (ours / "uv.lock").write_bytes(lock)
    assert b'version = "1.0"' in lock
    return ours, theirs, lock


def _both(
    cli: Cli, ours: Path, theirs: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    variables = {"UV_PYTHON": str(cli.python), **(env or {})}
    return cli.invoke(ours, *args, env=variables), cli.uv(theirs, *args, env=variables)


def _same_answer(
    accord: subprocess.CompletedProcess[str],
    uv: subprocess.CompletedProcess[str],
    root: Path,
) -> None:
    """The same exit status and the same words: everything, or for a usage error its first
    line (clap's usage line names the variables each was given), for a failure its `error:`
    and `hint:` lines (accord adds a stale lock's `cause:`, and leaves out what uv says before
    it fails here: the environment it makes first, the `Resolved` line)."""
    assert accord.returncode == uv.returncode, accord.stderr + uv.stderr
    ours, theirs = (
        _text(result, root / who).splitlines() for result, who in ((accord, "accord"), (uv, "uv"))
    )
    if uv.returncode == 2:
        ours, theirs = ours[:1], theirs[:1]
    elif uv.returncode == 1:
        ours, theirs = (
            [line for line in lines if line.startswith(("error:", "hint:"))]
            for lines in (ours, theirs)
        )
    assert ours == theirs
    # An export's header names the program that wrote it.
    assert accord.stdout == uv.stdout.replace("by uv via", "by accord via").replace(
        "#    uv ", "#    accord "
    )


# --- 1. UV_FROZEN and UV_LOCKED with the options they do not conflict with ------------------


@pytest.mark.parametrize(
    ("env", "args"),
    [
        pytest.param({"UV_FROZEN": "1"}, ("sync", "--upgrade"), id="UV_FROZEN-sync-upgrade"),
        pytest.param(
            {"UV_FROZEN": "1"}, ("sync", "-P", "pkg"), id="UV_FROZEN-sync-upgrade-package"
        ),
        pytest.param(
            {"UV_FROZEN": "1"},
            ("run", "-U", "python", "-c", "import pkg; print(pkg.__version__)"),
            id="UV_FROZEN-run-upgrade",
        ),
        pytest.param(
            {}, ("sync", "--frozen", "--upgrade-package", "pkg"), id="frozen-upgrade-package"
        ),
        pytest.param(
            {"UV_LOCKED": "1"}, ("sync", "--frozen", "-P", "pkg"), id="frozen-over-UV_LOCKED"
        ),
    ],
)
def test_a_frozen_sync_leaves_the_upgrade_options_unused_as_uv(
    cli: Cli, tmp_path: Path, env: dict[str, str], args: tuple[str, ...]
) -> None:
    ours, theirs, lock = _locked_at_1_0(cli, tmp_path)

    accord, uv = _both(cli, ours, theirs, *args, env=env)

    assert uv.returncode == 0, uv.stderr
    _same_answer(accord, uv, tmp_path)
    assert (ours / "uv.lock").read_bytes() == lock == (theirs / "uv.lock").read_bytes()
    assert installed(ours)["pkg"] == installed(theirs)["pkg"] == "1.0"


@pytest.mark.parametrize(
    ("env", "args"),
    [
        pytest.param({"UV_LOCKED": "1"}, ("lock", "--upgrade"), id="UV_LOCKED-upgrade"),
        pytest.param({"UV_LOCKED": "1"}, ("lock", "-P", "pkg"), id="UV_LOCKED-upgrade-package"),
        pytest.param({"UV_LOCKED": "1"}, ("lock", "--frozen"), id="UV_LOCKED-frozen"),
        pytest.param({"UV_LOCKED": "1"}, ("lock", "--check-exists"), id="UV_LOCKED-check-exists"),
        pytest.param({"UV_LOCKED": "1"}, ("lock", "--no-locked", "-U"), id="no-locked"),
        pytest.param({"UV_FROZEN": "1"}, ("lock", "--no-frozen", "-U"), id="no-frozen"),
        pytest.param({}, ("lock", "--check", "--no-locked", "-U"), id="no-locked-after-check"),
        pytest.param({}, ("lock", "--no-locked", "--no-locked"), id="no-locked-twice"),
        pytest.param({"UV_LOCKED": "1", "UV_FROZEN": "1"}, ("lock",), id="both-variables"),
    ],
)
def test_lock_reads_uv_locked_and_uv_frozen_as_uv(
    cli: Cli, tmp_path: Path, env: dict[str, str], args: tuple[str, ...]
) -> None:
    ours, theirs, _ = _locked_at_1_0(cli, tmp_path)

    accord, uv = _both(cli, ours, theirs, *args, env=env)

    _same_answer(accord, uv, tmp_path)
    assert (ours / "uv.lock").read_bytes() == (theirs / "uv.lock").read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("sync",), id="sync"),
        pytest.param(("run", "python", "-c", "pass"), id="run"),
        pytest.param(("export",), id="export"),
    ],
)
def test_a_missing_lock_under_uv_frozen_names_the_variable(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    ours, theirs = _twins(tmp_path)

    accord, uv = _both(cli, ours, theirs, *args, env={"UV_FROZEN": "1"})

    assert uv.returncode == 1
    assert "but `UV_FROZEN=1` was provided" in uv.stderr
    _same_answer(accord, uv, tmp_path)


SCRIPT = """\
# /// script
# dependencies = ["pkg==1.0"]
# ///
import pkg
print(pkg.__version__)
"""


@pytest.mark.parametrize("variable", ["UV_LOCKED", "UV_FROZEN"])
def test_a_script_without_a_lock_runs_with_a_warning_under_the_variables(
    cli: Cli, tmp_path: Path, variable: str
) -> None:
    """`run --locked script.py` without `script.py.lock` is an error; the variables, set for
    every project, only warn (uv names `UV_FROZEN` `--frozen` there)."""
    for who in ("accord", "uv"):
        (tmp_path / who).mkdir()
        (tmp_path / who / "s.py").write_text(SCRIPT)

    accord, uv = _both(
        cli, tmp_path / "accord", tmp_path / "uv", "run", "s.py", env={variable: "1"}
    )

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr
    assert accord.stdout == uv.stdout == "1.0\n"
    flag = "UV_LOCKED=1" if variable == "UV_LOCKED" else "--frozen"
    warning = (
        f"warning: No lockfile found for Python script (ignoring `{flag}`); run "
        "`accord lock --script` to generate a lockfile\n"
    )
    assert _text(accord, tmp_path).startswith(warning)
    assert _text(uv, tmp_path).startswith(warning)


# --- 2. a source decides the version ------------------------------------------------------

HATCH = '\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def _package(root: Path, name: str, version: str) -> None:
    """`root/<name>`: a hatchling project at `version`."""
    module = name.replace("-", "_")
    (root / name / module).mkdir(parents=True)
    (root / name / module / "__init__.py").write_text("")
    (root / name / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\nrequires-python = ">=3.10"\n{HATCH}'
    )


def _sourced(requirements: str, source: str, tail: str = "") -> str:
    return (
        PYPROJECT.replace('["pkg"]', f"[{requirements}]")
        + f"\n[tool.uv.sources]\ndep-a = {source}\n{tail}"
    )


def _lock_both(cli: Cli, tmp_path: Path, text: str, *, members: bool = False) -> None:
    ours, theirs = _twins(tmp_path, text)
    for project in (ours, theirs):
        if members:
            _package(project / "packages", "dep-a", "1.0")
        else:
            _package(project.parent, "dep-a", "1.0")

    accord, uv = _both(cli, ours, theirs, "lock")

    assert uv.returncode == 0, uv.stderr
    _same_answer(accord, uv, tmp_path)
    lock = (theirs / "uv.lock").read_text()
    assert (ours / "uv.lock").read_text() == lock
    assert 'name = "dep-a"\nversion = "1.0"' in lock


@pytest.mark.backends
@pytest.mark.parametrize(
    ("requirement", "source"),
    [
        pytest.param('"dep-a>=5"', '{ path = "../dep-a" }', id="directory"),
        pytest.param('"dep-a==7"', '{ path = "../dep-a", editable = true }', id="editable"),
        pytest.param(
            "\"dep-a>=5; sys_platform == 'linux'\"",
            '[{ path = "../dep-a", marker = "sys_platform == \'linux\'" }]',
            id="chosen-by-marker",
        ),
    ],
)
def test_a_directory_source_takes_its_own_version_whatever_the_specifier(
    cli: Cli, tmp_path: Path, requirement: str, source: str
) -> None:
    _lock_both(cli, tmp_path, _sourced(requirement, source))


@pytest.mark.backends
def test_a_workspace_member_takes_its_own_version_whatever_the_specifier(
    cli: Cli, tmp_path: Path
) -> None:
    text = _sourced(
        '"dep-a>=5"',
        "{ workspace = true }",
        '\n[dependency-groups]\ndev = ["dep-a<1"]\n'
        '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
    )
    _lock_both(cli, tmp_path, text, members=True)


def test_an_archive_source_takes_its_own_version_and_the_lock_stays_current(
    cli: Cli, tmp_path: Path, dists_dir: Path
) -> None:
    """A wheel by path and by URL; the lock uv wrote stays current when the specifier changes,
    as uv records none."""
    wheel = dists_dir / "dep_a-1.0-py3-none-any.whl"
    for kind, source in (
        ("path", f'{{ path = "{wheel}" }}'),
        ("url", f'{{ url = "{cli.index_url}dep-a/{wheel.name}" }}'),
    ):
        root = tmp_path / kind
        ours, theirs = _twins(root, _sourced('"dep-a>=5"', source))

        accord, uv = _both(cli, ours, theirs, "lock")

        assert uv.returncode == 0, uv.stderr
        _same_answer(accord, uv, root)
        assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
        for project in (ours, theirs):
            pyproject = project / "pyproject.toml"
            pyproject.write_text(pyproject.read_text().replace(">=5", "<1"))
        accord, uv = _both(cli, ours, theirs, "sync", "--locked")
        assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr
        assert installed(ours)["dep-a"] == installed(theirs)["dep-a"] == "1.0"


def test_a_transitive_requirement_still_holds_a_source_to_its_specifier(
    cli: Cli, tmp_path: Path, dists_dir: Path
) -> None:
    """Only the requirement that names the source loses its specifier: `dep-c` still needs
    `dep-b>=2.0`, which the source's `dep-b` 1.0 is not; uv's words for it."""
    wheel = dists_dir / "dep_b-1.0-py3-none-any.whl"
    text = PYPROJECT.replace('["pkg"]', '["dep-b>=5", "dep-c"]')
    ours, theirs = _twins(tmp_path, text + f'\n[tool.uv.sources]\ndep-b = {{ path = "{wheel}" }}\n')

    accord, uv = _both(cli, ours, theirs, "lock")

    assert uv.returncode == 1
    assert "only dep-b<2.0 is available and all versions of dep-c depend on dep-b>=2.0" in uv.stderr
    assert accord.returncode == 1
    assert _text(accord, tmp_path / "accord") == _text(uv, tmp_path / "uv")
    assert not (ours / "uv.lock").exists()


# --- 3. a `.python-version` line uv does not support --------------------------------------


def _without_python_request(
    cli: Cli, ours: Path, theirs: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """accord and uv with no `--python`/`UV_PYTHON`, so that they read `.python-version` (uv
    also ignores it under `UV_NO_CONFIG`: user configuration is kept away instead)."""
    env = uv_environment(cli.index_url, cache_dir=cli.uv_cache, python=cli.python)
    del env["UV_PYTHON"], env["UV_NO_CONFIG"]
    env["XDG_CONFIG_HOME"] = str(theirs.parent / "no-user-config")
    return cli.invoke(ours, *args), run_program(cli.uv_bin, theirs, args, env)


def _pinned(tmp_path: Path, lines: str) -> tuple[Path, Path]:
    ours, theirs = _twins(tmp_path, PYPROJECT.replace('["pkg"]', '["pkg==1.0"]'))
    for project in (ours, theirs):
        (project / ".python-version").write_text(lines)
    return ours, theirs


def test_an_executable_name_in_python_version_is_skipped_with_uv_warning(
    cli: Cli, tmp_path: Path
) -> None:
    """The lines after it still ask: the interpreter the tests pin, by path. The warning is
    said once per line, on every run (a no-op run and a plain lock too), where uv says it."""
    ours, theirs = _pinned(tmp_path, f"# pinned\nnot-a-python\n\ngarbage!!\n{cli.python}\n3.12\n")
    for args in (
        ("sync",),
        ("run", "python", "-c", "pass"),  # the fast path
        ("lock",),
        ("run", "-q", "python", "-c", "pass"),
    ):
        accord, uv = _without_python_request(cli, ours, theirs, *args)
        assert uv.returncode == 0, uv.stderr
        _same_answer(accord, uv, tmp_path)
        if args[1:2] != ("-q",):
            lines = _text(uv, tmp_path / "uv").splitlines()
            assert lines[:2] == [
                "warning: Ignoring unsupported Python request `not-a-python` in version file: "
                "<root>/proj/.python-version",
                "warning: Ignoring unsupported Python request `garbage!!` in version file: "
                "<root>/proj/.python-version",
            ]
    shutil.rmtree(ours / ".venv")
    shutil.rmtree(theirs / ".venv")
    accord, uv = _without_python_request(cli, ours, theirs, "sync")  # replayed from its recipe
    _same_answer(accord, uv, tmp_path)


def test_a_python_version_of_unsupported_lines_asks_for_nothing(cli: Cli, tmp_path: Path) -> None:
    """Then the interpreter is the one `requires-python` finds. Which one that is depends on
    the machine (uv asks pyenv's shims, which read `.python-version` themselves): the warning
    and the outcome are compared, not the interpreter."""
    ours, theirs = _pinned(tmp_path, "not-a-python\n")

    accord, uv = _without_python_request(cli, ours, theirs, "sync")

    assert (accord.returncode, uv.returncode) == (0, 0), accord.stderr + uv.stderr
    warning = (
        "warning: Ignoring unsupported Python request `not-a-python` in version file: "
        "<root>/proj/.python-version\n"
    )
    assert _text(accord, tmp_path / "accord").startswith(warning)
    assert _text(uv, tmp_path / "uv").startswith(warning)
    assert installed(ours) == installed(theirs) == {"pkg": "1.0"}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("lock", "--check-exists"), id="lock-check-exists"),
        pytest.param(("export", "--frozen", "--no-hashes"), id="export-frozen"),
    ],
)
def test_a_lock_used_as_it_is_reads_no_python_version(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """uv looks for no interpreter to use a lock as it is: a `.python-version` that asks for
    one this machine lacks, or that it does not support, says nothing."""
    ours, theirs, _ = _locked_at_1_0(cli, tmp_path)
    for project in (ours, theirs):
        (project / ".python-version").write_text("not-a-python\ncpython@3.99\n")

    accord, uv = _without_python_request(cli, ours, theirs, *args)

    assert uv.returncode == 0, uv.stderr
    _same_answer(accord, uv, tmp_path)
    assert ".python-version" not in uv.stderr


def test_add_frozen_names_the_interpreter_it_finds_as_uv(cli: Cli, tmp_path: Path) -> None:
    """``add --frozen`` locks nothing, but finds the project's interpreter first: named when
    there is no environment to take it from (nothing said with one), and an error, the file
    untouched, when there is none."""
    ours, theirs = _twins(tmp_path)
    accord, uv = _both(cli, ours, theirs, "add", "--frozen", "dep-a")
    assert (accord.returncode, _text(accord, ours)) == (uv.returncode, _text(uv, theirs))
    assert _text(uv, theirs).startswith("Using CPython ")
    assert '"dep-a' in (ours / "pyproject.toml").read_text()
    for project in (ours, theirs):
        made = subprocess.run(
            [str(cli.uv_bin), "venv", "-q", "--python", str(cli.python)],
            cwd=project,
            capture_output=True,
            check=False,
        )
        assert made.returncode == 0
    accord, uv = _both(cli, ours, theirs, "add", "--frozen", "dep-b")
    assert (accord.returncode, accord.stderr, uv.stderr) == (0, "", "")
    before = (ours / "pyproject.toml").read_text()
    accord, uv = _both(cli, ours, theirs, "add", "--frozen", "--python", "3.99", "dep-c")
    assert accord.returncode == uv.returncode == 2
    assert (ours / "pyproject.toml").read_text() == before

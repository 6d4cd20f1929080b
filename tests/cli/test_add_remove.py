"""`accord add` and `accord remove` beside `uv add` and `uv remove` (uv 0.13.8), byte for byte.

Each case writes one pyproject.toml (or script) twice, runs uv on one copy and accord on the
other against the session index, and asserts the edited files are identical, the exit codes
agree, and the lock accord wrote is one `uv lock --check` accepts (and the same as uv's).

uv reads the index from a `--config-file`, not from `UV_DEFAULT_INDEX`: an index given on the
command line or in the environment is one `uv add` writes into `tool.uv.index`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixtures.uvlock import uv_environment
from tests.cli.support import Cli, installed

HEAD = """[project]
name = "edited"
version = "0.1.0"
requires-python = ">=3.10"
"""


def _uv(cli: Cli, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = cwd.parent / "uv-index.toml"
    config.write_text(f'[[index]]\nurl = "{cli.index_url}"\ndefault = true\n', encoding="utf-8")
    env = uv_environment(cli.index_url, cache_dir=cli.uv_cache, python=cli.python)
    del env["UV_DEFAULT_INDEX"]
    return subprocess.run(
        [str(cli.uv_bin), *args, "--config-file", str(config)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _accord(cli: Cli, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.invoke(cwd, *args, "--python", str(cli.python))


def _pair(tmp_path: Path, text: str, name: str = "pyproject.toml") -> tuple[Path, Path]:
    pair = []
    for side in ("uv", "accord"):
        directory = tmp_path / side
        directory.mkdir(parents=True)
        (directory / name).write_bytes(text.encode())
        pair.append(directory)
    return pair[0], pair[1]


def _side_by_side(
    cli: Cli, tmp_path: Path, text: str, *args: str, name: str = "pyproject.toml"
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], Path, Path]:
    uv_dir, accord_dir = _pair(tmp_path, text, name)
    uv = _uv(cli, uv_dir, *args)
    accord = _accord(cli, accord_dir, *args)
    edited = (accord_dir / name).read_bytes().decode()
    assert edited == (uv_dir / name).read_bytes().decode(), (uv.stderr, accord.stderr)
    assert accord.returncode == uv.returncode, (uv.stderr, accord.stderr)
    return uv, accord, uv_dir, accord_dir


def _lock_agrees(cli: Cli, uv_dir: Path, accord_dir: Path) -> None:
    check = _uv(cli, accord_dir, "lock", "--check")
    assert check.returncode == 0, check.stderr
    assert (accord_dir / "uv.lock").read_text() == (uv_dir / "uv.lock").read_text()


ADD_CASES = [
    pytest.param(
        HEAD + 'dependencies = ["dep-a", "pkg"]  # after the array\n\n'
        '[dependency-groups]\ndev = ["devtool"]\n',
        ("cli-tool", "fancy[color]", "winonly; python_version>='3.8'"),
        id="single-line-sorted-comment-after",
    ),
    pytest.param(
        HEAD + 'dependencies = [\n  # above dep-a\n  "dep-a",  # dep-a\'s\n  "pkg",\n'
        "  # at the end\n]\n",
        ("cli-tool",),
        id="comments-inside-two-space-indent-first",
    ),
    pytest.param(
        HEAD + 'dependencies = [\n    "dep-a",\n    "pkg"  # no comma after\n]\n',
        ("winonly",),
        id="no-trailing-comma-comment-last",
    ),
    pytest.param(
        HEAD + 'dependencies = [\n    "pkg",\n    "dep-a",\n]\n\n[tool.other]\nkey = 1\n',
        ("cli-tool",),
        id="multi-line-unsorted-appends",
    ),
    pytest.param(
        HEAD + 'dependencies = [\n    "dep-a",  # a\n    "pkg",\n]\n',
        ("datafiles",),
        id="multi-line-insert-middle-keeps-comment",
    ),
    pytest.param(HEAD + "dependencies = []\n", ("pkg",), id="empty-array"),
    pytest.param(HEAD + "\n[tool.other]\nkey = 1\n", ("pkg",), id="missing-key-then-table"),
    pytest.param(HEAD.rstrip("\n"), ("pkg",), id="missing-key-no-final-newline"),
    pytest.param(
        HEAD + "dependencies = ['pkg', 'dep-a']\n", ("cli-tool",), id="literal-strings-unsorted"
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg>=1.1", "dep-a"]\n',
        ("pkg==1.0",),
        id="present-other-specifier-replaced",
    ),
    pytest.param(
        HEAD + 'dependencies = ["fancy", "pkg"]\n', ("fancy[color]",), id="present-extras-merged"
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n',
        ("winonly; sys_platform == 'win32'", "dep-a>=1.0; python_version >= '3.10'"),
        id="markers-normalized",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n',
        ("Dep_A", "CLI.Tool<2,>=1"),
        id="names-and-specifiers-normalized",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[dependency-groups]\ndev = ["devtool"]\ntest = ["pkg"]\n',
        ("--group", "lint", "linter"),
        id="group-new-in-sorted-table",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[dependency-groups]\ntest = ["pkg"]\n'
        'dev = ["devtool"]  # dev\n',
        ("--group", "lint", "linter"),
        id="group-new-in-unsorted-table",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[dependency-groups]\n'
        'dev = ["devtool", { include-group = "lint" }]\nlint = ["linter"]\n',
        ("--dev", "cli-tool"),
        id="dev-group-with-include-group",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[tool.other]\nkey = 1\n',
        ("--dev", "devtool"),
        id="dev-creates-dependency-groups",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[project.optional-dependencies]\ncolor = ["fancy"]\n',
        ("--optional", "color", "colorful"),
        id="optional-existing-extra",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[tool.other]\nkey = 1\n',
        ("--optional", "color", "fancy[color]"),
        id="optional-creates-table",
    ),
    pytest.param(
        HEAD + 'optional-dependencies = { color = ["fancy"] }\n',
        ("--optional", "extra2", "colorful"),
        id="optional-inline-table",
    ),
    pytest.param(HEAD + 'dependencies = ["pkg"]\n', ("--raw", "dep-a", "cli-tool>=0.5"), id="raw"),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n', ("--bounds", "major", "dep-a"), id="bounds-major"
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n', ("--extra", "color", "fancy"), id="extra-option"
    ),
]


@pytest.mark.parametrize(("text", "args"), ADD_CASES)
def test_add_writes_what_uv_writes(
    cli: Cli, tmp_path: Path, text: str, args: tuple[str, ...]
) -> None:
    uv, _, uv_dir, accord_dir = _side_by_side(cli, tmp_path, text, "add", "--no-sync", *args)
    assert uv.returncode == 0, uv.stderr
    _lock_agrees(cli, uv_dir, accord_dir)


REMOVE_CASES = [
    pytest.param(
        HEAD + 'dependencies = [\n    "dep-a",  # a\n    "pkg>=1.0",  # p\n    "cli-tool",\n]\n',
        ("pkg",),
        id="middle-with-comments",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg>=1.0", "dep-a"]  # after\n', ("dep-a",), id="last-single-line"
    ),
    pytest.param(HEAD + 'dependencies = ["pkg"]\n', ("PKG",), id="only-one-name-normalized"),
    pytest.param(
        HEAD + 'dependencies = [\n    "pkg",\n    "dep-a"  # a\n]\n',
        ("dep-a", "pkg"),
        id="several-no-trailing-comma",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[dependency-groups]\ndev = ["devtool", "linter"]\n',
        ("--dev", "devtool"),
        id="dev",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[dependency-groups]\nlint = [\n    "linter",\n]\n',
        ("--group", "lint", "linter"),
        id="group",
    ),
    pytest.param(
        HEAD + 'dependencies = ["pkg"]\n\n[project.optional-dependencies]\n'
        'color = ["fancy[color]", "colorful"]\n',
        ("--optional", "color", "fancy"),
        id="optional",
    ),
    pytest.param(
        HEAD + "dependencies = [\n    \"pkg; sys_platform == 'linux'\",\n"
        '    "pkg; sys_platform != \'linux\'",\n    "dep-a",\n]\n',
        ("pkg",),
        id="every-marker-variant",
    ),
]


@pytest.mark.parametrize(("text", "args"), REMOVE_CASES)
def test_remove_writes_what_uv_writes(
    cli: Cli, tmp_path: Path, text: str, args: tuple[str, ...]
) -> None:
    uv, _, uv_dir, accord_dir = _side_by_side(cli, tmp_path, text, "remove", "--no-sync", *args)
    assert uv.returncode == 0, uv.stderr
    _lock_agrees(cli, uv_dir, accord_dir)


@pytest.mark.parametrize(
    ("text", "args"),
    [
        pytest.param(
            HEAD + 'dependencies = ["pkg"]\n\n[dependency-groups]\ndev = ["devtool"]\n',
            ("devtool",),
            id="in-a-group",
        ),
        pytest.param(HEAD + 'dependencies = ["pkg"]\n', ("--group", "lint", "pkg"), id="no-group"),
        pytest.param(HEAD + 'dependencies = ["pkg"]\n', ("--dev", "pkg"), id="dev"),
        pytest.param(
            HEAD + 'dependencies = ["pkg"]\n', ("--optional", "color", "pkg"), id="no-extra"
        ),
        pytest.param(HEAD + 'dependencies = ["pkg"]\n', ("pkg", "nothere"), id="second-missing"),
    ],
)
def test_remove_of_what_is_not_there_is_uvs_error(
    cli: Cli, tmp_path: Path, text: str, args: tuple[str, ...]
) -> None:
    uv, accord, _, accord_dir = _side_by_side(cli, tmp_path, text, "remove", "--no-sync", *args)
    assert (uv.returncode, accord.returncode) == (2, 2)
    assert accord.stderr == uv.stderr.replace("uv remove", "accord remove")
    assert (accord_dir / "pyproject.toml").read_text() == text  # nothing written
    assert not (accord_dir / "uv.lock").exists()


def test_add_without_a_solution_puts_pyproject_back(cli: Cli, tmp_path: Path) -> None:
    text = HEAD + 'dependencies = ["pkg"]\n'
    uv, accord, uv_dir, accord_dir = _side_by_side(cli, tmp_path, text, "add", "dep-b<2", "dep-c")
    assert accord.returncode == 1
    assert (accord_dir / "pyproject.toml").read_text() == text
    assert not (accord_dir / "uv.lock").exists() and not (uv_dir / "uv.lock").exists()
    uv_error = uv.stderr[uv.stderr.index("error:") :].splitlines()
    first, *_, before, blank, last = accord.stderr.splitlines()
    assert (first, blank, last) == (uv_error[0], uv_error[-2], uv_error[-1])
    assert before.strip() and before == uv_error[-3]  # one blank line, as uv's
    assert first == "error: Failed to add dependencies"


@pytest.mark.parametrize("args", [("add", "dep-a"), ("remove", "pkg")], ids=["add", "remove"])
def test_locked_with_a_lock_to_change_puts_pyproject_back(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    text = HEAD + 'dependencies = ["pkg"]\n'
    uv_dir, accord_dir = _pair(tmp_path / "locked", text)
    for directory in (uv_dir, accord_dir):
        assert _uv(cli, directory, "lock").returncode == 0
    lock = (accord_dir / "uv.lock").read_text()
    uv = _uv(cli, uv_dir, *args, "--locked", "--no-sync")
    accord = _accord(cli, accord_dir, *args, "--locked", "--no-sync")
    assert (uv.returncode, accord.returncode) == (1, 1), (uv.stderr, accord.stderr)
    uv_error = uv.stderr[uv.stderr.index("error:") :].splitlines()[0]
    assert accord.stderr.splitlines()[0] == uv_error
    for directory in (uv_dir, accord_dir):
        assert (directory / "pyproject.toml").read_text() == text
        assert (directory / "uv.lock").read_text() == lock


def test_add_frozen_only_edits(cli: Cli, tmp_path: Path) -> None:
    text = HEAD + 'dependencies = ["pkg"]\n'
    _, accord, _, accord_dir = _side_by_side(
        cli, tmp_path, text, "add", "--frozen", "--group", "dev", "devtool"
    )
    assert accord.returncode == 0, accord.stderr
    assert not (accord_dir / "uv.lock").exists()
    assert not (accord_dir / ".venv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("--dev", "--group", "lint", "pkg"),
            "error: the argument '--dev' cannot be used with '--group <GROUP>'",
            id="dev-and-group",
        ),
        pytest.param(("pkg>>1",), "error: Failed to parse: `pkg>>1`", id="bad-requirement"),
    ],
)
def test_add_refuses_before_acting(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    text = HEAD + 'dependencies = ["pkg"]\n'
    uv, accord, _, accord_dir = _side_by_side(cli, tmp_path, text, "add", *args)
    assert accord.returncode == 2
    assert accord.stderr.splitlines()[0] == uv.stderr.splitlines()[0] == message
    assert sorted(p.name for p in accord_dir.iterdir()) == ["pyproject.toml"]


def test_add_refuses_what_it_does_not_support(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(HEAD)
    result = _accord(cli, tmp_path, "add", "--editable", "pkg")
    assert result.returncode == 2
    assert result.stderr.startswith("error: `--editable` is not supported by `accord add` yet\n")
    assert (tmp_path / "pyproject.toml").read_text() == HEAD


SCRIPT = """# /// script
# requires-python = ">=3.10"
# dependencies = [
#   "dep-a",
# ]
# ///
print("hi")
"""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("add", "pkg", "cli-tool>=1"), id="add"),
        pytest.param(("remove", "dep-a"), id="remove"),
    ],
)
def test_script_block_edited_as_uv_edits_it(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    command, *rest = args
    uv, _, _, accord_dir = _side_by_side(
        cli, tmp_path, SCRIPT, command, "--script", "s.py", *rest, name="s.py"
    )
    assert uv.returncode == 0, uv.stderr
    assert not (accord_dir / "s.py.lock").exists()


def test_script_with_a_lock_is_relocked(cli: Cli, tmp_path: Path) -> None:
    uv_dir, accord_dir = _pair(tmp_path, SCRIPT, "s.py")
    for directory in (uv_dir, accord_dir):
        assert _uv(cli, directory, "lock", "--script", "s.py").returncode == 0
    uv = _uv(cli, uv_dir, "add", "--script", "s.py", "pkg")
    accord = _accord(cli, accord_dir, "add", "--script", "s.py", "pkg")
    assert (uv.returncode, accord.returncode) == (0, 0), accord.stderr
    assert (accord_dir / "s.py").read_text() == (uv_dir / "s.py").read_text()
    assert (accord_dir / "s.py.lock").read_text() == (uv_dir / "s.py.lock").read_text()


def test_add_then_remove_sync_the_environment_as_uv(cli: Cli, tmp_path: Path) -> None:
    text = HEAD + 'dependencies = ["pkg"]\n\n[dependency-groups]\ndev = ["devtool"]\n'
    _, accord, uv_dir, accord_dir = _side_by_side(cli, tmp_path, text, "add", "dep-a")
    assert accord.returncode == 0, accord.stderr
    # uv syncs what it added without the dev group, and keeps what is there (inexact)
    assert (
        installed(accord_dir) == installed(uv_dir) == {"pkg": "1.1", "dep-a": "1.0", "dep-b": "2.0"}
    )
    assert " + dep-a==1.0" in accord.stderr.splitlines()
    _, _, uv_dir, accord_dir = _second(cli, uv_dir, accord_dir, "remove", "dep-a")
    # remove syncs exactly, with the default groups
    assert installed(accord_dir) == installed(uv_dir) == {"pkg": "1.1", "devtool": "1.0"}
    _lock_agrees(cli, uv_dir, accord_dir)


def _second(
    cli: Cli, uv_dir: Path, accord_dir: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], Path, Path]:
    uv = _uv(cli, uv_dir, *args)
    accord = _accord(cli, accord_dir, *args)
    assert (uv.returncode, accord.returncode) == (0, 0), (uv.stderr, accord.stderr)
    assert (accord_dir / "pyproject.toml").read_text() == (uv_dir / "pyproject.toml").read_text()
    return uv, accord, uv_dir, accord_dir

"""Broken TOML in pyproject.toml, uv.lock and a script block: accord and uv 0.13.8 side by side.

Each case is run through the real `accord run` and the real `uv run` on the same files. accord's
whole error text is pinned; uv's position (`TOML parse error at line L, column C`) must be the
one accord names, and nothing may be written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, tree

_UV_POSITION = re.compile(r"TOML parse error at line (\d+), column (\d+)")

_HEAD = '[project]\nname = "demo"\nversion = "0.1"\nrequires-python = ">=3.10"\n'

PYPROJECTS = [
    pytest.param(
        _HEAD + 'dependencies = ["pkg" "other"]\n',
        5,
        23,
        "missing comma between array elements, expected `,`",
        '5 | dependencies = ["pkg" "other"]\n  |                       ^',
        id="missing-comma",
    ),
    pytest.param(
        _HEAD + 'dependencies = [\n  "pkg",\n',
        6,
        9,
        "unclosed array, expected `]`",
        '6 |   "pkg",\n  |         ^',
        id="unclosed-array",
    ),
    pytest.param(
        _HEAD + "dependencies = [pkg]\n",
        5,
        17,
        "string values must be quoted",
        "5 | dependencies = [pkg]\n  |                 ^^^",
        id="unquoted",
    ),
    pytest.param(
        _HEAD + 'name = "again"\n',
        5,
        1,
        "duplicate key `name`",
        '5 | name = "again"\n  | ^^^^',
        id="duplicate-key",
    ),
    pytest.param(
        _HEAD + "[tool.uv]\nsources = { pkg = { path = 'x' }\n",
        6,
        33,
        "unclosed inline table, expected `}`",
        "6 | sources = { pkg = { path = 'x' }\n  |                                 ^",
        id="unclosed-inline-table",
    ),
    pytest.param(
        _HEAD + "[project]\n",
        5,
        2,
        "duplicate table `[project]`",
        "5 | [project]\n  |  ^^^^^^^",
        id="duplicate-table",
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "detail", "shown"), PYPROJECTS)
def test_broken_pyproject_is_named_with_line_column_and_caret_like_uv(
    cli: Cli, tmp_path: Path, text: str, line: int, column: int, detail: str, shown: str
) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    before = tree(project)

    accord = cli.run(project, "--", "python", "-c", "pass")
    uv = cli.uv(project, "run", "--no-sync", "python", "-c", "pass")

    path = project.resolve() / "pyproject.toml"
    assert accord.stderr == (
        f"error: Failed to parse `{path}` at line {line}, column {column}: {detail}\n  |\n{shown}\n"
    )
    assert (accord.returncode, uv.returncode) == (2, 2)
    uv_position = _UV_POSITION.search(uv.stderr)
    assert uv_position is not None, uv.stderr
    assert (int(uv_position.group(1)), int(uv_position.group(2))) == (line, column), uv.stderr
    assert tree(project) == before


def test_broken_lock_is_named_with_line_column_and_caret_like_uv(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    lock = project / "uv.lock"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, text in enumerate(lines, 1) if text.startswith("requires-dist = "))
    lines[number - 1] = lines[number - 1].replace('"pkg", specifier', '"pkg" specifier')
    lock.write_text("".join(lines), encoding="utf-8")
    broken = lines[number - 1].rstrip("\n")
    column = broken.index("specifier") + 1
    before = tree(project)

    accord = cli.run(project, "--frozen", "--", "python", "-c", "pass")
    assert tree(project) == before  # (uv creates .venv before it reads the lock)
    uv = cli.uv(project, "run", "--frozen", "python", "-c", "pass")

    assert accord.returncode == 2
    gutter = " " * len(str(number))
    assert accord.stderr == (
        f"error: Failed to parse `{lock.resolve()}` at line {number}, column {column}: "
        "missing comma between key-value pairs, expected `,`\n"
        f"{gutter} |\n{number} | {broken}\n{gutter} | {' ' * (column - 1)}^\n"
        "hint: fix the file, or delete it to have it written anew\n"
    )
    assert uv.returncode == 2
    uv_position = _UV_POSITION.search(uv.stderr)
    assert uv_position is not None, uv.stderr
    assert int(uv_position.group(1)) == number


def test_broken_script_block_names_the_script_line_and_column(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "tool.py"
    script.write_text(
        '#!/usr/bin/env python\n# /// script\n# dependencies = ["pkg" "other"]\n# ///\n',
        encoding="utf-8",
    )

    accord = cli.run(tmp_path, "tool.py", python="")
    uv = cli.uv(tmp_path, "run", "tool.py")

    assert accord.returncode == 2
    assert accord.stderr == (
        f"error: `{script}` line 3, column 25: Invalid TOML in the `script` metadata block: "
        "missing comma between array elements, expected `,`\n"
        "  |\n"
        '3 | # dependencies = ["pkg" "other"]\n'
        "  |                         ^\n"
    )
    # uv counts from the block's first line and leaves out the `# `: the same spot.
    assert uv.returncode == 2
    assert "TOML parse error at line 1, column 23" in uv.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tool.py"]

"""Broken TOML in pyproject.toml, uv.toml, uv.lock and a script block: accord and uv 0.13.8 side
by side.

Each case runs the real `accord` and the real `uv` on the same files and compares what they print
byte for byte: `Failed to parse: FILE` with toml's `TOML parse error at line L, column C` report
as its cause (the line, a caret under the mistake, the words), the path as uv shows it, uv's
warning about a pyproject.toml its settings discovery could not read, the exit status. Nothing
may be written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, tree

_HEAD = '[project]\nname = "demo"\nversion = "0.1"\nrequires-python = ">=3.10"\n'


def side_by_side(
    cli: Cli, cwd: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """`accord ARGS…` and `uv ARGS…` in `cwd` (uv reads its settings, as accord does)."""
    accord = cli.invoke(cwd, *args, pinned=True)
    uv = cli.uv(cwd, *args, settings=True, env={"UV_NO_WRAP": "1"})
    return accord, uv


PYPROJECTS = [
    pytest.param(_HEAD + 'dependencies = ["pkg" "other"]\n', id="missing-comma"),
    pytest.param(_HEAD + 'dependencies = [["click", "rich"]\n', id="unclosed-nested-array"),
    pytest.param(_HEAD + 'dependencies = [\n  "pkg",\n', id="unclosed-array"),
    pytest.param(_HEAD + "dependencies = [pkg]\n", id="unquoted"),
    pytest.param(_HEAD + "x = [1 2]\n", id="unquoted-with-a-space"),
    pytest.param(_HEAD + 'name = "again"\n', id="duplicate-key"),
    pytest.param(_HEAD + "[tool.uv]\nsources = { pkg = { path = 'x' }\n", id="unclosed-inline"),
    pytest.param(_HEAD + "[project]\n", id="duplicate-table"),
    pytest.param(_HEAD + "x\n", id="key-without-value"),
    pytest.param(_HEAD + 'x = "a" "b"\n', id="two-values"),
    pytest.param(_HEAD + 'x = "abc\n', id="unterminated-string"),
    pytest.param(_HEAD + "[tool\n", id="unclosed-header"),
    pytest.param(_HEAD + 'x = "a\\qb"\n', id="bad-escape"),
    pytest.param(_HEAD + "x = = 1\n", id="extra-equals"),
    pytest.param(_HEAD + "\n" * 6 + 'dependencies = ["pkg" "other"]\n', id="two-digit-line"),
    pytest.param(_HEAD + 'dependencies = [\t"pkg"\t"other"]\n', id="tabs"),
    pytest.param(_HEAD + 'description = "日本語" x\n', id="wide-characters"),
]


@pytest.mark.parametrize("text", PYPROJECTS)
def test_broken_pyproject_is_reported_as_uv_reports_it(cli: Cli, tmp_path: Path, text: str) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    before = tree(project)

    accord, uv = side_by_side(cli, project, "lock", "--offline")

    assert "TOML parse error at line" in uv.stderr
    assert (accord.returncode, accord.stderr) == (uv.returncode, uv.stderr) == (2, uv.stderr)
    assert tree(project) == before


@pytest.mark.parametrize(
    ("cwd", "args"),
    [
        pytest.param("demo/sub", (), id="from-a-subdirectory"),
        pytest.param(".", ("--project", "demo"), id="project-option"),
        pytest.param(".", ("--directory", "demo"), id="directory-option"),
        pytest.param("demo", ("--no-config",), id="no-config"),
    ],
)
def test_the_broken_file_is_named_as_uv_names_it(
    cli: Cli, tmp_path: Path, cwd: str, args: tuple[str, ...]
) -> None:
    project = tmp_path / "demo"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text(_HEAD + "x = [1, 2\n", encoding="utf-8")

    accord, uv = side_by_side(cli, tmp_path / cwd, "lock", "--offline", *args)

    assert (accord.returncode, accord.stderr) == (uv.returncode, uv.stderr)
    assert "TOML parse error at line 5, column 10" in uv.stderr


def test_broken_lock_is_reported_as_uv_reports_it(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    lock = project / "uv.lock"
    text = lock.read_text(encoding="utf-8")
    lock.write_text(text.replace('"pkg", specifier', '"pkg" specifier', 1), encoding="utf-8")
    before = tree(project)

    accord = cli.invoke(project, "sync", "--frozen", "--offline", pinned=True)
    assert tree(project) == before
    uv = cli.uv(project, "sync", "--frozen", "--offline", settings=True, env={"UV_NO_WRAP": "1"})

    assert "Failed to parse `uv.lock`\n  cause: TOML parse error at line" in uv.stderr
    assert (accord.returncode, accord.stderr) == (uv.returncode, uv.stderr)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("index-url = 'http://127.0.0.1:9/simple' 'x'\n", id="syntax"),
        pytest.param("bogus = 1\n", id="unknown-field"),
        pytest.param("[tool.uv]\noffline = true\n", id="tool-uv-table"),
        pytest.param('offline = "yes"\n', id="not-a-boolean"),
        pytest.param('resolution = "bogus"\n', id="unknown-variant"),
        pytest.param('no-build-package = ["-x"]\n', id="bad-package-name"),
    ],
)
def test_broken_uv_toml_is_reported_as_uv_reports_it(cli: Cli, tmp_path: Path, text: str) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(_HEAD + "dependencies = []\n", encoding="utf-8")
    (project / "uv.toml").write_text(text, encoding="utf-8")

    accord, uv = side_by_side(cli, project, "lock", "--offline")

    assert uv.stderr.startswith("error: Failed to parse: uv.toml\n  cause: TOML parse error")
    assert (accord.returncode, accord.stderr) == (uv.returncode, uv.stderr)


@pytest.mark.parametrize(
    "setting",
    [
        pytest.param("bogus = 1", id="unknown-field"),
        pytest.param('offline = "yes"', id="not-a-boolean"),
        pytest.param('resolution = "bogus"', id="unknown-variant"),
    ],
)
def test_a_tool_uv_table_uv_cannot_read_is_passed_over_with_uvs_warning(
    cli: Cli, tmp_path: Path, setting: str
) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    text = _HEAD + f"dependencies = []\n[tool.uv]\n{setting}\n"
    (project / "pyproject.toml").write_text(text, encoding="utf-8")

    accord, uv = side_by_side(cli, project, "lock", "--offline")

    warning = uv.stderr.split("\nUsing CPython", 1)[0]
    assert warning.startswith("warning: Failed to parse `pyproject.toml` during settings discovery")
    assert (accord.returncode, uv.returncode) == (0, 0)
    assert accord.stderr.split("\nUsing CPython", 1)[0] == warning


@pytest.mark.parametrize(
    "block",
    [
        pytest.param('# dependencies = ["pkg" "other"]\n', id="syntax"),
        pytest.param('# dependencies = "pkg"\n', id="not-an-array"),
        pytest.param('# requires-python = ">=3.10,foo"\n', id="bad-requires-python"),
        pytest.param('# [tool.uv]\n# offline = "yes"\n', id="tool-uv-not-a-boolean"),
    ],
)
def test_broken_script_block_shows_uvs_report_under_the_script_name(
    cli: Cli, tmp_path: Path, block: str
) -> None:
    script = tmp_path / "tool.py"
    script.write_text(f"#!/usr/bin/env python\n# /// script\n{block}# ///\n", encoding="utf-8")

    accord = cli.run(tmp_path, "tool.py", python="")
    uv = cli.uv(tmp_path, "run", "tool.py", env={"UV_NO_WRAP": "1"})

    # uv prints toml's report alone; accord shows it as the cause of an error naming the script
    # and the line and column in it (uv counts lines from the block's first).
    assert uv.returncode == accord.returncode == 2
    report = uv.stderr.removeprefix("error: ").rstrip("\n").split("\n")
    head, cause = accord.stderr.rstrip("\n").split("\n  cause: ", 1)
    assert head.startswith("error: Failed to parse the `script` metadata block of `tool.py` at ")
    assert cause.split("\n") == [report[0]] + [f"         {line}" for line in report[1:]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tool.py"]

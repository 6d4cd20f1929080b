"""A pyproject.toml that parses but breaks uv's schema: accord and uv 0.13.8 side by side.

Each case runs the real `accord run` and the real `uv run` on the same file. accord must exit 2
with uv's words at uv's line and column (`TOML parse error at line L, column C`), show the line
with a caret as wide as uv's, write nothing (no uv.lock, no .venv), and print no traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.support import Cli, tree

_UV_POSITION = re.compile(r"TOML parse error at line (\d+), column (\d+)\n(?:.*\n){2}.*?(\^+)")

_HEAD = '[project]\nname = "demo"\nversion = "0.1"\nrequires-python = ">=3.10"\n'

_NAME_RULE = (
    "Names must start and end with a letter or digit and may only contain -, _, ., and "
    "alphanumeric characters."
)

CASES = [
    pytest.param(
        _HEAD + "dependencies = [1, 2]\n",
        "invalid type: integer `1`, expected a string",
        id="dependency-not-a-string",
    ),
    pytest.param(
        '[project]\nname = "my project!"\nversion = "0.1"\n',
        f'Not a valid package or extra name: "my project!". {_NAME_RULE}',
        id="bad-name",
    ),
    pytest.param(
        '[project]\nversion = "0.1"\n',
        "`pyproject.toml` is using the `[project]` table, but the required `project.name` "
        "field is not set",
        id="no-name",
    ),
    pytest.param(
        '[project]\nname = "demo"\n',
        "`pyproject.toml` is using the `[project]` table, but the required `project.version` "
        "field is neither set nor present in the `project.dynamic` list",
        id="no-version",
    ),
    pytest.param(
        '[project]\nname = "demo"\nversion = 1\n',
        "invalid type: integer `1`, expected a string",
        id="version-not-a-string",
    ),
    pytest.param(
        _HEAD + 'dependencies = "pkg"\n',
        'invalid type: string "pkg", expected a sequence',
        id="dependencies-not-an-array",
    ),
    pytest.param(
        _HEAD + '[project.optional-dependencies]\n"bad extra!" = ["pkg"]\n',
        f'Not a valid package or extra name: "bad extra!". {_NAME_RULE}',
        id="bad-extra-name",
    ),
    pytest.param(
        _HEAD + "[dependency-groups]\ndev = [1]\n",
        "invalid type: integer `1`, expected a string or a map with the `include-group` key",
        id="group-entry-not-a-string",
    ),
    pytest.param(
        _HEAD + "[tool.uv.sources]\npkg = 3\n",
        "invalid type: integer `3`, expected a single source (as a map) or list of sources",
        id="source-not-a-table",
    ),
    pytest.param(
        _HEAD + "[tool.uv.sources]\npkg = { bogus = 1 }\n",
        "unknown field `bogus`, expected one of `git`, `subdirectory`, `rev`, `tag`, `branch`, "
        "`lfs`, `url`, `path`, `editable`, `package`, `index`, `workspace`, `marker`, `extra`, "
        "`group`",
        id="source-unknown-field",
    ),
    pytest.param(
        _HEAD + "[tool.uv.sources]\npkg = {}\n",
        "expected one of `git`, `url`, `path`, `index`, or `workspace`",
        id="source-empty",
    ),
    pytest.param(
        _HEAD + "[tool.uv.sources]\npkg = { path = 3 }\n",
        "invalid type: integer `3`, expected a string",
        id="source-path-not-a-string",
    ),
    pytest.param(
        _HEAD + '[[tool.uv.index]]\nname = "private"\n',
        "missing field `url`",
        id="index-without-url",
    ),
    pytest.param(
        _HEAD + '[tool.uv]\nindex = { url = "http://127.0.0.1:9/simple" }\n',
        "invalid type: map, expected a sequence",
        id="index-not-an-array",
    ),
    pytest.param(
        _HEAD + '[tool.uv]\nmanaged = "yes"\n',
        'invalid type: string "yes", expected a boolean',
        id="managed-not-a-boolean",
    ),
    pytest.param(
        _HEAD + "[tool.uv]\ndefault-groups = 3\n",
        'invalid type: integer `3`, expected the string "all" or a list of strings',
        id="default-groups",
    ),
    pytest.param(
        _HEAD + '[tool.uv.workspace]\nmembers = "packages/*"\n',
        'invalid type: string "packages/*", expected a sequence',
        id="workspace-members-not-an-array",
    ),
]


@pytest.mark.parametrize(("text", "detail"), CASES)
def test_pyproject_schema_error_is_named_where_uv_names_it(
    cli: Cli, tmp_path: Path, text: str, detail: str
) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(text, encoding="utf-8")
    before = tree(project)

    accord = cli.run(project, "python", "-c", "pass", env={"ACCORD_INDEX_URL": cli.index_url})
    assert tree(project) == before
    uv = cli.uv(project, "run", "--offline", "python", "-c", "pass")

    assert uv.returncode == 2, uv.stderr
    found = _UV_POSITION.search(uv.stderr)
    assert found is not None, uv.stderr
    line, column, caret = int(found.group(1)), int(found.group(2)), found.group(3)
    source = text.splitlines()[line - 1]
    gutter = " " * len(str(line))
    assert (accord.returncode, accord.stdout) == (2, "")
    assert accord.stderr == (
        f"error: Failed to parse `{pyproject}` at line {line}, column {column}: {detail}\n"
        f"{gutter} |\n{line} | {source}\n{gutter} | {' ' * (column - 1)}{caret}\n"
    )
    assert detail in uv.stderr


def test_pyproject_schema_bad_requirement_is_named_at_its_element(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(_HEAD + '[dependency-groups]\ndev = ["ok", "pkg >= "]\n')

    accord = cli.run(project, "python", "-c", "pass")

    assert accord.returncode == 2
    assert accord.stderr.startswith(
        f"error: Failed to parse `{pyproject}` at line 6, column 14: invalid requirement "
        "`pkg >= ` in `dependency-groups.dev`: "
    )
    assert '6 | dev = ["ok", "pkg >= "]\n  |              ^^^^^^^^^\n' in accord.stderr
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]

"""A pyproject.toml that parses but breaks uv's schema: accord and uv 0.13.8 side by side.

Each case runs the real `accord lock` and the real `uv lock` on the same file: accord must print
what uv prints, byte for byte (`Failed to parse: pyproject.toml` with toml's report, uv's words
at uv's line and column, a caret as wide as uv's), exit 2 and write nothing.
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
def test_pyproject_schema_error_is_reported_as_uv_reports_it(
    cli: Cli, tmp_path: Path, text: str, detail: str
) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(text, encoding="utf-8")
    before = tree(project)

    accord = cli.invoke(project, "lock", "--offline", pinned=True)
    assert tree(project) == before
    uv = cli.uv(project, "lock", "--offline", settings=True, env={"UV_NO_WRAP": "1"})

    assert uv.returncode == 2, uv.stderr
    assert _UV_POSITION.search(uv.stderr) is not None, uv.stderr
    assert detail in uv.stderr
    assert (accord.returncode, accord.stdout, accord.stderr) == (2, "", uv.stderr)


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        pytest.param(
            "not a version",
            "expected version to start with a number, but no leading ASCII digits were found",
            id="version",
        ),
        pytest.param("1.0.x", "after parsing `1.0`, found `.x`", id="version-trailing"),
    ],
)
def test_a_bad_version_is_said_in_uvs_words(
    cli: Cli, tmp_path: Path, value: str, detail: str
) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(f'[project]\nname = "demo"\nversion = "{value}"\n')

    accord = cli.invoke(project, "lock", "--offline", pinned=True)
    uv = cli.uv(project, "lock", "--offline", settings=True, env={"UV_NO_WRAP": "1"})

    assert detail in uv.stderr
    assert (accord.returncode, accord.stderr) == (uv.returncode, uv.stderr)


@pytest.mark.parametrize(
    "value", [">=3.11,<3.12,foo", "3.11", ">>3", ">=", "~=3", ">=3.10 foo", ">=1.*", ">=1.0+"]
)
def test_a_bad_requires_python_is_said_in_uvs_words(cli: Cli, tmp_path: Path, value: str) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0.1"\nrequires-python = "{value}"\n'
    )

    accord = cli.invoke(project, "lock", "--offline", pinned=True)
    uv = cli.uv(project, "lock", "--offline", settings=True, env={"UV_NO_WRAP": "1"})

    assert "Failed to parse version: " in uv.stderr
    assert (accord.returncode, accord.stderr) == (uv.returncode, uv.stderr)


def test_pyproject_schema_bad_requirement_is_named_at_its_element(cli: Cli, tmp_path: Path) -> None:
    # uv names no file for a bad group entry; accord keeps the file, line and column, in the
    # layout uv uses for a bad `tool.uv.dev-dependencies` entry.
    project = tmp_path / "demo"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(_HEAD + '[dependency-groups]\ndev = ["ok", "pkg >= "]\n')

    accord = cli.run(project, "python", "-c", "pass")

    assert accord.returncode == 2
    assert accord.stderr.startswith(
        "error: Failed to parse: pyproject.toml\n"
        "  cause: TOML parse error at line 6, column 14\n"
        "           |\n"
        '         6 | dev = ["ok", "pkg >= "]\n'
        "           |              ^^^^^^^^^\n"
        "         invalid requirement `pkg >= ` in `dependency-groups.dev`: "
    )
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]

"""``parse_script_metadata``: PEP 723 block detection, uv's error wording, script line numbers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from accord.model.script import (
    MULTIPLE_BLOCKS,
    UNCLOSED_BLOCK,
    ScriptMetadata,
    ScriptMetadataError,
    parse_script_metadata,
)


def lines(*text: str) -> str:
    return "".join(line + "\n" for line in text)


# PEP 723, "Example": the specification's own script.
PEP_EXAMPLE = lines(
    "# /// script",
    '# requires-python = ">=3.11"',
    "# dependencies = [",
    '#   "requests<3",',
    '#   "rich",',
    "# ]",
    "# ///",
    "",
    "import requests",
    "from rich.pretty import pprint",
    "",
    'resp = requests.get("https://peps.python.org/api/peps.json")',
    "data = resp.json()",
    'pprint([(k, v["title"]) for k, v in data.items()][:10])',
)
PEP_EXAMPLE_TOML = lines(
    'requires-python = ">=3.11"',
    "dependencies = [",
    '  "requests<3",',
    '  "rich",',
    "]",
)


def parse(text: str) -> ScriptMetadata:
    metadata = parse_script_metadata(text)
    assert metadata is not None
    return metadata


def parse_error(text: str) -> ScriptMetadataError:
    with pytest.raises(ScriptMetadataError) as info:
        parse_script_metadata(text)
    assert str(info.value) == info.value.message
    return info.value


# --- finding the block -------------------------------------------------------------------------


def test_parse_script_metadata_reads_the_pep_example() -> None:
    assert parse(PEP_EXAMPLE) == ScriptMetadata(
        requires_python=SpecifierSet(">=3.11"),
        dependencies=(Requirement("requests<3"), Requirement("rich")),
        tool_uv=(),
        block_text=PEP_EXAMPLE_TOML,
        start_line=1,
    )


def test_parse_script_metadata_counts_lines_before_the_block() -> None:
    metadata = parse("#!/usr/bin/env -S uv run --script\n# -*- coding: utf-8 -*-\n" + PEP_EXAMPLE)
    assert metadata.start_line == 3
    assert metadata.block_text == PEP_EXAMPLE_TOML


def test_parse_script_metadata_accepts_crlf_line_endings() -> None:
    crlf = PEP_EXAMPLE.replace("\n", "\r\n")
    assert parse(crlf) == parse(PEP_EXAMPLE)


def test_parse_script_metadata_accepts_a_byte_order_mark() -> None:
    assert parse("\ufeff" + PEP_EXAMPLE) == parse(PEP_EXAMPLE)


def test_parse_script_metadata_accepts_a_block_at_end_of_text_without_newline() -> None:
    metadata = parse("import os\n# /// script\n# dependencies = ['rich']\n# ///")
    assert metadata.dependencies == (Requirement("rich"),)
    assert metadata.start_line == 2


def test_parse_script_metadata_keeps_lone_hash_lines_as_empty_toml_lines() -> None:
    metadata = parse(lines("# /// script", "#", "# dependencies = ['rich']", "#", "# ///"))
    assert metadata.block_text == "\ndependencies = ['rich']\n\n"
    assert metadata.dependencies == (Requirement("rich"),)


def test_parse_script_metadata_accepts_an_empty_block() -> None:
    # uv accepts (and writes) this; PEP 723's reference regex needs one content line.
    assert parse(lines("# /// script", "# ///")) == ScriptMetadata(
        requires_python=None, dependencies=(), tool_uv=(), block_text="", start_line=1
    )


def test_parse_script_metadata_ends_the_block_at_the_last_closing_line() -> None:
    """PEP 723: "the closing line is the last line that is exactly `# ///`" (embedded C#)."""
    script = lines(
        "# /// script",
        "# embedded-csharp = '''",
        "# /// <summary>",
        "# /// text",
        "# ///",
        "# /// </summary>",
        "# public class MyClass { }",
        "# '''",
        "# ///",
    )
    assert parse(script).block_text == lines(
        "embedded-csharp = '''",
        "/// <summary>",
        "/// text",
        "///",
        "/// </summary>",
        "public class MyClass { }",
        "'''",
    )


def test_parse_script_metadata_leaves_comment_lines_after_the_closing_line_out() -> None:
    script = lines("# /// script", "# dependencies = ['rich']", "# ///", "#", "# a comment")
    assert parse(script).block_text == "dependencies = ['rich']\n"


def test_parse_script_metadata_reads_tool_uv_keys_in_order() -> None:
    script = lines(
        "# /// script",
        "# dependencies = ['rich']",
        "# [tool.uv]",
        "# exclude-newer = '2024-01-01T00:00:00Z'",
        "# index = [{ name = 'mirror', url = 'https://example.invalid/simple' }]",
        "# [tool.uv.sources]",
        "# rich = { index = 'mirror' }",
        "# [tool.other]",
        "# ignored = true",
        "# ///",
    )
    # Plain TOML values, shaped like a pyproject.toml's [tool.uv] (what the shell's readers take).
    assert parse(script).tool_uv == (
        ("exclude-newer", "2024-01-01T00:00:00Z"),
        ("index", [{"name": "mirror", "url": "https://example.invalid/simple"}]),
        ("sources", {"rich": {"index": "mirror"}}),
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("import sys\nprint(sys.argv)\n", id="no-block"),
        pytest.param(
            lines("pass # /// script", "# dependencies = ['rich']", "# ///"),
            id="opening-tag-not-at-line-start",
        ),
        pytest.param(
            lines("# /// script ", "# dependencies = ['rich']", "# ///"),
            id="opening-tag-with-trailing-space",
        ),
        pytest.param(
            lines("#  /// script", "# dependencies = ['rich']", "# ///"),
            id="opening-tag-with-two-spaces",
        ),
        pytest.param(
            lines("# /// pyproject", "# [project]", "# dependencies = ['rich']", "# ///"),
            id="other-block-type",
        ),
        pytest.param(
            lines("# /// pyproject", "# /// script", "# dependencies = ['rich']", "# ///"),
            id="script-opening-tag-inside-another-block",
        ),
    ],
)
def test_parse_script_metadata_finds_no_script_block(text: str) -> None:
    assert parse_script_metadata(text) is None


def test_parse_script_metadata_ignores_other_block_types_next_to_the_script_block() -> None:
    script = lines(
        "# /// pyproject",
        "# [project]",
        "# name = 'x'",
        "# ///",
        "",
        "# /// script",
        "# dependencies = ['rich']",
        "# ///",
        "",
        "# /// other",
        "# /// script",
        "# ///",
    )
    metadata = parse(script)
    assert metadata.start_line == 6
    assert metadata.dependencies == (Requirement("rich"),)


def test_parse_script_metadata_finds_a_block_inside_a_python_string() -> None:
    """PEP 723 needs no Python parser, so a block in a multi-line string is a block."""
    script = 'TEMPLATE = """\n' + lines("# /// script", "# dependencies = ['rich']", "# ///")
    assert parse(script + '"""\n').start_line == 2


def test_parse_script_metadata_ignores_an_unclosed_opening_tag_after_the_block() -> None:
    script = lines(
        "# /// script", "# dependencies = ['rich']", "# ///", "", "# /// script", "x = 1"
    )
    assert parse(script).dependencies == (Requirement("rich"),)


def test_parse_script_metadata_defaults_missing_keys() -> None:
    assert parse(lines("# /// script", "# [tool.other]", "# a = 1", "# ///")) == ScriptMetadata(
        requires_python=None,
        dependencies=(),
        tool_uv=(),
        block_text="[tool.other]\na = 1\n",
        start_line=1,
    )


# --- errors ------------------------------------------------------------------------------------


def test_unclosed_block_message_is_uvs() -> None:
    assert UNCLOSED_BLOCK == (
        "An opening tag (`# /// script`) was found without a closing tag (`# ///`). Ensure that"
        " every line between the opening and closing tags (including empty lines) starts with a"
        " leading `#`."
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            lines("#!/usr/bin/env python", "# /// script", "# dependencies = ['rich']"),
            2,
            id="no-closing-tag",
        ),
        pytest.param(
            lines("# /// script", "# dependencies = ['rich']", "", "# ///"),
            1,
            id="empty-line-inside",
        ),
        pytest.param(
            lines("# /// script", "#dependencies = ['rich']", "# ///"),
            1,
            id="missing-space-after-hash",
        ),
        pytest.param(
            lines("# /// script", "# dependencies = ['rich']", "# /// "),
            1,
            id="closing-tag-with-trailing-space",
        ),
        pytest.param(
            lines("x = 1", "# /// script", "x = 2", "# /// script", "# ///"),
            2,
            id="unclosed-before-a-complete-block",
        ),
    ],
)
def test_parse_script_metadata_rejects_an_unclosed_block(text: str, line: int) -> None:
    error = parse_error(text)
    assert (error.message, error.line) == (UNCLOSED_BLOCK, line)


def test_parse_script_metadata_rejects_multiple_script_blocks() -> None:
    block = lines("# /// script", "# dependencies = ['rich']", "# ///")
    error = parse_error(block + "\nimport rich\n\n" + block)
    assert (error.message, error.line) == (MULTIPLE_BLOCKS, 7)
    assert MULTIPLE_BLOCKS == "The script contains multiple PEP 723 metadata blocks"


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        pytest.param(
            lines(
                "# /// script",
                "# dependencies = [",
                "#   'rich',",
                "#   'requests >>= 2',",
                "# ]",
                "# ///",
            ),
            "Expected semicolon (after name with no version specifier) or end\n"
            "    requests >>= 2\n             ^",
            4,
            5,
            id="bad-dependency",
        ),
        pytest.param(
            lines("# /// script", "# dependencies = 'rich'", "# ///"),
            'invalid type: string "rich", expected a sequence',
            2,
            18,
            id="dependencies-not-array",
        ),
        pytest.param(
            lines("# /// script", "# dependencies = ['rich', 3]", "# ///"),
            "invalid type: integer `3`, expected a string containing a PEP 508 requirement",
            2,
            27,
            id="dependency-not-string",
        ),
        pytest.param(
            lines("# /// script", "# requires-python = 3.11", "# ///"),
            "invalid type: floating point `3.11`, expected a string",
            2,
            21,
            id="requires-python-not-string",
        ),
        pytest.param(
            lines("# /// script", "#", "# requires-python = '3.11'", "# ///"),
            "Failed to parse version: Unexpected end of version specifier, expected operator. "
            "Did you mean `==3.11`?:\n3.11\n^^^^",
            3,
            21,
            id="requires-python-invalid",
        ),
        pytest.param(
            lines("# /// script", "# tool = 1", "# ///"),
            "invalid type: integer `1`, expected struct Tool",
            2,
            10,
            id="tool-not-table",
        ),
        pytest.param(
            lines("# /// script", "# [tool]", "# uv = [1]", "# ///"),
            "invalid type: sequence, expected struct Options",
            3,
            8,
            id="tool-uv-not-table",
        ),
    ],
)
def test_parse_script_metadata_reports_bad_content(
    text: str, message: str, line: int, column: int
) -> None:
    error = parse_error(text)
    assert (error.message, error.line, error.column) == (message, line, column)
    assert error.report.endswith(f"\n{message}")


@pytest.mark.parametrize(
    ("text", "detail", "line", "column", "report"),
    [
        pytest.param(
            lines("#!/usr/bin/env python", "# /// script", "# requires-python = >=3.11", "# ///"),
            "string values must be quoted, expected literal string",
            3,
            21,
            "TOML parse error at line 1, column 19\n"
            "  |\n1 | requires-python = >=3.11\n  |                   ^",  # uv: unexpected key
            id="toml-unquoted-value",
        ),
        pytest.param(
            lines("# /// script", "#", "# dependencies", "# ///"),
            "key with no value, expected `=`",
            3,
            15,
            "TOML parse error at line 2, column 13\n  |\n2 | dependencies\n  |             ^",
            id="toml-missing-equals",
        ),
        pytest.param(
            lines("# /// script", "# dependencies = [", "#   'rich',", "# ///"),
            "unclosed array, expected `]`",
            3,
            12,
            "TOML parse error at line 2, column 10\n  |\n2 |   'rich',\n  |          ^",
            id="toml-unterminated-array",
        ),
        pytest.param(
            lines("# /// script", "# dependencies = ['rich' 'attrs']", "# ///"),
            "missing comma between array elements, expected `,`",
            2,
            26,
            "TOML parse error at line 1, column 24\n"
            "  |\n1 | dependencies = ['rich' 'attrs']\n  |                        ^",
            id="toml-missing-comma",
        ),
    ],
)
def test_parse_script_metadata_points_at_toml_errors_in_the_script(
    text: str, detail: str, line: int, column: int, report: str
) -> None:
    # As uv: the report counts lines from the block's first and shows them without `# `; the
    # error's own line and column are the script's.
    error = parse_error(text)
    assert error.message == detail
    assert (error.line, error.column, error.report) == (line, column, f"{report}\n{detail}")


def test_parse_script_metadata_chains_the_toml_error() -> None:
    error = parse_error(lines("# /// script", "# a = ", "# ///"))
    assert error.__cause__ is not None


# --- round trip --------------------------------------------------------------------------------

_names = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?", fullmatch=True)
_versions = st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}", fullmatch=True)
_specifiers = st.lists(
    st.tuples(st.sampled_from(["==", "!=", ">=", "<=", ">", "<", "~="]), _versions).filter(
        lambda spec: spec[0] != "~=" or "." in spec[1]
    ),
    max_size=2,
).map(lambda specs: ",".join(op + version for op, version in specs))
_extras = st.lists(_names, max_size=2).map(lambda extras: f"[{','.join(extras)}]" if extras else "")
_markers = st.sampled_from(
    ["", "; python_version >= '3.9'", '; sys_platform == "linux"', "; extra == 'x'"]
)
_dependencies = st.builds(lambda *parts: "".join(parts), _names, _extras, _specifiers, _markers)


def _render(dependencies: list[str], *, inline: bool, prelude: list[str]) -> str:
    # json.dumps gives a valid TOML basic string for this ASCII alphabet.
    quoted = [json.dumps(dependency) for dependency in dependencies]
    if inline:
        body = [f"# dependencies = [{', '.join(quoted)}]"]
    else:
        body = ["# dependencies = [", *(f"#   {item}," for item in quoted), "# ]"]
    return lines(*prelude, "# /// script", "#", *body, "# ///", "", "print('hi')")


@given(
    dependencies=st.lists(_dependencies, max_size=6),
    inline=st.booleans(),
    prelude=st.lists(st.sampled_from(["", "import os", "#!/usr/bin/env python", "# hello"])),
    crlf=st.booleans(),
)
def test_parse_script_metadata_round_trips_dependencies(
    dependencies: list[str], inline: bool, prelude: list[str], crlf: bool
) -> None:
    text = _render(dependencies, inline=inline, prelude=prelude)
    if crlf:
        text = text.replace("\n", "\r\n")
    metadata = parse(text)
    assert metadata.dependencies == tuple(Requirement(item) for item in dependencies)
    assert metadata.start_line == len(prelude) + 1

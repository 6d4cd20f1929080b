"""TOML syntax errors: uv's words, the position of the mistake, and the line with a caret."""

from __future__ import annotations

import pytest

from accord.model.toml import TomlSyntaxError, excerpt, loads

# (TOML text, what accord says, line, column, caret width). uv 0.13.8 says the same words where
# the comment on the case says "uv"; the position is uv's in every case but the marked ones.
CASES = [
    pytest.param(
        'a = ["a" "b"]\n',
        "missing comma between array elements, expected `,`",
        1,
        10,
        1,
        id="array-comma",
    ),  # uv
    pytest.param(
        'a = ["a",\n', "unclosed array, expected `]`", 1, 10, 1, id="array-unclosed"
    ),  # uv
    pytest.param(
        'a = [\n  "a",\n  "b"\n',
        "unclosed array, expected `]`",
        3,
        6,
        1,
        id="array-unclosed-multiline",
    ),
    pytest.param('name "demo"\n', "key with no value, expected `=`", 1, 6, 1, id="no-equals"),  # uv
    pytest.param("a", "key with no value, expected `=`", 1, 2, 1, id="no-equals-at-end"),  # uv
    pytest.param("name = demo\n", "string values must be quoted", 1, 8, 4, id="bare-word"),  # uv
    pytest.param("r = >=3.11\n", "string values must be quoted", 1, 5, 6, id="bare-specifier"),
    pytest.param("a =\n", "missing value, expected a value after `=`", 1, 4, 1, id="no-value"),
    pytest.param(
        'name = "demo"\nname = "x"\n', "duplicate key `name`", 2, 1, 4, id="duplicate-key"
    ),  # uv
    pytest.param("[p]\na = 1\n[p]\n", "duplicate table `[p]`", 3, 2, 1, id="duplicate-table"),  # uv
    pytest.param(
        "a = { b = 1, b = 2 }\n", "duplicate key `b`", 1, 14, 1, id="duplicate-inline-key"
    ),  # uv
    pytest.param(
        "a = 1\na.b = 2\n",
        "`a.b` conflicts with a value defined earlier",
        2,
        1,
        3,
        id="dotted-over-value",
    ),
    pytest.param(
        "a = 1\n[[a]]\n",
        "`[[a]]` conflicts with a value defined earlier",
        2,
        3,
        1,
        id="array-table-over-value",
    ),
    pytest.param(
        'name = "demo\nv = 1\n',
        "unterminated string, expected its closing quote on the same line",
        1,
        13,
        1,
        id="string-unterminated",
    ),
    pytest.param(
        "name = 'demo\nv = 1\n",
        "unterminated string, expected `'`",
        1,
        13,
        1,
        id="literal-unterminated",
    ),  # uv
    pytest.param(
        'a = """abc\n',
        "unterminated multi-line string at the end of the file",
        1,
        11,
        1,
        id="multiline-unterminated",
    ),
    pytest.param(
        "s = { a = 1 b = 2 }\n",
        "missing comma between key-value pairs, expected `,`",
        1,
        13,
        1,
        id="inline-comma",
    ),
    pytest.param(
        "s = { a = 1,", "unclosed inline table, expected `}`", 1, 13, 1, id="inline-unclosed"
    ),  # uv
    pytest.param(
        's = { r = "x" \nb = 1\n',
        "unclosed inline table, expected `}`",
        1,
        15,
        1,
        id="inline-unclosed-line",
    ),
    pytest.param(
        "s = { a = 1, }\n",
        "trailing comma before `}` (accord reads TOML 1.0, which allows none in an inline table)",
        1,
        14,
        1,
        id="inline-trailing-comma",
    ),
    pytest.param(
        'a = "x" "y"\n',
        "unexpected key or value, expected a newline or `#`",
        1,
        9,
        1,
        id="two-values",
    ),  # uv
    pytest.param("= 1\n", "expected a key, a `[table]` header or a comment", 1, 1, 1, id="no-key"),
    pytest.param(
        "[p\na = 1\n", "unclosed table header, expected `]`", 1, 3, 1, id="table-header"
    ),  # uv
    pytest.param("a = 1979-13-01\n", "invalid date or time", 1, 5, 10, id="bad-date"),
    pytest.param('a = "\\q"\n', "invalid escape sequence in a string", 1, 8, 1, id="bad-escape"),
    pytest.param(
        'a = "\x07"\n',
        "control character U+0007 is not allowed here",
        1,
        6,
        1,
        id="control-character",
    ),
]


@pytest.mark.parametrize(("text", "detail", "line", "column", "width"), CASES)
def test_loads_says_what_is_wrong_and_where(
    text: str, detail: str, line: int, column: int, width: int
) -> None:
    with pytest.raises(TomlSyntaxError) as raised:
        loads(text)
    error = raised.value
    assert (error.detail, error.line, error.column, error.width) == (detail, line, column, width)
    assert error.source_line == text.split("\n")[line - 1]
    assert str(error) == f"{detail} (at line {line}, column {column})"


def test_report_shows_the_line_with_a_caret_under_the_mistake() -> None:
    text = '[project]\nname = "demo"\nversion = "0.1"\ndependencies = ["a" "b"]\n'
    with pytest.raises(TomlSyntaxError) as raised:
        loads(text)
    assert raised.value.report("`pyproject.toml`") == (
        "Failed to parse `pyproject.toml` at line 4, column 21: "
        "missing comma between array elements, expected `,`\n"
        "  |\n"
        '4 | dependencies = ["a" "b"]\n'
        "  |                     ^"
    )


def test_excerpt_widens_the_gutter_and_keeps_tabs_under_the_caret() -> None:
    assert excerpt(12, 3, "\tab = c\n", width=2) == "   |\n12 | \tab = c\n   | \t ^^"


def test_an_error_without_a_position_keeps_the_parsers_words() -> None:
    error = TomlSyntaxError("something odd")
    assert (error.report("`x.toml`"), error.excerpt()) == (
        "Failed to parse `x.toml`: something odd",
        "",
    )

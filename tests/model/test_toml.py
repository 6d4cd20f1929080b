"""TOML syntax errors: uv's words, the position of the mistake, and the line with a caret."""

from __future__ import annotations

import pytest

from accord.model.toml import TomlSyntaxError, caused, excerpt, loads

# (TOML text, uv 0.13.8's words, line, column, caret width), each checked against uv's own
# `TOML parse error` report for the same text.
CASES = [
    pytest.param(
        'a = ["a" "b"]\n',
        "missing comma between array elements, expected `,`",
        1,
        10,
        1,
        id="array-comma",
    ),
    pytest.param(
        'a = ["a",\n',
        "unclosed array, expected `]`",
        1,
        10,
        1,
        id="array-unclosed",
    ),
    pytest.param(
        'a = [\n  "a",\n  "b"\n',
        "unclosed array, expected `]`",
        3,
        6,
        1,
        id="array-unclosed-multiline",
    ),
    pytest.param(
        'name "demo"\n',
        "key with no value, expected `=`",
        1,
        6,
        1,
        id="no-equals",
    ),
    pytest.param(
        "a",
        "key with no value, expected `=`",
        1,
        2,
        1,
        id="no-equals-at-end",
    ),
    pytest.param(
        "name = demo\n",
        "string values must be quoted, expected literal string",
        1,
        8,
        4,
        id="bare-word",
    ),
    pytest.param(
        "a =\n",
        "string values must be quoted, expected literal string",
        1,
        4,
        1,
        id="no-value",
    ),
    pytest.param(
        'name = "demo"\nname = "x"\n',
        "duplicate key",
        2,
        1,
        4,
        id="duplicate-key",
    ),
    pytest.param(
        "[p]\na = 1\n[p]\n",
        "duplicate key",
        3,
        2,
        1,
        id="duplicate-table",
    ),
    pytest.param(
        "a = { b = 1, b = 2 }\n",
        "duplicate key",
        1,
        14,
        1,
        id="duplicate-inline-key",
    ),
    pytest.param(
        "a = 1\n[[a]]\n",
        "duplicate key",
        2,
        3,
        1,
        id="array-table-over-value",
    ),
    pytest.param(
        'name = "demo\nv = 1\n',
        'invalid basic string, expected `"`',
        1,
        13,
        1,
        id="string-unterminated",
    ),
    pytest.param(
        "s = { a = 1 b = 2 }\n",
        "extra assignment between key-value pairs, expected `,`",
        1,
        15,
        1,
        id="inline-comma",
    ),
    pytest.param(
        "s = { a = 1,",
        "unclosed inline table, expected `}`",
        1,
        13,
        1,
        id="inline-unclosed",
    ),
    pytest.param(
        'a = "x" "y"\n',
        "unexpected key or value, expected newline, `#`",
        1,
        9,
        1,
        id="two-values",
    ),
    pytest.param(
        "= 1\n",
        "unquoted keys cannot be empty, expected letters, numbers, `-`, `_`",
        1,
        1,
        1,
        id="no-key",
    ),
    pytest.param(
        "[p\na = 1\n",
        "unclosed table, expected `]`",
        1,
        3,
        1,
        id="table-header",
    ),
    pytest.param(
        'a = "\\q"\n',
        'missing escaped value, expected `b`, `e`, `f`, `n`, `r`, `\\`, `"`, `x`, `u`, `U`',
        1,
        7,
        1,
        id="bad-escape",
    ),
    pytest.param(
        'a = "\x07"\n',
        "invalid basic string, expected non-double-quote visible characters, `\\`",
        1,
        6,
        1,
        id="control-character",
    ),
]

# Where accord still differs from uv 0.13.8 (uv's answer on each): tomllib reads TOML 1.0 and
# stops elsewhere than uv's parser for these; pinned so a change is seen.
DIFFERENCES = [
    pytest.param(
        "r = >=3.11\n",
        "string values must be quoted, expected literal string",
        1,
        5,
        1,
        id="bare-specifier",
    ),  # uv: unexpected key or value, expected newline, `#` (1, 6)
    pytest.param(
        "a = 1\na.b = 2\n",
        "duplicate key",
        2,
        1,
        3,
        id="dotted-over-value",
    ),  # uv: cannot extend value of type integer with a dotted key (2, 1)
    pytest.param(
        "name = 'demo\nv = 1\n",
        "invalid literal string, expected `'`",
        2,
        6,
        1,
        id="literal-unterminated",
    ),  # uv: the same words at (1, 13), the end of the opening line
    pytest.param(
        'a = """abc\n',
        'invalid multi-line basic string, expected `"`',
        1,
        11,
        1,
        id="multiline-unterminated",
    ),  # uv: the same words at (1, 12)
    pytest.param(
        's = { r = "x" \nb = 1\n',
        "unclosed inline table, expected `}`",
        1,
        15,
        1,
        id="inline-unclosed-line",
    ),  # uv (TOML 1.1): missing comma between key-value pairs, expected `,` (2, 1)
    pytest.param(
        "s = { a = 1, }\n",
        "extra comma in inline table, expected key",
        1,
        13,
        1,
        id="inline-trailing-comma",
    ),  # uv (TOML 1.1) accepts it
    pytest.param(
        "a = 1979-13-01\n",
        "invalid date or time",
        1,
        5,
        10,
        id="bad-date",
    ),  # uv: invalid date, expected month between 01 and 12
]


@pytest.mark.parametrize(("text", "detail", "line", "column", "width"), DIFFERENCES)
def test_known_differences_from_uv_stay_as_they_are(
    text: str, detail: str, line: int, column: int, width: int
) -> None:
    with pytest.raises(TomlSyntaxError) as raised:
        loads(text)
    error = raised.value
    assert (error.detail, error.line, error.column, error.width) == (detail, line, column, width)


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
    # uv's layout: the file, then toml's report as its cause, each further line lined up.
    assert raised.value.report("pyproject.toml") == (
        "Failed to parse: pyproject.toml\n"
        "  cause: TOML parse error at line 4, column 21\n"
        "           |\n"
        '         4 | dependencies = ["a" "b"]\n'
        "           |                     ^\n"
        "         missing comma between array elements, expected `,`"
    )


def test_excerpt_widens_the_gutter_and_counts_a_tab_as_one_column() -> None:
    # toml (and so uv) places the caret by counting characters: a tab is one space.
    assert excerpt(12, 3, "\tab = c\n", width=2) == "   |\n12 | \tab = c\n   |   ^^"


def test_caused_keeps_a_blank_line_of_a_cause_blank() -> None:
    assert caused("head", "first\n\nthird", "next") == (
        "head\n  cause: first\n\n         third\n  cause: next"
    )


def test_an_error_without_a_position_keeps_the_parsers_words() -> None:
    error = TomlSyntaxError("something odd")
    assert (error.report("x.toml"), error.block()) == (
        "Failed to parse: x.toml\n  cause: something odd",
        "something odd",
    )

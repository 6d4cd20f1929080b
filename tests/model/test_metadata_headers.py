"""``header_fields`` reads core metadata's fields as ``email.parser`` (compat32) reads them."""

from __future__ import annotations

import email.parser
import random
from collections.abc import Iterator

import pytest

from accord.model.metadata_headers import _only, header_fields


def _as_email_parser_reads(text: str) -> dict[str, list[str]]:
    message = email.parser.Parser().parsestr(text, headersonly=True)
    return {
        name: [str(value).strip() for value in message.get_all(name) or ()]
        for name in {key.lower() for key in message}
    }


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "Name: a",
        "Name:a\r\nVersion: 1\r\n\r\nRequires-Dist: in-the-body\n",
        "Name: a\n  continued\n\tmore\nVersion: 1\n",
        " leading: continuation without a field\nName: a\n",
        "From someone\nName: a\n",
        "Name: a\nFrom x\nVersion: 2\n",
        ":no name\nName: a\n",
        "Name: a\nnot a field\nVersion: 1\n",
        "Name: a\rVersion: 1\rRequires-Dist: b\r\n",
        "NAME: a\nname: b\nRequires-Dist: x ; extra == 'y'\nRequires-Dist:   z   \n",
        "Name: a\nKey With Space: 1\nVersion: 2\n",
        "Name:\nVersion: \n",
        "Name: a\u2028b\x0cc\nVersion: 1\n",
        "Name: a\nVersion: 1\n \n\t\n",
        "Summary: \xe9t\xe9\nName: x\n" + "Description: " + "long " * 3000 + "\r\nVersion: 3\n",
    ],
)
def test_fields_are_those_email_parser_reads(text: str) -> None:
    assert header_fields(text) == _as_email_parser_reads(text)


_PIECES = ["Name", "Version", "From ", ":", " ", "\t", "\n", "\r", "\r\n", "a", "-", "x y"]


def _random_texts(pieces: list[str], seed: int, count: int, longest: int) -> Iterator[str]:
    """``count`` texts of up to ``longest`` pieces each, the same for a seed."""
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(pieces) for _ in range(rng.randint(0, longest)))


def test_fields_are_those_email_parser_reads_for_random_texts() -> None:
    for text in _random_texts(_PIECES, 20261201, 3000, 25):
        assert header_fields(text) == _as_email_parser_reads(text), repr(text)


def test_only_some_fields_are_those_fields_of_all() -> None:
    only = frozenset({"name", "version"})
    for text in _random_texts(_PIECES, 20261204, 3000, 25):
        every = header_fields(text)
        assert header_fields(text, only) == {k: v for k, v in every.items() if k in only}, text


def test_only_some_fields_of_texts_without_carriage_returns_are_those_email_parser_reads() -> None:
    # Such texts are read by two regular expressions instead of line by line; a piece like
    # "ſ" (which folds to "s") or "K" (to "k") must not make a field of a name not asked for.
    pieces = ["Name", "Version", "Requires-Dist", "From ", ":", " ", "\t", "\n", "\n\n"]
    pieces += ["a", "-", "x y", "\u017f", "\u212a", "name"]
    only = frozenset({"name", "version", "requires-dist"})
    for text in _random_texts(pieces, 20261205, 5000, 30):
        every = _as_email_parser_reads(text)
        assert header_fields(text, only) == {k: v for k, v in every.items() if k in only}, text


def test_usual_metadata_is_read_without_the_line_by_line_reading() -> None:
    description = "".join(f"        line {n}\n" for n in range(2000))
    text = (
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nClassifier: A :: B\n"
        f"Description: first\n{description}Requires-Dist: idna>=2\n"
        "Requires-Dist: tomli ; python_version < '3.11'\n\nbody: not a field\n"
    )
    only = frozenset({"name", "version", "requires-dist"})
    expected = {k: v for k, v in _as_email_parser_reads(text).items() if k in only}
    assert _only(text, only) == expected
    assert _only("Name: a\r\nVersion: 1\r\n", only) is None  # read line by line

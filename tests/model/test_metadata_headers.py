"""``header_fields`` reads core metadata's fields as ``email.parser`` (compat32) reads them."""

from __future__ import annotations

import email.parser
import random

import pytest

from accord.model.metadata_headers import header_fields


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


def test_fields_are_those_email_parser_reads_for_random_texts() -> None:
    pieces = ["Name", "Version", "From ", ":", " ", "\t", "\n", "\r", "\r\n", "a", "-", "x y"]
    rng = random.Random(20261201)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        assert header_fields(text) == _as_email_parser_reads(text), repr(text)


def test_only_some_fields_are_those_fields_of_all() -> None:
    pieces = ["Name", "Version", "From ", ":", " ", "\t", "\n", "\r", "\r\n", "a", "-", "x y"]
    only = frozenset({"name", "version"})
    rng = random.Random(20261204)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        every = header_fields(text)
        assert header_fields(text, only) == {k: v for k, v in every.items() if k in only}, text

"""``plain_requirement`` makes the ``Requirement`` packaging makes of the same text, and leaves
every other text to packaging."""

from __future__ import annotations

import random

import pytest
from packaging.requirements import InvalidRequirement, Requirement

from accord.model.requirement_lines import plain_requirement


def _same(ours: Requirement, theirs: Requirement) -> bool:
    return (
        ours.name == theirs.name
        and ours.extras == theirs.extras
        and ours.url == theirs.url
        and str(ours.specifier) == str(theirs.specifier)
        and ours.specifier == theirs.specifier
        and ours.marker == theirs.marker
        and str(ours) == str(theirs)
        and ours == theirs
    )


@pytest.mark.parametrize(
    "text",
    [
        "idna",
        "idna>=2.8",
        "urllib3<3,>=1.21.1",
        "charset_normalizer (~=3.0)",
        "Pytest[Testing,extra_two] >=7.0, <9 ",
        "zope.interface[test] ( >= 5.0 , != 5.1.* )",
        "a\t[b]\t==1.0+local",
        "pkg[ one , two\t,three ]>=1",
        "pkg===weird-1",
        "x_y.z-w>=1!2.0.post1.dev3",
    ],
)
def test_plain_texts_are_read_as_packaging_reads_them(text: str) -> None:
    ours = plain_requirement(text)
    assert ours is not None
    assert _same(ours, Requirement(text))


@pytest.mark.parametrize(
    "text",
    [
        "idna>=",
        "idna >=1.0 <2",
        "idna[]",
        "idna[a,]",
        "-idna",
        "idna (>=1",
        "idna~=1",
        "i\u3000>=1",
    ],
)
def test_other_texts_are_left_to_packaging(text: str) -> None:
    assert plain_requirement(text) is None


def test_random_texts_are_read_as_packaging_reads_them_or_left_to_it() -> None:
    pieces = ["a", "B9", ".", "_", "-", "[", "]", ",", "(", ")", " ", "\t", ">=", "<", "==", "!="]
    pieces += ["~=", "===", "1", "0", ".*", "+l", "!", "post1", "\u00e9", "\n", "@", "x y"]
    rng = random.Random(20261204)
    read = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        ours = plain_requirement(text)
        try:
            theirs = Requirement(text)
        except InvalidRequirement:
            assert ours is None, text
            continue
        if ours is not None:
            read += 1
            assert _same(ours, theirs), text
    assert read > 300  # the comparison met many texts read both ways (374 with this seed)

"""uv's bounding range of a Requires-Python specifier set (model/python_range.py)."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.python_range import Bound, lower_bound, specifier_range, split, tightest_bounds


def _bound(text: str | None, inclusive: bool = True) -> Bound:
    return None if text is None else (Version(text), inclusive)


@pytest.mark.parametrize(
    ("specifier", "lower", "upper"),
    [
        (">=3.9", _bound("3.9"), None),
        (">3.9,<3.13", _bound("3.9", False), _bound("3.13", False)),
        ("==3.11.*", _bound("3.11"), _bound("3.12", False)),
        ("~=3.10", _bound("3.10"), _bound("4", False)),
        # an excluded version at an inclusive bound makes it exclusive (cryptography 48+)
        (">=3.9,!=3.9.0,!=3.9.1", _bound("3.9", False), None),
        (">=3.8,<=3.12,!=3.12", _bound("3.8"), _bound("3.12", False)),
        # an excluded series at the bound moves it past the series, again and again
        (">=3.6,!=3.6.*,!=3.7.*", _bound("3.8"), None),
        (">=3.8,<3.10,!=3.9.*", _bound("3.8"), _bound("3.9", False)),
        # an exclusion inside the range leaves the bounds alone
        (">=3.8,!=3.9.0", _bound("3.8"), None),
        (">=3.8,!=3.8.1", _bound("3.8"), None),
        ("!=3.0", None, None),
    ],
)
def test_specifier_range(specifier: str, lower: Bound, upper: Bound) -> None:
    assert specifier_range(SpecifierSet(specifier)) == (lower, upper)


def test_a_fork_splits_above_an_excluded_lower_bound() -> None:
    # uv's split for `>=3.9,!=3.9.0` inside `>=3.9`: `<= '3.9'` below, `> '3.9'` above.
    at = lower_bound(SpecifierSet(">=3.9,!=3.9.0,!=3.9.1"))
    parts = split((_bound("3.9"), _bound("3.10", False)), at)
    assert parts == (
        (_bound("3.9"), _bound("3.9")),
        (_bound("3.9", False), _bound("3.10", False)),
    )


# What uv 0.13.8 writes as `requires-python` for a workspace whose two members declare these
# (checked with `uv lock` on a virtual root with members `a` and `b`).
@pytest.mark.parametrize(
    ("members", "written"),
    [
        ((">=3.11", ">=3.12"), [">=3.12"]),
        ((">=3.11,<3.14", ">=3.10"), [">=3.11", "<3.14"]),
        ((">=3.10,!=3.11.*", ">=3.9"), [">=3.10", "!=3.11.*"]),
        (("~=3.11", ">=3.12"), [">=3.12", "<4"]),
        ((">=3.11", "==3.13.*"), ["==3.13.*"]),
        ((">=3.11.1", ">=3.11"), [">=3.11.1"]),
        ((">3.11", ">=3.11"), [">3.11"]),
        ((">=3.8,<4", "<=3.12"), [">=3.8", "<=3.12"]),
    ],
)
def test_tightest_bounds_of_members_as_uv_writes_them(
    members: tuple[str, str], written: list[str]
) -> None:
    assert tightest_bounds(SpecifierSet(",".join(members))) == written

"""model.conflicts: reading `tool.uv.conflicts` and uv's conflict markers."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name

from accord.model.conflicts import (
    conflict_marker,
    encode,
    read_conflicts,
    same_conflicts,
    selection_conflict,
)
from accord.model.lock import ConflictItem
from accord.model.uv_settings import SettingInvalid

PROJ = canonicalize_name("proj")
X = ConflictItem(package=PROJ, extra=canonicalize_name("x"))
Y = ConflictItem(package=PROJ, extra=canonicalize_name("y"))
DEV = ConflictItem(package=PROJ, group=canonicalize_name("dev"))


def test_read_conflicts_defaults_the_package_to_the_project() -> None:
    sets = read_conflicts(
        [[{"extra": "x"}, {"extra": "Y"}], [{"group": "dev"}, {"extra": "x"}]], PROJ
    )
    assert sets == ((X, Y), (DEV, X))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            [[{"extra": "x"}]],
            "`tool.uv.conflicts`: Each set of conflicts must have at least two entries, "
            "but found only one",
            id="one",
        ),
        pytest.param(
            [[]],
            "`tool.uv.conflicts`: Each set of conflicts must have at least two entries, "
            "but found none",
            id="none",
        ),
        pytest.param(
            [[{"extra": "x", "group": "g"}, {"extra": "y"}]],
            "`tool.uv.conflicts`: Expected one of `extra` or `group` in conflicting entry, "
            "but found both",
            id="both",
        ),
        pytest.param(
            [[{"foo": "x"}, {"extra": "y"}]],
            "`tool.uv.conflicts`: unknown field `foo`, expected one of `package`, `extra`, `group`",
            id="unknown-field",
        ),
    ],
)
def test_read_conflicts_rejects_in_uvs_words(value: object, message: str) -> None:
    with pytest.raises(SettingInvalid) as caught:
        read_conflicts(value, PROJ)
    assert str(caught.value) == message


def test_encode_names_the_package_length() -> None:
    assert encode(X) == "extra-4-proj-x"
    assert encode(DEV) == "group-4-proj-dev"
    assert encode(ConflictItem(package=PROJ)) == "project-4-proj"


def test_conflict_marker_forbids_two_items_of_a_set() -> None:
    marker = conflict_marker(((X, Y),))
    assert marker.with_extras({"extra-4-proj-x"}).is_true()
    assert marker.with_extras({"extra-4-proj-x", "extra-4-proj-y"}).is_false()


def test_same_conflicts_ignores_order() -> None:
    assert same_conflicts(((X, Y),), ((Y, X),))
    assert not same_conflicts(((X, Y),), ((X, DEV),))


def test_selection_conflict_in_uvs_words() -> None:
    z = ConflictItem(package=PROJ, extra=canonicalize_name("z"))
    clash = selection_conflict(((X, Y, z),), [X, Y, z])
    assert str(clash) == (
        "Extras `x`, `y`, and `z` are incompatible with the declared conflicts: "
        "{`proj[x]`, `proj[y]`, `proj[z]`}"
    )
    assert str(selection_conflict(((X, DEV),), [DEV, X])) == (
        "Extra `x` and group `dev` are incompatible with the declared conflicts: "
        "{`proj[x]`, `proj:dev`}"
    )
    assert selection_conflict(((X, Y),), [X, DEV]) is None

"""The `--verify` reason: files whose content differs from RECORD's hash (pure)."""

from __future__ import annotations

import attrs
import pytest

from accord.model.plan import ContentModified, diff
from tests.model.factories import desired_dist, desired_env, installed, observed


@pytest.mark.parametrize(
    ("files", "sentence"),
    [
        pytest.param(("x/core.py",), "1 file modified: x/core.py", id="one"),
        pytest.param(
            ("x/__init__.py", "x/core.py"),
            "2 files modified: x/__init__.py, x/core.py",
            id="two",
        ),
        pytest.param(
            tuple(f"x/m{n}.py" for n in range(7)),
            "7 files modified: x/m0.py, x/m1.py, x/m2.py, x/m3.py, x/m4.py and 2 more",
            id="many-are-cut-short",
        ),
    ],
)
def test_content_modified_names_the_files(files: tuple[str, ...], sentence: str) -> None:
    assert ContentModified(files).describe() == sentence


def test_diff_replaces_a_dist_whose_content_differs() -> None:
    dist = attrs.evolve(installed("a"), modified_files=("a/__init__.py", "a/core.py"))

    plan = diff(desired_env(desired_dist("a")), observed(dist))

    assert [(action.kind, action.name, action.reason) for action in plan.actions] == [
        ("replace", "a", ContentModified(("a/__init__.py", "a/core.py")))
    ]


def test_diff_names_modified_content_before_a_missing_file() -> None:
    # A verify found both: the reason lists the files it hashed (the missing one is in
    # observe's record_problem, which a repair mends all the same).
    dist = attrs.evolve(
        installed("a", record_problem="a/gone.py is missing"), modified_files=("a/core.py",)
    )

    [action] = diff(desired_env(desired_dist("a")), observed(dist)).actions

    assert action.reason == ContentModified(("a/core.py",))

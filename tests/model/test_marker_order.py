"""`model/marker_order.py`: markers sorted as uv sorts them in `uv.lock` (pure)."""

from __future__ import annotations

import pytest

from accord.model.marker_order import marker_order_key
from accord.model.marker_tree import MarkerTree


def _sorted(*markers: str) -> list[str]:
    trees = [MarkerTree.parse(m) for m in markers]
    return [str(t.to_string()) for t in sorted(trees, key=marker_order_key)]


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(
            [
                # uv 0.13.8's order in a lock's requires-dist (a source list lowered).
                "python_full_version >= '3.11' and sys_platform == 'darwin' and extra == 'x'",
                "python_full_version >= '3.11' and sys_platform != 'darwin' and "
                "sys_platform != 'linux' and sys_platform != 'win32' and extra == 'x'",
                "(python_full_version >= '3.11' and sys_platform == 'linux' and extra == 'x') or "
                "(python_full_version >= '3.11' and sys_platform == 'win32' and extra == 'x')",
            ],
            id="not-text-order",
        ),
        pytest.param(
            [
                "sys_platform != 'darwin' and sys_platform != 'linux'",
                "sys_platform == 'darwin'",
                "sys_platform == 'linux'",
            ],
            id="ranges-then-children",
        ),
        pytest.param(
            ["python_full_version < '3.11'", "sys_platform == 'linux'", "extra == 'a'"],
            id="kinds-version-string-extra",
        ),
    ],
)
def test_marker_order_is_uvs(expected: list[str]) -> None:
    assert _sorted(*reversed(expected)) == expected
    assert _sorted(*expected) == expected


def test_marker_order_puts_true_then_false_first() -> None:
    assert marker_order_key(MarkerTree.TRUE) < marker_order_key(MarkerTree.FALSE)
    assert marker_order_key(MarkerTree.FALSE) < marker_order_key(
        MarkerTree.parse("python_full_version < '3.11'")
    )

"""`model/pyproject.py`: uv's rules for a `[tool.uv.sources]` list (pure)."""

from __future__ import annotations

import pytest

from accord.model.pyproject import PyprojectInvalid, check_pyproject


def _check(sources: object) -> PyprojectInvalid:
    with pytest.raises(PyprojectInvalid) as info:
        check_pyproject({"tool": {"uv": {"sources": {"tp": sources}}}})
    return info.value


def test_overlapping_neighbours_are_refused_with_uvs_hint() -> None:
    error = _check(
        [
            {"index": "a", "marker": "sys_platform == 'linux'"},
            {"index": "b", "marker": "sys_platform != 'darwin'"},
        ]
    )
    assert (error.located, error.path) == (False, ("tool", "uv", "sources"))
    assert error.within == "Failed to parse `tool.uv.sources`"  # uv: a cause of its own
    assert error.detail == (
        "Source markers must be disjoint, but the following "
        "markers overlap: `sys_platform == 'linux'` and `sys_platform != 'darwin'`."
    )
    assert error.hint == (
        "replace `sys_platform != 'darwin'` with "
        "`sys_platform != 'darwin' and sys_platform != 'linux'`"
    )


def test_a_source_without_a_marker_in_a_list_is_refused() -> None:
    error = _check([{"index": "a"}, {"index": "b", "marker": "sys_platform == 'linux'"}])
    assert error.detail.endswith(
        "When multiple sources are provided, each source must include a platform marker "
        "(e.g., `marker = \"sys_platform == 'linux'\"`)"
    )


def test_only_neighbours_for_the_same_extra_are_compared() -> None:
    # uv compares each source with the next one only, and skips pairs for other extras.
    check_pyproject(
        {
            "tool": {
                "uv": {
                    "sources": {
                        "tp": [
                            {"index": "a", "marker": "sys_platform == 'linux'"},
                            {"index": "b", "marker": "sys_platform == 'darwin'"},
                            {"index": "c", "marker": "sys_platform == 'linux'"},
                        ],
                        "other": [{"index": "a", "extra": "x"}, {"index": "b", "extra": "y"}],
                    }
                }
            }
        }
    )


@pytest.mark.parametrize(
    ("sources", "path", "detail"),
    [
        pytest.param(
            [],
            ("tool", "uv", "sources"),
            "Must provide at least one source",
            id="empty",
        ),
        pytest.param(
            ["x"],
            ("tool", "uv", "sources", "tp", 0),
            'invalid type: string "x", expected struct CatchAll',
            id="not-a-table",
        ),
        pytest.param(
            {"index": "a", "extra": "x", "group": "g"},
            ("tool", "uv", "sources", "tp"),
            "cannot specify both `extra` and `group`",
            id="extra-and-group",
        ),
    ],
)
def test_source_list_shapes(sources: object, path: tuple[object, ...], detail: str) -> None:
    error = _check(sources)
    assert (error.path, error.detail) == (path, detail)


def test_a_marker_that_does_not_parse_is_named_at_the_marker() -> None:
    error = _check([{"index": "a", "marker": "sys_platform =="}])
    assert error.path == ("tool", "uv", "sources", "tp", 0, "marker")
    assert error.located
    assert error.detail.startswith("invalid marker `sys_platform ==`: ")

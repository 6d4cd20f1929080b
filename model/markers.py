"""uv's spelling of PEP 508 markers in requirement records (pure).

``render_marker`` writes a marker the way uv writes the requirements it records in a lock
(``requires-dist``, ``requires-dev``, manifest entries): the marker's normal form in
``model.marker_tree`` (uv's decision diagram), rendered as uv renders it. ``canonical_marker``
uses it to compare spellings.
"""

from __future__ import annotations

from packaging.markers import Marker
from packaging.version import InvalidVersion, Version

from accord.model.marker_tree import MarkerTree

__all__ = [
    "BOUND_RANK",
    "canonical_marker",
    "render_marker",
    "version_key",
]


def canonical_marker(marker: Marker | None) -> str | None:
    """A spelling-independent form (uv's canonical spelling, ``render_marker``): equivalent
    spellings of one condition compare equal."""
    return None if marker is None else render_marker(marker)


def version_key(text: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(text.removesuffix(".*")))
    except InvalidVersion:
        return (1, text)


BOUND_RANK = {">": 0, ">=": 0, "~=": 1, "==": 1, "===": 1, "!=": 2, "<": 3, "<=": 3}


def render_marker(marker: Marker) -> str:
    """A marker in uv's canonical spelling (single quotes, ``python_full_version`` ranges,
    ``platform_system`` values with an exact ``sys_platform`` equivalent rewritten, uv's
    operand order and ``or`` grouping); ``""`` for a marker that always holds."""
    return MarkerTree.parse(marker).to_string() or ""

"""Lowering parsed PEP 508 markers into decision-diagram nodes, as uv does.

Part of the pure model stage (STYLE 2.1): no I/O. packaging parses the text; this module walks
``Marker._markers`` and applies uv's rules (``uv-pep508/src/marker/parse.rs`` and the
``expression`` function of ``algebra.rs``): ``python_version`` becomes a ``python_full_version``
range, versions are release-only, ``platform_system`` values with an exact ``sys_platform``
counterpart are rewritten to it, ``in``/``not in`` on strings are boolean variables, and
comparisons uv cannot give a meaning to are dropped (they act as neither true nor false: the
surrounding ``and``/``or`` simply ignores them).
"""

from __future__ import annotations

import re
from typing import Any

from packaging._parser import Op, Value, Variable
from packaging.version import InvalidVersion, Version

from accord.model import marker_algebra as ma
from accord.model import marker_ranges as mr
from accord.model.marker_ranges import Release

_VERSION_KEYS = {"implementation_version": 0, "python_full_version": 1, "python_version": 2}
_STRING_INDEX = {key: i for i, key in enumerate(ma.STRING_KEYS)}
_LIST_KEYS = {"extras": 0, "dependency_groups": 1}
# uv rewrites these to `sys_platform` since the two always agree for them (algebra.rs).
_PLATFORM_SYSTEM_TO_SYS_PLATFORM = {
    "Windows": "win32",
    "Darwin": "darwin",
    "Linux": "linux",
    "AIX": "aix",
    "Emscripten": "emscripten",
    "Android": "android",
}
_INVERT = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "~=": "~="}
_PEP440_OPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "~="})
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")

# A version specifier reduced to what the diagram keeps: operator (``==*``/``!=*`` for the star
# forms) and the untrimmed release numbers.
Spec = tuple[str, tuple[int, ...]]


def lower_markers(items: list[Any]) -> int | None:
    """The node for a parsed marker list, or None when every comparison in it was dropped."""
    result: int | None = None
    group: int | None = None
    for item in items:
        if isinstance(item, str):
            if item == "or":
                result = _combine(result, group, ma.or_)
                group = None
            continue
        atom = lower_markers(item) if isinstance(item, list) else _atom(*item)
        group = _combine(group, atom, ma.and_)
    return _combine(result, group, ma.or_)


def _combine(left: int | None, right: int | None, op: Any) -> int | None:
    if left is None:
        return right
    if right is None:
        return left
    result: int = op(left, right)
    return result


def _atom(lhs: Variable | Value, op: Op, rhs: Variable | Value) -> int | None:
    operator = op.value
    if isinstance(lhs, Variable):
        key = lhs.value
        if not isinstance(rhs, Value):
            return None  # comparing two markers means nothing to uv
        value = rhs.value
        if key in _VERSION_KEYS:
            if operator in ("in", "not in"):
                return _version_in(key, value, operator == "in")
            return _version(key, operator, value, pattern=True)
        if key == "extra":
            return _extra(operator, value)
        if key in _LIST_KEYS:
            raise ValueError(f"The marker {key} must be on the right hand side of the expression")
        return _string(key, operator, value)
    if isinstance(rhs, Value):
        return None  # comparing two literals
    key = rhs.value
    value = lhs.value
    if key in _VERSION_KEYS:
        inverted = _INVERT.get(operator)
        return None if inverted is None else _version(key, inverted, value, pattern=False)
    if key == "extra":
        return _extra(operator, value)
    if key in _LIST_KEYS:
        if operator not in ("in", "not in"):
            raise ValueError(f"The operator {operator} is not supported with the marker {key}")
        if _NAME.match(value):
            pair: tuple[Any, ...] = (ma.K_LIST, _LIST_KEYS[key], value)
        else:
            pair = (ma.K_LIST, 2, _LIST_KEYS[key], value)
        return ma.bool_node(pair, operator == "in")
    if operator == "in":
        return ma.bool_node((ma.K_CONTAINS, _STRING_INDEX[key], value), True)
    if operator == "not in":
        return ma.bool_node((ma.K_CONTAINS, _STRING_INDEX[key], value), False)
    inverted = _INVERT.get(operator)
    return None if inverted is None else _string(key, inverted, value)


def _string(key: str, operator: str, value: str) -> int | None:
    if operator == "~=" or operator == "===":
        return None
    if operator in ("in", "not in"):
        return ma.bool_node((ma.K_IN, _STRING_INDEX[key], value), operator == "in")
    if key == "platform_system" and value in _PLATFORM_SYSTEM_TO_SYS_PLATFORM:
        key, value = "sys_platform", _PLATFORM_SYSTEM_TO_SYS_PLATFORM[value]
    if key in ("platform_release", "platform_version"):
        # uv keeps lexicographic order for these two `Version | String` fields.
        ranges = {
            ">": mr.interval((value, False), None),
            ">=": mr.interval((value, True), None),
            "<": mr.interval(None, (value, False)),
            "<=": mr.interval(None, (value, True)),
        }.get(operator)
    else:
        # The marker spec makes strict string ordering always false and `<=`/`>=` equality.
        ranges = {">": mr.EMPTY, "<": mr.EMPTY}.get(operator)
    if ranges is None:
        ranges = mr.singleton(value)
        if operator == "!=":
            ranges = mr.complement(ranges)
    return ma.range_node((ma.K_STRING, _STRING_INDEX[key]), ranges)


def _extra(operator: str, value: str) -> int | None:
    if operator not in ("==", "!="):
        return None
    if not _NAME.match(value):
        return ma.FALSE  # uv: an invalid extra name is never active, whatever the operator
    return ma.bool_node((ma.K_EXTRA, value), operator == "==")


def _parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _version(key: str, operator: str, text: str, *, pattern: bool) -> int | None:
    if operator not in _PEP440_OPS:
        return None
    star = pattern and text.endswith(".*")
    version = _parse_version(text[:-2] if star else text)
    if version is None:
        return None
    if star:
        if operator not in ("==", "!="):
            return None
        operator += "*"
    if version.local is not None and operator not in ("==", "!="):
        return None
    release = version.release
    if operator == "~=" and len(release) < 2:
        return None
    spec: Spec = (operator, release)
    if key == "python_version":
        lowered = python_version_to_full_version(spec)
        if isinstance(lowered, int):
            return lowered
        spec, key = lowered, "python_full_version"
    return ma.range_node((ma.K_VERSION, _VERSION_KEYS[key]), release_specifier_to_range(spec))


def _version_in(key: str, text: str, is_in: bool) -> int | None:
    versions = []
    for part in text.split():
        version = _parse_version(part)
        if version is None:
            return None
        versions.append(version)
    ranges: mr.Ranges = mr.EMPTY
    for version in versions:
        if key == "python_version":
            spec = python_version_to_full_version(("==", version.release))
            if isinstance(spec, int):
                return spec  # uv lets a constant short-circuit the whole list
            ranges = mr.union(ranges, release_specifier_to_range(spec))
        else:
            ranges = mr.union(ranges, mr.singleton(Release(version.release)))
    if not is_in:
        ranges = mr.complement(ranges)
    var = (ma.K_VERSION, 1 if key == "python_version" else _VERSION_KEYS[key])
    return ma.range_node(var, ranges)


def _trim(release: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(Release(release))


def python_version_to_full_version(spec: Spec) -> Spec | int:
    """uv's rewrite of a ``python_version`` specifier over ``python_full_version``.

    ``python_version`` is the major.minor prefix, so e.g. ``> 3.7`` means ``>= 3.8``. Returns a
    constant node id where the comparison can never, or always, hold.
    """
    operator, release = spec
    if operator in ("==*", "!=*"):
        if len(release) == 1:
            return spec
        if all(part == 0 for part in release[2:]):
            return (operator, release[:2])
        return ma.FALSE
    if operator == "~=":
        if len(release) == 2:
            return spec
        if all(part == 0 for part in release[2:]):
            return ("==*", release[:2])
        return ma.FALSE
    trimmed = _trim(release)
    if len(trimmed) <= 2:
        major, minor = trimmed[0], trimmed[1] if len(trimmed) == 2 else 0
        return {
            "==": ("==*", (major, minor)),
            "!=": ("!=*", (major, minor)),
            ">": (">=", (major, minor + 1)),
            "<=": ("<", (major, minor + 1)),
        }.get(operator, spec)
    major, minor = release[0], release[1]
    if operator == "==":
        return ma.FALSE
    if operator == "!=":
        return ma.TRUE
    return ("<" if operator in ("<", "<=") else ">=", (major, minor + 1))


def release_specifier_to_range(spec: Spec) -> mr.Ranges:
    """uv's ``release_specifier_to_range`` with trimming (the form markers use)."""
    operator, release = spec
    version = Release(release).trimmed()
    if operator in ("==", "==="):
        return mr.singleton(version)
    if operator == "!=":
        return mr.complement(mr.singleton(version))
    if operator == "<":
        return mr.interval(None, (version, False))
    if operator == "<=":
        return mr.interval(None, (version, True))
    if operator == ">":
        return mr.interval((version, False), None)
    if operator == ">=":
        return mr.interval((version, True), None)
    if operator == "~=":
        upper = Release((*release[:-2], release[-2] + 1))
        return mr.interval((version, True), (upper, False))
    low = Release(release)
    high = Release((*release[:-1], release[-1] + 1))
    ranges = mr.interval((low, True), (high, False))
    return ranges if operator == "==*" else mr.complement(ranges)

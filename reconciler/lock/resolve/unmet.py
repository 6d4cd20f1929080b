"""Lock stage, resolution: a local package's one version that a package the project needs
does not accept, told as uv tells it.

A package from a path, an archive, a URL or a git commit has one version, and uv's PubGrub
knows no other: when ``dep-c`` asks for ``dep-b>=2.0`` and the local ``dep-b`` is 1.0, uv says
``Because only dep-b<2.0 is available and all versions of dep-c depend on dep-b>=2.0, we can
conclude that all versions of dep-c cannot be used.`` (the complement of the range refused),
and, when the package asking is further down, lifts its requirement up the chain first.
"""

from __future__ import annotations

import itertools

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.reconciler.lock.resolve.phrases import PROJECT, Phrases, depends
from accord.reconciler.lock.resolve.requirements import Req, name_of

__all__ = ["local_unmet"]

_INDENT = " " * 13
"""A range on a line of its own, under a line of the derivation (indented by nine)."""


def local_unmet(
    phrases: Phrases,
    name: NormalizedName,
    project: list[Req],
    packages: dict[str, list[Version]],
    asked: dict[str, SpecifierSet],
) -> list[str] | None:
    """uv's derivation (its lines) when ``packages`` (identifier → versions tried) ask for
    what the local ``name`` does not have, given what they ``asked``; None for a shape uv
    words otherwise (the project's own requirement refused too, a range uv splits in more
    than two)."""
    version = phrases.local_version(name)
    if version is None or not all(req.matches(version) for req in project):
        return None
    parent, versions = min(packages.items())
    wanted = asked[parent]
    only = _unavailable(name, wanted)
    if only is None:
        return None
    side = phrases.package_side(name, parent, versions) or phrases.asked_side(
        name, parent, versions, wanted
    )
    lines = []
    parent_version = phrases.local_version(name_of(parent))
    if parent_version is not None:
        # A local package asking has one version too, which uv says first.
        one = f"{parent}=={parent_version}"
        lines.append(
            f"Because only {one} is available and {one} depends on {depends(name, wanted)}, "
            f"we can conclude that {side}."
        )
    path = phrases.path_to(parent)
    for lower, upper in itertools.pairwise(path):
        upper_versions = phrases.usable_versions(name_of(upper))
        who = phrases.versions_phrase(upper, upper_versions, phrases.range_of(upper))
        verb = "depend" if who.startswith("all versions") else "depends"
        conclusion = f"{who} {verb} on {depends(name, wanted)}"
        lines.append(
            f"Because {side} and {who} {verb} on {lower}, we can conclude that {conclusion}."
        )
        side = conclusion
    top = f"{PROJECT} depends on {depends(path[-1], phrases.range_of(path[-1]))}"
    unsatisfiable = f"we can conclude that {PROJECT}'s requirements are unsatisfiable."
    if lines:
        return [*lines, f"Because {only} and {top}, {unsatisfiable}"]
    unusable = f"we can conclude that {side.partition(' depend')[0]} cannot be used."
    said = f" on {depends(name, wanted)}"
    excluded = [clause.version for clause in wanted if clause.operator == "!="]
    if len(excluded) == 1 and len(wanted) == 1 and side.endswith(said):
        # uv names the two ranges a `!=` leaves, one a line, and no comma after them.
        ranges = "".join(f"\n{_INDENT}{name}{op}{excluded[0]}" for op in ("<", ">"))
        side = f"{side.removesuffix(said)} on one of:{ranges}\n{' ' * 8}"
        first = f"Because {only} and {side} {unusable}"
    else:
        first = f"Because {only} and {side}, {unusable}"
    return [first, f"Because {top}, {unsatisfiable}"]


def _unavailable(name: NormalizedName, wanted: SpecifierSet) -> str | None:
    """What uv says of the one version of a local package, by the range it failed: the
    complement (``>=2.0``: ``only N<2.0 is available``; ``>=2,<3``: both ranges, one a
    line), or ``there is no version of N==2.0``; None for any other range."""
    flipped = {">=": "<", ">": "<=", "<": ">=", "<=": ">", "!=": "==", "==": ""}
    clauses = sorted(wanted, key=lambda clause: clause.operator not in (">=", ">"))
    if not clauses or any(c.operator not in flipped or "*" in c.version for c in clauses):
        return None
    if len(clauses) == 1 and clauses[0].operator == "==":
        return f"there is no version of {name}=={clauses[0].version}"
    if len(clauses) == 1:
        return f"only {name}{flipped[clauses[0].operator]}{clauses[0].version} is available"
    if len(clauses) != 2 or clauses[0].operator not in (">=", ">"):
        return None
    if clauses[1].operator not in ("<", "<="):
        return None
    ranges = "".join(f"\n{_INDENT}{name}{flipped[c.operator]}{c.version}" for c in clauses)
    return f"only the following versions of {name} are available:{ranges}\n{' ' * 8}"

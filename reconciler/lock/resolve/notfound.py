"""Lock stage, resolution: uv's words for a package the project requires and no index has.

Kept apart from ``reconciler.lock.resolve.explain`` (which reads the provider's state): the
provider raises this message itself, when the index answers "not found" (the index is asked
again only for names one slip away, to suggest one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.utils import NormalizedName

from accord.reconciler.errors import AccordError, PackageNotFound

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import IndexClient

__all__ = ["near_names", "not_found", "package_not_found"]

_PROJECT = "your project"


def near_names(name: str) -> list[str]:
    """Names one slip away from ``name`` (two neighbouring letters swapped, or one letter
    too many), closest first: what to ask the index when a package is not found."""
    seen: dict[str, None] = {}
    for index in range(len(name) - 1):
        swapped = name[:index] + name[index + 1] + name[index] + name[index + 2 :]
        if swapped != name:
            seen[swapped] = None
    for index in range(len(name)):
        shorter = name[:index] + name[index + 1 :]
        if shorter and shorter.strip("-_.") == shorter:
            seen[shorter] = None
    return [candidate for candidate in seen if candidate != name]


def not_found(name: str, where: str, suggestion: str | None) -> tuple[str, str]:
    """uv's message for a package the project requires that no index has, and the hint:
    the indexes searched, and a close name that exists."""
    place = "the package registry" if where else "the provided package locations"
    message = (
        "No solution found when resolving dependencies\n"
        f"  cause: Because {name} was not found in {place} and {_PROJECT} "
        f"depends on {name}, we can conclude that {_PROJECT}'s requirements are unsatisfiable."
    )
    if not where:
        return message, (
            "Packages were unavailable because index lookups were disabled "
            "(`--no-index` or `tool.uv.no-index`) and accord has no other package locations"
        )
    hint = f"searched {where}"
    if suggestion is not None:
        hint += f"; a package with a similar name exists: `{suggestion}` (a typo?)"
    return message, hint


def package_not_found(
    name: NormalizedName, client: IndexClient, exc: PackageNotFound
) -> PackageNotFound:
    """uv's words for a package the project requires and no index has, with a close
    name the index does have (one slip away: swapped or doubled letters)."""
    if "registry" not in exc.message:  # offline: uv's words for it
        return PackageNotFound(
            "No solution found when resolving dependencies\n"
            f"  cause: Because {name} was not found in the cache and {_PROJECT} depends on "
            f"{name}, we can conclude that {_PROJECT}'s requirements are unsatisfiable.",
            hint="Packages were unavailable because the network was disabled. When the network "
            "is disabled, registry packages may only be read from the cache.",
        )
    suggestion = None
    for candidate in near_names(name)[:40]:
        try:
            client.releases(NormalizedName(candidate))
        except AccordError:
            continue
        suggestion = candidate
        break
    where = ", ".join(f"`{index}`" for index in client.indexes)
    message, hint = not_found(name, where, suggestion)
    return PackageNotFound(message, hint=hint)

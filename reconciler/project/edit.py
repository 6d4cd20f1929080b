"""Where ``accord add``/``remove`` edit a pyproject.toml or a script's metadata (text in, text out).

Each requirement goes to a place (``DependencyPlace``): the one asked for, or for ``--dev``
where uv would put it. The array there is found or created through tomlkit
(``reconciler.project.dependency_arrays``), rewritten as uv does by ``model.edit``, and put back
in place. No I/O: the command (``reconciler.run.edit``) reads and writes the files.
"""

from __future__ import annotations

import attrs
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.edit import (
    AmbiguousRequirement,
    ArrayEdit,
    BoundKind,
    add_requirement,
    remove_requirement,
    set_bound,
)
from accord.reconciler.errors import AccordError, ProjectInvalid
from accord.reconciler.project.dependency_arrays import (
    DependencyDocument,
    DependencyKind,
    DependencyPlace,
    array_text,
)

__all__ = [
    "DependencyNotFound",
    "EditedDependency",
    "add_dependencies",
    "remove_dependencies",
    "set_bounds",
]

_DEV = canonicalize_name("dev")


@attrs.frozen(kw_only=True)
class EditedDependency:
    """One requirement ``add_dependencies`` wrote, and where (for the bounds written later)."""

    place: DependencyPlace
    requirement: Requirement
    edit: ArrayEdit


class DependencyNotFound(AccordError):
    """``remove`` of a package the place does not list (uv's words and hints)."""

    def __init__(self, name: NormalizedName, place: DependencyPlace, hints: list[str]) -> None:
        super().__init__(
            f"The dependency `{name}` could not be found in {place.table_name()}",
            hint="\nhint: ".join(hints) or None,
        )


def _dev_place(document: DependencyDocument, name: NormalizedName) -> DependencyPlace:
    """uv's choice for ``--dev`` (and ``--group dev``): where the package already is, else
    ``dependency-groups.dev`` unless only ``tool.uv.dev-dependencies`` exists."""
    group_dev = DependencyPlace(DependencyKind.GROUP, _DEV)
    legacy = DependencyPlace(DependencyKind.DEV)
    found = document.found_in(name)
    if group_dev in found:
        return group_dev
    if legacy in found:
        return legacy
    has_legacy = document.dev_legacy() is not None
    return legacy if has_legacy and document.locate(group_dev) is None else group_dev


def add_dependencies(
    text: str,
    requirements: list[tuple[Requirement, str]],
    place: DependencyPlace,
    *,
    script: bool = False,
    raw: bool = False,
) -> tuple[str, list[EditedDependency]]:
    """``uv add``'s edits, without bounds: each (requirement, as typed) added to the place or,
    when the place already lists the package with the same marker, merged into it.

    Raises ``ProjectInvalid`` for a document uv would not edit, and ``UsageError`` for an
    ambiguous update."""
    document = DependencyDocument.parse(text, script=script)
    edits: list[EditedDependency] = []
    for requirement, typed in requirements:
        target = place
        if script:
            target = DependencyPlace(DependencyKind.PRODUCTION)
        elif place.kind is DependencyKind.DEV or (
            place.kind is DependencyKind.GROUP and place.name == _DEV
        ):
            target = _dev_place(document, canonicalize_name(requirement.name))
        located = document.locate(target) or document.create(target)
        try:
            array, edit = add_requirement(
                array_text(*located), requirement, raw_text=typed if raw else None
            )
        except AmbiguousRequirement as exc:
            raise ProjectInvalid(str(exc)) from exc
        document.replace(*located, array)
        for index, earlier in enumerate(edits):
            # A value inserted before an earlier edit's shifts it down, as uv keeps count.
            if (
                earlier.place == target
                and edit.kind.value == "add"
                and earlier.edit.index >= edit.index
            ):
                edits[index] = attrs.evolve(
                    earlier, edit=attrs.evolve(earlier.edit, index=earlier.edit.index + 1)
                )
        edits.append(EditedDependency(place=target, requirement=requirement, edit=edit))
    return document.text(), edits


def set_bounds(
    text: str,
    edits: list[EditedDependency],
    versions: dict[NormalizedName, Version],
    kind: BoundKind,
    *,
    script: bool = False,
) -> str:
    """The bound for each requirement ``add_dependencies`` added without a specifier, from
    the smallest version the lock holds for it (uv's ``set_dependency_bound``)."""
    document = DependencyDocument.parse(text, script=script)
    for edited in edits:
        requirement = edited.requirement
        if edited.edit.kind.value != "add" or requirement.url or len(requirement.specifier):
            continue
        version = versions.get(canonicalize_name(requirement.name))
        if version is None:
            continue
        located = document.locate(edited.place)
        assert located is not None  # add_dependencies created it
        document.replace(
            *located, set_bound(array_text(*located), edited.edit.index, version, kind)
        )
    return document.text()


def remove_dependencies(
    text: str, names: list[NormalizedName], place: DependencyPlace, *, script: bool = False
) -> str:
    """``uv remove``'s edits: every value naming each package goes from the place (``--dev``:
    from ``tool.uv.dev-dependencies`` and ``dependency-groups.dev``). Raises
    ``DependencyNotFound`` (nothing is written then) for a package the place does not list."""
    document = DependencyDocument.parse(text, script=script)
    if script:
        place = DependencyPlace(DependencyKind.PRODUCTION)
    dev = place.kind is DependencyKind.DEV or (
        place.kind is DependencyKind.GROUP and place.name == _DEV
    )
    places = (
        [DependencyPlace(DependencyKind.DEV), DependencyPlace(DependencyKind.GROUP, _DEV)]
        if dev
        else [place]
    )
    for name in names:
        removed = 0
        for target in places:
            located = document.locate(target)
            if located is None:
                continue
            array, count = remove_requirement(array_text(*located), name)
            if count:
                document.replace(*located, array)
                removed += count
        if not removed:
            shown = (
                DependencyPlace(DependencyKind.DEV)
                if dev and place.kind is DependencyKind.DEV
                else place
            )
            raise DependencyNotFound(
                name, shown, [_hint(name, found) for found in document.found_in(name)]
            )
    return document.text()


def _hint(name: NormalizedName, place: DependencyPlace) -> str:
    if place.kind is DependencyKind.PRODUCTION:
        return f"`{name}` is a production dependency"
    if place.kind is DependencyKind.DEV:
        return f"`{name}` is a development dependency (try: `accord remove {name} --dev`)"
    if place.kind is DependencyKind.OPTIONAL:
        return (
            f"`{name}` is an optional dependency "
            f"(try: `accord remove {name} --optional {place.name}`)"
        )
    return (
        f"`{name}` is in the `{place.name}` group "
        f"(try: `accord remove {name} --group {place.name}`)"
    )

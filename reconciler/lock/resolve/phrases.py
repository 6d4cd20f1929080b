"""Lock stage, resolution: what the provider saw, in the phrases uv's derivation is made of.

``all versions of P depend on N>=3``, ``P[extra]>=2``, who required a package and the chain
from the project down to it. ``reconciler.lock.resolve.explain`` builds the derivation from
these; a package is named by its identifier (``P``, or ``P[extra]`` for what one of its
extras requires, as uv names it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.reconciler.lock.resolve.requirements import name_of
from accord.reconciler.lock.toml_text import render_specifier

if TYPE_CHECKING:
    from accord.reconciler.lock.resolve.provider import Provider

__all__ = ["PROJECT", "Phrases", "depends", "spec_text", "split_identifier"]

PROJECT = "your project"
_MAX_LOOKUPS = 12
"""Versions of a package whose requirements are looked up to say "all versions of P"."""


def spec_text(specifier: SpecifierSet) -> str:
    """A requirement's clauses as uv writes them: by version (``>=2,<3``)."""
    return render_specifier(specifier)


def depends(name: str, specifier: SpecifierSet) -> str:
    return f"{name}{spec_text(specifier)}"


def split_identifier(identifier: str) -> tuple[NormalizedName, NormalizedName | None]:
    """The package and the extra of ``P`` or ``P[extra]``."""
    if "[" in identifier and ":" not in identifier:
        base, extra = identifier.rstrip("]").split("[", 1)
        return NormalizedName(base), NormalizedName(extra)
    return name_of(identifier), None


class Phrases:
    """What the provider saw in a failed resolution, and uv's phrases for it."""

    def __init__(self, provider: Provider, requires_python: SpecifierSet) -> None:
        self.provider = provider
        self.requires_python = requires_python

    # what the provider knows ------------------------------------------------------------

    def usable_versions(self, name: NormalizedName) -> list[Version]:
        """The versions of ``name`` the resolution could choose (newest first)."""
        table = self.provider.store.versions.get(name) or []
        return [version for version, _files, _bounds, reason in table if reason is None]

    def requires_on(
        self, parent: str, version: Version, name: NormalizedName
    ) -> SpecifierSet | None:
        """What ``parent==version`` requires of ``name`` (as the provider saw it), or None;
        ``parent`` is an identifier (``P`` or ``P[extra]``: an extra requires its own)."""
        for (identifier, seen), reqs in self.provider.requirements_of.items():
            if seen == version and identifier == parent:
                found = [req.specifier for req in reqs if req.name == name and req.extra is None]
                if found:
                    merged = SpecifierSet()
                    for specifier in found:
                        merged &= specifier
                    return merged
                return None
        return None

    def metadata_requires(
        self, parent: str, version: Version, name: NormalizedName
    ) -> SpecifierSet | None:
        """What ``parent==version`` requires of ``name`` in this fork, from its metadata (for a
        version the resolver never tried); None when it does not require it."""
        from accord.reconciler.lock.resolve.requirements import Candidate

        base, extra = split_identifier(parent)
        table = self.provider.store.versions.get(base) or []
        files = next((f for v, f, _b, reason in table if v == version and reason is None), ())
        if not files:
            return None
        candidate = Candidate(base, version, extra, files)
        merged = None
        for requirement, marker in self.provider._requirements(candidate):
            if requirement.name.lower().replace("_", "-") != name:
                continue
            if not self.provider._applies(marker, self.provider.env, self.provider._python_marker):
                continue
            merged = (merged or SpecifierSet()) & requirement.specifier
        return merged

    def requirers(self, wanted: str) -> list[tuple[str, SpecifierSet]]:
        """Who required ``wanted`` (``P`` or ``P[extra]``) in this resolution: (parent
        identifier or ``project``, spec). An extra's own requirement on its package is none."""
        name, extra = split_identifier(wanted)
        found: dict[str, SpecifierSet] = {}
        for (identifier, _version), reqs in self.provider.requirements_of.items():
            for req in reqs:
                if req.name != name or req.extra != extra or req.group is not None:
                    continue
                who = "project" if self.is_project(identifier) else identifier
                if split_identifier(who)[0] == name:
                    continue
                found[who] = found.get(who, SpecifierSet()) & req.specifier
        return list(found.items())

    def local_version(self, name: NormalizedName) -> Version | None:
        """The one version of a package from a local source (not a workspace member), or
        None for a package from an index."""
        local = self.provider._local.get(name)
        return None if local is None or local.member else local.metadata.version

    def is_project(self, identifier: str) -> bool:
        return identifier.startswith(":") or self.provider.is_project(name_of(identifier))

    # phrases ----------------------------------------------------------------------------

    def versions_phrase(self, name: str, versions: Sequence[Version], range_: SpecifierSet) -> str:
        """``all versions of P``, ``P==1.0`` or ``P>=2`` for the versions meant (``name`` is
        an identifier: an extra is named as uv names it, ``P[extra]``)."""
        usable = self.usable_versions(name_of(name))
        if versions and set(versions) >= set(usable):
            return f"all versions of {name}"
        if len(versions) == 1:
            return f"{name}=={versions[0]}"
        if str(range_):
            return f"{name}{spec_text(range_)}"
        return " and ".join(f"{name}=={v}" for v in versions)

    def package_side(self, name: NormalizedName, parent: str, versions: Iterable[Version]) -> str:
        """``all versions of P depend on N>=3`` (or one clause per version, as uv lists them)."""
        wanted = self.range_of(parent)
        usable = self.usable_versions(name_of(parent))
        considered = [v for v in usable if wanted.contains(v, True)]
        considered = considered or sorted(set(versions), reverse=True)
        specs: dict[str, list[Version]] = defaultdict(list)
        unknown = False
        for version in considered[:_MAX_LOOKUPS]:
            spec = self.requires_on(parent, version, name)
            if spec is None:
                spec = self.metadata_requires(parent, version, name)
            if spec is None:
                unknown = True
                continue
            specs[spec_text(spec)].append(version)
        if len(specs) == 1 and not unknown:
            (text, group), *_ = specs.items()
            who = self.versions_phrase(parent, group, wanted)
            verb = "depend" if who.startswith("all versions") else "depends"
            return f"{who} {verb} on {name}{text}"
        clauses = []
        for text, group in sorted(specs.items(), key=lambda item: min(item[1])):
            for version in sorted(group):
                clauses.append(f"{parent}=={version} depends on {name}{text}")
        return " and ".join(clauses)

    def range_of(self, name: str) -> SpecifierSet:
        """What the project (or whoever requires it) asks of ``name``."""
        merged = SpecifierSet()
        for _who, specifier in self.requirers(name):
            merged &= specifier
        return merged

    def path_to(self, name: str) -> list[str]:
        """Packages from the one the project requires down to ``name`` (both included)."""
        parents: dict[str, str | None] = {name: None}
        queue = [name]
        while queue:
            current = queue.pop(0)
            for who, _ in self.requirers(current):
                if who == "project":
                    path = [current]
                    step = parents[current]
                    while step is not None:
                        path.append(step)
                        step = parents[step]
                    return path[::-1]  # from ``name`` up to what the project requires
                if who not in parents:
                    parents[who] = current
                    queue.append(who)
        return [name]

    def asked_side(
        self, name: NormalizedName, parent: str, versions: Sequence[Version], spec: SpecifierSet
    ) -> str:
        """``P==1.0 depends on N>=3`` from what resolvelib saw asked, when neither the
        provider nor the metadata says what each version of ``parent`` requires."""
        who = self.versions_phrase(parent, sorted(set(versions)), self.range_of(parent))
        verb = "depend" if who.startswith("all versions") else "depends"
        return f"{who} {verb} on {depends(name, spec)}"

    def unusable(self, identifier: str) -> str:
        """``all versions of P`` (or ``P>=2``): the versions of ``identifier`` in the range
        its dependents ask for, which the resolution found unusable."""
        wanted = self.range_of(identifier)
        usable = self.usable_versions(name_of(identifier))
        return self.versions_phrase(
            identifier, [v for v in usable if wanted.contains(v, True)], wanted
        )

"""Lock stage, resolution: a failed resolution explained the way uv explains it.

uv prints PubGrub's derivation: ``Because all versions of flask depend on werkzeug>=3.1 and
your project depends on werkzeug<3, we can conclude that ...``. resolvelib reports only the
last conflict (the requirements on one name that no version meets, with who asked); this
module rebuilds the derivation around it from what the provider saw: the versions each
package has, what each version requires, who requires each package (the path from the
project down to the conflict), and why versions were out (a newer Python, exclude-newer,
yanked). The shapes covered: a direct conflict (the project and a package, or two
packages), a conflict any number of levels down, versions that need a newer Python
(with uv's ``requires-python`` hint and the value that would work), and a package no index
has, required by a package or by one of its extras (named ``P[extra]``, as uv names it),
and the one version of a local package refused by a package the project needs (``unmet``).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.model.python_range import lower_bound
from accord.reconciler.errors import NoSolution, PackageNotFound
from accord.reconciler.lock.resolve.phrases import (
    PROJECT,
    Phrases,
    depends,
    spec_text,
    split_identifier,
)
from accord.reconciler.lock.resolve.requirements import Candidate, Req, name_of
from accord.reconciler.lock.resolve.unmet import local_unmet


class _Cause(NamedTuple):
    """A requirement and who asked (None: the project), as resolvelib gives its causes."""

    requirement: Req
    parent: Candidate | None


if TYPE_CHECKING:
    from accord.reconciler.lock.resolve.provider import Provider

__all__ = ["explain_conflict"]


class _Explainer(Phrases):
    """uv's derivation for a failed resolution, built from the provider's phrases."""

    # the derivation ---------------------------------------------------------------------

    def conflict(self, causes: Sequence[Any], where: str) -> NoSolution:
        name: NormalizedName = causes[0].requirement.name
        project: list[Req] = []
        # Keyed by identifier: a version of ``P[extra]`` asks for what the extra brings in,
        # and uv names it so (``all versions of P[extra] depend on N``).
        packages: dict[str, list[Version]] = defaultdict(list)
        asked: dict[str, SpecifierSet] = defaultdict(SpecifierSet)
        for cause in causes:
            asker: Candidate | None = cause.parent
            if asker is None or self.is_project(asker.identifier):
                project.append(cause.requirement)
            else:
                packages[asker.identifier].append(asker.version)
                asked[asker.identifier] &= cause.requirement.specifier
        if not packages and project:
            python = self.python_conflict(name, project, where)
            if python is not None:
                return python
            direct_only = self.project_alone(name, project, where)
            if direct_only is not None:
                return direct_only
        if packages and all(name_of(parent) == name for parent in packages):
            # Only P[extra]'s pins on P itself: resolvelib backtracked P after every version
            # of the extra failed for what the extra requires, which uv names instead.
            (extra, versions), *_ = sorted(packages.items())
            retold = self.behind_extra(extra, versions, where)
            if retold is not None:
                return retold
        if packages and self.local_version(name) is not None:
            told = local_unmet(self, name, project, packages, asked)
            if told is not None:  # uv's derivation, and no hint
                return NoSolution(_format(where, told))
        missing = self.provider.missing.get(name)
        if missing is not None and packages and not project:
            return self.unavailable(name, missing, packages, asked, where)
        lines: list[str] = []
        direct: list[str] = []
        sides: list[str] = []
        for parent, versions in sorted(packages.items()):
            side = self.package_side(name, parent, versions) or self.asked_side(
                name, parent, versions, asked[parent]
            )
            path = self.path_to(parent)
            top = path[-1]
            # Lift the side up the chain: all versions of Q depend on P, so on N...
            for lower, upper in itertools.pairwise(path):
                upper_versions = self.usable_versions(name_of(upper))
                who = self.versions_phrase(upper, upper_versions, self.range_of(upper))
                verb = "depend" if who.startswith("all versions") else "depends"
                conclusion = f"{who} {verb} on {depends(name, asked[parent])}"
                lines.append(
                    f"Because {side} and {who} {verb} on {lower}, "
                    f"we can conclude that {conclusion}."
                )
                side = conclusion
            sides.append(side)
            wanted = self.range_of(top)
            direct.append(f"{top}{spec_text(wanted)}" if str(wanted) else str(top))
        for req in project:
            sides.append(f"{PROJECT} depends on {depends(req.identifier, req.specifier)}")
        unmet = ", ".join(sorted(set(direct)))
        if len(sides) >= 2:
            text = f"Because {sides[0]} and {sides[1]}"
            for extra in sides[2:]:
                text += f" and {extra}"
            if project and len(packages) == 1:
                (only,) = packages
                top = self.path_to(only)[-1]
                if top == only:
                    phrase = self.versions_phrase(only, packages[only], self.range_of(only))
                else:
                    phrase = self.versions_phrase(
                        top, self.usable_versions(name_of(top)), self.range_of(top)
                    )
                lines.append(
                    f"{text}, we can conclude that {PROJECT} and {phrase} are incompatible."
                )
            else:
                lines.append(f"{text}, we can conclude that these requirements are incompatible.")
        elif sides:
            lines.append(f"Because {sides[0]}, no version of {name} can be chosen.")
        if unmet:
            lines.append(
                f"And because {PROJECT} depends on {unmet}, "
                f"we can conclude that {PROJECT}'s requirements are unsatisfiable."
            )
        else:
            lines.append(f"So {PROJECT}'s requirements are unsatisfiable.")
        notes = sorted(self.provider.excluded.get(name, ()))
        if notes:
            lines.append("(" + "; ".join(notes) + ")")
        return NoSolution(_format(where, lines), hint=_hint(name, packages, project))

    def project_alone(
        self, name: NormalizedName, project: list[Req], where: str
    ) -> NoSolution | None:
        """The project's own requirements on ``name`` against each other (``click>=8`` and
        ``click<8``) or against the one version there is, in uv's words; None otherwise."""
        said = [depends(req.identifier, req.specifier) for req in project]
        if len(project) >= 2:
            because = f"{PROJECT} depends on {said[0]} and {said[1]}"
        else:
            usable = self.usable_versions(name)
            if len(usable) != 1 or project[0].specifier.contains(usable[0], True):
                return None
            because = f"only {name}=={usable[0]} is available and {PROJECT} depends on {said[0]}"
        line = (
            f"Because {because}, we can conclude that {PROJECT}'s requirements are unsatisfiable."
        )
        return NoSolution(_format(where, [line]), hint=_hint(name, {}, project))

    def behind_extra(
        self, identifier: str, versions: list[Version], where: str
    ) -> NoSolution | None:
        """The failure of ``P[extra]``'s own requirements: a package no index has, or one the
        project limits to no version the extra allows; None when it is neither."""
        base, extra = split_identifier(identifier)
        wanted = [
            req
            for (asker, _version), reqs in self.provider.requirements_of.items()
            if asker == identifier
            for req in reqs
            if req.name != base
        ]
        for req in wanted:
            missing = self.provider.missing.get(req.name)
            if missing is not None:
                packages, asked = {identifier: versions}, {identifier: req.specifier}
                return self.unavailable(req.name, missing, packages, asked, where)
        for req in wanted:
            for theirs in self.project_requirements(req.name):
                usable = self.usable_versions(req.name)
                if not any(req.matches(v) and theirs.matches(v) for v in usable):
                    causes = [_Cause(req, Candidate(base, v, extra, ())) for v in versions]
                    return self.conflict([*causes, _Cause(theirs, None)], where)
        return None

    def project_requirements(self, name: NormalizedName) -> list[Req]:
        """The project's own requirements on package ``name`` (not on one of its extras)."""
        return [
            req
            for (asker, _version), reqs in self.provider.requirements_of.items()
            if self.is_project(asker)
            for req in reqs
            if req.name == name and req.extra is None
        ]

    def unavailable(
        self,
        name: NormalizedName,
        missing: PackageNotFound,
        packages: dict[str, list[Version]],
        asked: dict[str, SpecifierSet],
        where: str,
    ) -> NoSolution:
        """uv's words for a package that no index has, required by a package (or by one of
        its extras) the project needs: the versions that require it cannot be used, and so
        neither can those that require them, up to what the project requires."""
        place = missing.message.partition(" was not found in ")[2] or "the package registry"
        if not self.provider._client_for(name).indexes:
            place = "the provided package locations"
        parent, versions = min(packages.items())
        side = self.package_side(name, parent, versions) or self.asked_side(
            name, parent, versions, asked[parent]
        )
        lines = [
            f"Because {name} was not found in {place} and {side}, "
            f"we can conclude that {self.unusable(parent)} cannot be used."
        ]
        path = self.path_to(parent)
        steps = []
        for lower, upper in itertools.pairwise(path):
            who = self.unusable(upper)
            verb = "depend" if who.startswith("all versions") else "depends"
            spec = dict(self.requirers(lower)).get(upper, SpecifierSet())
            steps.append((f"{who} {verb} on {depends(lower, spec)}", who))
        wanted = self.range_of(path[-1])
        last = f"{PROJECT} depends on {depends(path[-1], wanted)}"
        if steps:  # PubGrub joins the last step with the project's requirement
            last = f"{steps.pop()[0]} and {last}"
        lines += [
            f"Because {text}, we can conclude that {who} cannot be used." for text, who in steps
        ]
        lines.append(
            f"And because {last}, we can conclude that {PROJECT}'s requirements are unsatisfiable."
        )
        return NoSolution(_format(where, lines), hint=missing.hint)

    def python_conflict(
        self, name: NormalizedName, project: list[Req], where: str
    ) -> NoSolution | None:
        """Every version the project allows needs a newer Python than the project supports."""
        table = self.provider.store.versions.get(name) or []
        wanted = SpecifierSet()
        for req in project:
            wanted &= req.specifier
        needs: list[tuple[Version, SpecifierSet]] = []
        for version, files, _bounds, _reason in table:
            if not wanted.contains(version, True) or not files:
                continue
            requires = files[0].requires_python
            if requires is None:
                return None
            needs.append((version, requires))
        if not needs or not all(self._too_new(requires) for _, requires in needs):
            return None
        supported = self.requires_python
        lowest = min(
            (lower_bound(requires) for _, requires in needs if lower_bound(requires)),
            key=lambda bound: bound[0] if bound else Version("0"),
        )
        floor = f">={lowest[0]}" if lowest else ""
        version, requires = needs[0]
        if len(needs) == 1:
            who, verb = f"{name}=={version}", "depends"
            available = f"only {name}=={version} is available"
        else:
            who, verb = f"all versions of {name}", "depend"
            available = f"all versions of {name} need a newer Python"
        lines = [
            f"Because the requested Python version ({supported}) does not satisfy "
            f"Python{requires} and {who} {verb} on Python{requires}, we can conclude that "
            f"{who} cannot be used.",
            f"And because {available} and {PROJECT} depends on "
            f"{depends(name, wanted)}, we can conclude that {PROJECT}'s requirements are "
            "unsatisfiable.",
        ]
        hint = (
            f"The `requires-python` value ({supported}) includes Python versions that are not "
            f"supported by your dependencies (e.g., {name}=={version} only supports "
            f"{requires}). Consider using a more restrictive `requires-python` value "
            f"(like {floor})."
        )
        return NoSolution(_format(where, lines), hint=hint)

    def _too_new(self, requires: SpecifierSet) -> bool:
        bound = lower_bound(requires)
        python = self.provider.python[0]
        if bound is None:
            return False
        if python is None:
            return True
        return bound[0] > python[0] or (bound[0] == python[0] and not bound[1] and python[1])


def _format(where: str, lines: list[str]) -> str:
    lines = [
        "And because " + line[len("Because ") :] if index and line.startswith("Because ") else line
        for index, line in enumerate(lines)
    ]
    body = "\n         ".join(lines)
    return f"No solution found when resolving dependencies{where}\n  cause: {body}"


def _hint(name: NormalizedName, packages: dict[str, list[Version]], project: list[Req]) -> str:
    if project:
        return (
            f"loosen your project's requirement on {name}, or the one that pulls in the other side"
        )
    return "loosen one of these requirements"


def explain_conflict(
    exc: Exception, provider: Provider, requires_python: SpecifierSet
) -> NoSolution | None:
    """uv's derivation for ``exc`` (resolvelib's ResolutionImpossible), or None when its shape
    is not one this module covers (the caller then says it plainly)."""
    causes = getattr(exc, "causes", None) or []
    if not causes:
        return None
    where = ""
    if not provider.env.is_true():
        where = f" for split (markers: {provider.env.to_string()})"
    try:
        return _Explainer(provider, requires_python).conflict(causes, where)
    except (KeyError, ValueError, TypeError, AttributeError):
        return None

"""Why each package is wanted: requirement chains from the selected roots (pure).

``why(lock, selection, environment)`` walks the lock's edges from the roots the way
``model.desired.desire`` does (an edge counts when its marker holds in the interpreter's
marker environment), breadth first, and gives each package one chain per edge that reaches
it: the shortest chain to that edge's parent, then the package. A step taken through an
extra or a group names it: ``myproj[dev] → pytest → pluggy``, ``myproj → fancy[color] →
colorful``. A virtual workspace root's own groups start with ``[group]``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from packaging.markers import Marker
from packaging.utils import NormalizedName

from accord.model.desired import Selection, select_roots
from accord.model.lock import Dependency, Lock, LockedPackage

__all__ = ["Chain", "render_chain", "why"]

Chain = tuple[str, ...]
"""Steps from a root to the package, each a name (``fancy``) or a name with the extra or
group it was entered through (``fancy[color]``)."""

_Node = tuple[tuple[str, str, str], NormalizedName | None]


def render_chain(chain: Chain) -> str:
    """``myproj → fastapi → starlette``."""
    return " → ".join(chain)


def _holds(marker: Marker | None, environment: Mapping[str, str]) -> bool:
    return marker is None or marker.evaluate(dict(environment))


def _key(package: LockedPackage) -> tuple[str, str, str]:
    return (package.name, package.display_version, str(package.source))


def why(
    lock: Lock,
    selection: Selection,
    environment: Mapping[str, str],
    *,
    workspace_groups: bool = True,
) -> dict[NormalizedName, tuple[Chain, ...]]:
    """Every package the selection installs in ``environment`` → its chains, shortest first.

    ``environment`` is the target interpreter's complete marker environment. Raises
    ``SelectionUnknown`` for an extra or group no selected root defines.
    """
    environment = {"extra": "", **environment}
    selected = select_roots(lock, selection, workspace_groups=workspace_groups)
    target_of = lock.targets()  # packages by name, not searched for each edge

    shortest: dict[_Node, Chain] = {}
    found: dict[NormalizedName, list[Chain]] = {}
    queue: deque[tuple[LockedPackage, NormalizedName | None]] = deque()

    def reach(
        package: LockedPackage, extras: Iterable[NormalizedName], parent: Chain, *, root: bool
    ) -> None:
        if package.name in parent:
            return  # a cycle adds no reason
        chain = (*parent, package.name)
        found.setdefault(package.name, [])
        if chain not in found[package.name]:
            found[package.name].append(chain)
        for extra in (None, *extras):
            node = (_key(package), extra)
            if node not in shortest:
                label = package.name if extra is None or root else f"{package.name}[{extra}]"
                shortest[node] = (*parent, label)
                queue.append((package, extra))

    def follow(edges: Iterable[Dependency], parent: Chain) -> None:
        for edge in edges:
            if not _holds(edge.marker, environment):
                continue
            target = target_of(edge)
            if target is None or (
                target.resolution_markers
                and not any(_holds(m, environment) for m in target.resolution_markers)
            ):
                continue
            reach(target, edge.extras, parent, root=False)

    for root in selected.packages:
        if not selection.only_groups:
            found.setdefault(root.name, []).append((root.name,))
            shortest[(_key(root), None)] = (root.name,)
            queue.append((root, None))
            extras = root.extra_names if selection.all_extras else selection.extras
            for extra in extras:
                shortest[(_key(root), extra)] = (f"{root.name}[{extra}]",)
                queue.append((root, extra))
        for group in selected.groups:
            follow(root.group(group) or (), (f"{root.name}[{group}]",))
    for group, edges in selected.manifest_groups:
        if group in selected.groups:
            follow(edges, (f"[{group}]",))
    if not selection.roots:
        # A script lock has no root package: its `[manifest] requirements` are the roots.
        requirements = (
            Dependency(name=r.name, extras=r.extras, marker=r.marker)
            for r in lock.manifest_requirements
        )
        follow(requirements, ())

    while queue:
        package, active = queue.popleft()
        chain = shortest[(_key(package), active)]
        follow(package.dependencies if active is None else (package.extra(active) or ()), chain)

    return {
        name: tuple(sorted(chains, key=lambda chain: (len(chain), chain)))
        for name, chains in sorted(found.items())
    }

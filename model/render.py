"""Plan rendering: text for people, versioned JSON for audits (pure).

Both are functions of the plan alone, so the same plan always renders to the same bytes.
The JSON schema is documented in ``docs/plan-schema.md``; change both together and bump
``SCHEMA_VERSION`` on any incompatible change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

import attrs

from accord.model.desired import ArtifactKind, DesiredDist
from accord.model.elapsed import format_elapsed
from accord.model.interpreter import Interpreter
from accord.model.lock import Source, SourceKind
from accord.model.observed import InstalledDist
from accord.model.plan import (
    BuildInputsChanged,
    Create,
    Extraneous,
    Install,
    Keep,
    PackageAction,
    Plan,
    Recreate,
    ReinstallRequested,
    Remove,
    Replace,
    VersionDiffers,
    WriteLock,
    git_query,
    git_repository,
)

__all__ = [
    "SCHEMA_VERSION",
    "build_label",
    "change_lines",
    "environment_news",
    "format_elapsed",
    "git_origin",
    "reason_text",
    "render_bare_json",
    "render_json",
    "render_news",
    "render_text",
    "source_origin",
    "uv_summary",
]

SCHEMA_VERSION = 1
_NONE: Mapping[str, str] = MappingProxyType({})


def _display(path: PurePath, relative_to: PurePath | None) -> str:
    # PurePath.relative_to, not os.path.relpath: relpath reads a relative argument against the
    # process's working directory, and rendering must depend on the plan alone.
    if relative_to is not None:
        try:
            return str(path.relative_to(relative_to))
        except ValueError:
            pass
    return str(path)


def reason_text(reason: Any) -> str:
    """A reason in the plan's words (text lines and the JSON ``message`` alike)."""
    if isinstance(reason, BuildInputsChanged):
        return "build inputs changed: pyproject.toml or cache-keys"
    if isinstance(reason, Extraneous):
        return "not required by the lock (exact sync)"
    text: str = reason.describe()
    return text


def _dist_detail(dist: DesiredDist) -> str:
    if dist.source.kind is SourceKind.GIT:
        return f"build from git {dist.source.location.rpartition('#')[2][:12]}"
    if dist.kind is ArtifactKind.SDIST:
        return "build from sdist"
    if dist.kind is ArtifactKind.SOURCE_TREE:
        location = dist.source.location
        shown = "./" if location == "." else location.rstrip("/") + "/"
        return f"{'editable, ' if dist.editable else ''}{shown}"
    return ""


def _replaced(action: Replace) -> str:
    """``name 1.0 → 1.1``, or ``name==1.0`` when the version stays (a rebuild, a repair)."""
    old, new = str(action.installed.version), action.dist.display_version
    return f"{action.name}=={new}" if old == new else f"{action.name} {old} → {new}"


def _action_line(action: PackageAction) -> str:
    if isinstance(action, Install):
        dist = action.dist
        detail = _dist_detail(dist)
        shown = f"{dist.name}=={dist.display_version}" + (f" ({detail})" if detail else "")
        return f"  + Install {shown}: {reason_text(action.reason)}"
    if isinstance(action, Replace):
        detail = _dist_detail(action.dist)
        shown = f"{_replaced(action)} ({detail})" if detail else _replaced(action)
        return f"  ~ Replace {shown}: {reason_text(action.reason)}"
    return f"  - Remove {action.name}=={action.installed.version}: {reason_text(action.reason)}"


def _lock_line(plan: Plan) -> str | None:
    if isinstance(plan.lock, WriteLock):
        return f"  + Write {plan.lock_name}: {plan.lock.reason}"
    if plan.lock is not None:
        return f"  = Keep {plan.lock_name} ({plan.lock.reason})"  # a state, not a change
    return None


def render_news(plan: Plan) -> str:
    """The lines of a plan that carry news, for the default output of ``accord run``, after
    its ``environment_news`` (and the lock's warnings, as uv orders them).

    A lock written and why, and each package removed or replaced with its reason, except
    replacements the user asked for (``--reinstall``): installs of missing packages are only
    counted, in the summary. Empty for a plan with nothing to say.
    """
    lines = []
    if isinstance(plan.lock, WriteLock):
        why = plan.lock.reason
        lines.append(
            f"Created {plan.lock_name}" if why == "missing" else f"Updated {plan.lock_name}: {why}"
        )
    for action in plan.actions:
        if isinstance(action, Replace) and isinstance(action.reason, VersionDiffers):
            lines.append(f" ~ {_replaced(action)}")  # the arrow says it all
        elif isinstance(action, Replace) and not isinstance(action.reason, ReinstallRequested):
            lines.append(f" ~ {_replaced(action)} ({reason_text(action.reason)})")
        elif isinstance(action, Remove):
            lines.append(
                f" - {action.name}=={action.installed.version} ({reason_text(action.reason)})"
            )
    return "".join(line + "\n" for line in lines)


def _environment_lines(plan: Plan, relative_to: PurePath | None) -> list[str]:
    lines = []
    venv = _display(plan.venv, relative_to)
    interpreter = plan.desired.interpreter
    if isinstance(plan.environment, (Create, Recreate)):
        lines.append(interpreter.using_line)
    if isinstance(plan.environment, Recreate):
        why = reason_text(plan.environment.reason)
        lines.append(f"Removed virtual environment at: {venv} ({why})")
    if isinstance(plan.environment, (Create, Recreate)):
        lines.append(f"Creating virtual environment at: {venv}")
    return lines


def environment_news(plan: Plan, *, relative_to: PurePath | None = None) -> str:
    """The interpreter and environment lines: what ``uv run`` and ``uv sync`` print first
    when they create or recreate the environment (before the lock's warnings and lines)."""
    return "".join(line + "\n" for line in _environment_lines(plan, relative_to))


def render_text(plan: Plan, *, relative_to: PurePath | None = None) -> str:
    """The plan as lines a person reads, in the spirit of ``uv sync --dry-run``."""
    interpreter = plan.desired.interpreter
    venv = _display(plan.venv, relative_to)
    lines = [f"Plan for {venv} ({interpreter.display_name} at {interpreter.base_executable})"]
    lock_line = _lock_line(plan)
    if lock_line is not None:
        lines.append(lock_line)
    environment = plan.environment
    if isinstance(environment, Create):
        lines.append(f"  + Create {venv}: {reason_text(environment.reason)}")
    elif isinstance(environment, Recreate):
        lines.append(f"  ! Recreate {venv}: {reason_text(environment.reason)}")
    for action in plan.actions:
        lines.append(_action_line(action))
        # The requirement chains, when the plan carries them (-v): the shortest first.
        for chain in plan.desired.chains(action.name)[:3]:
            lines.append("      why: " + " → ".join(chain))
    lines.extend(f"Note: {note}" for note in plan.notes)
    if plan.is_empty:
        count = len(plan.desired.dists)
        noun = "package" if count == 1 else "packages"
        lines.append(f"Nothing to do: {venv} matches the lock ({count} {noun})")
    else:
        counts = {
            "install": len(plan.of_kind(Install)),
            "replace": len(plan.of_kind(Replace)),
            "remove": len(plan.of_kind(Remove)),
        }
        summary = ", ".join(f"{number} to {verb}" for verb, number in counts.items() if number)
        lines.append(f"Plan: {summary or 'no package changes'}")
    return "\n".join(lines) + "\n"


def _source_json(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": source.kind.value, "location": source.location}
    if source.subdirectory:
        data["subdirectory"] = source.subdirectory
    return data


def _desired_json(
    dist: DesiredDist, why: tuple[tuple[str, ...], ...] | None = None
) -> dict[str, Any]:
    artifact = None
    if dist.artifact is not None:
        artifact = {
            "kind": dist.kind.value,
            "name": dist.artifact.name,
            "url": dist.artifact.url,
            "hash": dist.artifact.hash,
        }
    document: dict[str, Any] = {
        "name": dist.name,
        "version": str(dist.version) if dist.version is not None else None,
        "source": _source_json(dist.source),
        "editable": dist.editable,
        "artifact": artifact,
    }
    if why is not None:  # the plan's desired packages (not an action's target)
        document["why"] = [list(chain) for chain in why]
    return document


def _installed_json(dist: InstalledDist) -> dict[str, Any]:
    return {
        "name": dist.name,
        "version": str(dist.version),
        "dist_info": dist.dist_info,
        "installer": dist.installer,
    }


def _reason_json(reason: Any) -> dict[str, Any]:
    """``kind``, the reason's evidence fields, and its sentence as ``message``."""
    data: dict[str, Any] = {"kind": reason.kind, "message": reason_text(reason)}
    data.update(attrs.asdict(reason))
    return data


def _action_json(action: PackageAction) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": action.kind, "name": action.name}
    if isinstance(action, Install | Replace):
        data["target"] = _desired_json(action.dist)
    if isinstance(action, Replace | Remove):
        data["installed"] = _installed_json(action.installed)
    data["reason"] = _reason_json(action.reason)
    return data


def _interpreter_json(interpreter: Interpreter) -> dict[str, Any]:
    return {
        "implementation": interpreter.implementation,
        "version": str(interpreter.version),
        "executable": str(interpreter.base_executable),
    }


def render_bare_json(path: PurePath, interpreter: Interpreter, note: str) -> str:
    """No project (nothing to sync): the same schema, an empty plan for ``path`` as it is,
    no lock, and ``note`` saying why."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "is_empty": True,
        "environment": {
            "path": str(path),
            "action": {"kind": "keep"},
            "interpreter": _interpreter_json(interpreter),
        },
        "lock": None,
        "packages": [],
        "desired": [],
        "notes": [note],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_json(plan: Plan) -> str:
    """The plan as JSON (``docs/plan-schema.md``), keys sorted, ending in a newline."""
    interpreter = plan.desired.interpreter
    environment: dict[str, Any] = {"kind": plan.environment.kind}
    if not isinstance(plan.environment, Keep):
        environment["reason"] = _reason_json(plan.environment.reason)
    document = {
        "schema_version": SCHEMA_VERSION,
        "is_empty": plan.is_empty,
        "environment": {
            "path": str(plan.venv),
            "action": environment,
            "interpreter": _interpreter_json(interpreter),
        },
        "lock": None
        if plan.lock is None
        else {
            "name": plan.lock_name,
            "action": {"kind": plan.lock.kind, "reason": plan.lock.reason},
        },
        "packages": [_action_json(action) for action in plan.actions],
        "desired": [
            _desired_json(dist, plan.desired.chains(dist.name)) for dist in plan.desired.dists
        ],
        "notes": list(plan.notes),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _packages(count: int) -> str:
    return "package" if count == 1 else "packages"


def uv_summary(
    plan: Plan,
    seconds: float,
    *,
    changes: bool = True,
    prepared: tuple[int, float] = (0, 0.0),
    built: Mapping[str, str] = _NONE,
) -> str:
    """An applied plan in uv's words: counts (``Prepared 2 packages in 30ms`` for what was
    downloaded or built, ``Installed 6 packages in 64ms``), then, as ``uv sync`` prints them
    (``changes``), `` - old`` / `` + new`` lines; ``uv run`` prints only the counts. ``built``
    gives the versions of what the lock leaves dynamic, once built."""
    removed = [a for a in plan.actions if isinstance(a, (Remove, Replace))]
    added = [a for a in plan.actions if isinstance(a, (Install, Replace))]
    elapsed = format_elapsed(seconds)
    lines = []
    count, prepare_seconds = prepared
    if count:
        lines.append(f"Prepared {count} {_packages(count)} in {format_elapsed(prepare_seconds)}")
    if removed:
        lines.append(f"Uninstalled {len(removed)} {_packages(len(removed))} in {elapsed}")
    if added:
        lines.append(f"Installed {len(added)} {_packages(len(added))} in {elapsed}")
    if not changes:
        return "".join(line + "\n" for line in lines)
    lines += change_lines(plan, built=built)
    return "".join(line + "\n" for line in lines)


def change_lines(
    plan: Plan,
    *,
    reinstalls: bool = True,
    unbuilt: frozenset[str] = frozenset(),
    built: Mapping[str, str] = _NONE,
) -> list[str]:
    """`` - name==old`` and `` + name==new``, one per package removed or installed, as uv lists
    them: by name, and for a package replaced, the old version's line first; a package from
    a direct URL (a source tree, a git commit, a local or remote archive) is followed by
    ``(from URL)``. One put back at the same version from the same place (``--reinstall``, a
    repair) is `` ~ name==version`` (``reinstalls``; uv's ``--dry-run`` lists it as removed
    and installed). A package from a direct URL in ``unbuilt`` (a dry run's, not in the cache
    yet) is `` + name @ origin``, as uv lists it before it knows the version; ``built``: the
    versions of dynamic ones, once built."""
    again = {
        action.name
        for action in plan.actions
        if reinstalls
        and isinstance(action, Replace)
        and str(action.installed.version) == action.dist.display_version
        and _same_place(_installed_origin(action.installed), source_origin(action.dist))
    }

    def wanted(dist: DesiredDist) -> str:
        origin = source_origin(dist)
        if origin is not None and dist.name in unbuilt:
            return f" @ {origin}"
        version = built.get(dist.name, dist.display_version)
        return f"=={version}" + ("" if origin is None else f" (from {origin})")

    changes = [
        (action.name, "-", f"=={action.installed.version}" + _from(action.installed))
        for action in plan.actions
        if isinstance(action, (Remove, Replace)) and action.name not in again
    ] + [
        (action.name, "~" if action.name in again else "+", wanted(action.dist))
        for action in plan.actions
        if isinstance(action, (Install, Replace))
    ]
    changes.sort(key=lambda change: (change[0], change[1] != "-"))
    return [f" {sign} {name}{text}" for name, sign, text in changes]


def source_origin(dist: DesiredDist) -> str | None:
    """Where uv says a dist from a direct URL comes from: a directory's ``file://`` URL, a git
    commit's ``git+URL@commit``, an archive's URL (a local one's ``file://`` URL); None for a
    dist from an index."""
    if dist.source.kind is SourceKind.GIT:
        return git_origin(dist.source.location)
    if dist.kind is ArtifactKind.SOURCE_TREE and dist.directory_url is not None:
        return dist.directory_url
    if dist.source.kind is SourceKind.URL:
        within = dist.source.subdirectory
        return dist.source.location + (f"#subdirectory={within}" if within else "")
    if dist.source.kind is SourceKind.PATH and dist.artifact is not None:
        return dist.artifact.url
    return None


def git_origin(location: str) -> str:
    """A lock's git source (``<url>?<query>#<commit>``) as uv names it: ``git+URL@commit``."""
    within = git_query(location).get("subdirectory")
    subdirectory = f"#subdirectory={within}" if within else ""
    return f"git+{git_repository(location)}@{location.rpartition('#')[2]}{subdirectory}"


def build_label(dist: DesiredDist) -> str:
    """uv's name for a dist while it is built (``Building …``): ``name @ origin``, or
    ``name==version`` for an sdist from an index."""
    origin = source_origin(dist)
    return f"{dist.name} @ {origin}" if origin else f"{dist.name}=={dist.display_version}"


def _installed_origin(installed: InstalledDist) -> str | None:
    """Where an installed dist came from, by its ``direct_url.json``, as uv names it: a git
    commit's ``git+URL@commit``, else the URL it records (a directory's, an archive's); None
    for one from an index."""
    found = installed.direct_url
    if found is None:
        return None
    within = f"#subdirectory={found.subdirectory}" if found.subdirectory else ""
    if found.vcs_commit is not None:
        return f"git+{found.url}@{found.vcs_commit}{within}"
    return found.url + within


def _from(installed: InstalledDist) -> str:
    origin = _installed_origin(installed)
    return "" if origin is None else f" (from {origin})"


def _same_place(installed: str | None, wanted: str | None) -> bool:
    """Whether an installed dist and the one put in its place come from the same place, as uv
    tells a reinstall from a replacement (another ``#subdirectory=`` is another place)."""
    if installed is None or wanted is None:
        return installed is wanted
    (before, _, within), (now, _, asked) = installed.partition("#"), wanted.partition("#")
    return (before.rstrip("/"), within) == (now.rstrip("/"), asked)

"""Plan rendering: text for people, versioned JSON for audits (pure).

Both are functions of the plan alone, so the same plan always renders to the same bytes.
The JSON schema is documented in ``docs/plan-schema.md``; change both together and bump
``SCHEMA_VERSION`` on any incompatible change.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

import attrs

from model.desired import ArtifactKind, DesiredDist
from model.lock import Source, SourceKind
from model.observed import InstalledDist
from model.plan import (
    Create,
    Install,
    Keep,
    PackageAction,
    Plan,
    Recreate,
    Remove,
    Replace,
    WriteLock,
)

__all__ = ["SCHEMA_VERSION", "render_json", "render_text"]

SCHEMA_VERSION = 1


def _display(path: PurePath, relative_to: PurePath | None) -> str:
    # PurePath.relative_to, not os.path.relpath: relpath reads a relative argument against the
    # process's working directory, and rendering must depend on the plan alone.
    if relative_to is not None:
        try:
            return str(path.relative_to(relative_to))
        except ValueError:
            pass
    return str(path)


def _dist_detail(dist: DesiredDist) -> str:
    if dist.source.kind is SourceKind.GIT:
        return f", build from git {dist.source.location.rpartition('#')[2][:12]}"
    if dist.kind is ArtifactKind.SDIST:
        return ", build from sdist"
    if dist.kind is ArtifactKind.SOURCE_TREE:
        location = dist.source.location
        shown = "./" if location == "." else location.rstrip("/") + "/"
        return f", {'editable, ' if dist.editable else ''}{shown}"
    return ""


def _action_line(action: PackageAction) -> str:
    if isinstance(action, Install):
        dist = action.dist
        return (
            f"  + Install {dist.name}=={dist.display_version} "
            f"({action.reason.describe()}{_dist_detail(dist)})"
        )
    if isinstance(action, Replace):
        return (
            f"  ~ Replace {action.name} {action.installed.version} → "
            f"{action.dist.display_version} ({action.reason.describe()}{_dist_detail(action.dist)})"
        )
    return f"  - Remove {action.name}=={action.installed.version} ({action.reason.describe()})"


def render_text(plan: Plan, *, relative_to: PurePath | None = None) -> str:
    """The plan as lines a person reads, in the spirit of ``uv sync --dry-run``."""
    interpreter = plan.desired.interpreter
    venv = _display(plan.venv, relative_to)
    lines = [f"Plan for {venv} ({interpreter.display_name} at {interpreter.base_executable})"]
    if isinstance(plan.lock, WriteLock):
        lines.append(f"  + Write {plan.lock_name} ({plan.lock.reason})")
    elif plan.lock is not None:
        lines.append(f"  = Keep {plan.lock_name} ({plan.lock.reason})")
    environment = plan.environment
    if isinstance(environment, Create):
        lines.append(f"  + Create {venv} ({environment.reason.describe()})")
    elif isinstance(environment, Recreate):
        lines.append(f"  ! Recreate {venv} ({environment.reason.describe()})")
    lines.extend(_action_line(action) for action in plan.actions)
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


def _desired_json(dist: DesiredDist) -> dict[str, Any]:
    artifact = None
    if dist.artifact is not None:
        artifact = {
            "kind": dist.kind.value,
            "name": dist.artifact.name,
            "url": dist.artifact.url,
            "hash": dist.artifact.hash,
        }
    return {
        "name": dist.name,
        "version": str(dist.version) if dist.version is not None else None,
        "source": _source_json(dist.source),
        "editable": dist.editable,
        "artifact": artifact,
    }


def _installed_json(dist: InstalledDist) -> dict[str, Any]:
    return {
        "name": dist.name,
        "version": str(dist.version),
        "dist_info": dist.dist_info,
        "installer": dist.installer,
    }


def _reason_json(reason: Any) -> dict[str, Any]:
    """``kind``, the reason's evidence fields, and its sentence as ``message``."""
    data: dict[str, Any] = {"kind": reason.kind, "message": reason.describe()}
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
            "interpreter": {
                "implementation": interpreter.implementation,
                "version": str(interpreter.version),
                "executable": str(interpreter.base_executable),
            },
        },
        "lock": None
        if plan.lock is None
        else {
            "name": plan.lock_name,
            "action": {"kind": plan.lock.kind, "reason": plan.lock.reason},
        },
        "packages": [_action_json(action) for action in plan.actions],
        "desired": [_desired_json(dist) for dist in plan.desired.dists],
        "notes": list(plan.notes),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

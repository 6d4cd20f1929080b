"""What a sync hands to execute: the environment to run in, and the plan that made it."""

from __future__ import annotations

from pathlib import Path

import attrs

from accord.model.interpreter import Interpreter
from accord.model.plan import Plan
from accord.reconciler.errors import AccordError

__all__ = ["SyncOutcome"]


@attrs.frozen(kw_only=True)
class SyncOutcome:
    """What the command runs in, once the environment is in shape."""

    venv: Path | None
    """The environment to activate; None when running a bare interpreter."""
    python: Path
    plan: Plan | None
    dry_plan: bool = False
    plan_is_empty: bool = True
    strict: bool = False
    """The project asks for ``--strict`` (``[tool.accord] strict = true``)."""
    interpreter: Interpreter | None = None
    extra_bins: tuple[Path, ...] = ()
    """Further ``bin`` directories after the environment's (a ``--with`` layer's base)."""
    project_root: Path | None = None
    """The workspace root, whose pyproject.toml holds the index settings (None: no project)."""
    refused: AccordError | None = None
    """An error the dry run raises once it has told its plan: a stale lock under ``--locked``
    (uv's ``sync --dry-run`` reports the sync from the new lock, then refuses)."""

"""``--with`` layers (apply stage): extra requirements in a cached environment on top of the
base one, which is never modified.

The layer is keyed by its inputs (base interpreter, base environment, requirements, indexes),
so a second identical run reuses it without resolving. It is skipped entirely when the base
environment already satisfies every requirement, as uv does.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.lock import Source, SourceKind
from accord.model.request import RunRequest
from accord.reconciler.errors import UsageError

if TYPE_CHECKING:
    from accord.reconciler.run.outcome import SyncOutcome

__all__ = ["add_with_layer", "with_requirements"]


def with_requirements(request: RunRequest) -> tuple[Requirement, ...]:
    """The ``--with`` and ``--with-requirements`` requirements, parsed."""
    requirements: list[Requirement] = []
    for value in request.run.with_requirements:
        try:
            requirements.append(Requirement(value))
        except InvalidRequirement as exc:
            raise UsageError(f"Failed to parse `--with` requirement `{value}`: {exc}") from exc
    for path in request.run.with_files:
        requirements.extend(_read_requirements_file(Path(path)))
    return tuple(requirements)


def _read_requirements_file(path: Path) -> tuple[Requirement, ...]:
    from accord.model.requirements_file import RequirementsFileError, parse_requirements

    if path.name in ("pyproject.toml", "setup.py", "setup.cfg"):
        raise UsageError(
            f"Adding requirements from a `{path.name}` is not supported in `accord run`"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Failed to read `{path}`: {exc.strerror}") from exc
    try:
        parsed = parse_requirements(text, source=str(path))
    except RequirementsFileError as exc:
        raise UsageError(str(exc)) from exc
    for line, option in parsed.ignored_options:
        sys.stderr.write(f"warning: Ignoring `{option}` in `{path}` (line {line})\n")
    if not parsed.requirements:
        sys.stderr.write(f"warning: Requirements file `{path}` does not contain any dependencies\n")
    return parsed.requirements


def _project_name(path: Path) -> str:
    from accord.reconciler.project.discover import read_pyproject

    pyproject = path / "pyproject.toml"
    if not pyproject.is_file():
        raise UsageError(f"`--with-editable {path}`: no pyproject.toml there")
    name = read_pyproject(pyproject).get("project", {}).get("name")
    if not isinstance(name, str):
        raise UsageError(f"`--with-editable {path}`: `{pyproject}` has no `[project] name`")
    return name


def add_with_layer(
    request: RunRequest, outcome: SyncOutcome, *, out: TextIO, err: TextIO
) -> SyncOutcome:
    """Layer ``--with`` requirements over ``outcome``'s environment."""
    from accord.reconciler.install.observe import find_site_packages, observe_environment
    from accord.reconciler.interpreters.find import find_interpreter, query_interpreter
    from accord.reconciler.project.indexes import configured_indexes, configured_strategy
    from accord.reconciler.run.cached import environment_key, satisfied_by, sync_requirements

    requirements = with_requirements(request)
    sources = []
    for path in request.run.with_editables:
        name = _project_name(Path(path))
        requirements += (Requirement(name),)
        sources.append(
            (canonicalize_name(name), Source(SourceKind.EDITABLE, str(Path(path).resolve())))
        )
    if not requirements:
        return outcome
    running = outcome.interpreter or query_interpreter(outcome.python)
    base_site = (
        find_site_packages(outcome.venv) if outcome.venv is not None else Path(running.purelib)
    )
    if (
        not sources
        and not request.output.dry_plan
        and satisfied_by(requirements, base_site, running)
    ):
        return outcome
    # The layer is made from the real interpreter behind the base environment.
    interpreter = find_interpreter(
        request=str(running.base_executable),
        project_dir=None,
        requires_python=None,
        existing_venv=None,
    )
    preferences: dict[NormalizedName, Version] = {}
    if outcome.venv is not None:
        preferences = {d.name: d.version for d in observe_environment(outcome.venv).dists}
    from accord.reconciler.project.config import index_config as configured

    # The layer resolves against the project's index settings when there is one, and the
    # configuration files' in any case.
    index_config = configured(outcome.project_root, request.config)
    indexes, _ = configured_indexes(request.index, index_config)
    strategy = configured_strategy(request.index, index_config)
    key = environment_key(
        "with",
        str(interpreter.base_executable),
        str(interpreter.version),
        str(base_site),
        *sorted(str(r) for r in requirements),
        *(str(source) for _, source in sources),
        *indexes,
        # uv's default strategy adds nothing, so layers made before it was read are kept
        *([strategy] if strategy != "first-index" else []),
    )
    layer = sync_requirements(
        name="with",
        requirements=requirements,
        interpreter=interpreter,
        request=request,
        key=key,
        label="--with layer",
        base_site=base_site,
        preferences=preferences,
        index_config=index_config,
        sources=tuple(sources),
        out=out,
        err=err,
    )
    extra_bins = (outcome.venv / "bin",) if outcome.venv is not None else ()
    return attrs.evolve(
        outcome,
        venv=layer.venv,
        python=layer.venv / "bin" / "python",
        interpreter=interpreter,
        extra_bins=extra_bins,
        plan_is_empty=outcome.plan_is_empty and layer.plan.is_empty,
    )

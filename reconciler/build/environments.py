"""Build environments (apply stage, build side): PEP 517 isolated environments, cached.

``ensure_build_env(requirements, interpreter, cache, client_factory)`` resolves the
requirements with accord's own resolver (a pseudo-project whose ``requires-python`` is this
interpreter's ``X.Y.*``) and syncs them through ``sync_cached_environment`` (``cached.py``, the
same desire → diff → apply path as every cached environment; here only wheels are admitted),
into ``<cache>/builds/env-<sha256 of the sorted requirements + interpreter>/``.
A marker file, written last, records a finished sync: the next call returns the environment
without resolving or touching the index. Touches only the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement

from accord.model.interpreter import Interpreter
from accord.reconciler.errors import BuildNotSupported, NoArtifactForPlatform
from accord.reconciler.fsutil import write_atomic
from accord.reconciler.interpreters.layout import venv_interpreter_path

if TYPE_CHECKING:
    from accord.model.desired import DesiredEnvironment
    from accord.reconciler.fetch.index import IndexClient

__all__ = ["READY_MARKER", "ensure_build_env", "requirement_lines"]

READY_MARKER = ".accord-build-env"
"""Written into a build environment once its sync has succeeded (its requirements, one a line)."""
_ENV_NAME = "accord-build-environment"


def requirement_lines(requirements: Iterable[Requirement]) -> list[str]:
    """The requirements as sorted, de-duplicated text: what identifies a build environment."""
    return sorted({str(requirement) for requirement in requirements})


def _env_key(
    requirements: Iterable[Requirement],
    interpreter: Interpreter,
    constraints: Iterable[Requirement] = (),
) -> str:
    lines = requirement_lines(constraints)
    text = "\n".join(
        [
            *requirement_lines(requirements),
            *(["-- constraints", *lines] if lines else []),
            "--",
            interpreter.implementation,
            str(interpreter.version),
            str(interpreter.base_executable),
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_ready(env: Path) -> bool:
    return (env / READY_MARKER).is_file() and venv_interpreter_path(env).exists()


def _wheels_only(interpreter: Interpreter) -> Callable[[DesiredEnvironment], DesiredEnvironment]:
    """The build environment's rule: every distribution comes from a wheel."""

    def admit(desired: DesiredEnvironment) -> DesiredEnvironment:
        from accord.model.desired import ArtifactKind

        for dist in desired.dists:
            if dist.kind is not ArtifactKind.WHEEL:
                # Building a build requirement from source would recurse; uv does, we do not yet.
                raise BuildNotSupported(
                    f"Build requirement `{dist.name}=={dist.display_version}` has no wheel for "
                    f"{interpreter.display_name}, and accord does not build build requirements "
                    "from source",
                    hint="make a wheel of it available on the index",
                )
        return desired

    return admit


def _sync_env(
    env: Path,
    requirements: Sequence[Requirement],
    interpreter: Interpreter,
    cache: Path,
    client_factory: Callable[[], IndexClient],
    constraints: Sequence[Requirement] = (),
) -> None:
    """Resolve ``requirements`` (under ``constraints``) for this interpreter and make ``env``
    hold exactly that, then write the ready marker."""
    from packaging.specifiers import SpecifierSet

    from accord.model.desired import NoCompatibleArtifact
    from accord.reconciler.build.cached import PseudoProject, sync_cached_environment

    # A pseudo-project: only this interpreter's Python matters, so the universal resolution
    # drops every branch for other versions (PEP 518 requirements are installed, not locked).
    project = PseudoProject(
        name=_ENV_NAME,
        requirements=tuple(requirements),
        requires_python=SpecifierSet(f"=={interpreter.python_version}.*"),
    )

    def mark_ready(_lock: object, _plan: object) -> None:
        # Written last, by rename: its presence means every package is in place.
        lines = "".join(f"{line}\n" for line in requirement_lines(requirements))
        write_atomic(env / READY_MARKER, lines)

    try:
        sync_cached_environment(
            env,
            project,
            interpreter,
            cache,
            client_factory=client_factory,
            constraints=constraints,
            admit=_wheels_only(interpreter),
            finish=mark_ready,
        )
    except NoCompatibleArtifact as exc:  # raised by desire, before anything is applied
        raise NoArtifactForPlatform(
            f"Build requirement `{exc.package.name}=={exc.package.display_version}` has no "
            f"wheel or sdist for {interpreter.display_name}"
        ) from exc


def ensure_build_env(
    requirements: Sequence[Requirement],
    interpreter: Interpreter,
    cache: Path,
    client_factory: Callable[[], IndexClient],
    constraints: Sequence[Requirement] = (),
) -> Path:
    """The path of the cached build environment for ``requirements`` on ``interpreter``,
    resolved under ``constraints`` (``tool.uv.build-constraint-dependencies``).

    When its marker is present, returns at once: ``client_factory`` is not called. Otherwise
    (under a file lock, so concurrent builders sync it once) resolves and syncs it, then
    writes the marker. Raises ``NoSolution``, ``NoArtifactForPlatform``,
    ``BuildNotSupported`` (a requirement with only an sdist), and the index's and
    installer's errors; a failed sync leaves no marker, so the next call repairs it.
    """
    from filelock import FileLock  # slow path only

    builds = cache / "builds"
    key = _env_key(requirements, interpreter, constraints)
    env = builds / f"env-{key}"
    if _is_ready(env):
        return env
    builds.mkdir(parents=True, exist_ok=True)
    with FileLock(str(builds / f"env-{key}.lock")):
        if _is_ready(env):  # another process finished it while we waited
            return env
        # An environment left half-synced by a crash is observed and repaired like any other.
        _sync_env(env, requirements, interpreter, cache, client_factory, constraints)
    return env

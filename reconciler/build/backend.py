"""Builds (apply stage, build side): a wheel or an editable wheel from a source tree.

PEP 517 (``build_wheel``, ``prepare_metadata_for_build_wheel``) and PEP 660
(``build_editable``) hooks are called through ``pyproject_hooks`` in a subprocess, with the
backend's output captured (nothing is printed; a failure carries it in ``BuildFailed``).

Build isolation (PEP 517, "Build environment"): the backend runs in a cached environment
holding the ``[build-system] requires`` (``reconciler.build.environments``), and requirements the
backend adds (``get_requires_for_build_*``) get a second cached environment for the union.
Once both exist, a build resolves nothing and never touches the index.

Touches the cache (``builds/``), the given output directory (only to rename a finished wheel
into it) and whatever the backend itself writes into the source tree (setuptools' ``build/``
and ``*.egg-info``, for instance).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import attrs
from packaging.requirements import InvalidRequirement, Requirement

from accord.model.config_settings import ConfigSettings
from accord.model.interpreter import Interpreter
from accord.reconciler.build.environments import ensure_build_env, requirement_lines
from accord.reconciler.errors import BuildFailed, ProjectInvalid
from accord.reconciler.filelocks import scratch_directory
from accord.reconciler.interpreters.layout import venv_interpreter_path

if TYPE_CHECKING:
    from pyproject_hooks import BuildBackendHookCaller

    from accord.reconciler.fetch.index import IndexClient

__all__ = ["BuildSystem", "build_wheel", "prepare_metadata", "read_build_system"]

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
"""PEP 517: the backend to assume when pyproject.toml names none."""
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
"""PEP 517/518: the requirements to assume when there is no ``[build-system]`` table."""
_T = TypeVar("_T")
_NO_SETTINGS = ConfigSettings()


@attrs.frozen(kw_only=True)
class BuildSystem:
    """A source tree's ``[build-system]`` table, with PEP 517's defaults filled in."""

    requires: tuple[Requirement, ...]
    backend: str
    """``module`` or ``module:object``."""
    backend_path: tuple[str, ...] = ()
    """In-tree directories to import the backend from, relative to the source tree."""


def read_build_system(source: Path) -> BuildSystem:
    """The build system of the tree at ``source``; ``ProjectInvalid`` for a malformed table.

    No pyproject.toml, or no ``[build-system]`` table: setuptools' legacy backend with
    ``setuptools>=40.8.0``. A table without ``build-backend``: the legacy backend with the
    table's ``requires`` (PEP 517, "Source trees").
    """
    from accord.reconciler.project.discover import read_pyproject

    pyproject = source / "pyproject.toml"
    table = read_pyproject(pyproject).get("build-system") if pyproject.is_file() else None
    if table is None:
        return BuildSystem(
            requires=tuple(Requirement(r) for r in LEGACY_REQUIRES), backend=LEGACY_BACKEND
        )
    if not isinstance(table, dict):
        raise ProjectInvalid(f"`{pyproject}`: `build-system` must be a table", path=pyproject)
    requires = table.get("requires")
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise ProjectInvalid(
            f"`{pyproject}`: `build-system.requires` must be a list of strings (PEP 518)",
            path=pyproject,
        )
    try:
        parsed = tuple(Requirement(r) for r in requires)
    except InvalidRequirement as exc:
        raise ProjectInvalid(
            f"`{pyproject}`: invalid requirement in `build-system.requires`: {exc}", path=pyproject
        ) from exc
    backend = table.get("build-backend", LEGACY_BACKEND)
    backend_path = table.get("backend-path", [])
    if not isinstance(backend, str) or not backend:
        raise ProjectInvalid(
            f"`{pyproject}`: `build-system.build-backend` must be a string", path=pyproject
        )
    if not isinstance(backend_path, list) or not all(isinstance(p, str) for p in backend_path):
        raise ProjectInvalid(
            f"`{pyproject}`: `build-system.backend-path` must be a list of strings", path=pyproject
        )
    return BuildSystem(requires=parsed, backend=backend, backend_path=tuple(backend_path))


# --- calling hooks ------------------------------------------------------------------------------


class _HookProcessFailed(Exception):
    def __init__(self, returncode: int, output: str) -> None:
        super().__init__(f"exit code {returncode}")
        self.returncode = returncode
        self.output = output


@attrs.define
class _QuietRunner:
    """A ``pyproject_hooks`` subprocess runner that captures stdout and stderr together."""

    environ: Mapping[str, str]
    last_output: str = ""

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        environ = {**self.environ, **(extra_environ or {})}
        completed = subprocess.run(
            list(cmd),
            cwd=cwd,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        self.last_output = completed.stdout.decode("utf-8", "replace")
        if completed.returncode != 0:
            raise _HookProcessFailed(completed.returncode, self.last_output)


@attrs.frozen
class _Backend:
    """One source tree's backend, run by one interpreter (a build environment's, or the
    target's own without isolation)."""

    what: str
    source: Path
    system: BuildSystem
    python: Path
    environ: Mapping[str, str]
    settings: dict[str, str | list[str]] = attrs.field(factory=dict)
    """The PEP 517 ``config_settings`` every hook gets (``{}`` without any, as uv passes)."""

    def call(self, hook: str, invoke: Callable[[BuildBackendHookCaller], _T]) -> _T:
        """Run ``hook`` via ``invoke``; every way it can fail becomes ``BuildFailed``."""
        from pyproject_hooks import (  # slow path only
            BackendUnavailable,
            BuildBackendHookCaller,
            BuildBackendWarning,
            HookMissing,
            UnsupportedOperation,
        )

        runner = _QuietRunner(self.environ)
        caller = BuildBackendHookCaller(
            str(self.source),
            self.system.backend,
            backend_path=list(self.system.backend_path) or None,
            runner=runner,
            python_executable=str(self.python),
        )
        hint = "the backend's output above says why; check the project's build configuration"
        try:
            with warnings.catch_warnings():
                # Backend warnings are re-raised by pyproject_hooks in this process; nothing
                # below the CLI prints, and the output is kept for errors instead.
                warnings.simplefilter("ignore", BuildBackendWarning)
                return invoke(caller)
        except _HookProcessFailed as exc:
            raise BuildFailed(
                self.what, hook, returncode=exc.returncode, output=exc.output, hint=hint
            ) from exc
        except BackendUnavailable as exc:
            raise BuildFailed(
                self.what,
                hook,
                returncode=None,
                output="\n".join(filter(None, [runner.last_output, exc.traceback])),
                reason=f"cannot import the build backend `{self.system.backend}`",
                hint="check `build-system.build-backend` and `requires` in pyproject.toml",
            ) from exc
        except HookMissing as exc:
            raise BuildFailed(
                self.what,
                hook,
                returncode=None,
                output=runner.last_output,
                reason=f"the build backend `{self.system.backend}` does not provide it",
                hint="editable installs need a backend that supports PEP 660"
                if "editable" in hook
                else None,
            ) from exc
        except UnsupportedOperation as exc:
            raise BuildFailed(
                self.what,
                hook,
                returncode=None,
                output="\n".join(filter(None, [runner.last_output, exc.traceback])),
                reason="the backend does not support it",
            ) from exc


def _isolated_environ(env: Path) -> dict[str, str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}
    }
    environ["VIRTUAL_ENV"] = str(env)
    environ["PATH"] = os.pathsep.join(filter(None, [str(env / "bin"), os.environ.get("PATH")]))
    environ["PYTHONNOUSERSITE"] = "1"  # the user's site-packages must not leak into a build
    return environ


def _parse_extra(backend: _Backend, hook: str, requires: object) -> list[Requirement]:
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise BuildFailed(
            backend.what, hook, returncode=None, output="", reason="it did not return a list"
        )
    try:
        return [Requirement(r) for r in requires]
    except InvalidRequirement as exc:
        raise BuildFailed(
            backend.what,
            hook,
            returncode=None,
            output="",
            reason=f"it returned an invalid requirement: {exc}",
        ) from exc


def _prepare_backend(
    source: Path,
    *,
    editable: bool,
    interpreter: Interpreter,
    cache: Path,
    client_factory: Callable[[], IndexClient],
    isolation: bool,
    name: str | None,
    constraints: Sequence[Requirement] = (),
    config_settings: ConfigSettings,
) -> _Backend:
    """The backend, ready to build: its environment synced with the static requirements
    and with those it asks for (``get_requires_for_build_*``), resolved under
    ``constraints`` (``tool.uv.build-constraint-dependencies``)."""
    source = Path(os.path.abspath(source))
    system = read_build_system(source)
    what = name or str(source)
    settings = config_settings.for_hooks()
    # tool.uv.extra-build-dependencies and extra-build-variables (model.extra_build).
    variables = dict(config_settings.extra.variables)
    requires = [*system.requires, *config_settings.extra.requirements()]
    if not isolation:
        # --no-build-isolation: the target interpreter, as it is, with what it has.
        if config_settings.extra.requires:
            raise ProjectInvalid(
                f"{what}: `extra-build-dependencies` cannot be installed into a build "
                "without isolation (`no-build-isolation`); accord refuses the combination"
            )
        python = Path(interpreter.executable)
        return _Backend(what, source, system, python, {**os.environ, **variables}, settings)
    env = ensure_build_env(requires, interpreter, cache, client_factory, constraints)
    environ = {**_isolated_environ(env), **variables}
    backend = _Backend(what, source, system, venv_interpreter_path(env), environ, settings)
    hook = f"get_requires_for_build_{'editable' if editable else 'wheel'}"
    raw: object = backend.call(
        hook,
        lambda caller: (
            caller.get_requires_for_build_editable(settings)
            if editable
            else caller.get_requires_for_build_wheel(settings)
        ),
    )
    extra = _parse_extra(backend, hook, raw)
    if set(requirement_lines(extra)) <= set(requirement_lines(requires)):
        return backend
    full = ensure_build_env([*requires, *extra], interpreter, cache, client_factory, constraints)
    python = venv_interpreter_path(full)
    environ = {**_isolated_environ(full), **variables}
    return attrs.evolve(backend, python=python, environ=environ)


@contextlib.contextmanager
def _staging(cache: Path, prefix: str) -> Iterator[Path]:
    # Held while the hook runs: a later process removes it if this one is killed.
    with scratch_directory(cache / "builds", prefix) as staging:
        yield staging


def _move_into(built: Path, output: Path) -> Path:
    """Rename ``built`` into ``output``; across file systems, copy beside it and rename."""
    output.mkdir(parents=True, exist_ok=True)
    final = output / built.name
    try:
        os.replace(built, final)
    except OSError:
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".whl", dir=output)
        os.close(handle)
        try:
            shutil.copyfile(built, temporary)
            os.replace(temporary, final)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return final


def build_wheel(
    source: Path,
    *,
    editable: bool,
    interpreter: Interpreter,
    cache: Path,
    client_factory: Callable[[], IndexClient],
    isolation: bool = True,
    output: Path,
    name: str | None = None,
    constraints: Sequence[Requirement] = (),
    config_settings: ConfigSettings = _NO_SETTINGS,
) -> Path:
    """Build a wheel (``editable``: a PEP 660 editable wheel) of the tree at ``source`` into
    the directory ``output``; return its path.

    ``client_factory`` is called only when a build environment has to be resolved (never
    when the cached ones are ready). ``isolation=False`` runs the backend with
    ``interpreter`` itself (``--no-build-isolation``). ``name`` is how errors name the
    source (default: its path). The wheel is built in the cache and renamed into
    ``output``, so a failure leaves ``output`` untouched. Every hook gets ``config_settings``
    (PEP 517 ``config_settings``). Raises ``BuildFailed`` when the
    backend fails, ``ProjectInvalid`` for a malformed ``[build-system]``, and the resolver's
    and installer's errors (``NoSolution``, ``DownloadFailed``...) for the build environment.
    """
    backend = _prepare_backend(
        source,
        editable=editable,
        interpreter=interpreter,
        cache=cache,
        client_factory=client_factory,
        isolation=isolation,
        name=name,
        constraints=constraints,
        config_settings=config_settings,
    )
    hook = "build_editable" if editable else "build_wheel"
    with _staging(cache, ".tmp-wheel-") as staging:
        basename: object = backend.call(
            hook,
            lambda caller: (
                caller.build_editable(str(staging), backend.settings)
                if editable
                else caller.build_wheel(str(staging), backend.settings)
            ),
        )
        built = staging / str(basename)
        if not isinstance(basename, str) or not basename.endswith(".whl") or not built.is_file():
            raise BuildFailed(
                backend.what,
                hook,
                returncode=None,
                output="",
                reason=f"it reported {basename!r}, which is not a wheel it wrote",
            )
        return _move_into(built, output)


def prepare_metadata(
    source: Path,
    *,
    interpreter: Interpreter,
    cache: Path,
    client_factory: Callable[[], IndexClient],
    isolation: bool = True,
    editable: bool = False,
    name: str | None = None,
    constraints: Sequence[Requirement] = (),
    config_settings: ConfigSettings = _NO_SETTINGS,
) -> bytes:
    """The core metadata (``METADATA`` bytes) of the wheel ``source`` would build.

    Uses ``prepare_metadata_for_build_wheel`` (``_editable`` with ``editable``); a backend
    without it builds the wheel and the metadata is read from it. Same environments and
    errors as ``build_wheel``; nothing outside the cache is written.
    """
    backend = _prepare_backend(
        source,
        editable=editable,
        interpreter=interpreter,
        cache=cache,
        client_factory=client_factory,
        isolation=isolation,
        name=name,
        constraints=constraints,
        config_settings=config_settings,
    )
    hook = f"prepare_metadata_for_build_{'editable' if editable else 'wheel'}"
    with _staging(cache, ".tmp-metadata-") as staging:
        dist_info: object = backend.call(
            hook,
            lambda caller: (
                caller.prepare_metadata_for_build_editable(
                    str(staging), backend.settings, _allow_fallback=True
                )
                if editable
                else caller.prepare_metadata_for_build_wheel(
                    str(staging), backend.settings, _allow_fallback=True
                )
            ),
        )
        metadata = staging / str(dist_info) / "METADATA"
        try:
            return metadata.read_bytes()
        except OSError as exc:
            raise BuildFailed(
                backend.what,
                hook,
                returncode=None,
                output="",
                reason=f"it reported `{dist_info}`, which has no METADATA",
            ) from exc

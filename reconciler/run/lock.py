"""``accord lock`` (and ``export``, ``why``): the project's or script's lock, and what
happens to it, resolved with the build stage's metadata builder. Never writes."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TextIO

from accord.model.interpreter import Interpreter
from accord.model.lock import Lock
from accord.model.lock_action import LockAction
from accord.model.request import LockMode, RunRequest
from accord.model.target import Project
from accord.reconciler.console import before_steps
from accord.reconciler.errors import ConfigInvalid, ProjectInvalid, SettingUnsupported, UsageError
from accord.reconciler.interpreters.layout import is_environment_of
from accord.reconciler.lock.ensure import (
    MetadataBuilder,
    MetadataBuilders,
    ensure_lock,
    refuse_missing_lock,
)

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from accord.reconciler.build.builder import ProjectBuilder

__all__ = ["find_and_name_interpreter", "lock_builders", "lock_target"]


def lock_builders(
    interpreter: Interpreter | Callable[[], Interpreter],
    request: RunRequest,
    root: Path | None = None,
) -> MetadataBuilders:
    """How a resolution for ``interpreter`` (or the one a call waits for) prepares sdist
    metadata: a ``ProjectBuilder`` on the resolution's indexes and build constraints, with the
    config settings of the workspace at ``root`` (and the command line's), made when the first
    sdist needs it."""

    def make(
        indexes: Sequence[str], constraints: tuple[Requirement, ...], strategy: str
    ) -> MetadataBuilder:
        return _OnFirstBuild(interpreter, request, root, indexes, constraints, strategy)

    return make


class _OnFirstBuild:
    """A ``MetadataBuilder`` that imports and makes the ``ProjectBuilder`` on its first call:
    most resolutions find a wheel for everything, and the build stage's modules cost
    milliseconds to import."""

    def __init__(
        self,
        interpreter: Interpreter | Callable[[], Interpreter],
        request: RunRequest,
        root: Path | None,
        indexes: Sequence[str],
        constraints: tuple[Requirement, ...],
        strategy: str,
    ) -> None:
        self._interpreter = interpreter
        self._offline = request.index.offline
        self._settings = (root, request.config, request.locking.config_settings)
        self._indexes = indexes
        self._constraints = constraints
        self._strategy = strategy
        self._builder: ProjectBuilder | None = None
        self._lock = threading.Lock()  # the resolver's metadata threads may ask at once

    def sdist_metadata(
        self, url: str, sha256: str | None, filename: str, subdirectory: str | None = None
    ) -> bytes:
        return self._made().sdist_metadata(url, sha256, filename, subdirectory)

    def tree_metadata(
        self, tree: Path, name: str, *, editable: bool = False, commit: str | None = None
    ) -> bytes:
        return self._made().tree_metadata(tree, name, editable=editable, commit=commit)

    def _made(self) -> ProjectBuilder:
        with self._lock:
            if self._builder is None:
                self._builder = self._make()
            return self._builder

    def _make(self) -> ProjectBuilder:
        from accord.reconciler.build.builder import ProjectBuilder
        from accord.reconciler.cachedir import cache_root
        from accord.reconciler.fetch.index import IndexClient
        from accord.reconciler.project.config import build_settings

        indexes, offline, strategy = self._indexes, self._offline, self._strategy
        interpreter = self._interpreter
        return ProjectBuilder(
            interpreter=interpreter if isinstance(interpreter, Interpreter) else interpreter(),
            cache=cache_root(),
            client_factory=lambda: IndexClient(
                indexes, cache_dir=cache_root(), offline=offline, strategy=strategy
            ),
            build_constraints=self._constraints,
            config_settings=build_settings(*self._settings),
        )


def lock_target(
    request: RunRequest, *, announce: Callable[[str], None] | None = None
) -> tuple[Lock, LockAction, Path]:
    """``accord lock``: the project's lock (or, with ``request.run.script``, the script's), what
    happens to it, and its path. Never writes.

    ``announce`` is given uv's ``Using CPython 3.x interpreter at: …`` when a project's lock is
    checked or made with an interpreter from outside the project's environment (none yet, or
    one that does not satisfy the request), as ``uv lock`` and ``uv export`` say; before the
    lock's outcome, its error included. Not under ``--frozen``/``--check-exists``, where uv
    looks for no interpreter."""
    from accord.reconciler.project.config import discover_with_settings
    from accord.reconciler.project.discover import require_project

    if request.run.script is not None:
        from accord.reconciler.errors import UsageError
        from accord.reconciler.lock.script import ensure_script_lock, script_lock_path
        from accord.reconciler.run.script import read_script_metadata, script_interpreter

        script = Path(request.run.script)
        metadata = read_script_metadata(script)
        if metadata is None:
            raise UsageError(f"`{script}` has no `# /// script` metadata block")
        interpreter = script_interpreter(request, script, metadata, sys.stderr)
        path = script_lock_path(script)
        if not path.is_file():
            # `accord lock --script` under --locked/--check/--check-exists: refused as uv does
            # (a `run` refuses earlier, in its own words).
            refuse_missing_lock(path.name, request.locking)
        lock, action = ensure_script_lock(
            script, metadata, interpreter, request.locking, request.index, request.config
        )
        return lock, action, path
    start = Path(request.project) if request.project is not None else Path(request.cwd)
    project = require_project(discover_with_settings(start, request.config))
    # uv finds the interpreter before it locks, and refuses when there is none; the lock
    # needs it only for a workspace without requires-python and to build sdists, so it is
    # found beside the resolution (its query is a process of its own on an empty cache), and
    # its error, if any, comes first.
    if request.locking.lock_mode is LockMode.FROZEN:
        # uv looks for no interpreter then, nor reads `.python-version`: the lock is only read.
        lock, action = ensure_lock(
            project,
            _no_interpreter,
            request.locking,
            request.index,
            request.config,
            builders=lock_builders(_no_interpreter, request, Path(project.root)),
        )
        return lock, action, Path(project.lock_path)
    _read_version_file(request, project)  # its warnings here, not from the thread that looks
    discovery = _in_thread(lambda: _project_interpreter(request, project))
    found = _Found(discovery, project.venv, announce)
    forget = before_steps(found)  # named before a git fetch or a build says anything
    try:
        lock, action = ensure_lock(
            project,
            found,  # the lock waits for it on this thread (no requires-python): named then
            request.locking,
            request.index,
            request.config,
            builders=lock_builders(discovery.result, request, Path(project.root)),
        )
    except Exception as error:
        interpreter = found.wait()  # its error first, as uv's
        if not isinstance(error, _BEFORE_DISCOVERY):
            found.announce(interpreter)  # uv had found it before it locked and failed
        raise
    finally:
        forget()
    found()
    return lock, action, Path(project.lock_path)


def _no_interpreter() -> Interpreter:
    raise AssertionError("a lock used as it is (--frozen) needs no interpreter")


# What uv refuses while it reads the project and its settings, before it looks for an
# interpreter (accord reads some of them while locking): no `Using …` line before these.
_BEFORE_DISCOVERY = (ConfigInvalid, ProjectInvalid, SettingUnsupported, UsageError)


class _Found:
    """The interpreter, waited for on the calling thread; the first call announces it, as uv
    does once it has found it (before its own warnings and the lock's outcome)."""

    def __init__(
        self,
        discovery: Future[Interpreter],
        venv: PurePath,
        announce: Callable[[str], None] | None,
    ) -> None:
        self._discovery = discovery
        self._venv = Path(venv)
        self._announce = announce

    def __call__(self) -> Interpreter:
        interpreter = self.wait()
        self.announce(interpreter)
        return interpreter

    def wait(self) -> Interpreter:
        return self._discovery.result()

    def announce(self, interpreter: Interpreter) -> None:
        announce, self._announce = self._announce, None
        if announce is not None and not is_environment_of(interpreter, self._venv):
            announce(interpreter.using_line)


def _in_thread(call: Callable[[], Interpreter]) -> Future[Interpreter]:
    """``call`` made in a thread of its own; the future holds its value or its exception."""
    future: Future[Interpreter] = Future()

    def run() -> None:
        from accord.reconciler.threads import quiet

        quiet()  # Ctrl-C is the main thread's to take
        try:
            future.set_result(call())
        except BaseException as e:  # handed to whoever asks for the result
            future.set_exception(e)

    threading.Thread(target=run, name="accord-interpreter", daemon=True).start()
    return future


def find_and_name_interpreter(request: RunRequest, project: Project, err: TextIO) -> None:
    """The project's interpreter found, as uv finds it before it edits under ``add --frozen``
    (which locks nothing), and named when it is not the environment's; none is an error."""
    _read_version_file(request, project)
    interpreter = _project_interpreter(request, project)
    if not request.output.quiet and not is_environment_of(interpreter, Path(project.venv)):
        err.write(interpreter.using_line + "\n")


def _read_version_file(request: RunRequest, project: Project) -> None:
    """``.python-version`` read for its warnings, in uv's place (unless ``--python``)."""
    from accord.reconciler.interpreters.find import read_version_file

    if request.python is None:
        read_version_file(request.version_file_dir(Path(project.directory)))


def _project_interpreter(request: RunRequest, project: Project) -> Interpreter:
    """The interpreter for the project's lock, as uv looks for it."""
    from accord.reconciler.interpreters.find import find_interpreter

    return find_interpreter(
        request=request.python,
        project_dir=request.version_file_dir(Path(project.directory)),
        requires_python=project.workspace_requires_python,
        existing_venv=Path(project.venv),
        origin=project.interpreter_origin,
    )

"""The console entry: the stdlib fast path first, else the CLI.

Imported on every run, so it imports nothing but ``fastargs`` and ``fastpath`` (standard
library only) until the fast path has declined (and ``model.elapsed``, standard library only,
to say a lock the stamp proves current was resolved).
"""

# No ``from __future__ import annotations``: on every run, importing ``__future__`` would cost
# more than evaluating these annotations.
import os
import sys

from accord.reconciler.fastargs import (
    BOOLISH_TRUE,
    fast_lock_arguments,
    fast_run_arguments,
    fast_sync_arguments,
)
from accord.reconciler.fastpath import nearest_project, try_fast_path

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds here
if TYPE_CHECKING:
    from collections.abc import Callable


def _missing_environment() -> str | None:
    """The nearest project directory when it has no ``.venv``: the replay may make it."""
    project = nearest_project(os.getcwd())
    if project is None or os.path.lexists(os.path.join(project, ".venv")):
        return None
    return project


def _lock_is_current(
    count: int, warnings: "list[tuple[str, str]]", *, quiet: bool, started: float
) -> None:
    """What ``accord lock`` says when its lock is current (the warnings about the project's
    files the stamp keeps, then ``Resolved N packages in T``, as uv), and exit 0."""
    if not quiet:
        import time

        from accord.reconciler.fastpath import say_warnings

        say_warnings(warnings, locked=True)

        from accord.model.elapsed import format_elapsed, resolved_line

        elapsed = format_elapsed(time.perf_counter() - started)
        sys.stderr.write(resolved_line(count, elapsed) + "\n")
    sys.exit(0)


def main() -> None:
    """Console script entry point."""
    argv = sys.argv[1:]
    try:
        if os.name == "posix":
            arguments = fast_run_arguments(argv, os.environ)
            if arguments is not None:
                try_fast_path(*arguments)
                project = _missing_environment()
                if project is not None:
                    from accord.reconciler.replay import try_replay

                    try_replay("run", *arguments, project_dir=project)
            elif argv[:1] == ["lock"]:
                from time import perf_counter  # builtin; only the lock's line needs it

                from accord.reconciler.fastlock import lock_proven_current

                started = perf_counter()
                quiet = fast_lock_arguments(argv, os.environ)
                current = lock_proven_current() if quiet is not None else None
                if current is not None:
                    _lock_is_current(*current, quiet=bool(quiet), started=started)
            else:
                options = fast_sync_arguments(argv, os.environ)
                project = _missing_environment() if options is not None else None
                if options is not None and project is not None:
                    from accord.reconciler.replay import try_replay

                    try_replay("sync", options, [], project_dir=project)
        warm = os.environ.get("ACCORD_WARM", "").lower()
        if os.name == "posix" and (warm == "" or warm in BOOLISH_TRUE):  # on unless turned off
            from accord.reconciler.warm import try_warm

            try_warm(argv, asked=warm != "")  # ends here when a warm server ran it
        from accord.reconciler.method_cache import install, roomy_collector
        from accord.reconciler.threads import roomy_descriptor_table

        roomy_collector()
        roomy_descriptor_table()  # before the run starts a thread
        install()  # before the first attrs class is defined
        from accord.reconciler.cli.main import main as slow_main  # slow path only
    except KeyboardInterrupt:
        # Ctrl-C before the CLI's own handler is in place (while importing): exit as a
        # command interrupted by SIGINT does, with nothing changed yet.
        sys.exit(130)
    _end_without_teardown(slow_main, argv)


def _end_without_teardown(run: "Callable[[list[str]], object]", argv: "list[str]") -> None:
    """``run(argv)``, then end the process as a normal exit would, without tearing the
    interpreter down: freeing the hundreds of thousands of objects a lock or a sync made was
    30-40 ms of a 0.3 s lock of 334 packages, after its work was done. What an exit does that
    matters is done first, in the interpreter's own order: wait for the threads (a pool
    finishing a cache file), run the ``atexit`` functions, flush the standard streams. An
    exception other than ``SystemExit`` ends the run as it always did."""
    import threading

    wait_for_threads = getattr(threading, "_shutdown", None)  # what Py_Finalize calls
    if wait_for_threads is None:
        run(argv)
        return
    try:
        run(argv)
        code = 0
    except SystemExit as exc:
        from accord.reconciler.errors import exit_status

        code = exit_status(exc)
    import atexit

    wait_for_threads()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:  # closed when the run started, or by it
            continue
        try:
            stream.flush()
        except Exception:
            # The interpreter's own exit flushes again, says why it failed and ends with
            # 120, as a run always did (the atexit functions and threads are done).
            sys.exit(code)
    os._exit(code)

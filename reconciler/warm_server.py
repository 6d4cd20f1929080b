"""The warm server's side (``serve``, started by ``reconciler.warm`` in a process of its
own): a process with the slow path imported, which keeps one *spare* worker forked ahead,
waiting on the socket; the spare takes the next caller's run and the server forks the next.

A worker forked at the moment of the call paid ~10 ms of copy-on-write faults before doing
anything (the pages its first steps write to: reference counts, the collector's headers, the
interpreter's specialised code), a third of a served ``lock --check-exists``. A spare pays them
while it waits (a collection and the lock stage's warm-up touch those pages), so a caller meets
a process that only has its own run to do.

The server learns: once a worker has said how its run ended, it leaves the core metadata it
parsed and read, the index pages it decoded and the packages of a lock it installed from in a
file beside the socket; the server takes them in (``lock/warm_up.learn``) and replaces the
waiting spare with one that has them, so the next lock of the same project reads and parses
only what changed. The run that started the server (in process) leaves the same at its end
(``warm.leave_learned``) and wakes it with a connection that sends nothing. A spare leaves when
the server closes its end of the spare's pipe (a newer spare took its place, or the server is
gone: a server killed leaves no process answering on its socket); once it has a caller, its run
outlives the server, as before.
"""

# No ``from __future__ import annotations``, as in ``reconciler.warm``.
import os
import sys

from accord.reconciler.warm import IDLE_SECONDS, exactly, leave_learned, send

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket

__all__ = ["serve"]

_PRELOAD = (
    "accord.reconciler.cli.main",
    "accord.reconciler.cli.edit_commands",
    "accord.reconciler.cli.install_options",
    "accord.reconciler.cli.lock_commands",
    "accord.reconciler.cli.pipeline_commands",
    "accord.reconciler.cli.refusals",
    "accord.reconciler.cli.settings",
    "accord.reconciler.cli.variables",
    "accord.reconciler.fetch.flat",
    "accord.reconciler.fetch.index",
    "accord.reconciler.fetch.page_cache",
    "accord.reconciler.fetch.project_pages",
    "accord.reconciler.fetch.remote_wheel",
    "accord.reconciler.fetch.http",
    "accord.reconciler.fetch.wheelfile",
    "accord.reconciler.install.apply",
    "accord.reconciler.lock.ensure",
    "accord.reconciler.lock.memo",
    "accord.reconciler.lock.resolve",
    "accord.reconciler.lock.text",
    "accord.reconciler.lock.write",
    "accord.reconciler.project.discover",
    "accord.reconciler.project.edit",
    "accord.reconciler.project.sources",
    "accord.reconciler.project.workspace",
    "accord.reconciler.run.edit",
    "accord.reconciler.run.execute",
    "accord.reconciler.run.lock",
    "accord.reconciler.run.pipeline",
    "accord.reconciler.run.recipe",
    "accord.reconciler.run.stamp",
    "accord.model.find_links",
    "accord.model.git",
    "accord.model.marker_order",
    "accord.model.toml",
    "accord.reconciler.fetch.answer",
    "accord.reconciler.fetch.wire",
    "email.parser",
    "ssl",
)
"""What a lock, a sync, a run and an edit import, imported once by the server (a module not
listed is imported by the worker that needs it)."""


def _preload() -> None:
    import importlib

    from accord.reconciler.method_cache import install

    install()
    for name in _PRELOAD:
        importlib.import_module(name)
    from accord.reconciler.cli.main import prepare_commands

    prepare_commands()


def serve(path: str) -> None:
    """Serve runs on ``path`` until idle for ``IDLE_SECONDS``; one server per path (a second
    one finds the lock taken and leaves)."""
    import contextlib
    import fcntl
    import glob
    import signal
    import socket

    lock = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return
    os.chdir("/")  # holds no directory of the caller's (each worker takes the caller's own)
    _preload()
    from accord.reconciler.lock.warm_up import warm_up

    warm_up()

    def leave(_number: int, _frame: object) -> None:
        raise SystemExit(0)  # the socket is removed on the way out

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    _remove_stale(os.path.dirname(path))
    for partial in glob.glob(glob.escape(path) + ".learning.*"):  # a killed worker's
        with contextlib.suppress(OSError):
            os.unlink(partial)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener.bind(path)
    bound = os.stat(path)
    listener.listen(64)
    listener.setblocking(False)  # the spares wait in select and race to accept
    _learn(path)  # what the run that started this server left, if it has ended
    news, tell = os.pipe()
    keep = -1  # the write end of the waiting spare's pipe: closed, the spare leaves
    try:
        while True:
            if keep >= 0:
                os.close(keep)
            waiting, keep = os.pipe()
            if os.fork() == 0:
                for number in (lock, news, keep):  # the server alone holds these
                    os.close(number)
                _spare(listener, tell, waiting, path)
            os.close(waiting)
            # Wait for the spare to take a caller, or a worker to tell what it learned (then
            # a new spare, which has it), or leave when idle or no longer reachable.
            if not _wait(news, path, bound):
                return
            said = os.read(news, 512)
            if b"L" in said:
                _learn(path)
    finally:
        # Each file while it is still this server's (the lock file while still held); one
        # that is gone, or another server's, is left alone.
        for leftover, own in ((path, bound), (path + ".lock", os.fstat(lock))):
            if _ours(leftover, own):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)


_LOOK_SECONDS = 2.0
"""How often an idle server looks whether its socket is still there."""


def _wait(news: int, path: str, bound: os.stat_result) -> bool:
    """Wait for ``news``: false once idle for ``IDLE_SECONDS``, or as soon as ``path`` is no
    longer this server's socket (its directory removed, as a session's runtime directory is
    at logout, or the path taken over): no run can reach this server any more."""
    import select
    import time

    deadline = time.monotonic() + IDLE_SECONDS
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if select.select([news], [], [], min(left, _LOOK_SECONDS))[0]:
            return True
        if not _ours(path, bound):
            return False


def _ours(path: str, bound: os.stat_result) -> bool:
    try:
        now = os.stat(path)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (bound.st_dev, bound.st_ino)


def _learn(path: str) -> None:
    """Take in what workers left in ``PATH.learn.PID`` files (``fresh_metadata``)."""
    import contextlib
    import glob
    import marshal

    from accord.reconciler.lock.warm_up import learn

    for name in glob.glob(glob.escape(path) + ".learn.*"):
        try:
            with open(name, "rb") as stream:
                raws = marshal.loads(stream.read())
        except (OSError, EOFError, ValueError, TypeError):
            continue
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
        if isinstance(raws, dict):
            learn(raws)


def _spare(listener: "socket.socket", tell: int, waiting: int, path: str) -> None:
    """A worker forked ahead: touch what a run writes to first, wait for a caller (or leave
    when the server closes ``waiting``'s other end: it has a newer spare, or it is gone), tell
    the server it was taken, and become the caller's run."""
    import gc
    import select
    import signal
    import socket

    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from accord.reconciler.lock.warm_up import warm_up
        from accord.reconciler.threads import roomy_descriptor_table

        warm_up(rounds=1)
        gc.collect()
        roomy_descriptor_table()  # while this process has one thread
        while True:
            if waiting in select.select([listener.fileno(), waiting], [], [])[0]:
                os._exit(0)
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                continue  # another spare took it
            if _asks(connection):
                break
            # Connected and gone: the run that started the server left what it learned
            # (``warm.leave_learned``). This spare waits on while the server takes it in.
            connection.close()
            try:
                os.write(tell, b"L")
            except OSError:
                os._exit(0)
        listener.close()
        os.close(waiting)
        try:
            os.write(tell, b"+")
        except OSError:
            os._exit(0)  # the server is gone: the caller finds no one and runs in process
        connection.settimeout(None)
        data, fds, _flags, _address = socket.recv_fds(connection, 1 << 20, 3)
        if len(fds) == 3:
            _work(connection, data, fds, path, tell)
    finally:
        os._exit(0)


def _asks(connection: "socket.socket") -> bool:
    """Whether a caller on ``connection`` asks for a run: it has sent, or not within a second
    (it is then served as one); False when it closed without sending."""
    import socket

    connection.settimeout(1.0)
    try:
        return bool(connection.recv(1, socket.MSG_PEEK))
    except OSError:  # the timeout included
        return True


def _remove_stale(directory: str) -> None:
    """The sockets and locks of servers that are gone (older versions of the code, say), and
    the marks of slow runs made long ago."""
    import contextlib
    import fcntl
    import glob
    import time

    for name in os.listdir(directory):
        if name.endswith(".sock.seen"):  # the mark of a slow run, kept for IDLE_SECONDS
            with contextlib.suppress(OSError):
                if time.time() - os.stat(os.path.join(directory, name)).st_mtime > IDLE_SECONDS:
                    os.unlink(os.path.join(directory, name))
        if not name.endswith(".sock.lock"):
            continue
        lock = os.path.join(directory, name)
        try:
            descriptor = os.open(lock, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            socket_path = lock[: -len(".lock")]
            for leftover in glob.glob(glob.escape(socket_path) + ".learn*"):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)  # what its workers left for it
            for stale in (socket_path, lock):  # removed while held
                os.unlink(stale)
        except OSError:
            continue  # its server is alive (or the files are gone already)
        finally:
            os.close(descriptor)


def _work(connection: "socket.socket", data: bytes, fds: "list[int]", path: str, tell: int) -> None:
    """The worker: become the caller's run, say how it ended, tell the server what it learned,
    and leave."""
    import marshal
    import signal

    code = 2
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        # Ctrl-C as a run in a process of its own takes it, whatever the server inherited (a
        # server started from a background job inherits SIGINT ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setpgid(0, 0)
        size = 4 + int.from_bytes(data[:4], "big")
        rest = exactly(connection, size - len(data)) if len(data) < size else b""
        if rest is None:
            os._exit(2)  # the caller left before it finished asking
        request = marshal.loads((data + rest)[4:size])
        for number, fd in enumerate(fds):
            os.dup2(fd, number)
            os.close(fd)
        _streams()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.umask(request["umask"])
        sys.argv = [sys.argv[0], *request["argv"]]
        send(connection, os.getpid())
        _watch(connection)
        from accord.reconciler import console
        from accord.reconciler.fetch.core_metadata import remembered_metadata
        from accord.reconciler.fetch.project_pages import remembered_pages
        from accord.reconciler.fetch.releases import decoded_files
        from accord.reconciler.lock.resolve.tables import tables_ahead
        from accord.reconciler.run import execute

        known, pages, files = remembered_metadata(), remembered_pages(), decoded_files()
        console.served_by = (
            f"worker {os.getpid()} of the warm server at {path} ({known} metadata parsed "
            f"ahead, {pages} index pages read ahead, {files} releases' files decoded ahead, "
            f"{tables_ahead()} version tables made ahead)"
        )

        def hand_over(argv: "list[str]", env: "dict[str, str]") -> None:
            sys.stdout.flush()
            sys.stderr.flush()
            _ENDED.append(True)
            send(connection, ("exec", argv, env, os.getcwd()))
            _tell(path, tell)
            os._exit(0)

        execute.exec_handler = hand_over
        from accord.reconciler.cli.main import main
        from accord.reconciler.method_cache import roomy_collector

        roomy_collector()  # as the slow path in a process of its own

        try:
            main(request["argv"])
        except SystemExit as exc:
            from accord.reconciler.errors import exit_status

            code = exit_status(exc)
        except KeyboardInterrupt:
            code = 130
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        _ENDED.append(True)
        send(connection, ("exit", code))
        _tell(path, tell)
    finally:
        os._exit(0)


_ENDED: "list[bool]" = []
"""Not empty once the worker has said how the run ended: the caller may go, the worker stays."""


def _tell(path: str, tell: int) -> None:
    """Leave what this run parsed and read (metadata, pages) for the server
    (``PATH.learn.PID``) and say so."""
    import contextlib

    if leave_learned(path):
        with contextlib.suppress(OSError):
            os.write(tell, b"L")


def _streams() -> None:
    """Standard streams over the caller's descriptors, buffered as Python buffers them."""
    import io

    def stream(number: int, mode: str, errors: str, line: bool) -> io.TextIOWrapper:
        raw = io.FileIO(number, mode, closefd=False)
        buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        return io.TextIOWrapper(
            buffered,
            encoding=sys.__stdout__.encoding if sys.__stdout__ else "utf-8",
            errors=errors,
            line_buffering=line,
        )

    errors = (sys.__stdout__.errors if sys.__stdout__ else None) or "strict"
    sys.stdin = stream(0, "r", errors, False)
    sys.stdout = stream(1, "w", errors, os.isatty(1))
    sys.stderr = stream(2, "w", "backslashreplace", True)


def _watch(connection: "socket.socket") -> None:
    """End the worker's process group when the caller is gone (killed, say)."""
    import signal
    import threading

    def wait() -> None:
        from accord.reconciler.threads import quiet

        quiet()  # a forwarded signal is the main thread's to take
        try:
            while connection.recv(1):
                pass
        except OSError:
            pass
        if not _ENDED:
            os.killpg(0, signal.SIGKILL)

    threading.Thread(target=wait, daemon=True).start()

"""The warm server (on unless ``ACCORD_WARM`` is a boolish no): the slow path without paying
for its imports each time. This is the caller's side and the messages; the server's is
``reconciler.warm_server``.

A run the fast path declines imports the command line, attrs, packaging, the resolver and the
index client before any work: more than half of a warm ``accord lock``. A background process
(one per user, interpreter, version of accord's code and process context, found by a socket in
a private directory) keeps them imported; ``reconciler.entry`` asks it for a worker (forked
ahead) for the run, hands it the working directory, the variables, the umask and the streams
themselves (``SCM_RIGHTS``), forwards signals to the worker's process group, and ends as the
worker ends: with its exit status, or by becoming the command ``accord run`` executes (the
worker sends the command back; the caller's process is the one the terminal and the parent
know). When no server answers, the run takes the slow path in its own process as before, and
starts one for the next run if it is the second such run within ``IDLE_SECONDS`` (or on the
first, with ``ACCORD_WARM=1``); the server leaves after 15 idle minutes. The worker dies with
the caller (``kill -9`` of the caller ends the worker's whole process group).

Not served, so the slow path runs in-process: a run that spawns its command instead of
executing it (``--no-exec``, ``--no-cache``, ``UV_NO_CACHE``), a standard stream that is
closed, a socket path too long for ``AF_UNIX``, a platform other than Linux.

Standard library only until the worker runs: the caller's side is on the way to every slow run.
"""

# No ``from __future__ import annotations``: the caller's side runs before the slow path.
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import _socket
    from typing import Any

__all__ = ["IDLE_SECONDS", "exactly", "leave_learned", "send", "try_warm"]

IDLE_SECONDS = 900
_PROTOCOL = 2
_KEYED_VARIABLES = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE")
_LIMITS = (
    "RLIMIT_NOFILE",
    "RLIMIT_AS",
    "RLIMIT_DATA",
    "RLIMIT_FSIZE",
    "RLIMIT_STACK",
    "RLIMIT_CPU",
)
# Runs whose command is spawned, not executed (the caller could not become it): in-process.
# A token after `--` counts too: such a run only loses the speed.
_NOT_SERVED = frozenset({"-n", "--no-cache", "--no-exec"})


def _code_stamp() -> list[object]:
    """What the server's imports depend on: this interpreter, its module path, the variables
    that change how Python starts, accord's own files and the third-party packages installed."""
    import accord

    stamp: list[object] = [
        _PROTOCOL,
        sys.executable,
        sys.version,
        sys.path,
        os.getuid(),
        sorted((k, v) for k, v in os.environ.items() if k.startswith("PYTHON")),
        [os.environ.get(name) for name in _KEYED_VARIABLES],
    ]
    for package in accord.__path__:
        for directory, names, files in os.walk(package, followlinks=True):
            names[:] = sorted(n for n in names if n != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    status = os.stat(os.path.join(directory, name))
                    stamp.append((directory, name, status.st_mtime_ns, status.st_size))
    for entry in sys.path:
        if entry.endswith("-packages") and os.path.isdir(entry):
            stamp.append(sorted(os.listdir(entry)))
    return stamp + _context()


def _context() -> list[object]:
    """What the caller's own process runs under and a worker (the server's child) would not
    share otherwise: groups, resource limits, namespaces and control group. A caller in
    another context finds another server."""
    import resource

    context: list[object] = [os.getgid(), os.getegid(), os.getgroups()]
    context += [resource.getrlimit(getattr(resource, name)) for name in _LIMITS]
    for name in ("mnt", "pid", "net", "user", "ipc", "uts"):
        try:
            context.append(os.readlink(f"/proc/self/ns/{name}"))
        except OSError:
            context.append(None)
    try:
        with open("/proc/self/cgroup", "rb") as stream:
            context.append(stream.read())
    except OSError:
        context.append(None)
    return context


def _socket_path() -> "str | None":
    """The server's socket for this interpreter and code, in a directory only this user can
    use; None when there is no such directory (another user's, or a link)."""
    from accord.reconciler.fastpath import sha256

    runtime = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    directory = os.path.join(runtime, f"accord-warm-{os.getuid()}")
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    status = os.lstat(directory)
    if status.st_uid != os.getuid() or (status.st_mode & 0o777) != 0o700:
        return None
    import stat

    if not stat.S_ISDIR(status.st_mode):
        return None
    digest = sha256(repr(_code_stamp()).encode()).hexdigest()
    path = os.path.join(directory, f"{digest[:24]}.sock")
    return path if len(os.fsencode(path)) < 100 else None  # sun_path holds 108 bytes


def _frame(message: "Any") -> bytes:
    """``message`` marshalled, after its length in four bytes."""
    import marshal

    data = marshal.dumps(message)
    return len(data).to_bytes(4, "big") + data


def send(connection: "_socket.socket", message: "Any") -> None:
    connection.sendall(_frame(message))


def _receive(connection: "_socket.socket") -> object:
    """The next message, or None at the end of the connection."""
    import marshal

    head = exactly(connection, 4)
    if head is None:
        return None
    data = exactly(connection, int.from_bytes(head, "big"))
    return None if data is None else marshal.loads(data)


def exactly(connection: "_socket.socket", size: int) -> "bytes | None":
    chunks = []
    while size:
        try:
            chunk = connection.recv(size)
        except InterruptedError:  # pragma: no cover - retried by Python
            continue
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _start_server(path: str) -> None:
    """A server for ``path``, started in the background, detached from this run."""
    import contextlib

    # The caller's own module path (the key has it), not ``-m``'s: that puts the working
    # directory first, where a project's own ``accord`` package would win.
    code = (
        f"import sys; sys.path[:] = {sys.path!r}; "
        f"from accord.reconciler.warm_server import serve; serve({path!r})"
    )
    argv = [sys.executable, "-c", code]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child becomes the server at once
        try:
            os.setsid()
            if os.fork():
                os._exit(0)
            os.chdir("/")
            null = os.open(os.devnull, os.O_RDWR)
            for number in (0, 1, 2):
                os.dup2(null, number)
            for name in os.listdir("/proc/self/fd"):  # every other, not only those below 256
                if int(name) > 2:
                    with contextlib.suppress(OSError):
                        os.close(int(name))
            os.execv(sys.executable, argv)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _leave_and_wake(path: str) -> None:
    """At the end of the run that started the server at ``path``: leave what this run parsed
    and read for it (``leave_learned``), and wake it to take it in (a connection that asks
    nothing; a server still starting takes it in before its first spare)."""
    try:
        left = leave_learned(path)
    except Exception:  # a hint to a process in the background: never the run's failure
        return
    if left:
        import _socket

        connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            connection.connect(path)
        except OSError:
            pass
        finally:
            connection.close()


def leave_learned(path: str) -> bool:
    """Leave what this process parsed and read since it last told (``warm_up.told``) in
    ``PATH.learn.PID`` for the server at ``path``; whether there was any and it was left."""
    import contextlib
    import marshal

    from accord.reconciler.lock.warm_up import told

    fresh = told()
    if not any(fresh.values()):
        return False
    name = f"{path}.learn.{os.getpid()}"
    partial = f"{path}.learning.{os.getpid()}"  # not a name the server's glob takes
    try:
        with open(partial, "wb") as stream:
            stream.write(marshal.dumps(fresh))
        os.replace(partial, name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        return False
    return True


def _seen_lately(marker: str) -> bool:
    """Whether a slow run with no server to take it touched ``marker`` in the last
    ``IDLE_SECONDS``; this run touches it now."""
    import time

    try:
        lately = time.time() - os.stat(marker).st_mtime < IDLE_SECONDS
    except OSError:
        lately = False
    try:
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600))
        os.utime(marker)
    except OSError:
        pass
    return lately


def try_warm(argv: list[str], *, asked: bool) -> None:
    """Run ``argv`` in a worker of the warm server and end as it ends; return when there is
    none or it cannot serve this run. With no server, one is started for the next run when
    ``asked`` (``ACCORD_WARM=1``) or when another slow run was made in the last
    ``IDLE_SECONDS`` (so a single run, a CI job's say, leaves no process behind)."""
    if not sys.platform.startswith("linux") or _NOT_SERVED.intersection(argv):
        return
    from accord.reconciler.fastargs import BOOLISH_TRUE

    if os.environ.get("UV_NO_CACHE", "").lower() in BOOLISH_TRUE:
        return
    try:
        for number in (0, 1, 2):
            os.fstat(number)
    except OSError:
        return
    path = _socket_path()
    if path is None:
        return
    # ``_socket``, not ``socket``: the module (with ``selectors`` and ``enum``) costs a few
    # milliseconds of every served run, for wrappers this side does not use.
    import _socket

    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        if asked or _seen_lately(path + ".seen"):
            _start_server(path)
            import atexit

            # This run goes on in process: what it parses and reads is left for the server.
            atexit.register(_leave_and_wake, path)
        return
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": os.umask(0)}
    os.umask(request["umask"])  # type: ignore[arg-type]
    # The three standard streams, as ``socket.send_fds`` passes them (C ints).
    streams = b"".join(number.to_bytes(4, sys.byteorder) for number in (0, 1, 2))
    try:
        connection.sendmsg([_frame(request)], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, streams)])
        started = _receive(connection)
    except OSError:
        started = None
    if not isinstance(started, int):
        connection.close()
        return  # the server could not take it: the slow path runs here
    _follow(connection, started)


def _follow(connection: "_socket.socket", group: int) -> None:
    """Forward signals to the worker's process group until it says how the run ended."""
    import _signal  # type: ignore[import-not-found]  # ``signal`` without its enums

    def forward(number: int, _frame: object) -> None:
        try:  # noqa: SIM105 (``contextlib`` is one more import on the way)
            os.killpg(group, number)
        except OSError:
            pass

    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"):
        _signal.signal(getattr(_signal, name), forward)
    ending = _receive(connection)
    if isinstance(ending, tuple) and ending[0] == "exec":
        _, command, env, directory = ending
        try:  # (exec puts the forwarding handlers back to their defaults)
            os.chdir(directory)  # where the run left it (``--directory``)
            os.execve(command[0], command, env)
        except OSError as exc:
            # ``run.execute``'s words for it (the worker checked that the file runs).
            number = exc.errno or 2
            sys.stderr.write(
                f"error: Failed to spawn: {command[0]}\n"
                f"  cause: {os.strerror(number)} (os error {number})\n"
            )
            sys.exit(2)
    if isinstance(ending, tuple) and ending[0] == "exit":
        # The worker wrote the run's output; this process has nothing left to finish, so
        # it skips the interpreter's teardown (a millisecond of every served run).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ending[1] if isinstance(ending[1], int) else 1)
    sys.stderr.write("error: accord's warm server stopped before the run ended\n")
    sys.exit(2)

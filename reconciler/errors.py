"""Errors a user can meet, one class per condition (shell side; no I/O here).

Every error carries a plain-text message, an optional hint, an exit code and, where one exists,
the file, line and column at fault. ``reconciler.cli.main`` is the only place that renders them
(``error: …`` / ``hint: …``); nothing below it prints.
"""

from __future__ import annotations

import enum
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.model.lock_action import WriteLock

__all__ = [
    "AccordError",
    "BuildFailed",
    "BuildNotSupported",
    "CommandNotAllowed",
    "CommandNotFound",
    "ConfigInvalid",
    "DistributionInvalid",
    "DistributionNotFound",
    "DownloadFailed",
    "DownloadNotCached",
    "EnvironmentNotRecreatable",
    "ExitCode",
    "FilesystemError",
    "GitFailed",
    "HashMismatch",
    "IndexNotCached",
    "IndexPageInvalid",
    "IndexUnavailable",
    "InterpreterIncompatible",
    "InterpreterNotFound",
    "LockStale",
    "LockfileInvalid",
    "LockfileMissing",
    "MetadataInvalid",
    "MetadataUnavailable",
    "NoArtifactForPlatform",
    "NoSolution",
    "PackageNotFound",
    "ProjectInvalid",
    "ProjectNotFound",
    "ScriptInvalid",
    "SelectionInvalid",
    "UsageError",
    "exit_status",
]


class ExitCode(enum.IntEnum):
    """accord's own exit statuses; they follow uv 0.13 (after `run`, the command's own code)."""

    SUCCESS = 0
    FAILURE = 1  # a failure the user's input caused: stale lock, no solution, --check with changes
    ERROR = 2  # usage errors, malformed files, unexpected errors


class AccordError(Exception):
    """Root of every error accord reports to a user."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        if "@" in message or (hint and "@" in hint):
            from accord.reconciler.credentials import redact  # a login in a URL is never shown

            message = redact(message)
            hint = redact(hint) if hint else hint
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.message


class UsageError(AccordError):
    """Options that contradict each other or name nothing."""


class ProjectNotFound(AccordError):
    """No pyproject.toml where one is required."""


class ProjectInvalid(AccordError):
    """A pyproject.toml that cannot be parsed or lacks what accord needs."""


class ConfigInvalid(AccordError):
    """A uv configuration file (``uv.toml``, ``--config-file``) that cannot be read or used."""


class SettingUnsupported(AccordError):
    """A ``[tool.uv]`` setting that changes the lock and that accord does not honour yet."""


class LockfileMissing(AccordError):
    """No uv.lock, and accord cannot (or may not) create one."""

    exit_code = ExitCode.FAILURE


class LockStale(AccordError):
    """The lock no longer matches the project, and the mode forbids updating it."""

    exit_code = ExitCode.FAILURE
    resolved: int | None = None
    """How many packages the resolution that told the lock stale found (None: the lock was
    refused without resolving); uv says ``Resolved N packages in …`` before the error."""
    update: WriteLock | None = None
    """The lock that resolution made, and why: ``sync --dry-run`` reports what a sync from it
    would do before it refuses, as uv does."""


class NoSolution(AccordError):
    """The requirements cannot all be satisfied (resolvelib's causes, in words)."""

    exit_code = ExitCode.FAILURE


class LockfileInvalid(AccordError):
    """A uv.lock that is not valid TOML, has an unsupported version, or breaks the schema."""


class SelectionInvalid(AccordError):
    """An extra or dependency group that the project does not define, or a selection of
    extras and groups declared mutually exclusive (``tool.uv.conflicts``)."""


class ScriptInvalid(AccordError):
    """A PEP 723 metadata block that cannot be parsed (the message names the line)."""


class InterpreterNotFound(AccordError):
    """No interpreter satisfies the request."""


class InterpreterIncompatible(AccordError):
    """The interpreter found does not satisfy the project's requires-python."""


class EnvironmentNotRecreatable(AccordError):
    """The environment path exists but is not a virtual environment accord may replace."""


class FilesystemError(AccordError):
    """A file could not be read or written: a full disk, a read-only file system, a missing
    permission. The message names the file and the cause in words; nothing is a bug."""

    _HINTS = {
        28: "free some space on that disk and run again: the next run finishes the job",
        30: "the file system is read-only; point accord at a writable place "
        "(UV_PROJECT_ENVIRONMENT, ACCORD_CACHE_DIR)",
        13: "check the permissions of that path, or point accord elsewhere "
        "(UV_PROJECT_ENVIRONMENT, ACCORD_CACHE_DIR)",
        1: "check the permissions of that path, or point accord elsewhere "
        "(UV_PROJECT_ENVIRONMENT, ACCORD_CACHE_DIR)",
        122: "the disk quota is exhausted; free some space and run again",
    }

    @classmethod
    def from_os_error(cls, error: OSError) -> FilesystemError:
        """The error for ``error``: ``File system error at `path`: No space left on device``."""
        cause = error.strerror or str(error)
        target = error.filename2 if error.filename2 is not None else error.filename
        path = Path(os.fsdecode(target)) if isinstance(target, str | bytes) else None
        where = f" at `{path}`" if path else ""
        message = f"File system error{where}: {cause}"
        return cls(message, hint=cls._HINTS.get(error.errno or 0), path=path)


class DownloadFailed(AccordError):
    """An artifact could not be fetched (exit 2, as uv exits for a network failure)."""


class DownloadNotCached(DownloadFailed):
    """``--offline`` and the artifact is not in the cache (exit 1, as uv: the input asked for
    no network)."""

    exit_code = ExitCode.FAILURE


class DistributionNotFound(DownloadFailed):
    """A local archive a requirement or the lock names is not there (exit 1, as uv's
    ``Distribution not found at: file://…``)."""

    exit_code = ExitCode.FAILURE


class HashMismatch(AccordError):
    """A downloaded artifact's digest differs from the one the lock records."""

    exit_code = ExitCode.FAILURE


class NoArtifactForPlatform(AccordError):
    """A locked package has no wheel this interpreter can install (and no buildable sdist yet)."""

    exit_code = ExitCode.FAILURE


class BuildNotSupported(AccordError):
    """A package would have to be built from source; building arrives with the build capability."""

    exit_code = ExitCode.FAILURE


class BuildFailed(AccordError):
    """A PEP 517/660 build backend failed (or could not be imported) while building a wheel.

    Carries the hook that failed, the backend process's exit code (None when the hook
    itself reported the problem) and its captured output, whose tail ends the message.
    """

    exit_code = ExitCode.FAILURE
    TAIL_LINES = 40
    """How many lines of the backend's output the message ends with."""

    def __init__(
        self,
        what: str,
        hook: str,
        *,
        returncode: int | None,
        output: str,
        reason: str | None = None,
        hint: str | None = None,
        path: Path | None = None,
    ) -> None:
        lines = output.rstrip("\n").splitlines()
        tail = lines[-self.TAIL_LINES :]
        if reason is None:
            reason = f"the backend exited with code {returncode}"
        message = f"Failed to build `{what}`: the `{hook}` hook failed ({reason})"
        if tail:
            cut = f", last {len(tail)} of {len(lines)} lines" if len(lines) > len(tail) else ""
            message += f"\n\n[backend output{cut}]\n" + "\n".join(tail)
        super().__init__(message, hint=hint, path=path)
        self.what = what
        self.hook = hook
        self.returncode = returncode
        self.output = output


class DistributionInvalid(AccordError):
    """A wheel that cannot be installed: bad zip, missing dist-info, unsafe paths."""

    exit_code = ExitCode.FAILURE


class CommandNotAllowed(AccordError):
    """``--strict``: the command is not provided by the environment."""


class CommandNotFound(AccordError):
    """The command to run does not exist on the environment's PATH nor the caller's."""


class PackageNotFound(AccordError):
    """No configured index knows the project (every one answered 404), or, offline, no cache."""

    exit_code = ExitCode.FAILURE


class IndexUnavailable(AccordError):
    """An index could not be reached (connection, DNS, timeout, 5xx) or, offline, is not cached.

    Exit 2, as uv exits for a network failure: the input was fine, the network was not.
    """


class IndexNotCached(IndexUnavailable):
    """``--offline`` and the page or metadata is not in the cache (exit 1, as uv)."""

    exit_code = ExitCode.FAILURE


class IndexPageInvalid(AccordError):
    """An index answered with a project page that is neither PEP 691 JSON nor PEP 503 HTML."""

    exit_code = ExitCode.FAILURE


class MetadataUnavailable(AccordError):
    """A distribution's core metadata cannot be had without building it (an sdist)."""

    exit_code = ExitCode.FAILURE


class MetadataInvalid(AccordError):
    """Core metadata (METADATA, PKG-INFO) with a bad name, version or requirement."""

    exit_code = ExitCode.FAILURE


class GitFailed(AccordError):
    """A git source could not be had: a git command failed (clone, fetch, rev-parse, checkout),
    a ref or commit is unknown, or, offline, the repository was never fetched.

    Carries the command, git's exit code and the tail of its stderr, which ends the message.
    """

    exit_code = ExitCode.FAILURE

    def __init__(
        self,
        message: str,
        *,
        command: Sequence[str] | None = None,
        returncode: int | None = None,
        stderr: str = "",
        hint: str | None = None,
        path: Path | None = None,
    ) -> None:
        if command is not None:
            message += f"\n\n`{shlex.join(command)}` exited with code {returncode}"
        if stderr.strip():
            message += "\n[git stderr]\n" + stderr.rstrip("\n")
        super().__init__(message, hint=hint, path=path)
        self.command = tuple(command) if command is not None else None
        self.returncode = returncode
        self.stderr = stderr


def exit_status(exc: SystemExit) -> int:
    """The status the interpreter gives ``exc`` when it ends a process, saying a value that
    is not a number on stderr as the interpreter says it."""
    if exc.code is None or isinstance(exc.code, int):
        return int(exc.code or 0)  # a plain int: an IntEnum does not marshal
    sys.stderr.write(f"{exc.code}\n")
    return 1

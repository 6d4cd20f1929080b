"""What a lock may say (lock stage; pure, no I/O).

Values from a lock become cache paths (a hash names a cache entry), URLs that are fetched and
file names that are written: each is checked before it is used, and a bad one is a
``BadValue`` that carries the text as the file writes it, so the error can point at it.
"""

from __future__ import annotations

import re

from accord.model.lock import Artifact, Source, SourceKind

__all__ = ["HASH_DIGITS", "BadValue", "check_artifact", "check_source"]

HASH_DIGITS = {"md5": 32, "sha256": 64, "sha384": 96, "sha512": 128, "blake2b": 128}
"""The digest algorithms uv records and the number of hex digits of each."""
_HEX = re.compile(r"[0-9a-fA-F]+")
_URL_SCHEMES = frozenset({"http", "https", "file"})
_GIT_SCHEMES = frozenset({"http", "https", "file", "ssh", "git"})


class BadValue(ValueError):
    """A value of the lock that is well-typed but unsafe or malformed; ``value`` is the text
    as the file writes it, so the error can point at it."""

    def __init__(self, where: str, value: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.value = value
        self.problem = problem


def _check_hash(value: str, where: str) -> None:
    algorithm, colon, digest = value.partition(":")
    if not colon or algorithm not in HASH_DIGITS:
        known = ", ".join(f"`{name}`" for name in HASH_DIGITS)
        raise BadValue(
            where, value, f"`{value}` is not `<algorithm>:<hex digest>` with one of {known}"
        )
    wanted = HASH_DIGITS[algorithm]
    if len(digest) != wanted or not _HEX.fullmatch(digest):
        raise BadValue(
            where,
            value,
            f"invalid {algorithm} digest `{digest}` (expected {wanted} hexadecimal characters)",
        )


def _check_url(value: str, where: str, schemes: frozenset[str] = _URL_SCHEMES) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise BadValue(where, value, f"`{value}` is not a valid URL ({exc})") from exc
    scheme = parts.scheme.split("+", 1)[-1] if "+" in parts.scheme else parts.scheme
    if scheme not in schemes or (scheme != "file" and not parts.hostname):
        raise BadValue(where, value, f"`{value}` is not a valid URL")
    if any(char.isspace() or ord(char) < 0x20 for char in value):
        raise BadValue(where, value, f"`{value}` is not a valid URL (it holds white space)")


def _check_file_name(value: str, where: str) -> None:
    if not value or "/" in value or "\\" in value or value in (".", "..") or "\0" in value:
        raise BadValue(where, value, f"`{value}` is not a file name")


def _check_relative_path(value: str, where: str) -> None:
    if (
        "\0" in value
        or any(part == ".." for part in re.split(r"[\\/]", value))
        or value.startswith(("/", "\\"))
    ):
        raise BadValue(where, value, f"`{value}` must be a path inside the index directory")


def check_artifact(artifact: Artifact, where: str, *, absolute_ok: bool = False) -> None:
    """``absolute_ok``: the package's flat registry was given absolute, and uv writes its
    files by absolute path."""
    if artifact.hash is not None:
        _check_hash(artifact.hash, f"{where}.hash")
    if artifact.url is not None:
        _check_url(artifact.url, f"{where}.url")
    if artifact.filename is not None:
        _check_file_name(artifact.filename, f"{where}.filename")
    if artifact.path is not None and not (absolute_ok and artifact.path.startswith("/")):
        _check_relative_path(artifact.path, f"{where}.path")
    if artifact.size is not None and (isinstance(artifact.size, bool) or artifact.size < 0):
        raise BadValue(f"{where}.size", str(artifact.size), "a size must be a whole number >= 0")


def check_source(source: Source, where: str) -> None:
    location = source.location
    if source.kind is SourceKind.URL:
        _check_url(location, where)
    elif source.kind is SourceKind.GIT:
        _check_url(location, where, _GIT_SCHEMES)
    elif source.kind is SourceKind.REGISTRY and "://" in location:
        _check_url(location, where)
    if "\0" in location:
        raise BadValue(where, location, "a source location cannot hold a NUL character")

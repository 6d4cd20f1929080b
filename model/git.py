"""Git references and the URL forms uv writes for them (pure).

The forms follow uv 0.13 (``crates/uv-resolver/src/lock``): the ``subdirectory`` query pair
comes first, then ``branch=``/``tag=``/``rev=`` (nothing for the default branch), values
form-urlencoded like the ``url`` crate's ``query_pairs_mut``, credentials removed, and in the lock
the full commit as the fragment: ``file:///abs/gitrepo?rev=v0.2.0#751a5684…``. Errors are
``ValueError`` in plain words naming the key; callers say which file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import attrs

__all__ = [
    "FULL_SHA",
    "GitReference",
    "RefKind",
    "lock_url",
    "parse_git_source",
    "parse_lock_url",
    "remove_credentials",
    "requirement_url",
]

RefKind = Literal["branch", "tag", "rev", "default"]

_REF_KEYS: tuple[Literal["branch", "tag", "rev"], ...] = ("branch", "tag", "rev")
FULL_SHA = re.compile(r"[0-9a-f]{40}")
# The `url` crate's form-urlencoding leaves exactly these bytes alone (and writes space as `+`).
_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


@attrs.frozen(kw_only=True)
class GitReference:
    """A Git source as declared: repository, which ref to follow, and where the package lives."""

    url: str
    """The repository URL as written, without a ``git+`` prefix (credentials, if any, kept)."""
    kind: RefKind
    value: str | None
    """The branch or tag name, or the rev; None for the default branch."""
    subdirectory: str | None = None
    """The package's directory inside the repository, ``/``-separated and relative."""


def parse_git_source(table: Mapping[str, object]) -> GitReference:
    """The reference in a ``[tool.uv.sources]`` entry ``{ git = URL, branch|tag|rev = …,
    subdirectory = … }``. Other keys (``marker``, ``extra``, ``group``) are the caller's.

    Raises ``ValueError`` (plain text, naming the key) for a missing or non-string ``git``, more
    than one of ``branch``/``tag``/``rev``, or a ``subdirectory`` that is absolute or climbs out.
    """
    url = table.get("git")
    if not isinstance(url, str) or not url.strip():
        raise ValueError("`git` must be a non-empty URL string")
    url = _strip_git_plus(url.strip())
    parts = urlsplit(url)
    if not parts.scheme or parts.query or parts.fragment:
        raise ValueError(
            f"`git` must be a URL without a query or fragment (use `branch`, `tag` or `rev`): {url}"
        )
    given = [key for key in _REF_KEYS if key in table]
    if len(given) > 1:
        raise ValueError(f"a git source takes at most one of `branch`, `tag` and `rev`: {given}")
    kind: RefKind = "default"
    value: str | None = None
    if given:
        kind = given[0]
        raw = table[kind]
        if not isinstance(raw, str) or not raw:
            raise ValueError(f"`{kind}` must be a non-empty string")
        value = raw
    subdirectory = table.get("subdirectory")
    if subdirectory is not None and not isinstance(subdirectory, str):
        raise ValueError("`subdirectory` must be a string")
    return GitReference(
        url=url, kind=kind, value=value, subdirectory=_check_subdirectory(subdirectory)
    )


def requirement_url(ref: GitReference) -> str:
    """The ``git = …`` value of a ``[package.metadata] requires-dist`` entry: like
    :func:`lock_url` but without the ``#commit`` fragment."""
    query: list[tuple[str, str]] = []
    if ref.subdirectory is not None:
        query.append(("subdirectory", ref.subdirectory))
    if ref.kind != "default" and ref.value is not None:
        query.append((ref.kind, ref.value))
    url = remove_credentials(ref.url)
    if query:
        url += "?" + "&".join(f"{key}={_form_encode(value)}" for key, value in query)
    return url


def lock_url(ref: GitReference, commit: str) -> str:
    """The ``source = { git = … }`` value uv writes: ``<url>?[subdirectory=…&]<kind>=<value>#<sha>``
    (no ``<kind>`` pair for the default branch). ``commit`` must be a full 40-hex sha."""
    if not FULL_SHA.fullmatch(commit):
        raise ValueError(f"not a full commit sha: {commit!r}")
    return f"{requirement_url(ref)}#{commit}"


def parse_lock_url(text: str) -> tuple[GitReference, str]:
    """The inverse of :func:`lock_url`: ``(reference, commit)``.

    Raises ``ValueError`` when the fragment is not a 40-hex commit, the query holds more than one
    ref, a key accord does not support (``path=``, ``lfs=``), or a full-sha ``rev`` that differs
    from the fragment (uv's rule).
    """
    url, _, fragment = _strip_git_plus(text.strip()).partition("#")
    if not FULL_SHA.fullmatch(fragment):
        raise ValueError(f"a locked git URL must end in `#<40-hex commit>`: {text}")
    base, _, query = url.partition("?")
    kind: RefKind = "default"
    value: str | None = None
    subdirectory: str | None = None
    for key, item in parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)):
        if key == "subdirectory" and subdirectory is None:
            subdirectory = _check_subdirectory(item)
        elif key in _REF_KEYS and kind == "default":
            kind = key
            value = item
        else:
            raise ValueError(f"unsupported or repeated query key `{key}` in git URL: {text}")
    if kind == "rev" and value is not None and FULL_SHA.fullmatch(value) and value != fragment:
        raise ValueError(f"the rev `{value}` differs from the locked commit `{fragment}`: {text}")
    if not base:
        raise ValueError(f"a locked git URL needs a repository: {text}")
    return GitReference(url=base, kind=kind, value=value, subdirectory=subdirectory), fragment


def _strip_git_plus(url: str) -> str:
    return url[4:] if url.startswith("git+") else url


def _check_subdirectory(subdirectory: str | None) -> str | None:
    if subdirectory is None:
        return None
    path = PurePosixPath(subdirectory.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"`subdirectory` must be a relative path inside the repository: {path}")
    return path.as_posix() if path.parts else None  # "." and "" name the repository root


def _form_encode(value: str) -> str:
    return "".join(
        chr(byte) if byte in _FORM_SAFE else "+" if byte == 0x20 else f"%{byte:02X}"
        for byte in value.encode()
    )


def remove_credentials(url: str) -> str:
    """Drop ``user:password@`` as uv does, keeping a password-less user on ``ssh://`` URLs
    (``ssh://git@github.com/…``), which names the account rather than a secret."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme == "ssh" and parts.password is None and parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit(parts._replace(netloc=host))

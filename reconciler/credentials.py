"""Index credentials: kept out of URLs, files and messages, and sent as HTTP Basic auth.

A URL with a login (``https://user:TOKEN@host/simple/``) is split when it enters accord: the
login goes into this process's store, keyed by the URL's realm (scheme, host, port) and path,
and only the bare URL travels on, into uv.lock, cache file names, plans and messages. Every
request then asks ``auth_headers(url)`` for its ``Authorization`` header. Sources, first match
wins, as uv 0.13 reads them (keyring is not supported):

1. a login given in a configured index URL, for URLs under that index (longest prefix first),
   or, for a URL on the same realm, the first login given for that realm;
2. ``UV_INDEX_<NAME>_USERNAME`` / ``UV_INDEX_<NAME>_PASSWORD`` for an index declared with a
   ``name`` (``<NAME>``: the name upper-cased, non-alphanumerics as ``_``);
3. the ``.netrc`` file (``$NETRC``, else ``~/.netrc``) entry for the host.

``redact`` hides any login left in a text (``https://user:****@host``) as uv does.
"""

from __future__ import annotations

import base64
import functools
import os
import re
import threading
from typing import NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = [
    "Credentials",
    "auth_headers",
    "credentials_for",
    "forget_all",
    "redact",
    "remember_index",
    "strip_credentials",
]

_LOGIN = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s/@:]*)(?::[^\s/@]*)?@")


class Credentials(NamedTuple):
    """A login for HTTP Basic auth."""

    username: str
    password: str | None = None

    def header(self) -> str:
        token = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")


_lock = threading.Lock()
_by_prefix: dict[tuple[str, str, int | None], list[tuple[str, Credentials]]] = {}
_named: dict[tuple[str, str, int | None], list[tuple[str, str]]] = {}


def _realm(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    return scheme, parts.hostname.lower(), default if port is None else port


def strip_credentials(url: str) -> tuple[str, Credentials | None]:
    """``url`` without its login, and the login (None when it has none)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    username, colon, password = userinfo.partition(":")
    bare = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    if not username and not colon:
        return bare, None
    return bare, Credentials(unquote(username), unquote(password) if colon else None)


def redact(text: str) -> str:
    """``text`` with every login in a URL hidden: ``user:****@`` (``****@`` for a bare token)."""

    def hide(match: re.Match[str]) -> str:
        has_password = ":" in match.group(0)[len(match.group("scheme")) :]
        user = match.group("user")
        if has_password and user:
            return f"{match.group('scheme')}{user}:****@"
        return f"{match.group('scheme')}****@"

    return _LOGIN.sub(hide, text)


def remember_index(url: str, name: str | None = None) -> str:
    """Register an index URL (its login, and its ``name`` for ``UV_INDEX_<NAME>_*``); return the
    URL without its login, the form everything else uses."""
    bare, login = strip_credentials(url)
    realm = _realm(bare)
    if realm is None:
        return bare
    with _lock:
        if login is not None:
            entries = _by_prefix.setdefault(realm, [])
            if (bare, login) not in entries:
                entries.append((bare, login))
        if name:
            names = _named.setdefault(realm, [])
            if (bare, name) not in names:
                names.append((bare, name))
    return bare


def forget_all() -> None:
    """Drop every remembered login (for tests that run several requests in one process)."""
    with _lock:
        _by_prefix.clear()
        _named.clear()


def _env_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def credentials_for(url: str) -> Credentials | None:
    """The login to send with a request for ``url``, or None."""
    bare, inline = strip_credentials(url)
    if inline is not None:
        return inline
    realm = _realm(bare)
    if realm is None:
        return None
    path = urlsplit(bare).path
    with _lock:
        entries = list(_by_prefix.get(realm, ()))
        names = list(_named.get(realm, ()))
    under = [(prefix, login) for prefix, login in entries if path.startswith(urlsplit(prefix).path)]
    if under:
        return max(under, key=lambda item: len(item[0]))[1]
    if entries:
        return entries[0][1]
    # Named indexes whose URL holds this one first (longest first), then the realm's others.
    names.sort(key=lambda item: (not path.startswith(urlsplit(item[0]).path), -len(item[0])))
    for _prefix, name in names:
        username = os.environ.get(f"UV_INDEX_{_env_name(name)}_USERNAME")
        password = os.environ.get(f"UV_INDEX_{_env_name(name)}_PASSWORD")
        if username or password:
            return Credentials(username or "", password)
    return _from_netrc(realm[1])


def _from_netrc(host: str) -> Credentials | None:
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    try:
        stat = os.stat(path)
    except OSError:
        return None
    entries = _netrc_entries(path, stat.st_mtime_ns, stat.st_size)
    return entries.get(host) or entries.get("default")


@functools.lru_cache(maxsize=4)
def _netrc_entries(path: str, mtime_ns: int, size: int) -> dict[str, Credentials]:
    """The logins of a .netrc, read once per version of the file."""
    import netrc  # only when the file exists

    try:
        parsed = netrc.netrc(path)
    except (OSError, netrc.NetrcParseError):
        return {}
    return {
        host: Credentials(login or "", password or None)
        for host, (login, _, password) in parsed.hosts.items()
    }


def auth_headers(url: str) -> dict[str, str]:
    """``{"Authorization": "Basic …"}`` for ``url`` when a login is known, else ``{}``."""
    login = credentials_for(url)
    return {} if login is None else {"Authorization": login.header()}

"""Which HTTP proxy a request goes through, from the variables uv reads (fetch side).

As uv does (its HTTP client's system proxies):

- ``HTTP_PROXY`` (else ``http_proxy``) for ``http://`` URLs, ``HTTPS_PROXY`` (else
  ``https_proxy``) for ``https://`` ones, ``ALL_PROXY`` (else ``all_proxy``) for a scheme
  neither names; ``HTTP_PROXY`` is passed over when ``REQUEST_METHOD`` is set (a CGI script's
  environment, where a client can set it: "httpoxy");
- ``NO_PROXY`` (else ``no_proxy``): hosts that go direct, comma-separated: ``*`` (all), a
  name (itself and every name under it; a leading ``.`` changes nothing), an IP address, or
  an IP network (``10.0.0.0/8``);
- a proxy is a URL, ``http://`` (the default when it has no scheme), with an optional login
  sent to the proxy as ``Proxy-Authorization``. Any other kind (``socks5://``, ``https://``)
  is refused with a usage error naming the variable: accord speaks HTTP to proxies only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from accord.reconciler.errors import UsageError

__all__ = ["Proxies", "Proxy", "proxies_from"]


class Proxy(NamedTuple):
    """An HTTP proxy: where it listens, and the login it is given (if any)."""

    host: str
    port: int
    authorization: str | None
    """``Basic …``, for the ``Proxy-Authorization`` header."""
    variable: str
    """The variable that named it."""


class Proxies(NamedTuple):
    http: Proxy | None
    https: Proxy | None
    direct: tuple[str, ...]
    """``NO_PROXY``'s entries, lower-case."""

    def for_url(self, scheme: str, host: str) -> Proxy | None:
        """The proxy a request for ``scheme://host`` goes through; None: directly."""
        proxy = self.https if scheme == "https" else self.http
        if proxy is None or _direct(self.direct, host):
            return None
        return proxy


NONE = Proxies(None, None, ())

_VARIABLES = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
)


def settings_key(environ: Mapping[str, str] = os.environ) -> tuple[str | None, ...]:
    """The variables ``proxies_from`` reads, as they are now (for a pool per setting)."""
    return tuple(environ.get(name) for name in _VARIABLES)


def proxies_from(environ: Mapping[str, str] = os.environ) -> Proxies:
    """The proxies ``environ`` names (see the module's docstring); raises UsageError for a
    proxy accord cannot go through."""

    def first(*names: str) -> tuple[str, str] | None:
        for name in names:
            value = environ.get(name, "").strip()
            if value:
                return name, value
        return None

    cgi = bool(environ.get("REQUEST_METHOD"))
    every = first("ALL_PROXY", "all_proxy")
    http = first("http_proxy") if cgi else first("HTTP_PROXY", "http_proxy")
    https = first("HTTPS_PROXY", "https_proxy")
    if http is None and https is None and every is None:
        return NONE
    direct = (environ.get("NO_PROXY") or environ.get("no_proxy") or "").lower()
    http = http or every
    https = https or every
    return Proxies(
        None if http is None else _proxy(*http),
        None if https is None else _proxy(*https),
        tuple(entry.strip().strip(".") for entry in direct.split(",") if entry.strip()),
    )


def _proxy(variable: str, value: str) -> Proxy:
    parts = urlsplit(value if "://" in value else f"http://{value}")
    if parts.scheme.lower() != "http":
        raise UsageError(
            f"`{variable}` names a {parts.scheme}:// proxy (`{_bare(value)}`): "
            "accord goes through http:// proxies only",
            hint=f"unset `{variable}`, or name an http:// proxy",
        )
    try:
        port = parts.port or 80
    except ValueError:
        port = -1
    if not parts.hostname or port < 0:
        raise UsageError(
            f"`{variable}` is not a proxy URL: `{_bare(value)}`",
            hint="a proxy is written `http://host:port` (with `user:password@` for a login)",
        )
    authorization = None
    if parts.username is not None:
        import base64  # a login only

        login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(login.encode()).decode("ascii")
    return Proxy(parts.hostname, port, authorization, variable)


def _bare(value: str) -> str:
    """``value`` without a login (it is said in an error)."""
    scheme, separator, rest = value.rpartition("://")
    return f"{scheme}{separator}{rest.rsplit('@', 1)[-1]}"


def _direct(entries: tuple[str, ...], host: str) -> bool:
    """Whether ``NO_PROXY``'s ``entries`` send ``host`` directly."""
    if not entries:
        return False
    host = host.lower().rstrip(".")
    for entry in entries:
        if entry == "*" or host == entry or host.endswith("." + entry):
            return True
        if "/" in entry and _in_network(host, entry):
            return True
    return False


def _in_network(host: str, entry: str) -> bool:
    import ipaddress  # a network entry only

    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False

"""``exclude-newer``: only files uploaded before a point in time are candidates (pure).

uv's forms, as uv 0.13.8 reads and records them:

- an RFC 3339 timestamp (``2026-05-26T10:11:12Z``, any offset): recorded in UTC;
- a date (``2026-05-26``): the end of that day, recorded as the next midnight UTC
  (``2026-05-27T00:00:00Z``);
- a span back from now (``7 days``, ``1 week``, ``24 hours``, or ISO 8601 ``P7D``): recorded as
  the span (``P7D``, ``P1W``, ``PT24H``) with uv's placeholder timestamp, so the lock does not
  go stale as time passes.

Per package (``exclude-newer-package``), a timestamp or date, or ``false`` (no limit for it).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

import attrs
from packaging.utils import NormalizedName, canonicalize_name

__all__ = [
    "PLACEHOLDER",
    "ExcludeNewer",
    "ExcludeNewerInvalid",
    "parse_exclude_newer",
    "parse_timestamp",
]

PLACEHOLDER = "0001-01-01T00:00:00Z"
"""What uv writes as ``exclude-newer`` when the limit is a span."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))"
)
_ISO_SPAN = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_FRIENDLY_SPAN = re.compile(r"(\d+)\s*([A-Za-z]+)")
_UNITS = {
    "w": "W",
    "week": "W",
    "weeks": "W",
    "d": "D",
    "day": "D",
    "days": "D",
    "h": "H",
    "hour": "H",
    "hours": "H",
    "min": "M",
    "mins": "M",
    "minute": "M",
    "minutes": "M",
    "s": "S",
    "sec": "S",
    "secs": "S",
    "second": "S",
    "seconds": "S",
}


class ExcludeNewerInvalid(ValueError):
    """A value accord cannot read as an exclude-newer limit (the message says why)."""


def parse_timestamp(text: str) -> datetime.datetime | None:
    """An RFC 3339 timestamp (also the lock's ``upload-time``) in UTC; None if it is not one."""
    match = _TIMESTAMP.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()[:7]
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    if match.group(8):
        offset = datetime.timedelta(0)
    else:
        sign = -1 if match.group(9) == "-" else 1
        offset = sign * datetime.timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
    try:
        moment = datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micros,
            datetime.timezone(offset),
        )
    except ValueError:
        return None
    return moment.astimezone(datetime.timezone.utc)


def _render(moment: datetime.datetime) -> str:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += "." + f"{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def _span(text: str) -> str | None:
    """The ISO 8601 span uv records for ``text``, or None when ``text`` is not a span."""
    if text.startswith("P") and _ISO_SPAN.fullmatch(text) and text not in ("P", "PT"):
        return text
    parts = _FRIENDLY_SPAN.findall(text)
    if not parts or _FRIENDLY_SPAN.sub("", text).strip(" ,"):
        return None
    date_part, time_part = "", ""
    for amount, unit in parts:
        letter = _UNITS.get(unit.lower())
        if letter is None:
            return None
        if letter in "WD":
            date_part += f"{int(amount)}{letter}"
        else:
            time_part += f"{int(amount)}{letter}"
    return "P" + date_part + (f"T{time_part}" if time_part else "")


def _span_delta(span: str) -> datetime.timedelta:
    match = _ISO_SPAN.fullmatch(span)
    assert match is not None
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return datetime.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_exclude_newer(value: str, *, relative: bool = True) -> tuple[str | None, str | None]:
    """``(timestamp, span)`` as the lock records them, exactly one of them set."""
    text = value.strip()
    if _DATE.fullmatch(text):
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError as exc:
            raise ExcludeNewerInvalid(f"{value!r} is not a valid date") from exc
        midnight = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(), datetime.timezone.utc
        )
        return _render(midnight), None
    moment = parse_timestamp(text)
    if moment is not None:
        return _render(moment), None
    span = _span(text)
    if span is not None:
        if not relative:
            raise ExcludeNewerInvalid(
                f"{value!r}: a relative limit per package is not supported by accord yet"
            )
        return None, span
    raise ExcludeNewerInvalid(
        f"{value!r} is not a timestamp (`2026-05-26T10:00:00Z`), a date (`2026-05-26`) or a "
        "span (`7 days`, `P7D`)"
    )


@attrs.frozen
class ExcludeNewer:
    """The limits of one resolution, as the lock's ``[options]`` record them."""

    timestamp: str | None = None
    span: str | None = None
    packages: tuple[tuple[NormalizedName, str | bool], ...] = ()
    """(name, timestamp or ``False``), in the order they were declared."""

    @classmethod
    def from_settings(cls, value: object, packages: object) -> ExcludeNewer:
        """From ``[tool.uv] exclude-newer`` and ``exclude-newer-package`` values (None when
        absent); raises ExcludeNewerInvalid."""
        timestamp = span = None
        if value is not None:
            if not isinstance(value, str):
                raise ExcludeNewerInvalid("`exclude-newer` must be a string")
            timestamp, span = parse_exclude_newer(value)
        per_package: list[tuple[NormalizedName, str | bool]] = []
        if packages is not None:
            if not isinstance(packages, Mapping):
                raise ExcludeNewerInvalid("`exclude-newer-package` must be a table")
            for name, limit in packages.items():
                if limit is False:
                    per_package.append((canonicalize_name(str(name)), False))
                elif isinstance(limit, str):
                    stamp, _ = parse_exclude_newer(limit, relative=False)
                    assert stamp is not None
                    per_package.append((canonicalize_name(str(name)), stamp))
                else:
                    raise ExcludeNewerInvalid(
                        f"`exclude-newer-package.{name}` must be a timestamp, a date or false"
                    )
        return cls(timestamp, span, tuple(per_package))

    @property
    def is_set(self) -> bool:
        return self.timestamp is not None or self.span is not None or bool(self.packages)

    def lock_options(self) -> tuple[str | None, str | None]:
        """``(exclude-newer, exclude-newer-span)`` as written in ``[options]``."""
        if self.span is not None:
            return PLACEHOLDER, self.span
        return self.timestamp, None

    def cutoffs(
        self, now: datetime.datetime
    ) -> tuple[datetime.datetime | None, dict[NormalizedName, datetime.datetime | None]]:
        """The global limit (None: none) and the per-package ones (None: no limit)."""
        default = None
        if self.span is not None:
            default = now - _span_delta(self.span)
        elif self.timestamp is not None:
            default = parse_timestamp(self.timestamp)
        per_package = {
            name: None if limit is False else parse_timestamp(str(limit))
            for name, limit in self.packages
        }
        return default, per_package

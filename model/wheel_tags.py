"""Wheel filename tags, parsed as uv parses them, and what they imply (pure).

A wheel's ``python-abi-platform`` tags say where it can be installed. The resolver asks two
questions of them, both answered here the way uv answers them:

* ``matches_requires_python``: can the wheel serve any Python in the project's
  ``requires-python`` range? (uv's ``RequiresPython::matches_wheel_tag``,
  ``uv-distribution-types/src/requires_python.rs``.)
* ``implied_markers``: on which environments can it be installed, as a PEP 508 marker?
  (uv's ``implied_markers``, ``uv-distribution-types/src/prioritized_distribution.rs``.)

Single tags are parsed by ``parse_language_tag``, ``parse_abi_tag`` and
``parse_platform_tag``, ports of ``uv-platform-tags/src/{language,abi,platform}_tag.rs``; they
raise ``InvalidTag`` with uv's message. ``WheelTags.parse`` reads a wheel's tag strings and
*drops* tags it cannot parse, as uv's wheel filename parser does
(``uv-distribution-filename/src/wheel.rs``, ``parse_large_tag_component``). Only the standard
library, attrs and packaging are used; nothing here touches files or the running interpreter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

import attrs
from packaging.version import Version

__all__ = [
    "NEVER_MARKER",
    "AbiTag",
    "InvalidTag",
    "LanguageTag",
    "PlatformTag",
    "WheelTags",
    "implied_markers",
    "lock_platform_markers",
    "matches_requires_python",
    "parse_abi_tag",
    "parse_language_tag",
    "parse_platform_tag",
    "platform_split_marker",
]

NEVER_MARKER = "python_version < '0'"
"""The marker text of "no environment", as uv prints its ``MarkerTree::FALSE``."""

_RUST_UINT = re.compile(r"\+?[0-9]+")
_TAG_ATOM = re.compile(r"[A-Za-z0-9_]+")

# uv-platform-tags `Arch::from_str` (note: no `i386`, no `wasm32`; `armv8l` is `armv7l`).
_ARCHES = {
    "aarch64": "aarch64",
    "armv5tel": "armv5tel",
    "armv6l": "armv6l",
    "armv7l": "armv7l",
    "armv8l": "armv7l",
    "ppc64le": "ppc64le",
    "ppc64": "ppc64",
    "ppc": "ppc",
    "i686": "i686",
    "x86_64": "x86_64",
    "s390x": "s390x",
    "loongarch64": "loongarch64",
    "riscv64": "riscv64",
}
# macOS binary formats and the `platform_machine` values each can run on
# (uv-platform-tags `BinaryFormat::platform_machine`).
_MACOS_MACHINES: dict[str, tuple[str, ...]] = {
    "arm64": ("arm64",),
    "fat": ("x86_64", "ppc"),
    "fat32": ("x86_64", "i386", "ppc", "ppc64"),
    "fat64": ("x86_64", "ppc64"),
    "i386": ("i386",),
    "intel": ("x86_64", "i386"),
    "ppc": ("ppc",),
    "ppc64": ("ppc64",),
    "universal": ("x86_64", "i386", "ppc64", "ppc", "intel"),
    "universal2": ("x86_64", "arm64"),
    "x86_64": ("x86_64",),
}
_ANDROID_ABIS = frozenset({"armeabi_v7a", "arm64_v8a", "x86", "x86_64"})
_IOS_MULTIARCHES = frozenset({"arm64_iphoneos", "arm64_iphonesimulator", "x86_64_iphonesimulator"})
_LINUX_KINDS = frozenset(
    {"manylinux", "manylinux1", "manylinux2010", "manylinux2014", "musllinux", "linux"}
)
# Platforms whose tags keep an opaque "release and architecture" suffix.
_RELEASE_ARCH_KINDS = ("freebsd", "netbsd", "openbsd", "dragonfly", "haiku", "illumos")
_WINDOWS_MACHINES = {"win32": "x86", "win_amd64": "AMD64", "win_arm64": "ARM64"}
_IMPLEMENTATIONS = {"cp": "CPython", "pp": "PyPy", "graalpy": "GraalPy", "pyston": "Pyston"}
_CPYTHON_VARIANTS = "tdmu"  # the order CPython itself prints them in


_Tag = TypeVar("_Tag")


class InvalidTag(ValueError):
    """A tag uv cannot parse; the message is uv's."""


def _uint(text: str, bits: int) -> int | None:
    """Rust's ``u8``/``u16`` ``from_str``: ASCII digits after an optional ``+``, in range."""
    if not _RUST_UINT.fullmatch(text):
        return None
    value = int(text)
    return value if value < 1 << bits else None


@attrs.frozen
class LanguageTag:
    """The first tag part: ``none``, ``py3``, ``py310``, ``cp3``, ``cp39``, ``pp39``,
    ``graalpy310`` or ``pyston38``."""

    implementation: str
    """``none``, ``py`` (any implementation), ``cp``, ``pp``, ``graalpy`` or ``pyston``."""
    major: int | None = None
    minor: int | None = None
    """None for ``py3`` and ``cp3``, which name a major version only."""

    def __str__(self) -> str:
        if self.implementation == "none":
            return "none"
        minor = "" if self.minor is None else str(self.minor)
        return f"{self.implementation}{self.major}{minor}"


@attrs.frozen(kw_only=True)
class AbiTag:
    """The second tag part: ``none``, ``abi3``, ``abi3t``, ``cp39m``, ``cp313t``,
    ``pypy39_pp73``, ``pypy_73``, ``graalpy240_310_native`` or ``pyston_23_x86_64_linux_gnu``."""

    kind: str
    """``none``, ``abi3``, ``abi3t``, ``cpython``, ``pypy``, ``graalpy`` or ``pyston``."""
    python: tuple[int, int] | None = None
    """The Python version; None for the stable ABIs, Pyston and ``pypy_73``."""
    implementation: tuple[int, int] | None = None
    """The implementation's own version (PyPy, GraalPy, Pyston)."""
    variants: str = ""
    """CPython ABI flags, from ``t`` (free-threaded), ``d``, ``m``, ``u``, in that order."""

    @property
    def is_stable_abi(self) -> bool:
        return self.kind in ("abi3", "abi3t")

    def __str__(self) -> str:
        if self.kind in ("none", "abi3", "abi3t"):
            return self.kind
        py = "" if self.python is None else f"{self.python[0]}{self.python[1]}"
        own = self.implementation
        imp = "" if own is None else f"{own[0]}{own[1]}"
        if self.kind == "cpython":
            return f"cp{py}{self.variants}"
        if self.kind == "pypy":
            return f"pypy{py}_pp{imp}" if self.python is not None else f"pypy_{imp}"
        if self.kind == "graalpy":
            return f"graalpy{imp}_{py}_native"
        return f"pyston_{imp}_x86_64_linux_gnu"


@attrs.frozen(kw_only=True)
class PlatformTag:
    """The third tag part, e.g. ``any``, ``manylinux_2_17_x86_64``, ``macosx_11_0_arm64``,
    ``win_amd64``, ``musllinux_1_2_aarch64``, ``freebsd_13_14_x86_64``."""

    kind: str
    """The tag's family: ``any``, ``manylinux``, ``manylinux1``, ``manylinux2010``,
    ``manylinux2014``, ``linux``, ``musllinux``, ``macosx``, ``win32``, ``win_amd64``,
    ``win_arm64``, ``win_ia64``, ``android``, ``freebsd``, ``netbsd``, ``openbsd``,
    ``dragonfly``, ``haiku``, ``illumos``, ``solaris``, ``pyodide``, ``pyemscripten``, ``ios``."""
    version: tuple[int, ...] = ()
    """(major, minor) for manylinux, musllinux, macOS, pyodide, iOS; (api level,) for Android."""
    arch: str = ""
    """The architecture (canonical name), binary format, Android ABI, iOS multiarch, or the
    opaque release-and-architecture suffix of the BSDs, Haiku, illumos and Solaris."""

    @property
    def is_linux(self) -> bool:
        return self.kind in _LINUX_KINDS

    def __str__(self) -> str:
        if not self.version and not self.arch:
            return self.kind
        version = "_".join(map(str, self.version))
        if self.kind in ("pyodide", "pyemscripten"):
            return f"{self.kind}_{version}_wasm32"
        if self.kind == "solaris":
            return f"solaris_{self.arch}_64bit"
        if self.kind in ("manylinux1", "manylinux2010", "manylinux2014", "linux"):
            return f"{self.kind}_{self.arch}"
        if self.kind in _RELEASE_ARCH_KINDS:
            return f"{self.kind}_{self.arch}"
        return f"{self.kind}_{version}_{self.arch}"


def _language_version(digits: str, implementation: str, tag: str) -> tuple[int, int]:
    kind = f"{implementation} language tag: {tag}"
    if not digits:
        raise InvalidTag(f"Missing major version in {kind}")
    if digits[0] not in "0123456789":
        raise InvalidTag(f"Invalid major version in {kind}")
    minor = _uint(digits[1:], 8)
    if minor is None:
        raise InvalidTag(f"Invalid minor version in {kind}")
    return int(digits[0]), minor


def parse_language_tag(tag: str) -> LanguageTag:
    """Parse a language tag; raises ``InvalidTag`` (uv's ``LanguageTag::from_str``)."""
    if tag == "none":
        return LanguageTag("none")
    for prefix, implementation, name in (
        ("py", "py", "Python"),
        ("cp", "cp", "CPython"),
        ("pp", "pp", "PyPy"),
        ("graalpy", "graalpy", "GraalPy"),
    ):
        if not tag.startswith(prefix):
            continue
        rest = tag[len(prefix) :]
        size = len(rest.encode("utf-8"))  # uv matches on the byte length
        if prefix in ("py", "cp") and size == 1:
            # `py3`, and `cp3` as in `cp3-none-any`: a major version alone
            if rest not in "0123456789":
                raise InvalidTag(f"Invalid major version in {name} language tag: {tag}")
            return LanguageTag(implementation, int(rest))
        if prefix == "py" and size > 3:
            if rest.startswith("ston"):
                return LanguageTag("pyston", *_language_version(rest[4:], "Pyston", tag))
            raise InvalidTag(f"Unknown language tag format: {tag}")
        if prefix == "cp" and size > 3:
            raise InvalidTag(f"Unknown language tag format: {tag}")
        return LanguageTag(implementation, *_language_version(rest, name, tag))
    raise InvalidTag(f"Unknown language tag format: {tag}")


def _abi_version(digits: str, implementation: str, tag: str, *, own: bool) -> tuple[int, int]:
    what = "implementation " if own else ""
    kind = f"{implementation} ABI tag: {tag}"
    if not digits:
        raise InvalidTag(f"Missing {what}major version in {kind}")
    if digits[0] not in "0123456789":
        raise InvalidTag(f"Invalid {what}major version in {kind}")
    minor = _uint(digits[1:], 8)
    if minor is None:
        raise InvalidTag(f"Invalid {what}minor version in {kind}")
    return int(digits[0]), minor


def parse_abi_tag(tag: str) -> AbiTag:
    """Parse an ABI tag; raises ``InvalidTag`` (uv's ``AbiTag::from_str``)."""
    if tag in ("none", "abi3", "abi3t"):
        return AbiTag(kind=tag)
    if tag.startswith("cp"):
        rest = tag[2:]
        end = len(rest) - len(rest.lstrip("0123456789"))
        python = _abi_version(rest[:end], "CPython", tag, own=False)
        variants = ""
        for flag in rest[end:]:
            if flag not in _CPYTHON_VARIANTS:
                raise InvalidTag(f"Unknown suffix `{flag}` in CPython ABI tag: {tag}")
            if flag in variants:
                raise InvalidTag(f"Duplicate suffix `{flag}` in CPython ABI tag: {tag}")
            variants += flag
        ordered = "".join(flag for flag in _CPYTHON_VARIANTS if flag in variants)
        return AbiTag(kind="cpython", python=python, variants=ordered)
    if tag.startswith("pypy"):
        rest = tag[4:]
        if rest.startswith("_"):
            own = _abi_version(rest[1:], "PyPy", tag, own=True)
            return AbiTag(kind="pypy", implementation=own)
        invalid = InvalidTag(f"Invalid PyPy ABI tag format: {tag}")
        version, sep, rest = rest.partition("_")
        if not sep:
            raise invalid
        python = _abi_version(version, "PyPy", tag, own=False)
        if not rest.startswith("pp"):
            raise invalid
        return AbiTag(
            kind="pypy", python=python, implementation=_abi_version(rest[2:], "PyPy", tag, own=True)
        )
    if tag.startswith("graalpy"):
        invalid = InvalidTag(f"Invalid GraalPy ABI tag format: {tag}")
        own_version, sep, rest = tag[7:].partition("_")
        if not sep:
            raise invalid
        own = _abi_version(own_version, "GraalPy", tag, own=True)
        version, sep, suffix = rest.partition("_")
        if not sep or suffix != "native":
            raise invalid
        python = _abi_version(version, "GraalPy", tag, own=False)
        return AbiTag(kind="graalpy", python=python, implementation=own)
    if tag.startswith("pyston"):
        invalid = InvalidTag(f"Invalid Pyston ABI tag format: {tag}")
        rest = tag[6:]
        if not rest.startswith("_") or not rest.endswith("_x86_64_linux_gnu"):
            raise invalid
        own = _abi_version(rest[1 : -len("_x86_64_linux_gnu")], "Pyston", tag, own=True)
        return AbiTag(kind="pyston", implementation=own)
    raise InvalidTag(f"Unknown ABI tag format: {tag}")


def _versioned(tag: str, kind: str, rest: str, parts: int) -> tuple[tuple[int, ...], str]:
    """``major_minor_suffix`` (``parts`` == 2) or ``level_suffix`` (1), as uv splits them."""
    pieces = rest.split("_", parts)
    if len(pieces) <= parts:
        raise InvalidTag(f"Invalid format for {kind} platform tag: {tag}")
    numbers = []
    for index, piece in enumerate(pieces[:parts]):
        value = _uint(piece, 16)
        if value is None:
            which = "API level" if parts == 1 else ("major version", "minor version")[index]
            raise InvalidTag(f"Invalid {which} in {kind} platform tag: {tag}")
        numbers.append(value)
    if not pieces[parts]:
        raise InvalidTag(f"Invalid format for {kind} platform tag: {tag}")
    return tuple(numbers), pieces[parts]


def parse_platform_tag(tag: str) -> PlatformTag:
    """Parse a platform tag; raises ``InvalidTag`` (uv's ``PlatformTag::from_str``)."""
    if tag in ("any", "win32", "win_amd64", "win_arm64", "win_ia64"):
        return PlatformTag(kind=tag)
    bad_arch = f"platform tag: {tag}"
    for kind in ("manylinux", "musllinux", "macosx", "ios"):
        if tag.startswith(f"{kind}_"):
            version, arch = _versioned(tag, kind, tag[len(kind) + 1 :], 2)
            known = (
                _MACOS_MACHINES
                if kind == "macosx"
                else _IOS_MULTIARCHES
                if kind == "ios"
                else _ARCHES
            )
            if arch not in known:
                raise InvalidTag(f"Invalid architecture in {kind} {bad_arch}")
            return PlatformTag(kind=kind, version=version, arch=_ARCHES.get(arch, arch))
    for kind in ("manylinux1", "manylinux2010", "manylinux2014", "linux"):
        if tag.startswith(f"{kind}_"):
            arch = tag[len(kind) + 1 :]
            if arch not in _ARCHES:
                raise InvalidTag(f"Invalid architecture in {kind} {bad_arch}")
            return PlatformTag(kind=kind, arch=_ARCHES[arch])
    if tag.startswith("android_"):
        version, abi = _versioned(tag, "android", tag[8:], 1)
        if abi not in _ANDROID_ABIS:
            raise InvalidTag(f"Invalid architecture in android {bad_arch}")
        return PlatformTag(kind="android", version=version, arch=abi)
    for kind in (*_RELEASE_ARCH_KINDS, "solaris"):
        if tag.startswith(f"{kind}_"):
            rest = tag[len(kind) + 1 :]
            if not rest:
                raise InvalidTag(f"Invalid format for {kind} {bad_arch}")
            if kind == "solaris":
                if not rest.endswith("_64bit") or rest == "_64bit":
                    raise InvalidTag(f"Invalid architecture in solaris {bad_arch}")
                rest = rest[: -len("_64bit")]
            if not _TAG_ATOM.fullmatch(rest) or not rest.isascii():
                raise InvalidTag(
                    "Platform tag must contain only ASCII letters, digits, and underscores: " + tag
                )
            return PlatformTag(kind=kind, arch=rest)
    for kind in ("pyodide", "pyemscripten"):
        if tag.startswith(f"{kind}_"):
            rest = tag[len(kind) + 1 :]
            if not rest.endswith("_wasm32"):
                raise InvalidTag(f"Invalid architecture in {kind} {bad_arch}")
            major, sep, minor = rest[: -len("_wasm32")].partition("_")
            if not sep:
                raise InvalidTag(f"Invalid format for {kind} {bad_arch}")
            numbers = (_uint(major, 16), _uint(minor, 16))
            if numbers[0] is None:
                raise InvalidTag(f"Invalid major version in {kind} {bad_arch}")
            if numbers[1] is None:
                raise InvalidTag(f"Invalid minor version in {kind} {bad_arch}")
            return PlatformTag(kind=kind, version=(numbers[0], numbers[1]))
    raise InvalidTag(f"Unknown platform tag format: {tag}")


def _parsed(component: str, parse: Callable[[str], _Tag]) -> Iterator[_Tag]:
    """The tags of one ``.``-separated component that parse; the others are dropped."""
    for atom in component.split("."):
        try:
            yield parse(atom)
        except InvalidTag:
            continue


def _language_key(tag: LanguageTag) -> tuple[int, int, int]:
    order = ("none", "py", "cp", "pp", "graalpy", "pyston")
    minor = -1 if tag.minor is None else tag.minor
    return (order.index(tag.implementation), tag.major or 0, minor)


@attrs.frozen
class WheelTags:
    """The distinct language, ABI and platform tags of one wheel, each in a fixed order
    (so that anything derived from them does not depend on the order they arrived in)."""

    python: tuple[LanguageTag, ...]
    abi: tuple[AbiTag, ...]
    platform: tuple[PlatformTag, ...]

    @classmethod
    def parse(cls, tags: Iterable[str]) -> WheelTags:
        """From ``python-abi-platform`` strings: single tags (``py3-none-any``, as
        ``packaging.utils.parse_wheel_filename`` expands them) or compressed tag sets
        (``py2.py3-none-any``). Tags uv cannot parse are dropped, as are strings that are not
        three ``-``-separated parts."""
        python: set[LanguageTag] = set()
        abi: set[AbiTag] = set()
        platform: set[PlatformTag] = set()
        for text in tags:
            parts = text.split("-")
            if len(parts) != 3:
                continue
            python.update(_parsed(parts[0], parse_language_tag))
            abi.update(_parsed(parts[1], parse_abi_tag))
            platform.update(_parsed(parts[2], parse_platform_tag))
        return cls(
            python=tuple(sorted(python, key=_language_key)),
            abi=tuple(sorted(abi, key=str)),
            platform=tuple(sorted(platform, key=str)),
        )


def _major_minor(version: Version) -> Version:
    release = version.release[:2]
    return Version(".".join(map(str, release)))


def matches_requires_python(
    tags: Sequence[str],
    lower: tuple[Version, bool] | None,
    upper: tuple[Version, bool] | None,
) -> bool:
    """False when the wheel's tags say it cannot serve any Python in ``requires-python``.

    ``tags`` are one wheel's tags (see ``WheelTags.parse``); ``lower`` and ``upper`` bound the
    project's ``requires-python`` range as (version, inclusive), None for unbounded (e.g.
    ``==3.10.*`` is ``(3.10, True)``, ``(3.11, False)``). Only major.minor counts: a lower
    bound becomes ``>=X.Y``; an upper bound ``<X.Y.Z`` with Z > 0 becomes ``<=X.Y``.

    A wheel fits when some ABI tag is ``abi3``/``abi3t``; or is ``none`` with a language tag
    that fits (``pyXY`` when X.Y is not above the upper bound, since it is a minimum;
    ``cpXY``/``ppXY``/``graalpyXY``/``pystonXY`` when X.Y is within both bounds; Python 2
    tags never; other tags such as ``py3`` always); or is a CPython, PyPy or GraalPy ABI for a
    Python 3 minor within both bounds (Python 2 never; other ABIs always). A wheel with no
    parsable ABI tag never fits. uv's ``RequiresPython::matches_wheel_tag``.
    """
    wheel = WheelTags.parse(tags)
    floor = None if lower is None else _major_minor(lower[0])
    ceiling: tuple[Version, bool] | None = None
    if upper is not None:
        version, inclusive = upper
        patch = version.release[2] if len(version.release) > 2 else 0
        # `<3.10.1` admits 3.10.0, so it is `<=3.10`; `<3.10.0` is `<3.10`.
        ceiling = (_major_minor(version), inclusive or patch > 0)

    def above_floor(minor: int) -> bool:
        return floor is None or Version(f"3.{minor}") >= floor

    def below_ceiling(minor: int) -> bool:
        if ceiling is None:
            return True
        bound, inclusive = ceiling
        wheel_version = Version(f"3.{minor}")
        return wheel_version <= bound if inclusive else wheel_version < bound

    def language_fits(tag: LanguageTag) -> bool:
        if tag.major == 2 and not (tag.implementation == "cp" and tag.minor is None):
            return False  # Python 2 never (uv's list leaves out `cp2`, a major version alone)
        if tag.major != 3 or tag.minor is None:
            return True  # unknown to the rule (`py3`, `cp3`, `py4`): allowed
        if tag.implementation == "py":
            return below_ceiling(tag.minor)  # `py37` is a minimum, not an exact version
        return above_floor(tag.minor) and below_ceiling(tag.minor)

    for abi in wheel.abi:
        if abi.is_stable_abi:
            return True
        if abi.kind == "none":
            if any(language_fits(tag) for tag in wheel.python):
                return True
            continue
        if abi.kind in ("cpython", "pypy", "graalpy"):
            if abi.python is None or abi.python[0] == 2:
                continue  # Python 2 (and `pypy_73`, which names no Python) never
            if abi.python[0] == 3:
                if above_floor(abi.python[1]) and below_ceiling(abi.python[1]):
                    return True
                continue
        return True  # an ABI the rule does not know (Pyston, a future major): allowed
    return False


def _platform_marker(wheel: WheelTags) -> tuple[str, bool] | None:
    """``sys_platform``/``platform_machine`` of the platform tags, and whether the text is a
    disjunction; None for everywhere, ``NEVER_MARKER`` when no tag names a platform uv maps
    (BSDs, Android, iOS, ``win_ia64``)."""
    machines: dict[str, set[str]] = {}
    for tag in wheel.platform:
        if tag.kind == "any":
            return None
        if tag.kind in _WINDOWS_MACHINES:
            machines.setdefault("win32", set()).add(_WINDOWS_MACHINES[tag.kind])
        elif tag.kind == "macosx":
            machines.setdefault("darwin", set()).update(_MACOS_MACHINES[tag.arch])
        elif tag.is_linux:
            machines.setdefault("linux", set()).add(tag.arch)
    if not machines:
        return NEVER_MARKER, False
    clauses = []
    for platform, names in sorted(machines.items()):
        either = " or ".join(f"platform_machine == '{name}'" for name in sorted(names))
        machine = f"({either})" if len(names) > 1 else either
        clauses.append(f"sys_platform == '{platform}' and {machine}")
    if len(clauses) == 1:
        return clauses[0], False
    return " or ".join(f"({clause})" for clause in clauses), True


def platform_split_marker(wheels: Iterable[Sequence[str]]) -> str | None:
    """Where a version's wheels can be installed, by ``sys_platform`` alone: the marker uv
    0.13 splits a fork on when a version misses a required environment (``required-
    environments``); None when a wheel is for any platform. Platforms uv does not map are
    left out (``NEVER_MARKER`` when none is mapped)."""
    platforms: set[str] = set()
    for tags in wheels:
        for tag in WheelTags.parse(tags).platform:
            if tag.kind == "any":
                return None
            if tag.kind in _WINDOWS_MACHINES:
                platforms.add("win32")
            elif tag.kind == "macosx":
                platforms.add("darwin")
            elif tag.is_linux:
                platforms.add("linux")
    if not platforms:
        return NEVER_MARKER
    return " or ".join(f"sys_platform == '{name}'" for name in sorted(platforms))


def _python_marker(wheel: WheelTags) -> tuple[str, bool] | None:
    """The Python versions and implementations of the language tags, and whether the text is
    a disjunction; None for any."""
    # With a stable ABI (`cp39-abi3`) the language tag is a minimum, else an exact minor.
    is_abi3 = any(tag.is_stable_abi for tag in wheel.abi)
    groups: dict[str | None, list[tuple[Version, str]]] = {}
    for tag in wheel.python:
        if tag.implementation == "none":
            return None
        version = str(tag.major) if tag.minor is None else f"{tag.major}.{tag.minor}"
        clause = f">= '{version}'" if is_abi3 else f"== '{version}.*'"
        implementation = _IMPLEMENTATIONS.get(tag.implementation)
        groups.setdefault(implementation, []).append((Version(version), clause))
    if not groups:
        return NEVER_MARKER, False
    # Each alternative is a single clause, an `or` of version clauses (no implementation) or
    # an `and` with the implementation.
    alternatives: list[tuple[str, str]] = []
    for implementation, clauses in groups.items():
        if is_abi3:
            kept = [min(clauses)[1]]  # `>= '3.8' or >= '3.9'` is `>= '3.8'`
        else:
            majors = {version for version, _ in clauses if len(version.release) == 1}
            kept = [
                clause
                for version, clause in clauses
                if len(version.release) == 1 or Version(str(version.major)) not in majors
            ]
        either = " or ".join(f"python_full_version {clause}" for clause in kept)
        if implementation is None:
            alternatives.append((either, "or" if len(kept) > 1 else "atom"))
            continue
        versions = f"({either})" if len(kept) > 1 else either
        alternatives.append(
            (f"{versions} and platform_python_implementation == '{implementation}'", "and")
        )
    if len(alternatives) == 1:
        text, shape = alternatives[0]
        return text, shape == "or"
    # `and` binds tighter than `or`; the parentheses are for the reader.
    joined = " or ".join(f"({text})" if shape == "and" else text for text, shape in alternatives)
    return joined, True


def implied_markers(tags: Sequence[str]) -> str | None:
    """The marker of the environments a wheel with these tags can be installed on; None when
    that is every environment. uv's ``implied_markers``:

    * platform tags: ``any`` is everywhere; ``win32``/``win_amd64``/``win_arm64`` are
      ``sys_platform == 'win32'`` with ``platform_machine`` ``x86``/``AMD64``/``ARM64``;
      ``macosx_*_<format>`` is ``darwin`` with each machine the binary format runs on;
      manylinux, musllinux and ``linux_*`` are ``linux`` with the tag's architecture; other
      platforms (BSDs, Android, iOS, Pyodide, ``win_ia64``) contribute nothing;
    * language tags: ``none`` is any Python; ``py3``/``cp3`` is ``python_full_version ==
      '3.*'``, ``py310``/``cp310`` is ``== '3.10.*'`` (``>=`` instead, when an ABI tag is
      ``abi3``/``abi3t``); ``cp``/``pp``/``graalpy``/``pyston`` add
      ``platform_python_implementation``.

    The two parts are joined by ``and``; a part with no tag uv maps is ``NEVER_MARKER``. The
    text is deterministic for a given set of tags, whatever their order.
    """
    wheel = WheelTags.parse(tags)
    parts = [part for part in (_python_marker(wheel), _platform_marker(wheel)) if part]
    if any(text == NEVER_MARKER for text, _ in parts):
        return NEVER_MARKER
    if len(parts) == 1:
        return parts[0][0]
    return " and ".join(f"({text})" if disjunction else text for text, disjunction in parts) or None


# uv's lock keeps a wheel unless its platforms are disjoint with where its package is
# reachable, checked against fixed platform markers (``uv-resolver``'s
# ``is_wheel_unreachable_for_marker``), not against the wheel's own implied markers.
_LINUX = "os_name == 'posix' and sys_platform == 'linux'"
_WINDOWS = "os_name == 'nt' and sys_platform == 'win32'"
_MAC = "os_name == 'posix' and sys_platform == 'darwin'"
_ANDROID = "sys_platform == 'android'"
_ARCH_MARKERS = {
    "arm": "platform_machine == 'aarch64' or platform_machine == 'arm64'"
    " or platform_machine == 'ARM64'",
    "x86_64": "platform_machine == 'x86_64' or platform_machine == 'amd64'"
    " or platform_machine == 'AMD64'",
    "x86": "platform_machine == 'i686' or platform_machine == 'i386'"
    " or platform_machine == 'win32' or platform_machine == 'x86'",
    "ppc64le": "platform_machine == 'ppc64le'",
    "ppc64": "platform_machine == 'ppc64'",
    "s390x": "platform_machine == 's390x'",
    "riscv64": "platform_machine == 'riscv64'",
    "loongarch64": "platform_machine == 'loongarch64'",
    "armv7l": "platform_machine == 'armv7l' or platform_machine == 'armv8l'",
    "armv6l": "platform_machine == 'armv6l'",
}
_MANYLINUX_ALL = frozenset({"manylinux", "manylinux1", "manylinux2010", "manylinux2014"})


def _is_arch(tag: PlatformTag, arch: str) -> bool:
    """uv's ``PlatformTag::is_arm``, ``is_x86_64``, ... (which families count for which)."""
    kind = tag.kind
    linuxes = {
        "arm": _LINUX_KINDS,
        "x86_64": _LINUX_KINDS,
        "x86": _LINUX_KINDS,
        "ppc64le": {"manylinux", "manylinux2014", "linux", "musllinux"},
        "ppc64": {"manylinux", "manylinux2014", "linux", "musllinux"},
        "s390x": {"manylinux", "manylinux2014", "linux", "musllinux"},
        "riscv64": {"manylinux", "linux", "musllinux"},
        "loongarch64": {"manylinux", "linux", "musllinux"},
        "armv7l": {"manylinux", "manylinux2014", "linux", "musllinux"},
        "armv6l": {"manylinux", "linux", "musllinux"},
    }[arch]
    linux_arch = {"arm": "aarch64", "x86": "i686"}.get(arch, arch)
    if kind in linuxes and tag.arch == linux_arch:
        return True
    if arch == "arm":
        return (
            (kind == "macosx" and tag.arch == "arm64")
            or (kind == "ios" and tag.arch in ("arm64_iphoneos", "arm64_iphonesimulator"))
            or kind == "win_arm64"
            or (kind == "android" and tag.arch == "arm64_v8a")
        )
    if arch == "x86_64":
        return (
            (kind == "macosx" and tag.arch == "x86_64")
            or (kind == "ios" and tag.arch == "x86_64_iphonesimulator")
            or kind == "win_amd64"
        )
    if arch == "x86":
        return (kind == "macosx" and tag.arch == "i386") or kind == "win32"
    return False


def lock_platform_markers(tags: Sequence[str]) -> tuple[str, ...]:
    """The markers a wheel's platforms must each intersect for uv's lock to keep it (empty:
    kept anywhere); the lock drops the wheel when its package's reachability is disjoint with
    any of them."""
    platforms = WheelTags.parse(tags).platform
    if all(tag.kind == "any" for tag in platforms):
        return ()
    checks: list[str] = []
    families = (
        (
            lambda t: t.is_linux,
            _LINUX,
            (
                "arm",
                "x86_64",
                "x86",
                "ppc64le",
                "ppc64",
                "s390x",
                "riscv64",
                "loongarch64",
                "armv7l",
                "armv6l",
            ),
        ),
        (
            lambda t: t.kind in ("win32", "win_amd64", "win_arm64", "win_ia64"),
            _WINDOWS,
            ("arm", "x86_64", "x86"),
        ),
        (lambda t: t.kind == "macosx", _MAC, ("arm", "x86_64", "x86")),
        (lambda t: t.kind == "android", _ANDROID, ("arm", "x86_64", "x86")),
    )
    for member, os_marker, arches in families:
        if not all(member(tag) for tag in platforms):
            continue
        for arch in arches:
            if all(_is_arch(tag, arch) for tag in platforms):
                checks.append(f"{os_marker} and ({_ARCH_MARKERS[arch]})")
                break
        else:
            checks.append(os_marker)
    for arch, marker in _ARCH_MARKERS.items():
        if all(_is_arch(tag, arch) for tag in platforms):
            checks.append(marker)
    return tuple(checks)

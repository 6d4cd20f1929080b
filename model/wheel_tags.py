"""Wheel filename tags, parsed as uv parses them (pure).

``parse_language_tag``, ``parse_abi_tag`` and ``parse_platform_tag`` port
``uv-platform-tags/src/{language,abi,platform}_tag.rs`` and raise ``InvalidTag`` with uv's
message; ``WheelTags.parse`` reads a wheel's tag strings and *drops* the tags it cannot parse,
as uv's wheel filename parser does (``uv-distribution-filename/src/wheel.rs``). What the tags
imply is in ``model.wheel_markers`` (markers) and ``model.python_range`` (``requires-python``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import attrs

__all__ = [
    "LINUX_KINDS",
    "MACOS_MACHINES",
    "AbiTag",
    "InvalidTag",
    "LanguageTag",
    "PlatformTag",
    "WheelTags",
    "parse_abi_tag",
    "parse_language_tag",
    "parse_platform_tag",
]

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
MACOS_MACHINES: dict[str, tuple[str, ...]] = {
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
LINUX_KINDS = frozenset(
    {"manylinux", "manylinux1", "manylinux2010", "manylinux2014", "musllinux", "linux"}
)
# Platforms whose tags keep an opaque "release and architecture" suffix.
_RELEASE_ARCH_KINDS = ("freebsd", "netbsd", "openbsd", "dragonfly", "haiku", "illumos")
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
        return self.kind in LINUX_KINDS

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
                MACOS_MACHINES
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

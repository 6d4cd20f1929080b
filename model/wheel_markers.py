"""The markers a wheel's tags imply, as uv derives them (pure).

* ``implied_markers``: on which environments can a wheel be installed, as a PEP 508 marker?
  (uv's ``implied_markers``, ``uv-distribution-types/src/prioritized_distribution.rs``.)
* ``platform_split_marker``: where a version's wheels can be installed, by ``sys_platform``
  alone, for a fork split on ``required-environments``.
* ``lock_platform_markers``: the platform markers uv's lock checks a wheel against before it
  keeps it (``uv-resolver``'s ``is_wheel_unreachable_for_marker``).

The tags are parsed by ``model.wheel_tags``. Only the standard library, attrs and packaging are
used; nothing here touches files or the running interpreter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from packaging.version import Version

from accord.model.wheel_tags import LINUX_KINDS, MACOS_MACHINES, PlatformTag, WheelTags

__all__ = [
    "NEVER_MARKER",
    "implied_markers",
    "lock_platform_markers",
    "platform_split_marker",
]

NEVER_MARKER = "python_version < '0'"
"""The marker text of "no environment", as uv prints its ``MarkerTree::FALSE``."""

_WINDOWS_MACHINES = {"win32": "x86", "win_amd64": "AMD64", "win_arm64": "ARM64"}
_IMPLEMENTATIONS = {"cp": "CPython", "pp": "PyPy", "graalpy": "GraalPy", "pyston": "Pyston"}


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
            machines.setdefault("darwin", set()).update(MACOS_MACHINES[tag.arch])
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


def _is_arch(tag: PlatformTag, arch: str) -> bool:
    """uv's ``PlatformTag::is_arm``, ``is_x86_64``, ... (which families count for which)."""
    kind = tag.kind
    linuxes = {
        "arm": LINUX_KINDS,
        "x86_64": LINUX_KINDS,
        "x86": LINUX_KINDS,
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

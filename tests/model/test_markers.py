"""`model.markers`: uv's spelling of a marker means what the marker means.

Checked against packaging's own `Marker.evaluate` with *complete* environments (never the
running interpreter's), for markers built from the variables locks use.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker

from accord.model.markers import canonical_marker, render_marker, version_key

PROPERTY = settings(database=None, max_examples=300, deadline=None)

PLATFORMS = [
    ("linux", "Linux", "posix", "x86_64"),
    ("linux", "Linux", "posix", "aarch64"),
    ("darwin", "Darwin", "posix", "arm64"),
    ("win32", "Windows", "nt", "AMD64"),
]
PYTHONS = ["3.8.10", "3.9.0", "3.10.4", "3.11.7", "3.12.0", "3.12.3", "3.13.1", "3.14.0"]


def _environment(platform: tuple[str, str, str, str], full: str) -> dict[str, str]:
    sys_platform, system, os_name, machine = platform
    major, minor, _ = full.split(".")
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": os_name,
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "6.1.0",
        "platform_system": system,
        "platform_version": "#1 SMP",
        "python_full_version": full,
        "python_version": f"{major}.{minor}",
        "sys_platform": sys_platform,
        "extra": "",
    }


ENVIRONMENTS = [_environment(p, v) for p in PLATFORMS for v in PYTHONS]

_versions = st.sampled_from(["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"])
_full_versions = st.sampled_from(["3.9.1", "3.10.0", "3.11.7", "3.12.2", "3.13.0"])
_operators = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
_atoms = st.one_of(
    st.builds(lambda op, v: f"python_version {op} '{v}'", _operators, _versions),
    st.builds(lambda op, v: f"python_full_version {op} '{v}'", _operators, _full_versions),
    st.builds(
        lambda op, v: f"sys_platform {op} '{v}'",
        st.sampled_from(["==", "!="]),
        st.sampled_from(["linux", "darwin", "win32"]),
    ),
    st.builds(
        lambda op, v: f"platform_system {op} '{v}'",
        st.sampled_from(["==", "!="]),
        st.sampled_from(["Linux", "Darwin", "Windows"]),
    ),
    st.builds(
        lambda op, v: f"platform_machine {op} '{v}'",
        st.sampled_from(["==", "!="]),
        st.sampled_from(["x86_64", "aarch64", "arm64", "AMD64"]),
    ),
    st.builds(
        lambda op, v: f"os_name {op} '{v}'",
        st.sampled_from(["==", "!="]),
        st.sampled_from(["nt", "posix"]),
    ),
)
markers = st.recursive(
    _atoms,
    lambda inner: st.builds(
        lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from(["and", "or"]), inner
    ),
    max_leaves=6,
)


def _truth(marker: Marker) -> list[bool]:
    return [marker.evaluate(environment) for environment in ENVIRONMENTS]


@PROPERTY
@given(markers)
def test_markers_render_means_what_the_marker_means(text: str) -> None:
    """The rendered marker holds in exactly the environments where the original holds."""
    marker = Marker(text)
    rendered = render_marker(marker)
    if rendered == "":
        assert all(_truth(marker)), text
    else:
        assert _truth(Marker(rendered)) == _truth(marker), (text, rendered)


@PROPERTY
@given(markers)
def test_markers_render_is_a_fixed_point(text: str) -> None:
    """Rendering uv's spelling again gives it back (the lock is written once, read often)."""
    rendered = render_marker(Marker(text))
    # (A marker that never holds renders as uv's `python_version < '0'`, read back as false.)
    # Nor markers over the platform variables uv treats as exclusive (os_name, sys_platform,
    # platform_system): uv 0.13.8 itself keeps an impossible clause such as `os_name == 'nt'
    # and sys_platform == 'linux'` the first time and drops it when the text is read again
    # (checked with uv: see the test below), and accord writes what uv writes.
    exclusive = sum(name in text for name in ("os_name", "sys_platform", "platform_system"))
    if rendered and exclusive < 2:
        assert render_marker(Marker(rendered)) == rendered


def test_markers_render_keeps_uvs_impossible_platform_clause() -> None:
    """What uv 0.13.8 writes in `requires-dist` for this marker (checked side by side)."""
    text = "(sys_platform == 'linux') and ((python_version < '3.9') or (os_name == 'nt'))"
    assert render_marker(Marker(text)) == (
        "(python_full_version < '3.9' and sys_platform == 'linux') or "
        "(os_name == 'nt' and sys_platform == 'linux')"
    )


@PROPERTY
@given(markers, markers)
def test_markers_canonical_forms_agree_with_meaning(left: str, right: str) -> None:
    """Equal canonical forms are never given to markers that differ somewhere."""
    if canonical_marker(Marker(left)) == canonical_marker(Marker(right)):
        assert _truth(Marker(left)) == _truth(Marker(right)), (left, right)


def test_markers_spellings_of_one_condition_are_equal() -> None:
    assert canonical_marker(Marker('python_version >= "3.10"')) == canonical_marker(
        Marker("'3.10' <= python_version")
    )
    assert canonical_marker(Marker("sys_platform == 'linux' and os_name == 'posix'")) == (
        canonical_marker(Marker("os_name == 'posix' and sys_platform == 'linux'"))
    )
    assert canonical_marker(None) is None


def test_markers_version_key_orders_versions_before_other_text() -> None:
    values = ["3.10", "3.9", "3.*", "weird", "3.10.*"]
    assert sorted(values, key=version_key) == ["3.*", "3.9", "3.10", "3.10.*", "weird"]

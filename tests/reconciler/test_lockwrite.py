"""``format_lock`` / ``write_lock``: uv.lock text byte for byte as uv 0.13.8 writes it.

The round trips use every lock the real uv writes for the sample projects (``fixtures/projects``)
and the three complete examples of ``shared/docs/uv/uv-lock-format.md`` (``data/*.lock``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from accord.model.lock import Lock, LockRequirement
from accord.model.markers import render_marker
from accord.reconciler.lock.read import parse_lock
from accord.reconciler.lock.toml_text import render_requires_python, render_specifier, toml_string
from accord.reconciler.lock.write import format_lock, write_lock
from fixtures import MakeProject
from fixtures.index import IndexServer
from fixtures.uvlock import uv_environment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DATA = Path(__file__).parent / "data"
LOCK = Path("uv.lock")
PROJECTS = ["simple", "minimal", "native", "markers", "groups", "forked", "workspace", "settings"]


def round_trip(text: str) -> str:
    return format_lock(parse_lock(text, LOCK))


def run_uv(
    project: Path, index: IndexServer, uv: Path, cache: Path, python: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(uv), "lock", *args],
        cwd=project,
        env=uv_environment(index.url, cache_dir=cache, python=python),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


# Round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.lock")))
def test_format_lock_round_trips_doc_examples(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    assert round_trip(text) == text


@pytest.mark.parametrize("name", PROJECTS)
def test_format_lock_round_trips_uv_lock_of_sample_project(
    make_project: MakeProject, name: str
) -> None:
    text = (make_project(name) / "uv.lock").read_text(encoding="utf-8")
    # uv writes `sys_platform == 'linux' and (python_version < '3.11' or os_name == 'nt')` in
    # its long form, which uv itself then reads as the short one (its exclusion of
    # `os_name == 'nt' and sys_platform == 'linux'` applies when parsing the `or`): uv 0.13.8's
    # `uv lock --check` refuses its own lock of this project. accord reads it as uv does.
    expected = text.replace(DEP_B_LONG, DEP_B_SHORT)
    assert round_trip(text) == expected


def test_format_lock_round_trips_options(
    make_project: MakeProject,
    index: IndexServer,
    uv_bin: Path,
    uv_cache: Path,
    base_python: Path,
) -> None:
    project = make_project("settings", lock=False)
    result = run_uv(
        project,
        index,
        uv_bin,
        uv_cache,
        base_python,
        *("--resolution", "lowest-direct", "--prerelease", "allow", "--fork-strategy", "fewest"),
        *("--exclude-newer", "2025-01-01T00:00:00Z"),
        *("--exclude-newer-package", "pkg=2025-02-01T00:00:00Z"),
        *("--prerelease-package", "dep-a=allow"),
    )
    assert result.returncode == 0, result.stderr
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert "[options.prerelease-package]" in text
    assert round_trip(text) == text


def test_format_lock_round_trips_relative_exclude_newer(
    make_project: MakeProject,
    index: IndexServer,
    uv_bin: Path,
    uv_cache: Path,
    base_python: Path,
) -> None:
    project = make_project("minimal", lock=False)
    args = ("--exclude-newer", "30 days", "--exclude-newer-package", "pkg=false")
    result = run_uv(project, index, uv_bin, uv_cache, base_python, *args)
    assert result.returncode == 0, result.stderr
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert 'exclude-newer-span = "P30D"' in text
    assert round_trip(text) == text


def scrambled(lock: Lock) -> Lock:
    """The same lock with every order the writer owns reversed."""
    packages = tuple(
        attrs.evolve(
            package,
            dependencies=package.dependencies[::-1],
            optional_dependencies=package.optional_dependencies[::-1],
            dev_dependencies=package.dev_dependencies[::-1],
            requires_dist=None if package.requires_dist is None else package.requires_dist[::-1],
            requires_dev=tuple((g, reqs[::-1]) for g, reqs in package.requires_dev[::-1]),
        )
        for package in lock.packages[::-1]
    )
    return attrs.evolve(lock, packages=packages, members=lock.members[::-1])


@pytest.mark.parametrize("name", ["simple", "markers", "forked", "workspace"])
def test_format_lock_sorts_like_uv(make_project: MakeProject, name: str) -> None:
    text = (make_project(name) / "uv.lock").read_text(encoding="utf-8")
    assert format_lock(scrambled(parse_lock(text, LOCK))) == text


@pytest.mark.parametrize("name", ["simple", "forked", "workspace", "settings"])
def test_uv_lock_check_accepts_lock_written_by_accord(
    make_project: MakeProject,
    index: IndexServer,
    uv_bin: Path,
    uv_cache: Path,
    base_python: Path,
    name: str,
) -> None:
    project = make_project(name)
    path = project / "uv.lock"
    original = path.read_text(encoding="utf-8")
    path.unlink()
    assert write_lock(scrambled(parse_lock(original, path)), path) is True

    result = run_uv(project, index, uv_bin, uv_cache, base_python, "--check")
    assert result.returncode == 0, result.stderr
    result = run_uv(project, index, uv_bin, uv_cache, base_python)
    assert result.returncode == 0, result.stderr
    assert path.read_text(encoding="utf-8") == original  # uv had nothing to change


# write_lock -------------------------------------------------------------------------------


def test_write_lock_writes_only_when_text_differs(tmp_path: Path) -> None:
    text = (DATA / "workspace.lock").read_text(encoding="utf-8")
    lock = parse_lock(text, LOCK)
    path = tmp_path / "uv.lock"
    assert write_lock(lock, path) is True
    assert path.read_text(encoding="utf-8") == text
    stat = path.stat()
    assert write_lock(lock, path) is False
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert path.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uv.lock"]  # no temp file left


def test_write_lock_replaces_changed_file_keeping_its_mode(tmp_path: Path) -> None:
    lock = parse_lock((DATA / "editable-project.lock").read_text(encoding="utf-8"), LOCK)
    path = tmp_path / "uv.lock"
    path.write_text("version = 1\n", encoding="utf-8")
    path.chmod(0o664)
    assert write_lock(lock, path) is True
    assert path.read_text(encoding="utf-8") == format_lock(lock)
    assert path.stat().st_mode & 0o777 == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uv.lock"]


# Markers, specifiers, strings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        pytest.param('sys_platform == "win32"', "sys_platform == 'win32'", id="quotes"),
        pytest.param('extra == "Cli"', "extra == 'cli'", id="extra"),
        pytest.param('python_version < "3.11"', "python_full_version < '3.11'", id="lt"),
        pytest.param('python_version >= "3.9"', "python_full_version >= '3.9'", id="ge"),
        pytest.param('python_version <= "3.11"', "python_full_version < '3.12'", id="le"),
        pytest.param('python_version > "3.10"', "python_full_version >= '3.11'", id="gt"),
        pytest.param('python_version == "3.10"', "python_full_version == '3.10.*'", id="eq"),
        pytest.param('python_version != "3.13"', "python_full_version != '3.13.*'", id="ne"),
        pytest.param('"3.11" > python_version', "python_full_version < '3.11'", id="reversed"),
        pytest.param(
            'python_version >= "3.10" and python_version < "3.11"',
            "python_full_version == '3.10.*'",
            id="minor-range",
        ),
        pytest.param(
            'sys_platform == "linux" and python_version < "3.12" or os_name == "nt"',
            "(python_full_version < '3.12' and sys_platform == 'linux') or os_name == 'nt'",
            id="parenthesised-conjunction",
        ),
        pytest.param(
            "sys_platform == 'linux' and (python_version < '3.11' or os_name == 'nt')",
            "(python_full_version < '3.11' and sys_platform == 'linux')"
            " or (os_name == 'nt' and sys_platform == 'linux')",
            id="dnf",
        ),
        pytest.param(
            "os_name == 'nt' or python_version < '3.12'",
            "python_full_version < '3.12' or os_name == 'nt'",
            id="python-first",
        ),
        pytest.param(
            "extra == 'cli' and sys_platform == 'linux' and implementation_name == 'cpython'",
            "implementation_name == 'cpython' and sys_platform == 'linux' and extra == 'cli'",
            id="variable-order",
        ),
        pytest.param(
            "python_full_version < '3.13' and python_full_version >= '3.10.1'",
            "python_full_version >= '3.10.1' and python_full_version < '3.13'",
            id="lower-bound-first",
        ),
        pytest.param("'linux' in sys_platform", "'linux' in sys_platform", id="in"),
    ],
)
def test_render_marker(marker: str, expected: str) -> None:
    assert render_marker(Marker(marker)) == expected
    if expected != DEP_B_LONG:
        assert render_marker(Marker(expected)) == expected  # uv's own spelling is a fixed point


DEP_B_LONG = (
    "(python_full_version < '3.11' and sys_platform == 'linux')"
    " or (os_name == 'nt' and sys_platform == 'linux')"
)
DEP_B_SHORT = "python_full_version < '3.11' and sys_platform == 'linux'"


def test_render_marker_applies_platform_exclusions_when_parsing_an_or() -> None:
    # Checked against uv 0.13.8 (the marker of a requirement, as its lock writes it).
    assert render_marker(Marker(DEP_B_LONG)) == DEP_B_SHORT
    assert render_marker(Marker("platform_system != 'Windows'")) == "sys_platform != 'win32'"
    assert render_marker(Marker("platform_system == 'Darwin' and os_name == 'nt'")) == (
        "python_version < '0'"
    )


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        pytest.param(">=8", ">=8", id="one"),
        pytest.param("<2,>=1.0", ">=1.0,<2", id="sorted-by-version"),
        pytest.param("<3, !=1.5, >= 1.0", ">=1.0,!=1.5,<3", id="spaces"),
        pytest.param("==3.10.*", "==3.10.*", id="wildcard"),
        pytest.param("", "", id="empty"),
    ],
)
def test_render_specifier(specifier: str, expected: str) -> None:
    assert render_specifier(SpecifierSet(specifier)) == expected


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        pytest.param(">=3.10", ">=3.10", id="lower"),
        pytest.param("<4,>=3.10", ">=3.10, <4", id="lower-first"),
        pytest.param("~=3.10", ">=3.10, <4", id="compatible"),
        pytest.param("~=3.10.2", ">=3.10.2, <3.11", id="compatible-patch"),
    ],
)
def test_render_requires_python(specifier: str, expected: str) -> None:
    assert render_requires_python(SpecifierSet(specifier)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain", '"plain"', id="plain"),
        pytest.param("python_full_version < '3.11'", "\"python_full_version < '3.11'\"", id="'"),
        pytest.param('a "b"', '"a \\"b\\""', id="double-quote"),
        pytest.param("tab\there", '"tab\\there"', id="tab"),
        pytest.param("bell\x07\x7f", '"bell\\u0007\\u007F"', id="control"),
        pytest.param("cr\r", '"cr\\r"', id="cr"),
        pytest.param("C:\\dist\\x.whl", "'C:\\dist\\x.whl'", id="backslash-literal"),
        pytest.param("it's C:\\x", "'''it's C:\\x'''", id="backslash-and-quote"),
        pytest.param("end\\'", '"end\\\\\'"', id="backslash-ending-quote"),
        pytest.param("ünïcode", '"ünïcode"', id="unicode"),
    ],
)
def test_toml_string(value: str, expected: str) -> None:
    assert toml_string(value) == expected
    assert tomllib.loads(f"v = {expected}")["v"] == value


# What the reader fills in (the fields the writer needs) -----------------------------------


def test_parse_lock_reads_requirements_and_manifest(make_project: MakeProject) -> None:
    lock = parse_lock((make_project("workspace") / "uv.lock").read_text(encoding="utf-8"), LOCK)
    assert (lock.members, lock.excludes) == (("app", "lib"), ("dep-b",))
    assert lock.manifest_group_requires_python == (("dev", SpecifierSet(">=3.12")),)
    groups: dict[str, tuple[LockRequirement, ...]] = dict(lock.manifest_group_requirements)
    (dev,) = groups["dev"]
    assert (dev.name, dev.specifier, dev.marker) == (
        "devtool",
        SpecifierSet(">=1"),
        Marker("python_full_version >= '3.12'"),
    )
    assert groups["empty"] == ()
    (app,) = lock.packages_named("app")
    assert app.requires_dist is not None
    assert [
        (r.name, str(r.source) if r.source else str(r.specifier)) for r in app.requires_dist
    ] == [
        ("lib", "editable+packages/lib"),
        ("pkg", "<2,>=1.0"),
        ("vend", "directory+vendor/vend"),
    ]


def test_parse_lock_reads_settings(make_project: MakeProject) -> None:
    lock = parse_lock((make_project("settings") / "uv.lock").read_text(encoding="utf-8"), LOCK)
    assert lock.supported_markers == (
        Marker("sys_platform == 'linux'"),
        Marker("sys_platform == 'win32'"),
    )
    assert lock.required_markers == (
        Marker("platform_machine == 'x86_64' and sys_platform == 'linux'"),
    )
    assert [(i.package, i.extra) for i in lock.conflicts[0]] == [
        ("settings", "a"),
        ("settings", "b"),
    ]
    assert [
        str(r.specifier) for r in (*lock.constraints, *lock.overrides, *lock.build_constraints)
    ] == [
        "<1.1",
        ">=1",
        "<2",
    ]
    (package,) = lock.packages_named("settings")
    assert package.default_groups == ("lint",)
    assert [(g, [r.name for r in reqs]) for g, reqs in package.requires_dev] == [
        ("dev", ["linter"]),
        ("lint", ["devtool"]),
    ]


def test_requirement_lists_sort_like_uv() -> None:
    """uv's `Requirement` order (seen in real locks: ipython, litestar): extras compare as the
    lists they are, in declared order, a shorter prefix first; markers by the kind of their
    first variable (a Python version before an extra), then as text."""
    from accord.reconciler.lock.write import format_lock

    def req(extras: tuple[str, ...] = (), marker: str | None = None) -> LockRequirement:
        return LockRequirement(
            name="pkg",  # type: ignore[arg-type]
            extras=extras,  # type: ignore[arg-type]
            marker=None if marker is None else Marker(marker),
        )

    wanted = [
        req(("pool",), "python_full_version >= '3.13'"),
        req(("pool", "binary"), "python_full_version < '3.13'"),
        req(("test",), "extra == 'x'"),
        req(("test", "matplotlib"), "extra == 'doc'"),
        req((), "python_full_version < '3.12'"),
        req((), "extra == 'doc'"),
    ]
    lock = Lock(
        version=1,
        revision=3,
        requires_python=SpecifierSet(">=3.10"),
        packages=(),
        manifest_requirements=tuple(reversed(wanted)),
    )
    text = format_lock(lock)
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("{ name")]
    assert lines == [
        '{ name = "pkg", marker = "python_full_version < \'3.12\'" },',
        '{ name = "pkg", marker = "extra == \'doc\'" },',
        '{ name = "pkg", extras = ["pool"], marker = "python_full_version >= \'3.13\'" },',
        '{ name = "pkg", extras = ["pool", "binary"], marker = "python_full_version < \'3.13\'" },',
        '{ name = "pkg", extras = ["test"], marker = "extra == \'x\'" },',
        '{ name = "pkg", extras = ["test", "matplotlib"], marker = "extra == \'doc\'" },',
    ]


@pytest.mark.parametrize(
    ("location", "written"),
    [
        pytest.param(
            "https://user:secret@files.invalid/pkg-1.0-py3-none-any.whl",
            "https://files.invalid/pkg-1.0-py3-none-any.whl",
            id="url-login",
        ),
        pytest.param(
            "git+https://token@git.invalid/pkg.git?rev=v1#" + "a" * 40,
            "git+https://git.invalid/pkg.git?rev=v1#" + "a" * 40,
            id="git-token",
        ),
        pytest.param(
            "ssh://git@git.invalid/pkg.git#" + "a" * 40,
            "ssh://git@git.invalid/pkg.git#" + "a" * 40,
            id="ssh-user-is-an-address",
        ),
    ],
)
def test_lockwrite_never_writes_a_login(location: str, written: str) -> None:
    from packaging.version import Version

    from accord.model.lock import LockedPackage, Source, SourceKind

    kind = SourceKind.URL if location.startswith("https") else SourceKind.GIT
    package = LockedPackage(name="pkg", version=Version("1.0"), source=Source(kind, location))  # type: ignore[arg-type]
    lock = Lock(version=1, revision=3, requires_python=SpecifierSet(">=3.10"), packages=(package,))
    text = format_lock(lock)
    assert written in text
    assert "secret" not in text and "token@" not in text

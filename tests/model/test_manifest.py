"""`model/manifest.py`: a project's declared inputs as uv records them in the lock (pure)."""

from __future__ import annotations

import attrs
import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.lock import LockRequirement, Source, SourceKind
from accord.model.manifest import (
    DeclaredRequirement,
    ProjectManifest,
    SelectedSource,
    declared_extras,
    declared_groups,
    declared_requirements,
    lock_requirement,
    lower_requirement,
    lowered_requirements,
    requirement_key,
)
from accord.model.marker_tree import MarkerTree
from tests.model.factories import n

INDEX = "https://pins.invalid/simple"
LOCAL = Source(SourceKind.DIRECTORY, "libs/local")


def _manifest(**fields: object) -> ProjectManifest:
    values: dict[str, object] = {
        "name": n("proj"),
        "version": Version("1.0"),
        "requires_python": SpecifierSet(">=3.10"),
    }
    values.update(fields)
    return ProjectManifest(**values)  # type: ignore[arg-type]


def test_manifest_extras_and_provides_extras() -> None:
    manifest = _manifest(
        optional_dependencies=((n("a"), ()), (n("b"), ())),
    )
    assert manifest.extras == ("a", "b")
    assert manifest.provides_extras == ("a", "b")  # sorted extras when the order is unknown
    declared = _manifest(
        optional_dependencies=((n("a"), ()), (n("b"), ())), declared_extras=(n("b"), n("a"))
    )
    assert declared.provides_extras == ("b", "a")  # uv keeps the file's order


def test_manifest_source_of_and_index_of() -> None:
    manifest = _manifest(sources=((n("local"), LOCAL),), index_pins=((n("pinned"), INDEX),))
    assert manifest.source_of("local") == LOCAL
    assert manifest.source_of("pinned") is None
    assert manifest.index_of("pinned") == INDEX
    assert manifest.index_of("local") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("pkg[b,a]", ("b", "a"), id="declared-order"),
        pytest.param("pkg[ B , a ]>=1", ("b", "a"), id="normalized-names"),
        pytest.param("pkg", (), id="none"),
    ],
)
def test_declared_extras_keep_the_files_order(text: str, expected: tuple[str, ...]) -> None:
    assert declared_extras(DeclaredRequirement(text)) == expected


def test_declared_extras_of_a_plain_requirement_are_sorted() -> None:
    assert declared_extras(Requirement("pkg[b,a]")) == ("a", "b")


def test_lock_requirement_copies_name_specifier_marker_source_and_index() -> None:
    record = lock_requirement(
        Requirement("Some_Pkg>=1.0,<2; python_version < '3.12'"), source=LOCAL, index=INDEX
    )
    assert record == LockRequirement(
        name=n("some-pkg"),
        specifier=SpecifierSet(">=1.0,<2"),
        marker=Marker("python_version < '3.12'"),
        source=LOCAL,
        index=INDEX,
    )


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        pytest.param("pkg", 'extra == "fast"', id="no-marker"),
        pytest.param("pkg; os_name == 'posix'", 'os_name == "posix" and extra == "fast"', id="and"),
        pytest.param(
            "pkg; os_name == 'posix' or os_name == 'nt'",
            '(os_name == "posix" or os_name == "nt") and extra == "fast"',
            id="or-is-parenthesized",
        ),
    ],
)
def test_lock_requirement_of_an_optional_dependency_carries_its_extra(
    text: str, marker: str
) -> None:
    assert str(lock_requirement(Requirement(text), extra="fast").marker) == marker


def test_declared_requirements_lower_sources_and_pins_and_drop_repeats() -> None:
    manifest = _manifest(
        dependencies=(Requirement("local"), Requirement("pinned>=1"), Requirement("local")),
        optional_dependencies=((n("fast"), (Requirement("speedy"),)),),
        sources=((n("local"), LOCAL),),
        index_pins=((n("pinned"), INDEX),),
    )
    assert declared_requirements(manifest) == [
        LockRequirement(name=n("local"), source=LOCAL),
        LockRequirement(name=n("pinned"), specifier=SpecifierSet(">=1"), index=INDEX),
        LockRequirement(name=n("speedy"), marker=Marker('extra == "fast"')),
    ]


def test_declared_groups_lower_sources_and_drop_repeats_per_group() -> None:
    manifest = _manifest(
        dependency_groups=(
            (n("dev"), (Requirement("local"), Requirement("tool"), Requirement("tool"))),
            (n("docs"), (Requirement("tool"),)),
        ),
        sources=((n("local"), LOCAL),),
    )
    assert declared_groups(manifest) == [
        (
            "dev",
            [LockRequirement(name=n("local"), source=LOCAL), LockRequirement(name=n("tool"))],
        ),
        ("docs", [LockRequirement(name=n("tool"))]),
    ]


def test_requirement_key_ignores_spelling() -> None:
    a = lock_requirement(Requirement("pkg>=1,<2; python_version<'3.12'"))
    b = lock_requirement(Requirement('pkg<2 , >=1 ; python_version < "3.12"'))
    assert requirement_key(a) == requirement_key(b)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param("other>=1", id="name"),
        pytest.param("pkg[x]>=1", id="extras"),
        pytest.param("pkg>=2", id="specifier"),
        pytest.param("pkg>=1; os_name == 'nt'", id="marker"),
    ],
)
def test_requirement_key_sees_every_real_difference(other: str) -> None:
    base = lock_requirement(Requirement("pkg>=1"))
    assert requirement_key(base) != requirement_key(lock_requirement(Requirement(other)))


def test_requirement_key_sees_index_and_source() -> None:
    base = lock_requirement(Requirement("pkg"))
    assert requirement_key(base) != requirement_key(
        lock_requirement(Requirement("pkg"), index=INDEX)
    )
    assert requirement_key(base) != requirement_key(
        lock_requirement(Requirement("pkg"), source=LOCAL)
    )


LINUX = MarkerTree.parse("sys_platform == 'linux'")
DARWIN = MarkerTree.parse("sys_platform == 'darwin'")
PATH = Source(SourceKind.PATH, "vendor/tp-1.0-py3-none-any.whl")


def test_lower_requirement_gives_one_requirement_per_source_then_the_rest() -> None:
    manifest = _manifest(
        selected_sources=(
            (n("tp"), (SelectedSource(LINUX, index=INDEX), SelectedSource(DARWIN, source=PATH))),
        )
    )
    lowered = lower_requirement(manifest, DeclaredRequirement("tp[b,a]>=1"))
    assert [(str(r), getattr(r, "extras_order", None), s) for r, s in lowered] == [
        (
            'tp[a,b]>=1; sys_platform == "linux"',
            (n("b"), n("a")),
            manifest.selected_sources[0][1][0],
        ),
        (  # a path source decides the version: the specifier is dropped, as uv drops it
            'tp[a,b]; sys_platform == "darwin"',
            (n("b"), n("a")),
            manifest.selected_sources[0][1][1],
        ),
        (
            'tp[a,b]>=1; sys_platform != "darwin" and sys_platform != "linux"',
            (n("b"), n("a")),
            None,
        ),
    ]


def test_lower_requirement_drops_the_parts_its_own_marker_rules_out() -> None:
    manifest = _manifest(selected_sources=((n("tp"), (SelectedSource(LINUX, index=INDEX),)),))
    lowered = lower_requirement(manifest, Requirement("tp; sys_platform == 'linux'"))
    assert [(str(r), s is not None) for r, s in lowered] == [('tp; sys_platform == "linux"', True)]
    other = Requirement("other")
    assert lower_requirement(manifest, other) == [(other, None)]


def test_lower_requirement_drops_the_specifier_a_source_decides() -> None:
    """uv 0.13.8 locks `local>=5` from a directory holding `local` 1.0: a path, git, URL or
    workspace source decides the version, so the specifier is neither checked nor recorded;
    an index source keeps it."""
    manifest = _manifest(sources=((n("local"), LOCAL),), index_pins=((n("pinned"), INDEX),))
    lowered = lower_requirement(manifest, DeclaredRequirement("local[b,a]>=5; os_name == 'posix'"))
    assert [(str(r), getattr(r, "extras_order", None), s) for r, s in lowered] == [
        ('local[a,b]; os_name == "posix"', (n("b"), n("a")), None)
    ]
    pinned = Requirement("pinned>=5")
    assert lower_requirement(manifest, pinned) == [(pinned, None)]
    assert lowered_requirements(manifest, (Requirement("local==1.0"), pinned)) == (
        Requirement("local"),
        pinned,
    )
    assert declared_requirements(
        attrs.evolve(manifest, dependencies=(Requirement("local>=5"), Requirement("local<1")))
    ) == [lock_requirement(Requirement("local"), source=LOCAL)]  # one record, as uv's


def test_declared_requirements_record_each_selected_source_with_its_marker() -> None:
    manifest = _manifest(
        dependencies=(Requirement("tp; python_version >= '3.11'"),),
        optional_dependencies=((n("x"), (Requirement("tp"),)),),
        selected_sources=(
            (n("tp"), (SelectedSource(LINUX, index=INDEX), SelectedSource(DARWIN, source=PATH))),
        ),
    )
    records = declared_requirements(manifest)
    assert [(str(r.marker), r.index, r.source) for r in records] == [
        ('python_full_version >= "3.11" and sys_platform == "linux"', INDEX, None),
        ('python_full_version >= "3.11" and sys_platform == "darwin"', None, PATH),
        (
            'python_full_version >= "3.11" and sys_platform != "darwin" and sys_platform != '
            '"linux"',
            None,
            None,
        ),
        ('sys_platform == "linux" and extra == "x"', INDEX, None),
        ('sys_platform == "darwin" and extra == "x"', None, PATH),
        ('sys_platform != "darwin" and sys_platform != "linux" and extra == "x"', None, None),
    ]
    assert declared_groups(
        attrs.evolve(manifest, dependency_groups=((n("dev"), (Requirement("tp"),)),))
    )[0][1] == [
        lock_requirement(Requirement("tp; sys_platform == 'linux'"), index=INDEX),
        lock_requirement(Requirement("tp; sys_platform == 'darwin'"), source=PATH),
        lock_requirement(Requirement("tp; sys_platform != 'darwin' and sys_platform != 'linux'")),
    ]


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "dep-b @ https://files.invalid/dep_b-1.0-py3-none-any.whl",
            Source(SourceKind.URL, "https://files.invalid/dep_b-1.0-py3-none-any.whl"),
        ),
        (
            "dep-b @ file:///work/dists/dep%20b-1.0.tar.gz",
            Source(SourceKind.PATH, "/work/dists/dep b-1.0.tar.gz"),
        ),
        ("dep-b @ git+https://git.invalid/dep-b@v1", None),
        ("dep-b @ file:///work/dep-b", None),
        ("dep-b>=1", None),
    ],
    ids=["url", "path", "git", "directory", "plain"],
)
def test_a_direct_reference_to_an_archive_is_recorded_as_uv_records_it(
    text: str, source: Source | None
) -> None:
    """uv's `requires-dist` names an archive's URL (`url = …`) or its path (`path = …`), so a
    lock uv made for it is current; accord records no source for the references it does not
    spell as uv yet (the lock is then out of date, and locking refuses them)."""
    manifest = ProjectManifest(
        name=n("proj"),
        version=Version("0.1.0"),
        requires_python=SpecifierSet(),
        dependencies=(Requirement(text),),
    )
    (record,) = declared_requirements(manifest)
    assert record.source == source

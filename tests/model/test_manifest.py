"""`model/manifest.py`: a project's declared inputs as uv records them in the lock (pure)."""

from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.lock import LockRequirement, Source, SourceKind
from accord.model.manifest import (
    DeclaredRequirement,
    ProjectManifest,
    declared_extras,
    declared_groups,
    declared_requirements,
    lock_requirement,
    requirement_key,
)
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

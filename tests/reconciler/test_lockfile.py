"""``parse_lock`` / ``read_lock`` against real uv.lock files and deliberately broken ones.

``data/*.lock`` are the three complete examples of ``shared/docs/uv/uv-lock-format.md``
(§9, §10, §11: real uv 0.12.5 output), with the redacted URLs replaced by example.invalid ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.lock import Lock, Source, SourceKind
from accord.reconciler.errors import LockfileInvalid
from accord.reconciler.lock.read import parse_lock, read_lock
from tests.model.factories import edge

DATA = Path(__file__).parent / "data"
INDEX = "https://example.invalid/simple"
FILES = "https://example.invalid/files"
LOCK = Path("uv.lock")
REGISTRY = Source(SourceKind.REGISTRY, INDEX)


def example(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def parse(text: str) -> Lock:
    return parse_lock(text, LOCK)


def invalid(text: str) -> LockfileInvalid:
    with pytest.raises(LockfileInvalid) as raised:
        parse(text)
    return raised.value


def package_names(lock: Lock) -> list[str]:
    return [package.name for package in lock.packages]


# §9: editable project, two deps, a dev group ----------------------------------------------


def test_parse_editable_project_header() -> None:
    lock = parse(example("editable-project.lock"))
    assert (lock.version, lock.revision, lock.requires_python) == (1, 3, SpecifierSet(">=3.11"))
    assert package_names(lock) == ["attrs", "click", "iniconfig", "p1"]
    assert (lock.members, lock.manifest_groups, lock.resolution_markers) == ((), (), ())


def test_parse_editable_project_registry_package() -> None:
    (attrs,) = parse(example("editable-project.lock")).packages_named("attrs")
    assert (attrs.version, attrs.source, attrs.dependencies) == (Version("26.1.0"), REGISTRY, ())
    assert attrs.sdist is not None
    assert attrs.sdist.name == "attrs-26.1.0.tar.gz"
    assert attrs.sdist.sha256 == "d03ceb89cb322a8fd706d4fb91940737b6642aa36998fe130a9bc96c985eff32"
    (wheel,) = attrs.wheels
    assert wheel.url == (
        f"{FILES}/64/b4/17d4b0b2a2dc85a6df63d1157e028ed19f90d4cd97c36717afef2bc2f395/"
        "attrs-26.1.0-py3-none-any.whl"
    )
    assert (wheel.name, wheel.upload_time, wheel.size) == (
        "attrs-26.1.0-py3-none-any.whl",
        "2026-03-19T14:22:23.645Z",
        None,
    )
    assert wheel.hash == "sha256:c647aa4a12dfbad9333ca4e71fe62ddc36f4e63b2d260a37a8b83d2f043ac309"


def test_parse_editable_project_root() -> None:
    (p1,) = parse(example("editable-project.lock")).packages_named("p1")
    assert (p1.version, p1.source) == (Version("0.1.0"), Source(SourceKind.EDITABLE, "."))
    assert p1.dependencies == (edge("attrs"), edge("click"))
    assert p1.dev_dependencies == (("dev", (edge("iniconfig"),)),)
    assert (p1.group_names, p1.declared_groups, p1.extra_names) == (("dev",), ("dev",), ())
    assert (p1.sdist, p1.wheels) == (None, ())


# §10: virtual project, extras, markers, optional deps, non-default group -------------------


def test_parse_virtual_project_root() -> None:
    lock = parse(example("virtual-extras.lock"))
    assert lock.requires_python == SpecifierSet(">=3.10")
    (root,) = lock.packages_named("p-extras")
    assert root.source == Source(SourceKind.VIRTUAL, ".")
    assert root.dependencies == (
        edge("exceptiongroup", marker="python_full_version < '3.11'"),
        edge("markdown-it-py", extras=["linkify"]),
    )
    assert root.optional_dependencies == (("cli", (edge("click"),)),)
    assert root.dev_dependencies == (("test", (edge("iniconfig"),)),)
    assert (root.provides_extras, root.extra_names, root.group_names) == (
        ("cli",),
        ("cli",),
        ("test",),
    )


def test_parse_virtual_project_dependency_extras() -> None:
    lock = parse(example("virtual-extras.lock"))
    (markdown,) = lock.packages_named("markdown-it-py")
    assert markdown.dependencies == (edge("mdurl"),)
    assert markdown.extra("linkify") == (edge("linkify-it-py"),)
    assert markdown.extra("nope") is None
    assert package_names(lock) == [
        "click",
        "exceptiongroup",
        "iniconfig",
        "linkify-it-py",
        "markdown-it-py",
        "mdurl",
        "p-extras",
        "typing-extensions",
    ]


def test_parse_dependency_edges_resolve_to_packages() -> None:
    lock = parse(example("virtual-extras.lock"))
    for package in lock.packages:
        edges = [*package.dependencies]
        for _, group in (*package.optional_dependencies, *package.dev_dependencies):
            edges.extend(group)
        for dependency in edges:
            assert lock.target_of(dependency) is not None, (package.name, dependency.name)


# §11: virtual workspace root, editable members, dynamic version, directory dependency ------


def test_parse_workspace_manifest() -> None:
    lock = parse(example("workspace.lock"))
    assert lock.members == ("app", "lib")
    assert lock.manifest_groups == (("dev", (edge("iniconfig"),)),)
    assert package_names(lock) == ["app", "attrs", "click", "iniconfig", "lib", "vendored"]


@pytest.mark.parametrize(
    ("name", "version", "source"),
    [
        pytest.param(
            "app", Version("1.0.0"), Source(SourceKind.EDITABLE, "packages/app"), id="app"
        ),
        pytest.param("lib", None, Source(SourceKind.EDITABLE, "packages/lib"), id="lib-dynamic"),
        pytest.param(
            "vendored",
            Version("0.0.1"),
            Source(SourceKind.DIRECTORY, "vendor/vendored"),
            id="vendored-directory",
        ),
        pytest.param("click", Version("8.5.1"), REGISTRY, id="click-registry"),
    ],
)
def test_parse_workspace_sources(name: str, version: Version | None, source: Source) -> None:
    (package,) = parse(example("workspace.lock")).packages_named(name)
    assert (package.version, package.source) == (version, source)


def test_parse_workspace_dynamic_version_displays() -> None:
    (lib,) = parse(example("workspace.lock")).packages_named("lib")
    assert lib.display_version == "(dynamic)"
    assert lib.dependencies == (edge("attrs"),)


# Versions and revisions ---------------------------------------------------------------------


def test_parse_revision_0_when_missing() -> None:
    lock = parse(example("editable-project.lock").replace("revision = 3\n", ""))
    assert lock.revision == 0
    assert package_names(lock) == ["attrs", "click", "iniconfig", "p1"]


def test_parse_revision_5_accepted() -> None:
    assert parse(example("workspace.lock").replace("revision = 3", "revision = 5")).revision == 5


def test_parse_revision_6_refused() -> None:
    error = invalid(example("editable-project.lock").replace("revision = 3", "revision = 6"))
    assert str(error) == "The lockfile at `uv.lock` has revision 6; accord reads revisions 0 to 5"
    assert (error.hint, error.path) == ("this lock was written by a newer uv; update accord", LOCK)


def test_parse_revision_not_an_integer_refused() -> None:
    error = invalid(example("editable-project.lock").replace("revision = 3", 'revision = "3"'))
    assert str(error) == (
        "Failed to parse `uv.lock`\n"
        "  cause: TOML parse error at line 2, column 12\n"
        "           |\n"
        '         2 | revision = "3"\n'
        "           |            ^^^\n"
        '         invalid type: string "3", expected u32'
    )


def test_parse_version_2_refused_with_uv_message() -> None:
    error = invalid(example("editable-project.lock").replace("version = 1\n", "version = 2\n", 1))
    assert str(error) == (
        "The lockfile at `uv.lock` uses an unsupported schema version "
        "(v2, but only v1 is supported). Downgrade to a compatible uv version, or remove the "
        "`uv.lock` prior to running `uv lock` or `uv sync`."
    )
    assert error.exit_code == 2


def test_parse_legacy_distribution_key() -> None:
    text = example("virtual-extras.lock").replace("[[package]]", "[[distribution]]")
    text = text.replace("[package.", "[distribution.")
    assert parse(text) == parse(example("virtual-extras.lock"))


def test_parse_legacy_dependency_groups_spellings() -> None:
    text = example("editable-project.lock")
    text = text.replace("[package.dev-dependencies]", "[package.dependency-groups]")
    text = text.replace("[package.metadata.requires-dev]", "[package.metadata.dependency-groups]")
    (p1,) = parse(text).packages_named("p1")
    assert (p1.group("dev"), p1.declared_groups) == ((edge("iniconfig"),), ("dev",))


def test_parse_legacy_upload_time_spelling() -> None:
    text = example("editable-project.lock").replace("upload-time", "upload_time")
    (attrs,) = parse(text).packages_named("attrs")
    assert attrs.wheels[0].upload_time == "2026-03-19T14:22:23.645Z"


def test_parse_ignores_unknown_keys() -> None:
    text = example("editable-project.lock").replace(
        'requires-python = ">=3.11"\n', 'requires-python = ">=3.11"\nfuture-key = "x"\n'
    )
    text = text.replace('name = "attrs"\n', 'name = "attrs"\nfuture = 1\n')
    assert package_names(parse(text)) == ["attrs", "click", "iniconfig", "p1"]


def test_parse_resolution_markers_and_edge_version_source() -> None:
    source = f'{{ registry = "{INDEX}" }}'
    below, above = "python_full_version < '3.12'", "python_full_version >= '3.12'"
    text = f"""\
version = 1
revision = 3
requires-python = ">=3.10"
resolution-markers = [
    "python_full_version >= '3.12'",
    "python_full_version < '3.12'",
]

[[package]]
name = "numpy"
version = "1.26.4"
source = {{ registry = "{INDEX}" }}
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.1.0"
source = {{ registry = "{INDEX}" }}
resolution-markers = ["python_full_version >= '3.12'"]

[[package]]
name = "proj"
version = "0.1.0"
source = {{ virtual = "." }}
dependencies = [
    {{ name = "numpy", version = "1.26.4", source = {source}, marker = "{below}" }},
    {{ name = "numpy", version = "2.1.0", source = {source}, marker = "{above}" }},
]
"""
    lock = parse(text)
    assert lock.resolution_markers == (
        Marker("python_full_version >= '3.12'"),
        Marker("python_full_version < '3.12'"),
    )
    old, new = lock.packages_named("numpy")
    assert old.resolution_markers == (Marker("python_full_version < '3.12'"),)
    (proj,) = lock.packages_named("proj")
    assert [lock.target_of(edge) for edge in proj.dependencies] == [old, new]
    assert proj.dependencies[1].version == Version("2.1.0")
    assert proj.dependencies[1].source == REGISTRY


def test_parse_url_and_git_sources() -> None:
    git = "https://example.invalid/g.git?tag=v1#" + "a" * 40
    text = f"""\
version = 1
requires-python = ">=3.10"

[[package]]
name = "g"
version = "1.0"
source = {{ git = "{git}" }}

[[package]]
name = "u"
version = "2.0"
source = {{ url = "https://example.invalid/u-2.0.tar.gz", subdirectory = "sub" }}
sdist = {{ hash = "sha256:{"1" * 64}" }}
"""
    g, u = parse(text).packages
    assert g.source == Source(SourceKind.GIT, git)
    assert u.source == Source(SourceKind.URL, "https://example.invalid/u-2.0.tar.gz", "sub")
    assert u.sdist is not None
    assert u.sdist.sha256 == "1" * 64


def test_parse_wheel_version_equal_but_spelled_differently() -> None:
    """uv compares versions, not strings: 8.5.1.0 is the version of click-8.5.1-*.whl."""
    text = example("editable-project.lock").replace(
        'name = "click"\nversion = "8.5.1"', 'name = "click"\nversion = "8.5.1.0"'
    )
    (click,) = parse(text).packages_named("click")
    assert click.version == Version("8.5.1")


# Errors -----------------------------------------------------------------------------------


def test_parse_malformed_toml_names_path_and_line() -> None:
    text = example("editable-project.lock").replace('name = "click"', 'name = "click')
    error = invalid(text)
    assert str(error) == (
        "Failed to parse `uv.lock`\n"
        "  cause: TOML parse error at line 15, column 14\n"
        "            |\n"
        '         15 | name = "click\n'
        "            |              ^\n"
        '         invalid basic string, expected `"`'
    )
    assert (error.path, error.line, error.column) == (LOCK, 15, 14)
    assert error.hint is None  # uv gives none


def test_parse_schema_error_names_json_path_and_line() -> None:
    text = example("editable-project.lock").replace(
        'version = "8.5.1"', 'version = "not a version"', 1
    )
    error = invalid(text)
    # uv points at the package's table, in its own words.
    assert str(error) == (
        "Failed to parse `uv.lock`\n"
        "  cause: TOML parse error at line 14, column 1\n"
        "            |\n"
        "         14 | [[package]]\n"
        "            | ^^^^^^^^^^^\n"
        "         expected version to start with a number, but no leading ASCII digits were "
        "found"
    )
    assert text.splitlines()[13] == "[[package]]"
    assert error.line == 14


def test_parse_schema_error_uses_file_key_spelling() -> None:
    text = example("editable-project.lock").replace(
        'name = "click"\nversion = "8.5.1"',
        'name = "click"\nversion = "8.5.1"\nresolution-markers = ["bogus =="]',
    )
    error = invalid(text)
    assert str(error).splitlines()[1:] == [
        "  cause: TOML parse error at line 17, column 1",
        "            |",
        '         17 | resolution-markers = ["bogus =="]',
        "            | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "         invalid value for type, expected Marker @ $.package[1].resolution-markers[0]",
    ]


def test_parse_schema_error_in_dependency_extra() -> None:
    text = example("virtual-extras.lock").replace('extra = ["linkify"]', "extra = 1")
    assert str(invalid(text)).endswith("@ $.package[6].dependencies[1].extra")


def test_parse_top_level_schema_error_has_line() -> None:
    error = invalid(example("editable-project.lock").replace('">=3.11"', '">=>3"', 1))
    assert str(error).splitlines()[1:] == [
        "  cause: TOML parse error at line 3, column 19",
        "           |",
        '         3 | requires-python = ">=>3"',
        "           |                   ^^^^^^",
        '         Failed to parse version: no such comparison operator ">=>", must be one of ~= '
        "== != <= >= < > ===:",
        "         >=>3",
        "         ^^^^",
    ]


def test_parse_missing_source_names_package() -> None:
    text = example("editable-project.lock").replace(f'source = {{ registry = "{INDEX}" }}\n', "", 1)
    assert str(invalid(text)).splitlines()[1:] == [
        "  cause: TOML parse error at line 5, column 1",
        "           |",
        "         5 | [[package]]",
        "           | ^^^^^^^^^^^",
        "         required field missing @ $.package[0].source",
    ]


def test_parse_wheel_version_mismatch_names_both_versions() -> None:
    text = example("editable-project.lock").replace(
        'name = "click"\nversion = "8.5.1"', 'name = "click"\nversion = "8.4.0"'
    )
    error = invalid(text)
    assert str(error).splitlines()[1] == "  cause: TOML parse error at line 14, column 1"
    assert str(error).splitlines()[-1] == (
        "         $.package[1]: the entry for package `click` (8.4.0) has wheel "
        "`click-8.5.1-py3-none-any.whl` with inconsistent version (8.5.1)"
    )


def test_parse_registry_package_without_version() -> None:
    text = example("editable-project.lock").replace('version = "26.1.0"\n', "", 1)
    assert str(invalid(text)).splitlines()[-1] == (
        "         $.package[0]: `attrs` from a registry has no version"
    )
    assert str(invalid(text)).splitlines()[1] == "  cause: TOML parse error at line 5, column 1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "version = 1\npackage = 3\n",
            "Failed to parse `uv.lock`\n"
            "  cause: TOML parse error at line 2, column 1\n"
            "           |\n"
            "         2 | package = 3\n"
            "           | ^^^^^^^^^^^\n"
            "         invalid value for type, expected list @ $.package",
            id="package-not-a-list",
        ),
        pytest.param(
            "version = 1\npackage = [3]\n",
            "Failed to parse `uv.lock`\n"
            "  cause: invalid value for type, expected _RawPackage @ $.package[0]",
            id="package-not-a-table",
        ),
        pytest.param(
            'version = 1\n[manifest.dependency-groups]\ndev = [{ specifier = ">=1" }]\n',
            "Failed to parse `uv.lock`\n"
            "  cause: $.manifest.dependency-groups['dev'][0]: "
            "expected a table with a `name`, got {'specifier': '>=1'}",
            id="manifest-requirement-without-name",
        ),
    ],
)
def test_parse_malformed_shapes_are_lockfile_errors(text: str, message: str) -> None:
    assert str(invalid(text)) == message


def test_parse_manifest_bad_marker_is_lockfile_error() -> None:
    text = (
        'version = 1\n[manifest.dependency-groups]\ndev = [{ name = "x", marker = "bogus ==" }]\n'
    )
    assert str(invalid(text)).startswith(
        "Failed to parse `uv.lock`\n  cause: $.manifest.dependency-groups['dev'][0]: "
    )


def test_parse_error_carries_the_given_path() -> None:
    with pytest.raises(LockfileInvalid) as raised:
        parse_lock("version = 2\n", Path("/work/ws/uv.lock"))
    # uv names the lock `uv.lock` whatever the working directory; the error keeps the path.
    assert str(raised.value).startswith("The lockfile at `uv.lock` uses")
    assert raised.value.path == Path("/work/ws/uv.lock")


# Files --------------------------------------------------------------------------------------


def test_read_lock_reads_file(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(example("workspace.lock"), encoding="utf-8")
    assert read_lock(path) == parse(example("workspace.lock"))


def test_read_lock_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    with pytest.raises(LockfileInvalid) as raised:
        read_lock(path)
    assert str(raised.value) == f"Failed to read `{path}`: No such file or directory"


def test_read_lock_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_bytes(b"version = 1\n# \xff\n")
    with pytest.raises(LockfileInvalid) as raised:
        read_lock(path)
    assert str(raised.value) == (
        f"The lockfile at `{path}` is not UTF-8 text: byte 0xff at line 2, column 3 is not "
        "valid UTF-8"
    )
    assert (raised.value.line, raised.value.column) == (2, 3)


def test_parse_synthetic_60_package_lock() -> None:
    chunks = ['version = 1\nrevision = 3\nrequires-python = ">=3.10"\n']
    root_deps = ",\n".join(f'    {{ name = "pkg{i:02d}" }}' for i in range(60))
    chunks.append(
        f'\n[[package]]\nname = "proj"\nversion = "0.1.0"\nsource = {{ virtual = "." }}\n'
        f"dependencies = [\n{root_deps},\n]\n"
    )
    for i in range(60):
        deps = f'dependencies = [\n    {{ name = "pkg{i + 1:02d}" }},\n]\n' if i < 59 else ""
        chunks.append(
            f'\n[[package]]\nname = "pkg{i:02d}"\nversion = "1.{i}"\n'
            f'source = {{ registry = "{INDEX}" }}\n{deps}'
            f'sdist = {{ url = "{FILES}/pkg{i:02d}-1.{i}.tar.gz", hash = "sha256:{"0" * 64}" }}\n'
            f'wheels = [\n    {{ url = "{FILES}/pkg{i:02d}-1.{i}-py3-none-any.whl", '
            f'hash = "sha256:{"0" * 64}", size = {1000 + i} }},\n]\n'
        )
    lock = parse("".join(chunks))
    assert len(lock.packages) == 61
    assert lock.packages[-1].wheels[0].size == 1059
    assert lock.packages_named("pkg58")[0].dependencies == (edge("pkg59"),)


def test_parse_lock_cached_equals_parse_and_survives_a_damaged_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.reconciler.lock.memo import parse_lock_cached

    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path / "cache"))
    data = Path(__file__).parent / "data"
    path = sorted(data.glob("*.lock"))[0]
    text = path.read_text()
    fresh = parse_lock(text, path)
    assert parse_lock_cached(text, path) == fresh  # parsed, then stored
    entries = list((tmp_path / "cache" / "parsed-locks").glob("*.pickle"))
    assert len(entries) == 1
    assert parse_lock_cached(text, path) == fresh  # from the cache
    entries[0].write_bytes(b"not a pickle")
    assert parse_lock_cached(text, path) == fresh  # damaged entry: parsed again


def test_parse_lock_cached_skips_cattrs_the_second_time(tmp_path: Path) -> None:
    import subprocess
    import sys

    data = Path(__file__).parent / "data"
    path = sorted(data.glob("*.lock"))[0]
    code = (
        "import sys; from pathlib import Path;"
        "from accord.reconciler.lock.memo import parse_lock_cached;"
        f"p = Path({str(path)!r}); parse_lock_cached(p.read_text(), p);"
        "print('cattrs' in sys.modules)"
    )
    env = {"ACCORD_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert (first.stdout, second.stdout) == ("True\n", "False\n"), first.stderr + second.stderr

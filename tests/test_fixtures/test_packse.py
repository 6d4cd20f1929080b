"""Tests of the packse fixtures (fixtures.packse, fixtures.packse_locks) on small scenarios of
our own, packed like packse's sdist, and on the real sdist when it has been downloaded."""

from __future__ import annotations

import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

from fixtures.index import IndexServer, read_wheel_metadata
from fixtures.packse import (
    SDIST_NAME,
    SKIP_REASON,
    YANK_REASON,
    Scenario,
    build_packse_index,
    build_scenario_dists,
    download_sdist,
    load_scenarios,
    parse_scenario,
    sdist_from_environment,
    sdist_in,
)
from fixtures.packse_locks import (
    Interpreter,
    LockOutcome,
    Tools,
    compare,
    find_interpreters,
    format_report,
    locked_packages,
    passes_packse,
    pick_interpreter,
)

BASIC = """\
name = "fork-basic"
description = "Two versions of `a`, by platform."

[resolver_options]
universal = true

[expected]
satisfiable = true

[root]
requires = ["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'"]

[packages.a.versions."1.0.0"]
[packages.a.versions."2.0.0"]
"""

TAGS = """\
name = "tags"

[environment]
python = "3.9"

[resolver_options]
python = "3.11"
prereleases = true
no_build = ["a"]
no_binary = ["b"]
required_environments = ['sys_platform == "linux"']

[expected]
satisfiable = true
packages = { a = "1.0.0" }

[root]
requires = ["a[fast]"]

[packages.a.versions."1.0.0"]
requires_python = ">=3.9"
wheel_tags = ["cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none-any"]
extras = { fast = ["b; sys_platform == 'linux' or os_name == 'nt'"] }

[packages.b.versions."1.0.0"]
requires_python = ">=3.9"
wheel = false

[packages.b.versions."2.0.0"]
requires_python = ">=3.9"
yanked = true
"""

EXAMPLE = {
    "name": "example",
    "expected": {"satisfiable": True, "packages": {"a": "1.0.0", "b": "2.0.0"}},
    "root": {"requires": ["a"]},
    "packages": {
        "a": {"versions": {"1.0.0": {"requires": ["b>1.0.0"]}}},
        "b": {"versions": {"1.0.0": {}, "2.0.0": {}, "3.0.0": {"requires": ["c"]}}},
    },
}


def _sdist(path: Path, files: dict[str, str]) -> Path:
    """A `.tar.gz` laid out like packse's sdist: `packse-X/scenarios/<files>`."""
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"packse-0.0.0/scenarios/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def scenarios(tmp_path: Path) -> dict[str, Scenario]:
    sdist = _sdist(
        tmp_path / "packse.tar.gz",
        {
            "fork/basic.toml": BASIC,
            "wheels/tags.toml": TAGS,
            "examples/example.json": json.dumps(EXAMPLE),
            "examples/example.yaml": "name: example-yaml\n",
        },
    )
    return {scenario.name: scenario for scenario in load_scenarios(sdist)}


def test_load_scenarios_reads_toml_and_json_with_packse_defaults(
    scenarios: dict[str, Scenario],
) -> None:
    assert list(scenarios) == ["example", "fork-basic", "tags"]  # sorted; YAML skipped
    example = scenarios["example"]
    assert (example.path, example.category) == ("examples/example.json", "other")
    assert example.root_requires_python == ">=3.12"
    assert example.environment_python == "3.12"
    assert [v.requires_python for _, versions in example.packages for v in versions] == [
        ">=3.12"
    ] * 4
    assert example.expected_packages == (("a", "1.0.0"), ("b", "2.0.0"))
    tags = scenarios["tags"]
    assert tags.category == "wheels/tags"
    assert (tags.python, tags.prereleases, tags.no_build, tags.no_binary) == (
        "3.11",
        True,
        ("a",),
        ("b",),
    )


def test_load_scenarios_refuses_a_name_defined_twice(tmp_path: Path) -> None:
    sdist = _sdist(tmp_path / "twice.tar.gz", {"a.toml": BASIC, "b/c.toml": BASIC})
    with pytest.raises(ValueError, match="'fork-basic' is defined twice"):
        load_scenarios(sdist)


def test_parse_scenario_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match=r"x.toml: unknown fields \['surprise'\]"):
        parse_scenario({**EXAMPLE, "surprise": 1}, "x.toml")


def test_scenario_pyproject_universal_takes_the_roots_requires_python(
    scenarios: dict[str, Scenario],
) -> None:
    assert scenarios["fork-basic"].pyproject_text() == (
        "[project]\n"
        'name = "project"\n'
        'version = "0.1.0"\n'
        "dependencies = [\n"
        '    "fork-basic-a>=2; sys_platform == \\"linux\\"",\n'
        '    "fork-basic-a<2; sys_platform == \\"darwin\\"",\n'
        "]\n"
        'requires-python = ">=3.12"\n'
    )


def test_scenario_pyproject_otherwise_targets_the_python_and_maps_resolver_options(
    scenarios: dict[str, Scenario],
) -> None:
    assert scenarios["tags"].pyproject_text() == (
        "[project]\n"
        'name = "project"\n'
        'version = "0.1.0"\n'
        "dependencies = [\n"
        '    "tags-a[fast]",\n'
        "]\n"
        'requires-python = ">=3.11"\n'  # resolver_options.python beats environment.python
        "\n"
        "[tool.uv]\n"
        'required-environments = ["sys_platform == \\"linux\\""]\n'
        'prerelease = "allow"\n'
        'no-build-package = ["tags-a"]\n'
        'no-binary-package = ["tags-b"]\n'
    )


def test_build_scenario_dists_prefixes_names_and_honours_tags_sdists_and_yanks(
    scenarios: dict[str, Scenario], tmp_path: Path
) -> None:
    dists, yanked = build_scenario_dists(scenarios["tags"], tmp_path)
    assert sorted(path.name for path in dists) == [
        "tags_a-1.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "tags_a-1.0.0-py3-none-any.whl",
        "tags_a-1.0.0.tar.gz",
        "tags_b-1.0.0.tar.gz",  # wheel = false
        "tags_b-2.0.0-py3-none-any.whl",
        "tags_b-2.0.0.tar.gz",
    ]
    assert yanked == {
        "tags_b-2.0.0-py3-none-any.whl": YANK_REASON,
        "tags_b-2.0.0.tar.gz": YANK_REASON,
    }
    metadata = read_wheel_metadata(tmp_path / "tags_a-1.0.0-py3-none-any.whl").decode()
    assert "Name: tags-a\n" in metadata
    assert "Requires-Python: >=3.9\n" in metadata
    assert "Provides-Extra: fast\n" in metadata
    assert (
        'Requires-Dist: tags-b; (sys_platform == "linux" or os_name == "nt") and extra == "fast"\n'
    ) in metadata
    with zipfile.ZipFile(tmp_path / dists[0].name) as archive:
        wheel = archive.read("tags_a-1.0.0.dist-info/WHEEL").decode()
    assert "Tag: cp311-cp311-manylinux2014_x86_64\n" in wheel


def test_build_packse_index_refuses_colliding_prefixed_names(tmp_path: Path) -> None:
    first = parse_scenario(
        {**EXAMPLE, "name": "x", "packages": {"y-z": {"versions": {"1": {}}}}}, "x.toml"
    )
    second = parse_scenario(
        {**EXAMPLE, "name": "x-y", "packages": {"z": {"versions": {"1": {}}}}}, "x-y.toml"
    )
    with pytest.raises(ValueError, match="x-y-z is in both x and x-y"):
        build_packse_index([first, second], tmp_path)


def test_locked_packages_unprefixes_and_leaves_out_the_project(
    scenarios: dict[str, Scenario],
) -> None:
    lock = (
        'version = 1\n[[package]]\nname = "example-a"\nversion = "1.0.0"\n'
        '[[package]]\nname = "project"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
    )
    assert locked_packages(scenarios["example"], lock) == {("a", "1.0.0")}


def test_passes_packse_needs_the_verdict_and_every_expected_version(
    scenarios: dict[str, Scenario],
) -> None:
    example = scenarios["example"]
    both = frozenset({("a", "1.0.0"), ("b", "2.0.0"), ("b", "3.0.0")})
    assert passes_packse(example, LockOutcome(0, "", "lock", both))
    assert not passes_packse(example, LockOutcome(0, "", "lock", frozenset({("a", "1.0.0")})))
    assert not passes_packse(example, LockOutcome(1, "error", None))


def test_pick_interpreter_takes_the_first_that_fits() -> None:
    found = [Interpreter(Version(v), Path(f"/py{v}")) for v in ("3.11.7", "3.9.18", "3.12.1")]
    assert pick_interpreter(found, ">=3.9") == found[0]
    assert pick_interpreter(found, ">=3.12") == found[2]
    assert pick_interpreter(found, ">=3.14") is None


def test_sdist_in_checks_the_sha256(tmp_path: Path) -> None:
    (tmp_path / SDIST_NAME).write_bytes(b"not packse")
    assert sdist_in(tmp_path) is None
    assert sdist_in(tmp_path / "missing") is None


def test_download_sdist_refuses_a_file_with_the_wrong_sha256(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not packse")
    with pytest.raises(ValueError, match="sha256"):
        download_sdist(tmp_path / "dest", url=bogus.as_uri())
    assert list((tmp_path / "dest").iterdir()) == []


def test_compare_locks_a_scenario_with_uv_and_accord(
    scenarios: dict[str, Scenario],
    tmp_path: Path,
    uv_bin: Path,
    base_python: Path,
) -> None:
    example = scenarios["example"]
    simple = build_packse_index([example], tmp_path / "index")
    (tmp_path / "config").mkdir()
    with IndexServer(simple) as server:
        tools = Tools(
            uv=uv_bin,
            accord=Path(sys.executable).parent / "accord",
            index_url=server.url,
            uv_cache=tmp_path / "uv-cache",
            accord_cache=tmp_path / "accord-cache",
            config_home=tmp_path / "config",
            interpreters=tuple(find_interpreters(base_python)),
        )
        if pick_interpreter(tools.interpreters, example.requires_python) is None:
            pytest.skip(f"no CPython on this machine satisfies {example.requires_python}")
        comparison = compare(example, tmp_path / "runs", tools)
    assert comparison.uv.ok, comparison.describe()
    assert comparison.uv.packages == {("a", "1.0.0"), ("b", "2.0.0")}
    assert comparison.uv_passes
    assert (tmp_path / "runs" / "example" / "uv" / "uv.lock").is_file()
    assert (tmp_path / "runs" / "example" / "accord" / "pyproject.toml").is_file()
    report = format_report([comparison])
    assert report.splitlines()[1].startswith("example  ok      ok✓")
    assert "uv passes packse on 1/1" in report


@pytest.mark.skipif(sdist_from_environment() is None, reason=SKIP_REASON)
def test_the_real_sdist_builds_into_one_index(tmp_path: Path) -> None:
    sdist = sdist_from_environment()
    assert sdist is not None
    loaded = load_scenarios(sdist)
    assert len(loaded) == 149
    assert {scenario.category for scenario in loaded} >= {"fork", "local", "yanked", "other"}
    simple = build_packse_index(loaded, tmp_path)
    assert (simple / "fork-basic-a" / "index.json").is_file()

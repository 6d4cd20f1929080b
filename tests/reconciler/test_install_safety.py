"""Hostile and broken wheels: each is refused with nothing written, neither in the environment
nor under a final name in the cache (issue 13: items 3 to 6).

Every wheel here is a real zip crafted from a good fixture wheel; every sync is the real
observe → diff → apply into a real venv.
"""

from __future__ import annotations

import re
import stat
import struct
import warnings
import zipfile
from pathlib import Path

import pytest

from accord.model.desired import DesiredDist
from accord.reconciler.errors import AccordError, DistributionInvalid, HashMismatch
from fixtures.wheels import WheelSpec, build_wheel
from tests.reconciler.envs import Env, listing, record_problems, rewrite_wheel, wheel_dist

GOOD = WheelSpec("good", "1.0")
MEMBER = "good/__init__.py"
DIST_INFO = "good-1.0.dist-info"


@pytest.fixture
def synced(env: Env) -> Env:
    """A venv holding `pkg 1.0` (with a console script `pkg-cli`)."""
    env.sync(_pkg(env))
    return env


def _pkg(env: Env) -> DesiredDist:
    return env.wheel(
        WheelSpec("pkg", "1.0", entry_points={"console_scripts": {"pkg-cli": "pkg:x"}})
    )


def _state(env: Env) -> tuple[dict[str, int], list[str]]:
    unpacked = env.cache / "unpacked"
    trees = sorted(p.name for p in unpacked.iterdir()) if unpacked.is_dir() else []
    return listing(env.venv), trees


def _refused(env: Env, *dists: DesiredDist, match: str, unpacks: bool = False) -> AccordError:
    """Sync `pkg` plus `dists`: refused, the venv untouched, and no new tree in the cache
    (`unpacks`: a well-formed wheel refused at install may keep its verified tree)."""
    venv, trees = _state(env)
    with pytest.raises((DistributionInvalid, HashMismatch)) as caught:
        env.sync(_pkg(env), *dists)
    assert re.search(match, caught.value.message), caught.value.message
    after_venv, after_trees = _state(env)
    assert after_venv == venv
    assert len(after_trees) == len(trees) + (1 if unpacks else 0)
    return caught.value


def _crafted(env: Env, name: str = "good-1.0-py3-none-any.whl", **changes: object) -> DesiredDist:
    good = build_wheel(GOOD, env.wheels / "good")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        crafted = rewrite_wheel(good, env.wheels / "crafted" / name, **changes)  # type: ignore[arg-type]
    return wheel_dist(crafted, name="good", version="1.0")


# --- the environment's own files ---------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "what"),
    [
        ("good-1.0.data/data/bin/python", "bin/python`, the environment's interpreter"),
        ("good-1.0.data/scripts/python3", "bin/python3`, the environment's interpreter"),
        ("good-1.0.data/data/pyvenv.cfg", "pyvenv.cfg`, the environment's own file"),
        ("good-1.0.data/scripts/activate", "bin/activate`, the environment's activation script"),
        ("good-1.0.data/data/.accord-stamp", ".accord-stamp`, the environment's own file"),
    ],
)
def test_wheel_writing_over_the_environment_is_refused(synced: Env, member: str, what: str) -> None:
    hostile = _crafted(synced, add=[(member, b"#!/bin/sh\necho owned\n")], fix_record=True)
    _refused(synced, hostile, match=re.escape(what), unpacks=True)


def test_wheel_reaching_the_interpreter_through_lib64_is_refused(synced: Env) -> None:
    member = "good-1.0.data/data/lib64/../bin/python"
    hostile = _crafted(synced, add=[(member, b"#!/bin/sh\n")], fix_record=True)
    _refused(synced, hostile, match="unsafe path")


def test_console_script_named_python_is_refused(synced: Env) -> None:
    spec = WheelSpec("good", "1.0", entry_points={"console_scripts": {"python": "good:x"}})
    _refused(synced, synced.wheel(spec), match=r"would overwrite `bin/python`", unpacks=True)


def test_console_script_name_with_a_path_is_refused(synced: Env) -> None:
    spec = WheelSpec("good", "1.0", entry_points={"console_scripts": {"../../evil": "good:x"}})
    _refused(synced, synced.wheel(spec), match="script name that is a path", unpacks=True)


# --- another distribution's files --------------------------------------------------------


def test_wheel_overwriting_an_installed_distribution_is_refused(synced: Env) -> None:
    hostile = _crafted(synced, add=[("pkg/__init__.py", b"owned = True\n")], fix_record=True)
    _refused(
        synced,
        hostile,
        match=r"would overwrite `lib/python[\d.]+/site-packages/"
        r"pkg/__init__.py`, a file of `pkg-1.0`",
        unpacks=True,
    )


def test_wheel_overwriting_another_distributions_script_is_refused(synced: Env) -> None:
    spec = WheelSpec("good", "1.0", entry_points={"console_scripts": {"pkg-cli": "good:x"}})
    _refused(
        synced,
        synced.wheel(spec),
        match=r"would overwrite `bin/pkg-cli`, a file of `pkg-1.0`",
        unpacks=True,
    )


@pytest.mark.parametrize(
    "path", ["shared/mod.py", "shared.py", "two-1.0.data/scripts/tool", "two-1.0.data/data/x"]
)
def test_two_wheels_of_one_plan_claiming_one_file_are_refused(env: Env, path: str) -> None:
    # A package directory, a top-level module, a script and a data file: into a new
    # environment too, where only entries two wheels share are looked at file by file.
    one_path = path.replace("two-1.0", "one-1.0")
    one = env.wheel(WheelSpec("one", "1.0", files={one_path: "ONE = 1\n", "one.py": ""}))
    two = env.wheel(WheelSpec("two", "1.0", files={path: "TWO = 2\n", "two.py": ""}))
    with pytest.raises(DistributionInvalid, match="which `one` installs too"):
        env.sync(one, two)
    assert not env.venv.exists()


def test_identical_shared_files_are_allowed(env: Env) -> None:
    # Old-style namespace packages: several wheels ship the same `ns/__init__.py`.
    init = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
    one = env.wheel(WheelSpec("ns-one", "1.0", files={"ns/__init__.py": init, "ns/one.py": ""}))
    two = env.wheel(WheelSpec("ns-two", "1.0", files={"ns/__init__.py": init, "ns/two.py": ""}))
    env.sync(one)
    env.sync(one, two)
    assert (env.site / "ns" / "two.py").is_file()


# --- names and versions ------------------------------------------------------------------


def test_dist_info_named_for_another_package_is_refused(synced: Env) -> None:
    # The file says `good`, the dist-info inside says `pkg`: installed, it would replace pkg.
    evil = WheelSpec("pkg", "1.0", files={"pkg/__init__.py": "owned = True\n"})
    inner = build_wheel(evil, synced.wheels / "evil")
    renamed = synced.wheels / "renamed" / "good-1.0-py3-none-any.whl"
    renamed.parent.mkdir()
    renamed.write_bytes(inner.read_bytes())
    _refused(
        synced,
        wheel_dist(renamed, name="good", version="1.0"),
        match=r"contains `pkg-1.0.dist-info`, which is not good 1.0",
    )


def test_wheel_for_another_package_than_the_lock_is_refused(synced: Env) -> None:
    # A consistent wheel, but not the one the lock names (a swapped file on the index).
    other = build_wheel(WheelSpec("other", "1.0"), synced.wheels)
    _refused(
        synced,
        wheel_dist(other, name="good", version="1.0"),
        match=r"contains `other-1.0.dist-info`, but the lock asks for good 1.0",
        unpacks=True,
    )


def test_wheel_for_another_version_than_the_lock_is_refused(synced: Env) -> None:
    other = build_wheel(WheelSpec("good", "2.0"), synced.wheels)
    _refused(
        synced,
        wheel_dist(other, name="good", version="1.0"),
        match=r"contains `good-2.0.dist-info`, but the lock asks for good 1.0",
        unpacks=True,
    )


def test_metadata_naming_another_package_is_refused(synced: Env) -> None:
    metadata = b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"
    hostile = _crafted(synced, replace={f"{DIST_INFO}/METADATA": metadata}, fix_record=True)
    _refused(synced, hostile, match=r"says it is pkg 1.0 in its METADATA")


# --- the zip itself ----------------------------------------------------------------------


def test_duplicate_entries_are_refused(synced: Env) -> None:
    hostile = _crafted(synced, add=[(MEMBER, b"owned = True\n")])
    _refused(synced, hostile, match=f"has the entry `{MEMBER}` twice")


def test_parent_references_are_refused(synced: Env) -> None:
    hostile = _crafted(synced, add=[("good/../../escape.py", b"")], fix_record=True)
    _refused(synced, hostile, match=r"unsafe path: `good/\.\./\.\./escape\.py`")
    assert not (synced.cache / "escape.py").exists()


def test_absolute_paths_are_refused(synced: Env) -> None:
    hostile = _crafted(synced, add=[("/tmp/escape.py", b"")])
    _refused(synced, hostile, match="unsafe path")


@pytest.mark.parametrize(
    ("kind", "what"),
    [(stat.S_IFLNK, "a symlink"), (stat.S_IFCHR, "a device"), (stat.S_IFIFO, "a device, FIFO")],
)
def test_symlink_and_device_entries_are_refused(synced: Env, kind: int, what: str) -> None:
    info = zipfile.ZipInfo("good/link", date_time=(1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (kind | 0o777) << 16
    hostile = _crafted(synced, add=[(info, b"/etc/passwd")], fix_record=True)
    _refused(synced, hostile, match=f"is {what}")


def _patch_local_size(wheel: Path, member: str, size: int) -> None:
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as archive:
        offset = archive.getinfo(member).header_offset
    struct.pack_into("<L", data, offset + 22, size)  # the local header's uncompressed size
    wheel.write_bytes(bytes(data))


def test_sizes_that_differ_between_headers_are_refused(synced: Env) -> None:
    crafted = _crafted(synced)
    assert crafted.artifact is not None and crafted.artifact.url is not None
    wheel = Path(crafted.artifact.url[len("file://") :])
    _patch_local_size(wheel, MEMBER, 3)
    _refused(synced, wheel_dist(wheel, name="good", version="1.0"), match="two different sizes")


def test_a_file_whose_hash_differs_from_record_is_refused(synced: Env) -> None:
    hostile = _crafted(synced, replace={MEMBER: b'__version__ = "6.6"\n'})
    _refused(synced, hostile, match=f"hash differs from its RECORD: `{MEMBER}`")


def test_a_file_record_does_not_list_is_refused(synced: Env) -> None:
    hostile = _crafted(synced, add=[("good/extra.py", b"")])
    _refused(synced, hostile, match="a file its RECORD does not list: `good/extra.py`")


def test_a_wheel_without_record_is_refused(synced: Env) -> None:
    hostile = _crafted(synced, drop=(f"{DIST_INFO}/RECORD",))
    _refused(synced, hostile, match=f"has no {DIST_INFO}/RECORD")


def test_not_a_zip_is_refused(synced: Env) -> None:
    bad = synced.wheels / "bad" / "good-1.0-py3-none-any.whl"
    bad.parent.mkdir()
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    _refused(synced, wheel_dist(bad, name="good", version="1.0"), match="not a valid zip file")


def test_a_lock_hash_that_is_a_path_is_refused(synced: Env) -> None:
    import attrs

    good = synced.wheel(GOOD)
    assert good.artifact is not None
    (synced.cache / "unpacked" / "x").mkdir(parents=True)
    hostile = attrs.evolve(good, artifact=attrs.evolve(good.artifact, hash="sha256:../x"))
    _refused(synced, hostile, match="invalid sha256 in the lock")


# --- what is recorded --------------------------------------------------------------------


def test_a_wrong_size_in_the_wheels_record_is_not_copied(env: Env) -> None:
    good = build_wheel(GOOD, env.wheels / "good")
    with zipfile.ZipFile(good) as archive:
        record = archive.read(f"{DIST_INFO}/RECORD").decode()
    lying = re.sub(rf"^({re.escape(MEMBER)},sha256=[^,]+),\d+$", r"\1,9999", record, flags=re.M)
    assert lying != record
    wheel = rewrite_wheel(
        good, env.wheels / "lying" / good.name, replace={f"{DIST_INFO}/RECORD": lying.encode()}
    )
    dist = wheel_dist(wheel)
    env.sync(dist)
    assert record_problems(env.site, DIST_INFO) == []
    assert env.plan(dist).is_empty  # observe agrees: no reinstall on every sync

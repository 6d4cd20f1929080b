"""PEP 610 `direct_url.json`: written for a dist that does not come from a registry (a URL, a
git commit), read back by observe, so that the next plan is empty and a changed source is seen.
Git dists and sdists go through apply's builder before anything in the environment changes;
what older or unusual wheels carry (unhashed RECORD rows, executable files) is installed."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import attrs
from packaging.utils import canonicalize_name
from packaging.version import Version

from accord.model.desired import ArtifactKind, DesiredDist
from accord.model.lock import Artifact, Source, SourceKind
from accord.reconciler.install.apply import apply_plan
from fixtures.wheels import WheelSpec, build_sdist, build_wheel
from tests.reconciler.envs import Env, record_problems, rewrite_wheel, wheel_dist


def test_apply_url_dist_records_its_origin_and_is_kept_next_time(env: Env) -> None:
    wheel = build_wheel(WheelSpec("fromurl", "1.0"), env.wheels)
    dist = attrs.evolve(wheel_dist(wheel), source=Source(SourceKind.URL, wheel.as_uri()))
    env.sync(dist)
    recorded = (env.site / "fromurl-1.0.dist-info" / "direct_url.json").read_text()
    # uv 0.13.8's bytes: compact, no hash in `archive_info` (tests/cli/test_url_subdirectory.py).
    assert recorded == f'{{"url":"{wheel.as_uri()}","archive_info":{{}}}}'
    assert env.plan(dist).is_empty
    # The same wheel from a registry instead: the recorded origin says it differs.
    plan = env.plan(wheel_dist(wheel))
    assert [(a.kind, a.reason.kind) for a in plan.actions] == [("replace", "source-differs")]


def test_apply_registry_dist_has_no_direct_url(env: Env) -> None:
    env.sync(env.wheel(WheelSpec("fromindex", "1.0")))
    assert not (env.site / "fromindex-1.0.dist-info" / "direct_url.json").exists()


class PrebuiltWheels:
    """A `reconciler.install.apply.Builder` whose builds are wheels made beforehand (the real
    builder's PEP 517 runs are tested in test_build.py): what apply does with them is the
    subject here."""

    def __init__(self, wheels: dict[str, Path]) -> None:
        self.wheels = wheels
        self.built: list[str] = []

    def build_git(self, dist: DesiredDist) -> Path:
        self.built.append(f"git:{dist.name}")
        return self.wheels[dist.name]

    def build_tree(self, dist: DesiredDist) -> Path:
        self.built.append(f"tree:{dist.name}")
        return self.wheels[dist.name]

    def build_sdist(
        self,
        sdist: Path,
        sha256: str,
        label: str | None = None,
        *,
        name: str | None = None,
        subdirectory: str | None = None,
    ) -> Path:
        raise AssertionError("no sdist in these plans")


def _git_dist(name: str, commit: str) -> DesiredDist:
    location = f"https://example.invalid/{name}.git?tag=v1#{commit}"
    return DesiredDist(
        name=canonicalize_name(name),
        version=Version("1.0"),
        source=Source(SourceKind.GIT, location),
        kind=ArtifactKind.SDIST,
        artifact=None,
    )


def test_apply_builds_every_git_dist_and_records_its_commit(env: Env) -> None:
    wheels = {n: build_wheel(WheelSpec(n, "1.0"), env.wheels) for n in ("gita", "gitb")}
    builder = PrebuiltWheels(wheels)
    dists = [_git_dist("gita", "a" * 40), _git_dist("gitb", "b" * 40)]
    apply_plan(env.plan(*dists), env.venv, env.cache, builder=builder)
    assert builder.built == ["git:gita", "git:gitb"]
    recorded = json.loads((env.site / "gita-1.0.dist-info" / "direct_url.json").read_text())
    assert recorded == {
        "url": "https://example.invalid/gita.git",
        "vcs_info": {"vcs": "git", "commit_id": "a" * 40, "requested_revision": "v1"},
    }
    assert env.plan(*dists).is_empty
    moved = [_git_dist("gita", "c" * 40), dists[1]]
    plan = env.plan(*moved)
    assert [(a.name, a.kind, a.reason.kind) for a in plan.actions] == [
        ("gita", "replace", "source-differs")
    ]


def test_apply_records_a_git_branch_as_the_requested_revision(env: Env) -> None:
    builder = PrebuiltWheels({"gitc": build_wheel(WheelSpec("gitc", "1.0"), env.wheels)})
    dist = attrs.evolve(
        _git_dist("gitc", "d" * 40),
        source=Source(SourceKind.GIT, "https://example.invalid/gitc.git?branch=main#" + "d" * 40),
    )
    apply_plan(env.plan(dist), env.venv, env.cache, builder=builder)
    recorded = json.loads((env.site / "gitc-1.0.dist-info" / "direct_url.json").read_text())
    assert recorded["vcs_info"]["requested_revision"] == "main"


def test_apply_builds_a_locked_sdist_with_the_builder(env: Env) -> None:
    sdist = build_sdist(WheelSpec("fromsdist", "1.0"), env.wheels / "sdists")
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    dist = DesiredDist(
        name=canonicalize_name("fromsdist"),
        version=Version("1.0"),
        source=Source(SourceKind.REGISTRY, "https://example.invalid/simple"),
        kind=ArtifactKind.SDIST,
        artifact=Artifact(url=sdist.as_uri(), hash=f"sha256:{digest}"),
    )
    built = build_wheel(WheelSpec("fromsdist", "1.0"), env.wheels)

    class SdistBuilder(PrebuiltWheels):
        def build_sdist(
            self,
            sdist: Path,
            sha256: str,
            label: str | None = None,
            *,
            name: str | None = None,
            subdirectory: str | None = None,
        ) -> Path:
            self.built.append(f"sdist:{sha256} {label} {name} {subdirectory}")
            return built

    builder = SdistBuilder({})
    apply_plan(env.plan(dist), env.venv, env.cache, builder=builder)
    assert builder.built == [f"sdist:{digest} fromsdist==1.0 fromsdist None"]
    assert (env.site / "fromsdist" / "__init__.py").is_file()


def test_apply_fresh_environment_records_files_the_wheel_lists_without_a_hash(env: Env) -> None:
    """Older tools listed some files without a hash; the installed RECORD still has them, with
    the hash of what was installed (a fresh environment links package files in one go)."""
    wheel = build_wheel(
        WheelSpec(
            "oldtool", "1.0", files={"oldtool/__init__.py": "", "oldtool/sub/x.py": "x = 1\n"}
        ),
        env.wheels / "plain",
    )
    with zipfile.ZipFile(wheel) as archive:
        record = archive.read("oldtool-1.0.dist-info/RECORD").decode()
    unhashed = "\n".join(
        f"{line.split(',')[0]},," if line.startswith("oldtool/") else line
        for line in record.splitlines()
    )
    old = rewrite_wheel(
        wheel, env.wheels / wheel.name, replace={"oldtool-1.0.dist-info/RECORD": unhashed.encode()}
    )
    env.sync(wheel_dist(old))
    assert record_problems(env.site, "oldtool-1.0.dist-info") == []


def test_apply_keeps_the_executable_bit_of_a_wheel_file(env: Env) -> None:
    spec = WheelSpec("exe", "1.0", files={"exe/__init__.py": "", "exe/run.sh": "#!/bin/sh\n"})
    wheel = build_wheel(spec, env.wheels / "plain")
    executable = env.wheels / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(executable, "w") as out:
        for member in source.infolist():
            if member.filename == "exe/run.sh":
                member.external_attr = 0o100755 << 16
            out.writestr(member, source.read(member))
    env.sync(wheel_dist(executable))
    assert os.access(env.site / "exe" / "run.sh", os.X_OK)
    assert not os.access(env.site / "exe" / "__init__.py", os.X_OK)


TOOL = WheelSpec(
    "tool",
    "1.0",
    entry_points={"console_scripts": {"tool-cmd": "tool:main"}},
    files={"tool/__init__.py": "def main():\n    pass\n"},
)


def test_apply_writes_a_script_in_place_of_a_symlink_never_through_it(
    env: Env, tmp_path: Path
) -> None:
    base = env.wheel(WheelSpec("base", "1.0"))
    env.sync(base)
    outside = tmp_path / "outside" / "target"
    outside.parent.mkdir()
    (env.venv / "bin" / "tool-cmd").symlink_to(outside)  # dangling: nothing there yet
    env.sync(base, env.wheel(TOOL))
    assert not outside.exists()
    script = env.venv / "bin" / "tool-cmd"
    assert script.is_file() and not script.is_symlink()


def test_apply_writes_a_script_afresh_over_a_hardlinked_file(env: Env, tmp_path: Path) -> None:
    base = env.wheel(WheelSpec("base", "1.0"))
    env.sync(base)
    shared = tmp_path / "shared"
    shared.write_text("someone else's file\n")
    os.link(shared, env.venv / "bin" / "tool-cmd")
    env.sync(base, env.wheel(TOOL))
    assert shared.read_text() == "someone else's file\n"

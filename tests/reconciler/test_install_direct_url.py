"""PEP 610 `direct_url.json`: written for a dist that does not come from a registry (a URL, a
git commit), read back by observe, so that the next plan is empty and a changed source is seen.
Git dists go through apply's builder before anything in the environment changes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import attrs
from packaging.utils import canonicalize_name
from packaging.version import Version

from fixtures.wheels import WheelSpec, build_wheel
from model.desired import ArtifactKind, DesiredDist
from model.lock import Source, SourceKind
from reconciler.apply import apply_plan
from tests.reconciler.envs import Env, wheel_dist


def test_apply_url_dist_records_its_origin_and_is_kept_next_time(env: Env) -> None:
    wheel = build_wheel(WheelSpec("fromurl", "1.0"), env.wheels)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    dist = attrs.evolve(wheel_dist(wheel), source=Source(SourceKind.URL, wheel.as_uri()))
    env.sync(dist)
    recorded = json.loads((env.site / "fromurl-1.0.dist-info" / "direct_url.json").read_text())
    assert recorded == {"url": wheel.as_uri(), "archive_info": {"hash": f"sha256={digest}"}}
    assert env.plan(dist).is_empty
    # The same wheel from a registry instead: the recorded origin says it differs.
    plan = env.plan(wheel_dist(wheel))
    assert [(a.kind, a.reason.kind) for a in plan.actions] == [("replace", "source-differs")]


def test_apply_registry_dist_has_no_direct_url(env: Env) -> None:
    env.sync(env.wheel(WheelSpec("fromindex", "1.0")))
    assert not (env.site / "fromindex-1.0.dist-info" / "direct_url.json").exists()


class PrebuiltWheels:
    """A `reconciler.apply.Builder` whose builds are wheels made beforehand (the real
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

    def build_sdist(self, sdist: Path, sha256: str) -> Path:
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

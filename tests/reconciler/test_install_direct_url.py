"""PEP 610 `direct_url.json`: written for a dist that does not come from a registry, read back
by observe, so that the next plan is empty and a changed source is seen."""

from __future__ import annotations

import hashlib
import json

import attrs

from fixtures.wheels import WheelSpec, build_wheel
from model.lock import Source, SourceKind
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

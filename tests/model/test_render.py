"""``render_text`` and ``render_json``: deliberate goldens, stability, and the JSON schema v1.

The expected strings below are goldens: when the text output changes on purpose, edit them by
hand (and ``docs/plan-schema.md`` for JSON), never by pasting whatever the code now prints.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

import attrs
import pytest
from packaging.specifiers import SpecifierSet

from accord.model.desired import ArtifactKind
from accord.model.lock import Lock, Source, SourceKind
from accord.model.observed import DirectUrl, EnvironmentState
from accord.model.plan import KeepLock, Plan, WriteLock, diff
from accord.model.render import SCHEMA_VERSION, render_json, render_text
from tests.model.factories import (
    desired_dist,
    desired_env,
    installed,
    linux_interpreter,
    observed,
)

PROJECT = PurePosixPath("/work/proj")
NOTE = (
    "proj is not installed, only its dependencies: it is a virtual project "
    "(no [build-system], or tool.uv.package = false)"
)


def representative_plan() -> Plan:
    """Kept environment: two installs, two replaces, one removal, a lock action and a note."""
    desired = desired_env(
        desired_dist("attrs", "24.2.0"),
        desired_dist("click", "8.1.7"),
        desired_dist("native", "1.0", kind=ArtifactKind.SDIST),
        desired_dist(
            "lib",
            None,
            source=Source(SourceKind.EDITABLE, "packages/lib"),
            kind=ArtifactKind.SOURCE_TREE,
            editable=True,
        ),
        notes=[NOTE],
        exact=True,
    )
    found = observed(
        installed("click", "8.0.0"),
        installed("attrs", "24.2.0", record_problem="attr/__init__.py is missing"),
        installed("old-thing", "0.1"),
    )
    return attrs.evolve(diff(desired, found), lock=KeepLock("--frozen: used as it is"))


def create_plan() -> Plan:
    desired = desired_env(desired_dist("attrs", "24.2.0"), desired_dist("click", "8.1.7"))
    return diff(desired, observed(state=EnvironmentState.MISSING))


def empty_plan() -> Plan:
    desired = desired_env(desired_dist("attrs", "24.2.0"), desired_dist("click", "8.1.7"))
    return diff(desired, observed(installed("attrs", "24.2.0"), installed("click", "8.1.7")))


def test_render_text_representative_plan() -> None:
    assert render_text(representative_plan(), relative_to=PROJECT) == (
        "Plan for .venv (CPython 3.11.7 at /opt/python/3.11/bin/python3.11)\n"
        "  = Keep uv.lock (--frozen: used as it is)\n"
        "  ~ Replace attrs==24.2.0: files missing or modified: attr/__init__.py is missing\n"
        "  ~ Replace click 8.0.0 → 8.1.7: version differs: 8.0.0 → 8.1.7\n"
        "  + Install lib==(dynamic) (editable, packages/lib/): missing\n"
        "  + Install native==1.0 (build from sdist): missing\n"
        "  - Remove old-thing==0.1: not required by the lock (exact sync)\n"
        f"Note: {NOTE}\n"
        "Plan: 2 to install, 2 to replace, 1 to remove\n"
    )


def test_render_text_create() -> None:
    assert render_text(create_plan(), relative_to=PROJECT) == (
        "Plan for .venv (CPython 3.11.7 at /opt/python/3.11/bin/python3.11)\n"
        "  + Create .venv: no environment yet\n"
        "  + Install attrs==24.2.0: missing\n"
        "  + Install click==8.1.7: missing\n"
        "Plan: 2 to install\n"
    )


def test_render_text_recreate() -> None:
    desired = desired_env(desired_dist("attrs", "24.2.0"))
    found = observed(installed("attrs", "24.2.0"), interpreter=linux_interpreter("3.11.6"))
    assert render_text(diff(desired, found), relative_to=PROJECT) == (
        "Plan for .venv (CPython 3.11.7 at /opt/python/3.11/bin/python3.11)\n"
        "  ! Recreate .venv: interpreter changed: 3.11.6 (/opt/python/3.11/bin/python3.11) → "
        "3.11.7 (/opt/python/3.11/bin/python3.11)\n"
        "  + Install attrs==24.2.0: missing\n"
        "Plan: 1 to install\n"
    )


def test_render_text_recreate_without_packages() -> None:
    plan = diff(desired_env(), observed(state=EnvironmentState.BROKEN, detail="python is gone"))
    assert render_text(plan, relative_to=PROJECT) == (
        "Plan for .venv (CPython 3.11.7 at /opt/python/3.11/bin/python3.11)\n"
        "  ! Recreate .venv: broken environment: python is gone\n"
        "Plan: no package changes\n"
    )


def test_render_text_empty_plan() -> None:
    assert render_text(empty_plan(), relative_to=PROJECT) == (
        "Plan for .venv (CPython 3.11.7 at /opt/python/3.11/bin/python3.11)\n"
        "Nothing to do: .venv matches the lock (2 packages)\n"
    )


def test_render_text_without_relative_to_shows_absolute_venv() -> None:
    assert render_text(empty_plan()).splitlines()[-1] == (
        "Nothing to do: /work/proj/.venv matches the lock (2 packages)"
    )


def test_render_text_venv_outside_relative_to_stays_absolute() -> None:
    text = render_text(empty_plan(), relative_to=PurePosixPath("/elsewhere"))
    assert text.splitlines()[0].startswith("Plan for /work/proj/.venv (")


def test_render_text_does_not_depend_on_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan alone decides the text: a relative ``relative_to`` is not read against the cwd."""
    monkeypatch.chdir("/")
    text = render_text(empty_plan(), relative_to=PurePosixPath("work/proj"))
    assert text.splitlines()[0].startswith("Plan for /work/proj/.venv (")


# JSON ---------------------------------------------------------------------------------------

PLANS = [
    pytest.param(representative_plan, id="representative"),
    pytest.param(create_plan, id="create"),
    pytest.param(empty_plan, id="empty"),
]


def test_render_json_schema_version() -> None:
    assert SCHEMA_VERSION == 1
    assert json.loads(render_json(representative_plan()))["schema_version"] == 1


@pytest.mark.parametrize("make", PLANS)
def test_render_json_top_level_keys(make: Any) -> None:
    document = json.loads(render_json(make()))
    assert sorted(document) == [
        "desired",
        "environment",
        "is_empty",
        "lock",
        "notes",
        "packages",
        "schema_version",
    ]
    assert sorted(document["environment"]) == ["action", "interpreter", "path"]
    assert document["environment"]["interpreter"] == {
        "executable": "/opt/python/3.11/bin/python3.11",
        "implementation": "cpython",
        "version": "3.11.7",
    }


@pytest.mark.parametrize("make", PLANS)
def test_render_json_is_stable(make: Any) -> None:
    first = render_json(make()).encode()
    assert render_json(make()).encode() == first
    assert first.endswith(b"}\n")


@pytest.mark.parametrize("make", PLANS)
def test_render_json_keys_are_sorted(make: Any) -> None:
    text = render_json(make())
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_render_json_is_empty_flag() -> None:
    assert json.loads(render_json(empty_plan()))["is_empty"] is True
    assert json.loads(render_json(representative_plan()))["is_empty"] is False


def test_render_json_package_actions() -> None:
    packages = json.loads(render_json(representative_plan()))["packages"]
    assert [(p["kind"], p["name"]) for p in packages] == [
        ("replace", "attrs"),
        ("replace", "click"),
        ("install", "lib"),
        ("install", "native"),
        ("remove", "old-thing"),
    ]
    keys = {p["kind"]: sorted(p) for p in packages}
    assert keys == {
        "install": ["kind", "name", "reason", "target"],
        "replace": ["installed", "kind", "name", "reason", "target"],
        "remove": ["installed", "kind", "name", "reason"],
    }


def test_render_json_reasons_carry_evidence() -> None:
    reasons = {
        p["name"]: p["reason"] for p in json.loads(render_json(representative_plan()))["packages"]
    }
    assert reasons == {
        "attrs": {
            "kind": "files-modified",
            "detail": "attr/__init__.py is missing",
            "message": "files missing or modified: attr/__init__.py is missing",
        },
        "click": {
            "kind": "version-differs",
            "installed": "8.0.0",
            "wanted": "8.1.7",
            "message": "version differs: 8.0.0 → 8.1.7",
        },
        "lib": {"kind": "missing", "message": "missing"},
        "native": {"kind": "missing", "message": "missing"},
        "old-thing": {"kind": "extraneous", "message": "not required by the lock (exact sync)"},
    }


def test_render_json_replace_target_and_installed() -> None:
    packages = json.loads(render_json(representative_plan()))["packages"]
    click = next(p for p in packages if p["name"] == "click")
    assert click["installed"] == {
        "dist_info": "click-8.0.0.dist-info",
        "installer": "accord",
        "name": "click",
        "version": "8.0.0",
    }
    assert click["target"] == {
        "artifact": {
            "hash": "sha256:" + "0" * 64,
            "kind": "wheel",
            "name": "click-8.1.7-py3-none-any.whl",
            "url": "https://example.invalid/files/click-8.1.7-py3-none-any.whl",
        },
        "editable": False,
        "name": "click",
        "source": {"kind": "registry", "location": "https://example.invalid/simple"},
        "version": "8.1.7",
    }


def test_render_json_source_tree_dist() -> None:
    desired = json.loads(render_json(representative_plan()))["desired"]
    lib = next(d for d in desired if d["name"] == "lib")
    assert lib == {
        "artifact": None,
        "editable": True,
        "name": "lib",
        "source": {"kind": "editable", "location": "packages/lib"},
        "version": None,
        "why": [],  # chains are filled by the pipeline when a plan is shown in full
    }


def test_render_json_source_subdirectory() -> None:
    source = Source(SourceKind.URL, "https://example.invalid/m.tar.gz", subdirectory="sub")
    plan = diff(desired_env(desired_dist("m", source=source)), observed())
    (package,) = json.loads(render_json(plan))["packages"]
    assert package["target"]["source"] == {
        "kind": "url",
        "location": "https://example.invalid/m.tar.gz",
        "subdirectory": "sub",
    }


def test_render_json_environment_actions() -> None:
    def action(plan: Plan) -> Any:
        return json.loads(render_json(plan))["environment"]["action"]

    assert action(empty_plan()) == {"kind": "keep"}
    assert action(create_plan()) == {
        "kind": "create",
        "reason": {"kind": "missing", "message": "no environment yet"},
    }
    found = observed(interpreter=linux_interpreter("3.11.6"))
    assert action(diff(desired_env(), found)) == {
        "kind": "recreate",
        "reason": {
            "kind": "interpreter-changed",
            "installed": "3.11.6 (/opt/python/3.11/bin/python3.11)",
            "wanted": "3.11.7 (/opt/python/3.11/bin/python3.11)",
            "message": "interpreter changed: 3.11.6 (/opt/python/3.11/bin/python3.11) → "
            "3.11.7 (/opt/python/3.11/bin/python3.11)",
        },
    }
    not_a_venv = observed(state=EnvironmentState.NOT_A_VENV, detail="no pyvenv.cfg")
    assert action(diff(desired_env(), not_a_venv))["reason"] == {
        "kind": "not-a-venv",
        "detail": "no pyvenv.cfg",
        "message": "not a virtual environment: no pyvenv.cfg",
    }


def test_render_json_lock_and_notes() -> None:
    document = json.loads(render_json(representative_plan()))
    assert document["lock"] == {
        "name": "uv.lock",
        "action": {"kind": "keep", "reason": "--frozen: used as it is"},
    }
    assert document["notes"] == [NOTE]
    assert json.loads(render_json(create_plan()))["lock"] is None


def test_render_json_desired_sorted_by_name() -> None:
    desired = json.loads(render_json(representative_plan()))["desired"]
    assert [d["name"] for d in desired] == ["attrs", "click", "lib", "native"]


def _lock() -> Lock:
    return Lock(version=1, revision=3, requires_python=SpecifierSet(">=3.10"), packages=())


def test_render_a_lock_to_write_in_text_and_json() -> None:
    plan = attrs.evolve(empty_plan(), lock=WriteLock("requirements changed (added httpx)", _lock()))
    assert render_text(plan).splitlines()[1] == (
        "  + Write uv.lock: requirements changed (added httpx)"
    )
    document = json.loads(render_json(plan))
    assert document["lock"] == {
        "name": "uv.lock",
        "action": {"kind": "write", "reason": "requirements changed (added httpx)"},
    }


def test_render_a_rebuild_for_changed_build_inputs() -> None:
    dist = attrs.evolve(
        desired_dist(
            "lib",
            "0.1.0",
            source=Source(SourceKind.EDITABLE, "packages/lib"),
            kind=ArtifactKind.SOURCE_TREE,
            editable=True,
        ),
        directory_url="file:///work/proj/packages/lib",
        build_digest="new",
    )
    found = attrs.evolve(
        installed(
            "lib",
            "0.1.0",
            direct_url=DirectUrl(
                url="file:///work/proj/packages/lib", editable=True, is_directory=True
            ),
        ),
        build_digest="old",
    )
    plan = diff(desired_env(dist), observed(found))
    assert render_text(plan) == (
        "Plan for /work/proj/.venv (CPython 3.11.7 at /opt/python/3.11/bin/python3.11)\n"
        "  ~ Replace lib==0.1.0 (editable, packages/lib/): "
        "build inputs changed: pyproject.toml or cache-keys\n"
        "Plan: 1 to replace\n"
    )
    (action,) = json.loads(render_json(plan))["packages"]
    assert action["reason"]["kind"] == "build-inputs-changed"


def test_uv_summary_puts_back_only_what_comes_from_the_same_place() -> None:
    """uv 0.13.8 lists a package reinstalled from where it came as `~`, and one whose place
    changed at the same version (an archive for the index's copy) as removed and installed."""
    from accord.model.lock import Artifact
    from accord.model.render import uv_summary

    url = "file:///work/dists/dep_b-1.0-py3-none-any.whl"
    by_path = desired_dist("dep-b", source=Source(SourceKind.PATH, "../dists/dep_b.whl"))
    by_path = attrs.evolve(by_path, artifact=Artifact(url=url))
    from_path = installed("dep-b", direct_url=DirectUrl(url=url))
    again = diff(desired_env(by_path, reinstall=True), observed(from_path))
    assert uv_summary(again, 0.001).splitlines()[-1] == f" ~ dep-b==1.0 (from {url})"
    moved = diff(desired_env(desired_dist("dep-b"), reinstall=True), observed(from_path))
    assert uv_summary(moved, 0.001).splitlines()[-2:] == [
        f" - dep-b==1.0 (from {url})",
        " + dep-b==1.0",
    ]

"""Every kind of plan line, in text and in JSON: one golden per environment reason, package
reason and lock action, so a change of wording is a deliberate edit here (and in
docs/plan-schema.md for JSON), never an accident.
"""

from __future__ import annotations

import json
import typing
from pathlib import PurePosixPath
from typing import Any

import pytest

from accord.model.plan import (
    BuildInputsChanged,
    BuildSettingsChanged,
    ContentModified,
    Create,
    EnvironmentMissing,
    EnvironmentReason,
    FilesModified,
    Install,
    InterpreterChanged,
    Keep,
    KeepLock,
    NotAVirtualEnvironment,
    PackageAction,
    Plan,
    PyvenvBroken,
    Recreate,
    ReinstallRequested,
    Remove,
    Replace,
    ReplaceReason,
    SourceDiffers,
    VersionDiffers,
)
from accord.model.render import render_json, render_text
from tests.model.factories import VENV, desired_dist, desired_env, installed

PROJECT = PurePosixPath("/work/proj")
HEADER = "Plan for .venv (CPython 3.11.7 at /opt/python/3.11/bin/python3.11)\n"


KEEP = Keep()


def _plan(
    *actions: PackageAction, environment: Create | Recreate | Keep = KEEP, lock: Any = None
) -> Plan:
    return Plan(
        venv=VENV,
        desired=desired_env(desired_dist("pkg", "1.1")),
        environment=environment,
        lock=lock,
        actions=actions,
    )


ENVIRONMENT_LINES: list[tuple[str, Create | Recreate, str, dict[str, Any]]] = [
    (
        "create-missing",
        Create(EnvironmentMissing()),
        "  + Create .venv: no environment yet\n",
        {"kind": "create", "reason": {"kind": "missing", "message": "no environment yet"}},
    ),
    (
        "recreate-not-a-venv",
        Recreate(NotAVirtualEnvironment("no pyvenv.cfg")),
        "  ! Recreate .venv: not a virtual environment: no pyvenv.cfg\n",
        {
            "kind": "recreate",
            "reason": {
                "detail": "no pyvenv.cfg",
                "kind": "not-a-venv",
                "message": "not a virtual environment: no pyvenv.cfg",
            },
        },
    ),
    (
        "recreate-broken",
        Recreate(PyvenvBroken("no home key")),
        "  ! Recreate .venv: broken environment: no home key\n",
        {
            "kind": "recreate",
            "reason": {
                "detail": "no home key",
                "kind": "pyvenv-broken",
                "message": "broken environment: no home key",
            },
        },
    ),
    (
        "recreate-interpreter",
        Recreate(InterpreterChanged("3.10.14", "3.11.7")),
        "  ! Recreate .venv: interpreter changed: 3.10.14 → 3.11.7\n",
        {
            "kind": "recreate",
            "reason": {
                "installed": "3.10.14",
                "kind": "interpreter-changed",
                "message": "interpreter changed: 3.10.14 → 3.11.7",
                "wanted": "3.11.7",
            },
        },
    ),
]


@pytest.mark.parametrize(
    ("action", "text", "json_environment"),
    [case[1:] for case in ENVIRONMENT_LINES],
    ids=[case[0] for case in ENVIRONMENT_LINES],
)
def test_environment_lines(
    action: Create | Recreate, text: str, json_environment: dict[str, Any]
) -> None:
    plan = _plan(environment=action)
    assert render_text(plan, relative_to=PROJECT).splitlines(keepends=True)[1] == text
    environment = json.loads(render_json(plan))["environment"]
    reason: EnvironmentReason = action.reason
    assert environment["action"] == json_environment, reason


REPLACE_LINES: list[tuple[str, ReplaceReason, str, str]] = [
    (
        "version-differs",
        VersionDiffers("1.0", "1.1"),
        "  ~ Replace pkg 1.0 → 1.1: version differs: 1.0 → 1.1\n",
        "version differs: 1.0 → 1.1",
    ),
    (
        "source-differs",
        SourceDiffers("https://old/simple", "https://new/simple"),
        "  ~ Replace pkg==1.1: source differs: https://old/simple → https://new/simple\n",
        "source differs: https://old/simple → https://new/simple",
    ),
    (
        "files-modified",
        FilesModified("pkg/__init__.py is missing"),
        "  ~ Replace pkg==1.1: files missing or modified: pkg/__init__.py is missing\n",
        "files missing or modified: pkg/__init__.py is missing",
    ),
    (
        "content-modified",
        ContentModified(("pkg/a.py", "pkg/b.py", "pkg/c.py", "pkg/d.py", "pkg/e.py", "pkg/f.py")),
        "  ~ Replace pkg==1.1: 6 files modified: pkg/a.py, pkg/b.py, pkg/c.py, pkg/d.py, "
        "pkg/e.py and 1 more\n",
        "6 files modified: pkg/a.py, pkg/b.py, pkg/c.py, pkg/d.py, pkg/e.py and 1 more",
    ),
    (
        "content-modified-one",
        ContentModified(("pkg/a.py",)),
        "  ~ Replace pkg==1.1: 1 file modified: pkg/a.py\n",
        "1 file modified: pkg/a.py",
    ),
    (
        "build-inputs-changed",
        BuildInputsChanged(),
        "  ~ Replace pkg==1.1: build inputs changed: pyproject.toml or cache-keys\n",
        "build inputs changed: pyproject.toml or cache-keys",
    ),
    (
        "build-settings-changed",
        BuildSettingsChanged(),
        "  ~ Replace pkg==1.1: built with other config settings\n",
        "built with other config settings",
    ),
    (
        "reinstall-requested",
        ReinstallRequested(),
        "  ~ Replace pkg==1.1: reinstall requested\n",
        "reinstall requested",
    ),
]


def test_every_replace_reason_has_a_golden() -> None:
    kinds = {reason.kind for _, reason, _, _ in REPLACE_LINES}
    assert kinds == {kind.kind for kind in typing.get_args(ReplaceReason)}


@pytest.mark.parametrize(
    ("reason", "text", "json_text"),
    [case[1:] for case in REPLACE_LINES],
    ids=[case[0] for case in REPLACE_LINES],
)
def test_replace_lines(reason: ReplaceReason, text: str, json_text: str) -> None:
    found = installed("pkg", "1.0" if isinstance(reason, VersionDiffers) else "1.1")
    plan = _plan(Replace(found, desired_dist("pkg", "1.1"), reason))
    lines = render_text(plan, relative_to=PROJECT).splitlines(keepends=True)
    assert lines[0] == HEADER
    assert lines[1] == text
    assert lines[-1] == "Plan: 1 to replace\n"
    (action,) = json.loads(render_json(plan))["packages"]
    assert action["kind"] == "replace"
    assert action["reason"]["kind"] == reason.kind
    assert action["reason"]["message"] == json_text


def test_install_and_remove_lines() -> None:
    plan = _plan(
        Install(desired_dist("new", "2.0")),
        Remove(installed("old", "0.1")),
    )
    assert render_text(plan, relative_to=PROJECT) == (
        HEADER
        + "  + Install new==2.0: missing\n"
        + "  - Remove old==0.1: not required by the lock (exact sync)\n"
        + "Plan: 1 to install, 1 to remove\n"
    )
    install, remove = json.loads(render_json(plan))["packages"]
    assert (install["kind"], install["reason"]["kind"]) == ("install", "missing")
    assert (remove["kind"], remove["reason"]["kind"]) == ("remove", "extraneous")


def test_lock_lines() -> None:
    kept = render_text(_plan(lock=KeepLock("up to date")), relative_to=PROJECT)
    assert kept == HEADER + (
        "  = Keep uv.lock (up to date)\nNothing to do: .venv matches the lock (1 package)\n"
    )
    lock = json.loads(render_json(_plan(lock=KeepLock("up to date"))))["lock"]
    assert lock["action"] == {"kind": "keep", "reason": "up to date"}

"""Which tests can kill a mutant of each module: the runner's default selection.

Fast, specific tests first: the runner stops at the first failure (`-x`), so a killed mutant
costs little and only a survivor pays for the whole list. A module not listed here needs
`--tests` on the command line.
"""

from __future__ import annotations

MODEL_PLAN = ["tests/model/test_diff.py", "tests/model/test_render.py"]
STAGES = [
    "tests/reconciler/test_apply.py",
    "tests/reconciler/test_install_direct_url.py",
    "tests/reconciler/test_install_safety.py",
]
RESOLVER = [
    "tests/reconciler/test_resolver_cases.py",
    "tests/cli/test_settings_resolution.py",
    "tests/cli/test_forks.py",
]

TESTS_BY_MODULE: dict[str, list[str]] = {
    "model/staleness.py": ["tests/model/test_staleness.py", "tests/cli/test_recovery.py"],
    "model/plan.py": [*MODEL_PLAN, "tests/reconciler/test_apply.py"],
    "model/desired.py": ["tests/model/test_desire.py", *MODEL_PLAN],
    "reconciler/lock/write.py": [
        "tests/reconciler/test_lockwrite.py",
        "tests/reconciler/test_lock_values.py",
        "tests/reconciler/test_resolver_cases.py",
    ],
    "reconciler/lock/toml_text.py": ["tests/reconciler/test_lockwrite.py"],
    "reconciler/install/wheel.py": [*STAGES, "tests/cli/test_recovery.py"],
    "reconciler/install/apply.py": [*STAGES, "tests/cli/test_recovery.py"],
    "reconciler/lock/resolve/provider.py": RESOLVER,
    "reconciler/lock/resolve/availability.py": RESOLVER,
    "reconciler/lock/resolve/selection.py": RESOLVER,
    "reconciler/lock/resolve/splits.py": RESOLVER,
    "reconciler/lock/resolve/requirements.py": RESOLVER,
    "reconciler/fetch/http.py": [
        "tests/reconciler/test_network.py",
        "tests/reconciler/test_artifacts_stage.py",
        "tests/reconciler/test_index_client.py",
        "tests/reconciler/test_credentials.py",
        "tests/cli/test_index_auth.py",
    ],
    "reconciler/fetch/artifacts.py": [
        "tests/reconciler/test_artifacts_stage.py",
        "tests/reconciler/test_install_safety.py",
        "tests/reconciler/test_install_direct_url.py",
        "tests/reconciler/test_apply.py",
        "tests/reconciler/test_remote_wheel.py",
        "tests/cli/test_recovery.py",
    ],
    "reconciler/fastpath.py": [
        "tests/reconciler/test_execute_stage.py",
        "tests/cli/test_fastpath.py",
        "tests/cli/test_fastpath_options.py",
        "tests/cli/test_run.py",
        "tests/cli/test_recovery.py",
    ],
    "reconciler/fastargs.py": [
        "tests/cli/test_fastpath_options.py",
        "tests/cli/test_fastpath.py",
        "tests/cli/test_run.py",
    ],
    "reconciler/run/execute.py": [
        "tests/reconciler/test_execute_stage.py",
        "tests/cli/test_execute.py",
    ],
}

"""The colours accord paints on uv's lines (``reconciler.console.paint_plan``), as uv paints
them: a bold word, cyan while a step runs, green once it is done."""

from __future__ import annotations

from accord.reconciler.console import paint_plan

BOLD, CYAN, GREEN, RESET = "\x1b[1m", "\x1b[36m", "\x1b[32m", "\x1b[0m"


def test_steps_on_sources_are_painted_as_uv_paints_them() -> None:
    text = (
        "   Building demo @ file:///tmp/demo\n"
        "      Built demo @ file:///tmp/demo\n"
        "   Updating https://example.invalid/repo (main)\n"
        "    Updated https://example.invalid/repo (0123abcd)\n"
        "Building is not indented here\n"
    )
    assert paint_plan(text).splitlines() == [
        f"   {BOLD}{CYAN}Building{RESET} demo @ file:///tmp/demo",
        f"      {BOLD}{GREEN}Built{RESET} demo @ file:///tmp/demo",
        f"   {BOLD}{CYAN}Updating{RESET} https://example.invalid/repo (main)",
        f"    {BOLD}{GREEN}Updated{RESET} https://example.invalid/repo (0123abcd)",
        "Building is not indented here",
    ]

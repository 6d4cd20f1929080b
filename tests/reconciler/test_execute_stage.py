"""The execute stage on its own: classification, the child's environment, env files, --strict,
spawning and exec. Real files, real venvs, real processes; no CLI in between."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from accord.reconciler.errors import CommandNotAllowed, CommandNotFound, UsageError
from accord.reconciler.fastpath import RECURSION_VARIABLE
from accord.reconciler.run.execute import (
    CommandKind,
    build_environment,
    check_strict,
    load_env_files,
    provided_commands,
    resolve_command,
)
from fixtures.wheels import WheelSpec
from tests.reconciler.envs import Env

PYTHON = Path("/venv/bin/python")
VENV = Path("/venv")


# --- resolve_command: uv's classification, first match wins ------------------------------------


def test_resolve_command_python_and_its_spellings_run_the_environments_interpreter() -> None:
    for spelling in ("python", "Python", "PYTHON"):
        argv = resolve_command((spelling, "-V"), PYTHON, {"PATH": ""}, VENV)
        assert argv == [str(PYTHON), "-V"]


def test_resolve_command_dash_c_and_stdin_go_to_the_interpreter() -> None:
    assert resolve_command(("-c", "pass"), PYTHON, {}, VENV) == [str(PYTHON), "-c", "pass"]
    assert resolve_command(("-", "a"), PYTHON, {}, VENV) == [str(PYTHON), "-", "a"]


def test_resolve_command_module_kind(tmp_path: Path) -> None:
    argv = resolve_command(("http.server", "8000"), PYTHON, {}, VENV, kind=CommandKind.MODULE)
    assert argv == [str(PYTHON), "-m", "http.server", "8000"]
    with pytest.raises(UsageError) as caught:
        resolve_command(("-",), PYTHON, {}, VENV, kind=CommandKind.MODULE)
    assert caught.value.message == "Cannot run a Python module from stdin"


def test_resolve_command_script_kinds_use_the_interpreter_whatever_the_name(
    tmp_path: Path,
) -> None:
    argv = resolve_command(("tool.txt", "x"), PYTHON, {}, VENV, kind=CommandKind.SCRIPT)
    assert argv == [str(PYTHON), "tool.txt", "x"]
    # No pythonw beside a POSIX interpreter: the GUI kind runs python.
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("")
    assert resolve_command(("app",), python, {}, VENV, kind=CommandKind.GUI_SCRIPT) == [
        str(python),
        "app",
    ]
    (tmp_path / "bin" / "pythonw").write_text("")
    assert resolve_command(("app",), python, {}, VENV, kind=CommandKind.GUI_SCRIPT) == [
        str(tmp_path / "bin" / "pythonw"),
        "app",
    ]
    assert resolve_command(("-",), python, {}, VENV, kind=CommandKind.GUI_SCRIPT) == [
        str(tmp_path / "bin" / "pythonw"),
        "-",
    ]


@pytest.mark.parametrize("suffix", [".py", ".pyw", ".PY", ".pyc"])
def test_resolve_command_a_python_file_runs_with_the_interpreter(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(f"job{suffix}").write_text("")
    assert resolve_command((f"job{suffix}", "1"), PYTHON, {}, VENV) == [
        str(PYTHON),
        f"job{suffix}",
        "1",
    ]


def test_resolve_command_a_missing_python_file_is_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandNotFound) as caught:
        resolve_command(("job.py",), PYTHON, {"PATH": ""}, None)
    assert (
        caught.value.message
        == "Failed to spawn: job.py\n  cause: No such file or directory (os error 2)"
    )


def test_resolve_command_a_directory_with_main_and_a_zipapp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app").mkdir()
    Path("app/__main__.py").write_text("")
    assert resolve_command(("app",), PYTHON, {"PATH": ""}, tmp_path / "venv") == [
        str(PYTHON),
        "app",
    ]
    with zipfile.ZipFile("bundle", "w") as archive:  # a zipapp needs no .pyz suffix
        archive.writestr("__main__.py", "")
    assert resolve_command(("bundle",), PYTHON, {"PATH": ""}, None) == [str(PYTHON), "bundle"]
    Path("plain.zip").write_bytes(b"not a zip at all")
    with pytest.raises(CommandNotFound):
        resolve_command(("plain.zip",), PYTHON, {"PATH": ""}, None)


def test_resolve_command_an_installed_script_wins_over_a_directory_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("tool").mkdir()
    Path("tool/__main__.py").write_text("")
    venv = tmp_path / "venv"
    script = venv / "bin" / "tool"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    argv = resolve_command(("tool",), PYTHON, {"PATH": str(venv / "bin")}, venv)
    assert argv == [str(script)]


def test_resolve_command_a_path_must_be_an_executable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("run.sh").write_text("#!/bin/sh\n")
    with pytest.raises(CommandNotFound):
        resolve_command(("./run.sh",), PYTHON, {"PATH": ""}, None)
    Path("run.sh").chmod(0o755)
    assert resolve_command(("./run.sh", "a"), PYTHON, {"PATH": ""}, None) == ["./run.sh", "a"]


def test_resolve_command_looks_names_up_on_the_childs_path_only(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for directory in (first, second):
        directory.mkdir()
        tool = directory / "tool"
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    path = os.pathsep.join([str(first), str(second)])
    assert resolve_command(("tool",), PYTHON, {"PATH": path}, None) == [str(first / "tool")]
    with pytest.raises(CommandNotFound):
        resolve_command(("tool",), PYTHON, {"PATH": str(tmp_path)}, None)


def test_resolve_command_not_found_suggests_a_close_name_from_the_environment(
    tmp_path: Path,
) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "pytest").write_text("")
    with pytest.raises(CommandNotFound) as caught:
        resolve_command(("pytets",), PYTHON, {"PATH": ""}, venv)
    assert (
        caught.value.message
        == "Failed to spawn: pytets\n  cause: No such file or directory (os error 2)"
    )
    assert caught.value.hint == "the environment provides `pytest`; did you mean that?"
    with pytest.raises(CommandNotFound) as caught:
        resolve_command(("zzz",), PYTHON, {"PATH": ""}, venv)
    assert caught.value.hint is None


# --- build_environment ------------------------------------------------------------------------


def test_build_environment_activates_the_venv_and_counts_the_depth(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    environ = {"PATH": f"/usr/bin{os.pathsep}{venv}/bin", "PYTHONHOME": "/x", "KEEP": "1"}
    env = build_environment(venv, environ=environ)
    assert env["VIRTUAL_ENV"] == str(venv)
    assert env["PATH"] == os.pathsep.join([str(venv / "bin"), "/usr/bin"])
    assert "PYTHONHOME" not in env
    assert env["KEEP"] == "1"
    assert env[RECURSION_VARIABLE] == "1"
    assert build_environment(venv, environ={RECURSION_VARIABLE: "3"})[RECURSION_VARIABLE] == "4"


def test_build_environment_puts_extra_bins_after_the_venvs(tmp_path: Path) -> None:
    env = build_environment(
        tmp_path / "layer", environ={"PATH": "/usr/bin"}, extra_bins=(tmp_path / "base" / "bin",)
    )
    assert env["PATH"].split(os.pathsep) == [
        str(tmp_path / "layer" / "bin"),
        str(tmp_path / "base" / "bin"),
        "/usr/bin",
    ]


def test_build_environment_without_a_venv_leaves_path_alone() -> None:
    env = build_environment(None, environ={"PATH": "/usr/bin"})
    assert env["PATH"] == "/usr/bin"
    assert "VIRTUAL_ENV" not in env


def test_build_environment_env_file_values_never_override_path_or_virtual_env(
    tmp_path: Path,
) -> None:
    env = build_environment(
        tmp_path,
        environ={"PATH": "/usr/bin"},
        extra={"VIRTUAL_ENV": "/elsewhere", "PATH": "/nope", "FROM_FILE": "yes"},
    )
    assert env["VIRTUAL_ENV"] == str(tmp_path)
    assert env["PATH"].split(os.pathsep)[0] == str(tmp_path / "bin")
    assert env["FROM_FILE"] == "yes"


def test_build_environment_stops_past_the_recursion_limit() -> None:
    assert build_environment(None, environ={RECURSION_VARIABLE: "2"}, max_depth=2)
    with pytest.raises(UsageError) as caught:
        build_environment(None, environ={RECURSION_VARIABLE: "3"}, max_depth=2)
    assert caught.value.message == (
        "`accord run` was recursively invoked 3 times which exceeds the limit of 2"
    )
    assert caught.value.hint is not None and "--script" in caught.value.hint


def test_build_environment_refuses_a_depth_that_is_not_a_number() -> None:
    with pytest.raises(UsageError) as caught:
        build_environment(None, environ={RECURSION_VARIABLE: "two"})
    assert caught.value.message == (
        f"Failed to parse environment variable `{RECURSION_VARIABLE}` with invalid value "
        "`two`: invalid digit found in string"
    )


# --- load_env_files ---------------------------------------------------------------------------


def test_load_env_files_a_later_file_wins_and_the_environment_wins_over_both(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    first.write_text("A=1\nB=1\nSET=file\n")
    second.write_text("B=2\nC=${B}-x\n")
    loaded = load_env_files([first, second], {"SET": "env"})
    # `${B}` expands within its own file (python-dotenv's dotenv_values, as uv's dotenvy).
    assert loaded == {"A": "1", "B": "2", "C": "2-x"}


def test_load_env_files_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_env_files([tmp_path / "nope.env"], {})
    assert caught.value.message == f"No environment file found at: `{tmp_path / 'nope.env'}`"


def test_load_env_files_a_directory_or_binary_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_env_files([tmp_path], {})
    assert caught.value.message.startswith(f"Failed to read environment file `{tmp_path}`: ")
    binary = tmp_path / "bin.env"
    binary.write_bytes(b"A=1\nB=\xff\n")
    with pytest.raises(UsageError) as caught:
        load_env_files([binary], {})
    assert caught.value.message == (
        f"Failed to read environment file `{binary}`: line 2 is not UTF-8 text"
    )
    assert caught.value.line == 2


def test_load_env_files_stops_a_file_at_a_bad_line_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("GOOD=1\nthis is not a binding 'x\nLATER=2\n")
    err = io.StringIO()
    assert load_env_files([path], {}, err=err) == {"GOOD": "1"}
    assert err.getvalue() == (
        f"warning: Failed to parse environment file `{path}` at line 2: this is not a binding 'x\n"
    )


# --- --strict on a real environment -----------------------------------------------------------


@pytest.fixture
def tool_env(env: Env) -> Env:
    env.sync(
        env.wheel(
            WheelSpec(
                "tool",
                "1.0",
                entry_points={"console_scripts": {"tool-cmd": "tool:main"}},
                files={"tool/__init__.py": "def main():\n    print('tool')\n"},
            )
        )
    )
    return env


def test_provided_commands_are_the_interpreter_and_the_recorded_scripts(tool_env: Env) -> None:
    provided = provided_commands(tool_env.venv)
    assert "tool-cmd" in provided
    assert "python" in provided
    # Written by venv itself, not by any package: not provided.
    assert "activate" not in provided and "pip" not in provided


def test_check_strict_allows_provided_commands_and_names_the_refused_one(tool_env: Env) -> None:
    venv = tool_env.venv
    check_strict([str(venv / "bin" / "tool-cmd")], ("tool-cmd",), venv)
    check_strict([str(venv / "bin" / "python"), "-V"], ("python", "-V"), venv)
    (venv / "bin" / "stray").write_text("#!/bin/sh\n")
    for argv, command in (
        ([str(venv / "bin" / "stray")], ("stray",)),
        (["/bin/sh"], ("sh",)),
    ):
        with pytest.raises(CommandNotAllowed) as caught:
            check_strict(argv, command, venv)
        assert caught.value.message == (
            f"`{command[0]}` is not provided by any package in the environment"
        )
    with pytest.raises(CommandNotAllowed):
        check_strict(["/bin/sh"], ("sh",), None)


# --- execute: spawn (--no-exec) and exec, in a process of their own ---------------------------

RUNNER = """
import sys
from accord.reconciler.run.execute import execute
from accord.reconciler.errors import CommandNotFound
try:
    env = {"PATH": "/usr/bin:/bin", "MARK": "m"}
    code = execute(sys.argv[2:], env, no_exec=sys.argv[1] == "spawn")
except CommandNotFound as exc:
    print("error:", exc.message)
    sys.exit(2)
print("returned", code)
sys.exit(code)
"""


def _runner(mode: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, mode, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_execute_spawn_returns_the_childs_code_and_passes_the_environment() -> None:
    result = _runner(
        "spawn", sys.executable, "-c", "import os, sys; print(os.environ['MARK']); sys.exit(7)"
    )
    assert result.returncode == 7
    assert result.stdout == "m\nreturned 7\n"


def test_execute_spawn_dies_the_way_the_child_died() -> None:
    result = _runner(
        "spawn", sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    )
    assert result.returncode == -signal.SIGTERM
    assert "returned" not in result.stdout


TRAP = """
import os, signal, sys
if sys.argv[1] == "own-session":
    os.setsid()  # leave accord's process group, as a daemonising child does
signal.signal(getattr(signal, sys.argv[2]), lambda *a: sys.exit(42))
print("ready", flush=True)
signal.pause()
"""


@pytest.mark.parametrize(
    ("session", "number"),
    [
        pytest.param("same", signal.SIGTERM, id="sigterm"),
        pytest.param("same", signal.SIGUSR1, id="sigusr1"),
        pytest.param("own-session", signal.SIGINT, id="sigint-to-a-child-in-another-group"),
    ],
)
def test_execute_spawn_forwards_signals_to_the_child(session: str, number: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "spawn", sys.executable, "-c", TRAP, session, number.name],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.send_signal(number)  # to accord's PID alone, not to its group
        assert process.wait(timeout=30) == 42
        assert process.stdout.read() == "returned 42\n"
    finally:
        if process.poll() is None:
            process.kill()


SHOW_PID = "import os; print(os.getpid(), os.environ['MARK'])"


def test_execute_exec_becomes_the_command() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "exec", sys.executable, "-c", SHOW_PID],
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert out == f"{process.pid} m\n"  # the same process, and nothing returned to print


@pytest.mark.parametrize("mode", ["exec", "spawn"])
def test_execute_a_missing_program_is_command_not_found(mode: str, tmp_path: Path) -> None:
    result = _runner(mode, str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stdout == (
        f"error: Failed to spawn: {tmp_path / 'nope'}\n"
        "  cause: No such file or directory (os error 2)\n"
    )

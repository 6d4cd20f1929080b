"""The execute stage with real processes: exit statuses, signals, exec vs spawn, --strict,
.env files, recursion, and what counts as a command."""

from __future__ import annotations

import os
import pty
import select
import shlex
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, clean_environment

# A child that reports it is ready, then waits for signals and records them.
_TRAP = """
import os, signal, sys, time
marker = sys.argv[1]
seen = []
def handler(signum, frame):
    seen.append(signum)
    with open(marker, "a") as stream:
        stream.write(signal.Signals(signum).name + "\\n")
    if signum in (signal.SIGTERM, signal.SIGHUP):
        sys.exit(0)
signal.signal(signal.SIGTERM, handler)
signal.signal(signal.SIGHUP, handler)
signal.signal(signal.SIGINT, handler)
print("ready", flush=True)
deadline = time.monotonic() + 20
while time.monotonic() < deadline and signal.SIGINT not in seen:
    time.sleep(0.05)
time.sleep(0.5)  # a second, forwarded SIGINT would arrive within this
sys.exit(7)
"""


@pytest.fixture
def synced(cli: Cli, make_project: MakeProject) -> Path:
    project = make_project("simple")
    cli.sync(project)
    return project


def _shell_status(cli: Cli, project: Path, *args: str) -> int:
    """The exit status a POSIX shell sees for `accord run ARGS` (`$?`)."""
    command = " ".join(shlex.quote(part) for part in cli.argv(*args))
    result = subprocess.run(
        ["/bin/sh", "-c", f"{command}; echo status=$?"],
        cwd=project,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return int(result.stdout.strip().rsplit("status=", 1)[1])


@pytest.mark.parametrize(
    "mode", [pytest.param((), id="exec"), pytest.param(("--no-exec",), id="no-exec")]
)
@pytest.mark.parametrize("code", [0, 1, 3, 255])
def test_execute_exit_codes_pass_through(
    cli: Cli, synced: Path, mode: tuple[str, ...], code: int
) -> None:
    result = cli.run(
        synced, "--frozen", *mode, "--", "python", "-c", f"import sys; sys.exit({code})"
    )
    assert result.returncode == code, result.stderr


@pytest.mark.parametrize(
    "mode", [pytest.param((), id="exec"), pytest.param(("--no-exec",), id="no-exec")]
)
@pytest.mark.parametrize(
    ("signum", "status"),
    [pytest.param(signal.SIGKILL, 137, id="KILL"), pytest.param(signal.SIGTERM, 143, id="TERM")],
)
def test_execute_death_by_signal_is_seen_by_the_shell(
    cli: Cli, synced: Path, mode: tuple[str, ...], signum: int, status: int
) -> None:
    code = f"import os; os.kill(os.getpid(), {int(signum)})"
    assert _shell_status(cli, synced, "--frozen", *mode, "--", "python", "-c", code) == status


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_execute_no_exec_forwards_sigterm_to_the_child(
    cli: Cli, synced: Path, tmp_path: Path, number: signal.Signals
) -> None:
    marker = tmp_path / "signals.txt"
    process = subprocess.Popen(
        cli.argv("--frozen", "--no-exec", "--", "python", "-c", _TRAP, str(marker)),
        cwd=synced,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    process.send_signal(number)
    assert process.wait(timeout=30) == 0
    assert marker.read_text() == f"{number.name}\n"


def test_execute_no_exec_sigint_to_the_group_reaches_the_child_once(
    cli: Cli, synced: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "signals.txt"
    process = subprocess.Popen(
        cli.argv("--frozen", "--no-exec", "--", "python", "-c", _TRAP, str(marker)),
        cwd=synced,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    assert process.wait(timeout=30) == 7
    assert marker.read_text() == "SIGINT\n"


def test_execute_exec_keeps_the_pid_on_the_fast_path(cli: Cli, synced: Path) -> None:
    # `synced` already ran once, so this run takes the fast path (no options but the pin).
    process = subprocess.Popen(
        cli.argv("--frozen", "--", "python", "-c", "import os; print(os.getpid())"),
        cwd=synced,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = process.communicate(timeout=60)
    assert int(out.strip()) == process.pid


def test_execute_recursive_shebang_script_stops_at_the_limit(cli: Cli, synced: Path) -> None:
    script = synced / "again"
    script.write_text(
        f"#!/usr/bin/env -S {cli.accord} run --python {cli.python} --frozen --script\n"
        "import os, sys\n"
        "os.execv(sys.argv[0], sys.argv)\n"
    )
    script.chmod(0o755)
    result = subprocess.run(
        [str(script)],
        cwd=synced,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_environment({"ACCORD_RUN_MAX_RECURSION_DEPTH": "5"}),
    )
    assert result.returncode == 2
    assert result.stderr == (
        "error: `accord run` was recursively invoked 6 times which exceeds the limit of 5\n\n"
        "hint: If you are running a script with `accord run` in the shebang, you may need to "
        "include the `--script` flag\n"
    )


def test_execute_strict_refuses_what_the_environment_does_not_provide(
    cli: Cli, synced: Path
) -> None:
    result = cli.run(synced, "--frozen", "--strict", "--", "ls")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "error: `ls` is not provided by any package in the environment"
    )


def test_execute_strict_runs_package_scripts_and_python(cli: Cli, synced: Path) -> None:
    result = cli.run(synced, "--frozen", "--strict", "--", "greet")
    assert (result.returncode, result.stdout) == (0, "hello from cli-tool\n")
    result = cli.run(synced, "--frozen", "--strict", "--", "python", "-c", "print(42)")
    assert (result.returncode, result.stdout) == (0, "42\n")


def test_execute_strict_from_pyproject_holds_on_the_fast_path(cli: Cli, synced: Path) -> None:
    with (synced / "pyproject.toml").open("a") as stream:
        stream.write("\n[tool.accord]\nstrict = true\n")
    assert cli.run(synced, "--frozen", "--", "greet").returncode == 0  # slow path, stamps
    for _ in range(2):  # the second one is on the fast path
        result = cli.run(synced, "--frozen", "--", "ls")
        assert result.returncode == 2
        assert "`ls` is not provided by any package in the environment" in result.stderr


def test_execute_env_files_reach_the_child(cli: Cli, synced: Path) -> None:
    (synced / "one.env").write_text("ALPHA=1\nBETA=one\nHOME_OVERRIDE=x\n")
    (synced / "two.env").write_text("BETA=two\n")
    code = "import os; print(os.environ['ALPHA'], os.environ['BETA'], os.environ['TAKEN'])"
    result = cli.run(
        synced,
        "--frozen",
        "--env-file",
        "one.env",
        "--env-file",
        "two.env",
        "--",
        "python",
        "-c",
        code,
        env={"TAKEN": "kept"},
    )
    assert (result.returncode, result.stdout) == (0, "1 two kept\n"), result.stderr
    taken = cli.run(
        synced,
        "--frozen",
        "--env-file",
        "one.env",
        "--",
        "python",
        "-c",
        "import os; print(os.environ['ALPHA'])",
        env={"ALPHA": "from-shell"},
    )
    assert taken.stdout == "from-shell\n"


def test_execute_missing_env_file_fails_before_anything_runs(cli: Cli, synced: Path) -> None:
    result = cli.run(
        synced, "--frozen", "--env-file", "missing.env", "--", "python", "-c", "print(1)"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "error: No environment file found at: `missing.env`\n"


def test_execute_stdin_is_the_callers(cli: Cli, synced: Path) -> None:
    result = subprocess.run(
        cli.argv("--frozen", "--", "python", "-c", "import sys; print(sys.stdin.read().upper())"),
        cwd=synced,
        env=clean_environment(),
        input="hello",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout == "HELLO\n"
    script = subprocess.run(
        cli.argv("--frozen", "--", "-"),
        cwd=synced,
        env=clean_environment(),
        input="print('from stdin')",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert script.stdout == "from stdin\n"


def test_execute_keeps_the_terminal(cli: Cli, synced: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            cli.argv(
                "--frozen",
                "--",
                "python",
                "-c",
                "import sys; print(sys.stdin.isatty(), sys.stdout.isatty())",
            ),
            cwd=synced,
            env=clean_environment(),
            stdin=terminal,
            stdout=terminal,
            stderr=subprocess.DEVNULL,
        )
        os.close(terminal)
        assert process.wait(timeout=60) == 0
        output = b""
        while select.select([controller], [], [], 0.5)[0]:
            try:
                chunk = os.read(controller, 1024)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(controller)
    assert output.decode().strip() == "True True"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("-m", "json.tool", "--help"), "usage:", id="module"),
        pytest.param(("--script", "tool"), "script ran", id="script-without-extension"),
        pytest.param(("main.py",), "file ran", id="py-file"),
        pytest.param(("app",), "package dir ran", id="directory-with-main"),
        pytest.param(("bundle.pyz",), "zipapp ran", id="zipapp"),
        pytest.param(("python3", "-c", "import sys; print(sys.prefix)"), ".venv", id="python3"),
        # uv maps any spelling of `python` to the environment's interpreter.
        pytest.param(("Python", "-c", "import sys; print(sys.prefix)"), ".venv", id="Python"),
        pytest.param(("-c", "import sys; print(sys.prefix)"), ".venv", id="dash-c"),
    ],
)
def test_execute_classifies_the_command(
    cli: Cli, synced: Path, args: tuple[str, ...], expected: str
) -> None:
    (synced / "tool").write_text("print('script ran')\n")
    (synced / "main.py").write_text("print('file ran')\n")
    (synced / "app").mkdir()
    (synced / "app" / "__main__.py").write_text("print('package dir ran')\n")
    with zipfile.ZipFile(synced / "bundle.pyz", "w") as archive:
        archive.writestr("__main__.py", "print('zipapp ran')\n")
    result = cli.run(synced, "--frozen", *args)  # -m/--script are accord's options: no `--`
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_execute_missing_command_suggests_a_close_script(cli: Cli, synced: Path) -> None:
    result = cli.run(synced, "--frozen", "--", "gret")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: Failed to spawn: gret",
        "  cause: No such file or directory (os error 2)",
        "",
        "hint: the environment provides `greet`; did you mean that?",
    ]


def test_execute_directory_and_project_options(cli: Cli, synced: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "import os, sys; print(os.getcwd()); print(sys.prefix)"
    by_project = subprocess.run(
        cli.argv("--frozen", "--project", str(synced), "--", "python", "-c", code),
        cwd=elsewhere,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert by_project.stdout.splitlines() == [str(elsewhere), str(synced / ".venv")]
    by_directory = subprocess.run(
        cli.argv("--frozen", "--directory", str(synced), "--", "python", "-c", code),
        cwd=elsewhere,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert by_directory.stdout.splitlines() == [str(synced), str(synced / ".venv")]


def test_execute_child_environment(cli: Cli, synced: Path) -> None:
    code = (
        "import os; print(os.environ['VIRTUAL_ENV']);"
        "print(os.environ['PATH'].split(os.pathsep)[0]);"
        "print(os.environ.get('PYTHONHOME'));"
        "print(os.environ['ACCORD_RUN_RECURSION_DEPTH'])"
    )
    result = cli.run(
        synced,
        "--frozen",
        "--",
        "python",
        "-c",
        code,
        env={"ACCORD_RUN_RECURSION_DEPTH": "4"},
    )
    venv = synced / ".venv"
    assert result.stdout.splitlines() == [str(venv), str(venv / "bin"), "None", "5"], result.stderr

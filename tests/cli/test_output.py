"""What `accord run` prints (issue 12): uv's lines by default, the plan with -v, -q/-qq, colour.

Times differ from run to run, so `in 64ms` is replaced by `in <time>` before comparing.
"""

from __future__ import annotations

import json
import os
import platform
import pty
import re
import shutil
import subprocess
from pathlib import Path

from fixtures import MakeProject
from tests.cli.support import Cli, clean_environment

_TIME = re.compile(r" in \d+(\.\d+)?(ms|s)$")


def _lines(text: str, *, prepared: bool = False) -> list[str]:
    """Lines with times masked; without uv's ``Prepared …`` line unless ``prepared`` (it
    depends on what each tool's session cache already holds)."""
    return [
        _TIME.sub(" in <time>", line)
        for line in text.splitlines()
        if prepared or not line.startswith("Prepared ")
    ]


def test_output_prepared_counts_what_was_downloaded_as_uv(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """With empty caches both tools say ``Prepared N packages``; once the wheels are cached,
    neither does."""
    from fixtures.uvlock import uv_environment

    accord_project = make_project("simple")
    uv_project = tmp_path / "uv" / "simple"
    shutil.copytree(accord_project, uv_project)
    accord_env = {"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache"), "UV_PYTHON": str(cli.python)}
    uv_env = uv_environment(cli.index_url, cache_dir=tmp_path / "uv-cache", python=cli.python)
    uv_env.update({"UV_NO_CONFIG": "1", "UV_NO_PROGRESS": "1"})
    seen = []
    for _ in range(2):
        for project in (accord_project, uv_project):
            shutil.rmtree(project / ".venv", ignore_errors=True)
        accord = cli.invoke(accord_project, "sync", "--frozen", env=accord_env)
        uv = subprocess.run(
            [str(cli.uv_bin), "sync", "--frozen"],
            cwd=uv_project,
            env=uv_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert accord.returncode == uv.returncode == 0, accord.stderr + uv.stderr
        assert _lines(accord.stderr, prepared=True) == _lines(uv.stderr, prepared=True)
        seen.append([line for line in _lines(accord.stderr, prepared=True) if "Prepared" in line])
    assert seen == [["Prepared 6 packages in <time>"], []]


def test_output_first_sync_reads_as_uv_run(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    accord_project = make_project("simple")
    uv_project = tmp_path / "uv" / "simple"
    shutil.copytree(accord_project, uv_project)

    # Empty caches: both download every wheel, and neither says `Prepared …` (uv run never does).
    accord = cli.run(
        accord_project,
        "--frozen",
        "--",
        "python",
        "-c",
        "print('hi')",
        env={"ACCORD_CACHE_DIR": str(tmp_path / "accord-cache")},
    )
    uv = cli.uv(
        uv_project,
        "run",
        "--frozen",
        "--python",
        str(cli.python),
        "--",
        "python",
        "-c",
        "print('hi')",
        cache=tmp_path / "uv-cache",
    )

    assert (accord.returncode, accord.stdout) == (0, "hi\n"), accord.stderr
    assert (
        _lines(accord.stderr, prepared=True)
        == _lines(uv.stderr, prepared=True)
        == [
            f"Using CPython {platform.python_version()} interpreter at: {cli.python}",
            "Creating virtual environment at: .venv",
            "Installed 6 packages in <time>",
        ]
    )


def test_output_news_names_the_lock_and_a_version_change(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("pkg==1.0", "pkg==1.1"))

    result = cli.run(project, "--", "python", "-c", "pass", env={"ACCORD_INDEX_URL": cli.index_url})

    assert result.returncode == 0, result.stderr
    assert _lines(result.stderr) == [
        "Updated uv.lock: requirements changed (changed pkg)",
        " ~ pkg 1.0 → 1.1",
        "Uninstalled 1 package in <time>",
        "Installed 1 package in <time>",
    ]


def test_output_reinstall_is_only_counted(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    cli.sync(project)

    result = cli.run(project, "--frozen", "--reinstall", "--", "python", "-c", "pass")

    assert result.returncode == 0, result.stderr
    assert _lines(result.stderr) == [
        "Uninstalled 6 packages in <time>",
        "Installed 6 packages in <time>",
    ]


def test_output_exact_removal_says_why(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    cli.sync(project)
    python = str(project / ".venv" / "bin" / "python")
    assert cli.uv(project, "pip", "install", "--python", python, "colorful").returncode == 0

    result = cli.run(project, "--frozen", "--exact", "--", "python", "-c", "pass")

    assert _lines(result.stderr) == [
        " - colorful==1.0 (not required by the lock (exact sync))",
        "Uninstalled 1 package in <time>",
    ]


def test_output_verbose_prints_the_plan_and_debug_lines(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("simple")

    result = cli.run(project, "--frozen", "-v", "--", "python", "-c", "pass")

    assert result.returncode == 0, result.stderr
    lines = _lines(result.stderr)
    assert lines[0] == (
        "DEBUG Fast path not taken: no sync stamp in the project environment (never synced)"
    )
    assert f"DEBUG Found project `simple` at: {project}" in lines
    assert (
        f"DEBUG Using CPython {platform.python_version()} interpreter "
        f"at: {cli.python} (requested with `--python {cli.python}`)"
    ) in lines
    assert cli.plan_header in lines
    assert "  + Install pkg==1.1: missing" in lines
    assert lines[-1] == "Installed 6 packages in <time>"

    again = cli.run(project, "--frozen", "-v", "--", "python", "-c", "pass")

    assert _lines(again.stderr)[0] == (
        "DEBUG Fast path: the stamp matches; only -v brought this run to the slow path"
    )
    assert "Checked 6 packages in <time>" in _lines(again.stderr)


def test_output_quiet_prints_errors_only(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")

    synced = cli.run(project, "--frozen", "-q", "--", "python", "-c", "print('hi')")
    failed = cli.run(project, "--frozen", "-q", "--extra", "nope", "--", "python", "-c", "pass")
    silent = cli.run(project, "--frozen", "-qq", "--extra", "nope", "--", "python", "-c", "pass")

    assert (synced.returncode, synced.stdout, synced.stderr) == (0, "hi\n", "")
    assert failed.returncode == silent.returncode == 2
    assert failed.stderr == (
        "error: Extra `nope` is not defined in the `optional-dependencies` table for `simple`\n"
    )
    assert silent.stderr == ""


def test_output_colour_on_request_and_never_in_a_pipe(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    args = ("--frozen", "--extra", "nope", "--", "python", "-c", "pass")

    piped = cli.run(project, *args)
    forced = cli.run(project, "--color", "always", *args)
    refused = cli.run(project, "--color", "never", *args, env={"FORCE_COLOR": "1"})

    assert piped.stderr.startswith("error: Extra")
    assert forced.stderr.startswith("\x1b[1m\x1b[31merror\x1b[0m\x1b[1m:\x1b[0m Extra")
    assert refused.stderr.startswith("error: Extra")


def _on_a_terminal(cli: Cli, project: Path, *args: str, env: dict[str, str]) -> bytes:
    """Run `accord run ARGS` with stderr on a pseudo-terminal; what it wrote there."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            cli.argv(*args),
            cwd=project,
            env=clean_environment(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=follower,
            timeout=120,
            check=False,
        )
        assert process.returncode == 2
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)


def test_output_colour_on_a_terminal_unless_no_color(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("simple")
    args = ("--frozen", "--extra", "nope", "--", "python", "-c", "pass")

    coloured = _on_a_terminal(cli, project, *args, env={"TERM": "xterm"})
    plain = _on_a_terminal(cli, project, *args, env={"TERM": "xterm", "NO_COLOR": "1"})

    assert coloured.startswith(b"\x1b[1m\x1b[31merror\x1b[0m\x1b[1m:\x1b[0m Extra")
    assert plain.startswith(b"error: Extra")


def test_output_dry_plan_json_outside_a_project(cli: Cli, tmp_path: Path) -> None:
    result = cli.run(tmp_path, "--dry-plan", "--format", "json")

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["is_empty"] is True
    assert (document["lock"], document["packages"], document["desired"]) == (None, [], [])
    assert document["environment"]["action"] == {"kind": "keep"}
    assert document["environment"]["interpreter"]["executable"] == str(cli.python)
    assert document["notes"][0].startswith("No project: running in ")


def test_output_with_layer_counts_like_uv_run_with(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """`run --with`: the layer's installs are counted, as uv counts them; the cached
    environment's path and its plan are not shown (they are under -v)."""
    project = make_project("simple")
    index = {"ACCORD_INDEX_URL": cli.index_url}  # the layer resolves against the local index
    first = cli.run(project, "--frozen", "--", "python", "-c", "pass", env=index)
    assert first.returncode == 0, first.stderr
    layered = cli.run(
        project, "--frozen", "--with", "colorful", "--", "python", "-c", "pass", env=index
    )
    assert layered.returncode == 0, layered.stderr
    assert _lines(layered.stderr) == ["Installed 1 package in <time>"]
    again = cli.run(
        project, "--frozen", "--with", "colorful", "--", "python", "-c", "pass", env=index
    )
    assert again.stderr == ""
    verbose = cli.run(
        project, "-v", "--frozen", "--with", "linter", "--", "python", "-c", "pass", env=index
    )
    assert verbose.returncode == 0, verbose.stderr
    assert "Install linter" in verbose.stderr


def test_output_plans_say_why_each_package_is_wanted(cli: Cli, make_project: MakeProject) -> None:
    """The JSON plan's desired packages and the -v plan carry the requirement chains."""
    project = make_project("simple")
    result = cli.run(project, "--frozen", "--dry-plan", "--format", "json")
    assert result.returncode == 0, result.stderr
    desired = {entry["name"]: entry for entry in json.loads(result.stdout)["desired"]}
    assert desired["dep-b"]["why"] == [["simple", "dep-a", "dep-b"]]
    assert desired["dep-a"]["why"] == [["simple", "dep-a"]]
    assert desired["devtool"]["why"] == [["simple[dev]", "devtool"]]
    verbose = cli.run(project, "-v", "--frozen", "--", "python", "-c", "pass")
    assert verbose.returncode == 0, verbose.stderr
    assert "      why: simple → dep-a → dep-b" in verbose.stderr.splitlines()


def test_output_sync_of_a_changed_version_reads_as_uv_sync(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    # A replaced package: uv names the old version before the new one.
    accord_project = make_project("minimal")
    uv_project = tmp_path / "uv" / "minimal"
    shutil.copytree(accord_project, uv_project)
    python = ["--python", str(cli.python)]
    assert cli.invoke(accord_project, "sync", *python).returncode == 0
    assert cli.uv(uv_project, "sync", *python).returncode == 0
    for project in (accord_project, uv_project):
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace("pkg==1.0", "pkg==1.1"))

    accord = cli.invoke(accord_project, "sync", *python)
    uv = cli.uv(uv_project, "sync", *python)

    assert accord.returncode == uv.returncode == 0, accord.stderr
    tail = _lines(uv.stderr)[-4:]
    assert tail == [
        "Uninstalled 1 package in <time>",
        "Installed 1 package in <time>",
        " - pkg==1.0",
        " + pkg==1.1",
    ]
    assert _lines(accord.stderr)[-4:] == tail


def test_output_a_new_environment_with_nothing_to_install_reads_as_uv_sync(
    cli: Cli, tmp_path: Path
) -> None:
    # A project with no dependencies and no build system: the environment is made and uv's
    # sync says it checked it (`Checked in …`), the first time as every time after.
    results = []
    for who in ("accord", "uv"):
        project = tmp_path / who / "empty"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "empty"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
            "dependencies = []\n"
        )
        run = cli.invoke if who == "accord" else cli.uv
        results.append([run(project, "sync", "--python", str(cli.python)) for _ in range(2)])
    for accord, uv in zip(*results, strict=True):
        assert accord.returncode == uv.returncode == 0, accord.stderr + uv.stderr
        assert _lines(accord.stderr)[-2:] == _lines(uv.stderr)[-2:]
        assert _lines(uv.stderr)[-1] == "Checked in <time>"


def test_output_a_package_put_back_at_its_version_reads_as_uv(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """`sync --reinstall-package` lists the package as `~ name==version`, as uv; `--dry-run`
    lists it removed and installed, as uv's dry run does."""
    ours = make_project("simple")
    theirs = tmp_path / "uv" / "simple"
    shutil.copytree(ours, theirs)
    said: dict[str, list[list[str]]] = {"uv": [], "accord": []}
    for args in (
        ("sync", "--frozen"),
        ("sync", "--frozen", "--reinstall-package", "dep-a"),
        ("sync", "--frozen", "--dry-run", "--reinstall-package", "dep-a"),
    ):
        uv = cli.uv(theirs, *args, "--python", str(cli.python))
        accord = cli.invoke(ours, *args, pinned=True)
        assert uv.returncode == accord.returncode == 0, uv.stderr + accord.stderr
        said["uv"].append([line for line in _lines(uv.stderr) if line.startswith(" ")])
        said["accord"].append([line for line in _lines(accord.stderr) if line.startswith(" ")])
    assert said["accord"] == said["uv"]
    assert said["accord"][1:] == [
        [" ~ dep-a==1.0"],
        [" - dep-a==1.0", " + dep-a==1.0"],
    ]


def test_output_sync_script_reads_as_uv(cli: Cli, tmp_path: Path) -> None:
    """`sync --script` names the script's environment, resolves, then lists each change (or
    checks), as `uv sync --script`; a run of the script says only the counts."""
    said: dict[str, list[list[str]]] = {}
    for who in ("uv", "accord"):
        root = tmp_path / who
        root.mkdir()
        (root / "s.py").write_text('# /// script\n# dependencies = ["dep-a"]\n# ///\nprint(1)\n')
        lines = []
        for _ in range(2):
            args = ("sync", "--script", "s.py", "--python", str(cli.python))
            done = cli.uv(root, *args) if who == "uv" else cli.invoke(root, *args)
            assert done.returncode == 0, done.stderr
            lines.append(
                [
                    re.sub(r"environment at: .*", "environment at: <cache>", line)
                    for line in _lines(done.stderr)
                ]
            )
        said[who] = lines
    assert said["accord"] == said["uv"]
    assert said["accord"][1] == [
        "Using script environment at: <cache>",
        "Resolved 2 packages in <time>",
        "Checked 2 packages in <time>",
    ]


def test_output_compile_bytecode_reads_as_uv(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """`sync --compile-bytecode`: the files compiled (counted as uv counts them) before the
    changes, and no `Checked` line when nothing changed."""
    ours = make_project("simple")
    theirs = tmp_path / "uv" / "simple"
    shutil.copytree(ours, theirs)
    said: dict[str, list[list[str]]] = {"uv": [], "accord": []}
    for _ in range(2):
        args = ("sync", "--frozen", "--compile-bytecode", "--python", str(cli.python))
        uv, accord = cli.uv(theirs, *args), cli.invoke(ours, *args)
        assert uv.returncode == accord.returncode == 0, uv.stderr + accord.stderr
        said["uv"].append(_lines(uv.stderr))
        said["accord"].append(_lines(accord.stderr))
    assert said["accord"] == said["uv"]
    assert said["accord"][1][0].startswith("Bytecode compiled ")
    assert said["accord"][1][0].endswith(" files in <time>")

"""The slow path ends without the interpreter's teardown (``entry._end_without_teardown``),
and ends as the interpreter's own exit would: the same status and messages, the atexit
functions run, the threads waited for, the standard streams flushed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = """
import atexit, os, sys, threading, time
from accord.reconciler.entry import _end_without_teardown

case, ours, mark = sys.argv[1], sys.argv[2] == "ours", sys.argv[3]

def run(argv):
    if case == "print":
        print("out")
    elif case == "exit-text":
        sys.exit("error: said as the interpreter says it")
    elif case == "exit-code":
        print("out")
        sys.exit(3)
    elif case == "atexit":
        atexit.register(lambda: open(mark, "w").write("atexit"))
    elif case == "thread":
        def late():
            time.sleep(0.3)
            open(mark, "w").write("thread")
        threading.Thread(target=late).start()

if ours:
    _end_without_teardown(run, [])
else:
    run([])
"""


def _end(
    case: str, ours: bool, mark: Path, stdout: object, closed: bool = False
) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, case, "ours" if ours else "plain", str(mark)],
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=(lambda: os.close(1)) if closed else None,  # `>&-`
        # Buffered, as a run's output is: written (and failing) when flushed at the end.
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    said = done.stderr.splitlines()
    return done.returncode, said[0] if said else "", mark.read_text() if mark.exists() else ""


@pytest.mark.parametrize("case", ["print", "exit-text", "exit-code", "atexit", "thread"])
@pytest.mark.parametrize("where", ["pipe", "full", "broken", "closed"])
def test_a_run_ends_as_the_interpreters_own_exit_ends_it(
    case: str, where: str, tmp_path: Path
) -> None:
    def ended(ours: bool) -> tuple[int, str, str]:
        mark = tmp_path / ("ours" if ours else "plain")
        if where == "full":
            with open("/dev/full", "w") as full:
                return _end(case, ours, mark, full)
        if where == "closed":
            return _end(case, ours, mark, None, closed=True)
        if where == "broken":
            # A pipe whose reader is gone.
            read, write = os.pipe()
            os.close(read)
            try:
                return _end(case, ours, mark, write)
            finally:
                os.close(write)
        return _end(case, ours, mark, subprocess.PIPE)

    assert ended(ours=True) == ended(ours=False)

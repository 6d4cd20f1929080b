"""accord's threads leave the signals that end a run to the main thread: taken by another
thread, a Ctrl-C would not interrupt what the main thread waits on (a fetch that stalls)."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from accord.reconciler.lock.resolve.metadata import MetadataStore
from accord.reconciler.threads import quiet

_ENDING: set[int] = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}


def _mask() -> set[int]:
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, []))


def test_the_metadata_pools_threads_block_the_signals_that_end_a_run() -> None:
    store = MetadataStore(None)
    try:
        blocked = store._pool.submit(_mask).result(timeout=10)
    finally:
        store.close()
    assert blocked >= _ENDING
    assert not _ENDING & _mask()  # the main thread still takes them


def test_quiet_blocks_them_in_its_own_thread_only() -> None:
    with ThreadPoolExecutor(max_workers=1) as plain:
        assert not _ENDING & plain.submit(_mask).result(timeout=10)
    with ThreadPoolExecutor(max_workers=1, initializer=quiet) as quieted:
        assert quieted.submit(_mask).result(timeout=10) >= _ENDING
    seen: list[set[int]] = []

    def run() -> None:
        quiet()
        seen.append(_mask())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    assert seen[0] >= _ENDING
    assert not _ENDING & _mask()


_TABLE = """
import os, sys
from accord.reconciler.threads import roomy_descriptor_table

def size():
    for line in open("/proc/self/status"):
        if line.startswith("FDSize:"):
            return int(line.split()[1])

before = size()
if sys.argv[1] == "taken":
    os.dup2(1, 4095)
roomy_descriptor_table()
print(before, size(), os.path.exists("/proc/self/fd/4095"))
"""


def _table(case: str) -> list[str]:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _TABLE, case], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_the_descriptor_table_is_grown_once_and_nothing_is_left_open() -> None:
    # A process starts with a table of 64; a lock maps hundreds of pages (a descriptor each),
    # and growing the table while other threads run waits for an RCU grace period.
    before, after, left = _table("free")
    assert int(before) < 4096 <= int(after)
    assert left == "False"


def test_a_descriptor_already_at_the_top_is_left_as_it_is() -> None:
    assert _table("taken")[2] == "True"

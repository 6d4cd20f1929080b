"""Threads a run starts besides its main one (base layer; standard library only).

A signal sent to the process (Ctrl-C, or the warm server's caller forwarding one) is taken by
any of its threads that does not block it. Python runs the handler on the main thread, but
only a signal the main thread took interrupts what the main thread is waiting on (a lock, a
future, a socket): taken by another thread, a Ctrl-C waits until that wait ends, which for a
fetch from an index that stalls is its timeout. accord's own threads block those signals, so
the main thread takes them.
"""

from __future__ import annotations

import os
import signal

__all__ = ["quiet", "roomy_descriptor_table"]

_ENDING = frozenset(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
    if hasattr(signal, name)
)


def quiet() -> None:
    """Block, in the calling thread, the signals that end a run (first thing in a thread)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING)


def roomy_descriptor_table(highest: int = 4095) -> None:
    """Grow this process's table of file descriptors now, while it has one thread, to hold
    ``highest`` (or the most the limit allows): a lock keeps each page it reads mapped, and
    Python's ``mmap`` keeps a descriptor per map, so the table grows from 64 entries to 512
    during a lock. Linux grows a table that several threads share only after an RCU grace
    period; with accord's threads running, each of the three growths stalled the run 10-25 ms
    (the warm server's first lock of a project: 3 stalls, 55 ms of 200). A table never
    shrinks, and one of 4096 entries costs about 40 KiB."""
    while highest >= 64:
        try:
            os.fstat(highest)
        except OSError:
            pass
        else:
            return  # taken (handed down by whoever started us): the table is that large
        try:
            spare = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            os.dup2(spare, highest, inheritable=False)
        except OSError:  # above the descriptor limit
            highest //= 2
            continue
        finally:
            os.close(spare)
        os.close(highest)
        return

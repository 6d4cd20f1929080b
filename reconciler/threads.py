"""Threads a run starts besides its main one (base layer; standard library only).

A signal sent to the process (Ctrl-C, or the warm server's caller forwarding one) is taken by
any of its threads that does not block it. Python runs the handler on the main thread, but
only a signal the main thread took interrupts what the main thread is waiting on (a lock, a
future, a socket): taken by another thread, a Ctrl-C waits until that wait ends, which for a
fetch from an index that stalls is its timeout. accord's own threads block those signals, so
the main thread takes them.
"""

from __future__ import annotations

import signal

__all__ = ["quiet"]

_ENDING = frozenset(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
    if hasattr(signal, name)
)


def quiet() -> None:
    """Block, in the calling thread, the signals that end a run (first thing in a thread)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING)

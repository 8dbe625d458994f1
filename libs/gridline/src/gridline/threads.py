"""Worker threads beside the event loop: how soon the loop gets the interpreter back from one.

A service runs its CPU work (reading an uploaded sheet, preparing its rows) in worker threads, so the event
loop stays free for requests and database replies. But only one thread runs Python at a time, and one that
wants the interpreter waits up to `sys.getswitchinterval()` (5 ms by default) for the running thread to
let go. While a worker computes, every wake-up of the loop pays that wait: a database reply arriving, the
socket ready for the next part of a large insert, a request coming in. An import's batch of 1,000 persons
wakes the loop many times per insert, and with the default the import ran at 1.21–1.26× the raw insert of
the same documents at 40,000 rows, against 1.07–1.16× with 0.5 ms (`bench/import_rate.py`): the database sat
waiting for the loop, not for the worker.

A shorter interval costs a busy worker a few more hand-overs of the lock, which the loop takes only when
it has something to do.
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL = 0.0005  # seconds a worker thread may keep the interpreter while the event loop waits


def favour_event_loop() -> None:
    """Let the event loop take the interpreter back from a computing worker thread within 0.5 ms."""
    sys.setswitchinterval(SWITCH_INTERVAL)

"""Profiles of a bench's busy span, kept as text under bench/profiles/ beside the figures they explain.

- Python processes: py-spy samples each named process (`--pid`) and writes its stacks collapsed (one line
  per distinct stack with its sample count, the input of any flame-graph tool), plus a summary of the
  functions most often on top of the stack (own time) and anywhere in it (total time).
- FerretDB: its own pprof CPU profile over the same window, read from its debug address (set
  GRIDLINE_FERRETDB_DEBUG_ADDR=127.0.0.1:PORT so the bench's FerretDB serves it), summarised by
  `go tool pprof -top`.

    with profiled("relay", {"bench": os.getpid()}, seconds=3):
        ...  # the span to profile (the window starts now and lasts `seconds`, or less if it ends first)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

PROFILES = Path(__file__).resolve().parent / "profiles"
PY_SPY = Path(sys.executable).parent / "py-spy"


@contextlib.contextmanager
def profiled(name: str, pids: dict[str, int], *, seconds: float, folder: Path = PROFILES) -> Iterator[None]:
    """Profile `pids` (label → process id) and FerretDB for `seconds` from now, or until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    spies = {label: _start_spy(pid, folder / f"{name}-{label}.collapsed.txt", seconds) for label, pid in pids.items()}
    ferret = _FerretProfile(folder / f"{name}-ferretdb.txt", seconds)
    ferret.start()
    try:
        yield
    finally:
        for label, spy in spies.items():
            spy.send_signal(signal.SIGINT)  # py-spy writes what it has sampled so far, then exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(30)
            _summarise(folder / f"{name}-{label}.collapsed.txt", folder / f"{name}-{label}.top.txt")
        ferret.join(seconds + 30)


def _start_spy(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes]:
    command = [str(PY_SPY), "record", "--pid", str(pid), "--rate", "250", "--duration", str(max(1, round(seconds)))]
    command += ["--format", "raw", "--nonblocking", "--output", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 (our tool)


def _summarise(collapsed: Path, out: Path, rows: int = 30) -> None:
    """The functions sampled most, on top of the stack (own) and anywhere in it (total), as % of samples."""
    if not collapsed.exists():
        return
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames, n = stack.split(";"), int(count)
        samples += n
        own[_short(frames[-1])] += n
        for frame in {_short(f) for f in frames}:
            total[frame] += n
    lines = [f"{samples} samples", "", "own %   function"]
    lines += [f"{100 * n / samples:5.1f}   {frame}" for frame, n in own.most_common(rows)]
    lines += ["", "total % function"]
    lines += [f"{100 * n / samples:5.1f}   {frame}" for frame, n in total.most_common(rows)]
    out.write_text("\n".join(lines) + "\n")


def _short(frame: str) -> str:
    """`func (path/to/module.py:12)` → `func (module.py)`: one entry per function, not per line."""
    function, _, where = frame.partition(" (")
    return f"{function} ({Path(where.split(':', 1)[0]).name})" if where else function


class _FerretProfile(threading.Thread):
    """FerretDB's CPU profile over the window, summarised; nothing when it serves no debug address."""

    def __init__(self, out: Path, seconds: float) -> None:
        super().__init__(daemon=True)
        self._out, self._seconds = out, max(1, round(seconds))
        self._address = os.environ.get("GRIDLINE_FERRETDB_DEBUG_ADDR", "")

    def run(self) -> None:
        if not self._address or shutil.which("go") is None:
            return
        url = f"http://{self._address}/debug/pprof/profile?seconds={self._seconds}"
        with tempfile.TemporaryDirectory() as work:
            raw = Path(work) / "cpu.pb.gz"
            with urllib.request.urlopen(url, timeout=self._seconds + 30) as answer:
                raw.write_bytes(answer.read())
            for flag, title in (("-top", "own"), ("-top -cum", "cumulative")):
                done = subprocess.run(  # noqa: S603 (our tool)
                    ["go", "tool", "pprof", *flag.split(), "-nodecount=35", str(raw)],  # noqa: S607
                    capture_output=True,
                    text=True,
                    check=False,
                )
                with self._out.open("a") as out:
                    out.write(f"# FerretDB CPU, sorted by {title} time\n{done.stdout}\n")

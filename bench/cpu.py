"""CPU time the processes of a bench spent, read from /proc: steadier than wall time on a shared machine.

On a machine whose cores are all busy, throughput follows CPU time per operation; a burst of load from
elsewhere stretches the wall time of whichever contender runs then, but not the CPU time it spends.

    with cpu_spent({"service": pid, "database": listening_pid(27017)}) as spent:
        ...
    spent.seconds  # label -> CPU seconds over the block
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds the process has used so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime: fields 14 and 15 of proc(5)


def listening_pid(port: int) -> int:
    """The process listening on a local TCP port (FerretDB, the broker), found through its socket's inode."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":  # 0A: LISTEN
                    inodes.add(f"socket:[{parts[9]}]")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                return int(entry.name)
    raise LookupError(f"no process of ours listens on port {port}")


@dataclass
class Spent:
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


@contextlib.contextmanager
def cpu_spent(pids: dict[str, int]) -> Iterator[Spent]:
    before = {label: cpu_seconds(pid) for label, pid in pids.items()}
    spent = Spent()
    try:
        yield spent
    finally:
        spent.seconds = {label: cpu_seconds(pid) - before[label] for label, pid in pids.items()}

"""The local stack under supervisord: a server or service that dies is started again at once, in place.

`gridline-dev up` writes one supervisord configuration for the stack's state folder (Kafka, FerretDB, the four
services and the pages, each on the port the folder keeps), starts supervisord if it is not running, and asks
it to start whatever is not running. supervisord restarts a program that exits (`autorestart`), so a `kill -9`
is answered within a second or two without anyone typing a command. Secrets reach the programs through
supervisord's own environment, never through the configuration file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supervisor.xmlrpc import SupervisorTransport

from gridline.devstack.servers import alive, terminate

# Running, or on its way there (BACKOFF: between failed starts, which supervisord retries by itself), or
# stopping as asked: nothing to start. supervisord refuses to start any of these.
UP = {"RUNNING", "STARTING", "BACKOFF", "STOPPING"}


@dataclass(frozen=True)
class Program:
    """One supervised process."""

    name: str
    argv: list[str]
    log: Path
    env: Mapping[str, str]
    priority: int
    stop_seconds: int = 15


class Supervisor:
    """supervisord for one state folder: its configuration, socket and process."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.config = state_dir / "supervisord.conf"
        self.socket = state_dir / "supervisor.sock"
        self.pidfile = state_dir / "supervisord.pid"
        self.pids_file = state_dir / "programs.json"

    def write(self, programs: list[Program]) -> None:
        sections = [
            f"[unix_http_server]\nfile={_quote(self.socket)}\nchmod=0700\n",
            (
                f"[supervisord]\nlogfile={_quote(self.state_dir / 'supervisord.log')}\n"
                f"pidfile={_quote(self.pidfile)}\nchildlogdir={_quote(self.state_dir)}\nnodaemon=false\n"
                "logfile_maxbytes=10MB\nlogfile_backups=2\n"
            ),
            "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
            "supervisor.rpcinterface:make_main_rpcinterface\n",
            f"[supervisorctl]\nserverurl=unix://{_quote(self.socket)}\n",
            *(_section(p) for p in programs),
        ]
        self.config.write_text("\n".join(sections))
        self.config.chmod(0o600)

    def running(self) -> bool:
        """supervisord answers on its socket (a stale socket file of a killed one does not)."""
        if not self.socket.exists():
            return False
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(2)
                probe.connect(str(self.socket))
        except OSError:
            return False
        return True

    def start(self, env: Mapping[str, str]) -> None:
        """Start supervisord, which starts every program; it returns once it has daemonized."""
        binary = Path(sys.executable).with_name("supervisord")
        subprocess.run([str(binary), "-c", str(self.config)], env={**os.environ, **env}, check=True)
        deadline = time.monotonic() + 30
        while not self.running():
            if time.monotonic() > deadline:
                raise RuntimeError(f"supervisord did not start; see {self.state_dir / 'supervisord.log'}")
            time.sleep(0.1)

    def rpc(self) -> Any:
        transport = SupervisorTransport(None, None, f"unix://{self.socket}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def states(self) -> dict[str, dict[str, Any]]:
        """Each program's state as supervisord reports it (`RUNNING`, `BACKOFF`, `FATAL` ...) and its pid."""
        return {info["name"]: info for info in self.rpc().getAllProcessInfo()}

    def reload(self) -> None:
        """Take in a changed configuration: programs added, removed or changed are started anew."""
        added, changed, removed = self.rpc().reloadConfig()[0]
        for name in [*removed, *changed]:
            self.rpc().stopProcessGroup(name)
            self.rpc().removeProcessGroup(name)
        for name in [*changed, *added]:
            self.rpc().addProcessGroup(name)

    def restarted_by_itself(self) -> dict[str, float]:
        """Programs supervisord started again after they died (since it started them first): name -> when."""
        began = self.pidfile.stat().st_mtime if self.pidfile.exists() else 0.0
        return {
            name: float(info["start"])
            for name, info in self.states().items()
            if info["statename"] in UP and info["start"] > began + 5
        }

    def start_stopped(self) -> list[str]:
        """Start every program that is not running (one that gave up after failed starts, too)."""
        restarted = []
        for name, info in self.states().items():
            if info["statename"] not in UP:
                self.rpc().startProcess(name, False)
                restarted.append(name)
        return restarted

    def remember_pids(self) -> None:
        """Note each program's process id, so that `stop_orphans` can end them should supervisord die."""
        pids = {name: int(info["pid"]) for name, info in self.states().items() if info["pid"]}
        self.pids_file.write_text(json.dumps(pids))

    def stop_orphans(self) -> list[str]:
        """Programs a supervisord that died left running (each runs in a process group of its own): stopped
        before a new supervisord starts them again, which would fail on their ports and data, or double them."""
        if not self.pids_file.exists():
            return []
        stopped = []
        for name, pid in json.loads(self.pids_file.read_text()).items():
            if alive(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGTERM)
                terminate(pid)
                stopped.append(name)
        self.pids_file.unlink()
        return stopped

    def shutdown(self) -> None:
        """Stop every program, then supervisord itself, and wait until it is gone."""
        pid = int(self.pidfile.read_text()) if self.pidfile.exists() else 0
        self.rpc().shutdown()
        deadline = time.monotonic() + 90
        while pid and alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.pids_file.unlink(missing_ok=True)


def _section(program: Program) -> str:
    environment = ",".join(f'{k}="{_quote(v)}"' for k, v in program.env.items())
    lines = [
        f"[program:{program.name}]",
        f"command={_quote(shlex.join(program.argv))}",
        f"priority={program.priority}",
        "autostart=true",
        "autorestart=true",
        # A start counts once the process has lived a second; supervisord retries a failing start with a
        # growing wait, this many times, before it gives up (FATAL, which the next `up` starts again).
        "startsecs=1",
        "startretries=20",
        "stopasgroup=true",
        "killasgroup=true",
        f"stopwaitsecs={program.stop_seconds}",
        f"stdout_logfile={_quote(program.log)}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=2",
        "redirect_stderr=true",
    ]
    if environment:
        lines.append(f"environment={environment}")
    return "\n".join(lines) + "\n"


def _quote(value: object) -> str:
    """supervisord expands `%(name)s` in its values: a literal percent sign is written twice."""
    return str(value).replace("%", "%%")

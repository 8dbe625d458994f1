"""Obtain, cache, start and stop a real Keycloak with the `gridline` realm that compose imports.

The server distribution comes from Maven Central (`org.keycloak:keycloak-quarkus-dist`, the same release as the
compose image) into the user's cache, unzipped once. Each start gets its own home under a state folder: its
data (the dev-file database, the realm to import) lives there, while the 160 MB of jars stay in the cache.
The first `start-dev` on a machine re-augments the server for the dev profile (minutes on two cores); that
result is kept in the cache, so later starts skip it.

    python -m gridline.devstack.keycloak prepare          # download and unzip (the test command runs this)
    python -m gridline.devstack.keycloak start --state-dir .local/keycloak   # prints environment lines
    python -m gridline.devstack.keycloak stop --state-dir .local/keycloak
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from gridline.devstack.servers import DEPLOY, _require, alive, cache_dir, free_ports, once, say, terminate

KEYCLOAK_VERSION = "26.5.6"
REALM = "gridline"
REALM_FILE = DEPLOY / "compose" / "keycloak" / "gridline-realm.json"
ADMIN = "admin"
# Build options of the dev profile: the kept augmentation is valid only for exactly these.
BUILD_OPTIONS = {"KC_HEALTH_ENABLED": "true", "KC_DB": "dev-file"}
# Two shared cores: the C1 compiler alone starts a JVM server sooner than both tiers competing for them.
JAVA_OPTS_APPEND = "-XX:TieredStopAtLevel=1"


def _root() -> Path:
    return cache_dir() / f"keycloak-{KEYCLOAK_VERSION}"


def distribution() -> Path:
    """The unzipped server distribution in the cache, fetched with Maven on first use."""
    root = _root()
    home = root / f"keycloak-{KEYCLOAK_VERSION}"
    once(root, lambda: _download(root, home))
    return home


def _download(root: Path, home: Path) -> None:
    say(f"downloading Keycloak {KEYCLOAK_VERSION} from Maven Central (first run only)...")
    _require("mvn", "java")
    with tempfile.TemporaryDirectory(dir=root) as work:
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "dependency:copy",
                f"-Dartifact=org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip",
                f"-DoutputDirectory={work}",
            ],
            check=True,
            cwd=work,
            stdout=sys.stderr,  # `start` prints environment lines on stdout that callers eval; keep them clean
        )
        archive = Path(work) / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
        unpacked = Path(work) / "unpacked"
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                target = Path(zipped.extract(member, unpacked))
                mode = member.external_attr >> 16
                if mode and not member.is_dir():
                    target.chmod(stat.S_IMODE(mode))  # zipfile drops the scripts' execute bits
        shutil.rmtree(home, ignore_errors=True)
        os.replace(unpacked / f"keycloak-{KEYCLOAK_VERSION}", home)


@dataclass
class Keycloak:
    """One running Keycloak: where it listens, its admin's password, its process id."""

    state_dir: str
    port: int
    management_port: int
    admin_password: str
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        """The realm's issuer as tokens carry it (dev mode names it after the address browsers used)."""
        return f"{self.url}/realms/{REALM}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def admin_token(self) -> str:
        grant = {"grant_type": "password", "client_id": "admin-cli", "username": ADMIN, "password": self.admin_password}
        answer = httpx.post(f"{self.url}/realms/master/protocol/openid-connect/token", data=grant, timeout=60)
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def save(self) -> None:
        (Path(self.state_dir) / "keycloak.json").write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, state_dir: Path) -> Keycloak | None:
        path = state_dir / "keycloak.json"
        return cls(**json.loads(path.read_text())) if path.exists() else None


def start(state_dir: Path, *, web_public_url: str, timeout: float = 600) -> Keycloak:
    """`kc.sh start-dev --import-realm` over a new home in `state_dir`, on free ports; returns once ready."""
    keycloak = launch(state_dir, web_public_url=web_public_url)
    wait_ready(keycloak, timeout=timeout)
    return keycloak


def launch(state_dir: Path, *, web_public_url: str) -> Keycloak:
    """Start Keycloak without waiting for it (its addresses are known at once): callers start what will use
    it meanwhile, then `wait_ready`.

    The realm file is imported as compose imports it, with WEB_PUBLIC_URL (the pages' address, which the
    file's redirect URIs name) in the server's environment.
    """
    dist = distribution()
    state_dir = state_dir.resolve()
    home = state_dir / "home"
    _lay_out_home(dist, home)
    port, management_port = free_ports(2)
    keycloak = Keycloak(str(state_dir), port, management_port, secrets.token_urlsafe(18))
    env = {
        **os.environ,
        **BUILD_OPTIONS,
        "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN,
        "KC_BOOTSTRAP_ADMIN_PASSWORD": keycloak.admin_password,
        "KC_HTTP_HOST": "127.0.0.1",
        "KC_HTTP_PORT": str(port),
        "KC_HTTP_MANAGEMENT_PORT": str(management_port),
        "JAVA_OPTS_APPEND": JAVA_OPTS_APPEND,
        "WEB_PUBLIC_URL": web_public_url,
    }
    say(f"starting Keycloak {KEYCLOAK_VERSION} on {keycloak.url} (log: {state_dir / 'keycloak.log'})")
    with (state_dir / "keycloak.log").open("ab") as log:
        process = subprocess.Popen(
            [str(home / "bin" / "kc.sh"), "start-dev", "--import-realm"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=state_dir,
        )
    keycloak.pid = process.pid
    keycloak.save()
    return keycloak


def wait_ready(keycloak: Keycloak, *, timeout: float = 600) -> None:
    """Until Keycloak answers ready (it is stopped if it does not); the first start on a machine is slow."""
    try:
        _wait_ready(keycloak, timeout)
    except Exception:
        stop(Path(keycloak.state_dir))
        raise
    _keep_augmentation(Path(keycloak.state_dir) / "home")


def _lay_out_home(dist: Path, home: Path) -> None:
    """A home of its own: data and the server's build here, the jars and themes linked from the cache."""
    shutil.rmtree(home, ignore_errors=True)
    (home / "bin").mkdir(parents=True)
    (home / "lib").mkdir()
    shutil.copy2(dist / "bin" / "kc.sh", home / "bin" / "kc.sh")  # a copy: kc.sh finds its home beside itself
    for name in ("conf", "themes", "providers", "version.txt"):
        (home / name).symlink_to(dist / name)
    (home / "lib" / "lib").symlink_to(dist / "lib" / "lib")
    # Copies: the launcher takes the server's build from beside its own jar.
    shutil.copytree(dist / "lib" / "app", home / "lib" / "app")
    shutil.copy2(dist / "lib" / "quarkus-run.jar", home / "lib" / "quarkus-run.jar")
    kept = _kept_augmentation()
    shutil.copytree(kept if kept.exists() else dist / "lib" / "quarkus", home / "lib" / "quarkus")
    (home / "data" / "import").mkdir(parents=True)
    shutil.copy2(REALM_FILE, home / "data" / "import" / REALM_FILE.name)


def _kept_augmentation() -> Path:
    options = "-".join(f"{k.removeprefix('KC_').lower()}={v}" for k, v in sorted(BUILD_OPTIONS.items()))
    return _root() / f"dev-build-{options}"


def _keep_augmentation(home: Path) -> None:
    """Keep the dev-profile build the first start made, for the next starts on this machine."""
    kept = _kept_augmentation()
    if kept.exists():
        return
    with contextlib.suppress(OSError), tempfile.TemporaryDirectory(dir=kept.parent) as work:
        shutil.copytree(home / "lib" / "quarkus", Path(work) / "quarkus")
        os.replace(Path(work) / "quarkus", kept)


def _wait_ready(keycloak: Keycloak, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    ready = f"http://127.0.0.1:{keycloak.management_port}/health/ready"
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(ready, timeout=5).status_code == 200:
                return
        if not alive(keycloak.pid):
            raise RuntimeError(f"Keycloak exited during start-up; see {keycloak.state_dir}/keycloak.log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Keycloak was not ready within {timeout:.0f}s; see {keycloak.state_dir}/keycloak.log")
        time.sleep(1)


def stop(state_dir: Path) -> None:
    keycloak = Keycloak.load(state_dir.resolve())
    if keycloak is None:
        return
    terminate(keycloak.pid, grace=20)
    (Path(keycloak.state_dir) / "keycloak.json").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "start", "stop"])
    parser.add_argument("--state-dir", type=Path, default=Path(".local/keycloak"))
    parser.add_argument("--web-public-url", default="http://127.0.0.1:8100", help="start: where the pages are")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        print(distribution())
    elif args.command == "start":
        args.state_dir.mkdir(parents=True, exist_ok=True)
        keycloak = start(args.state_dir, web_public_url=args.web_public_url)
        print(f"export KEYCLOAK_URL={keycloak.url}")
        print(f"export KEYCLOAK_ADMIN_PASSWORD={keycloak.admin_password}")
    else:
        stop(args.state_dir)


if __name__ == "__main__":
    main()

"""What the test suite runs against, read from the things themselves: the browser, Keycloak, Kafka, FerretDB.

Printed at the start of every test run, so a log says which browser or server a failure met. Each is read from
the binary or distribution in use (not from the pins in this repository), so a drift shows as a difference.
"""

from __future__ import annotations

import re
import subprocess

from gridline.devstack import browser, keycloak, servers


def keycloak_version() -> str:
    """The version file of the distribution the tests start (`Keycloak - Version 26.5.6`)."""
    return (keycloak.distribution() / "version.txt").read_text().strip()


def kafka_version() -> str:
    """The version of the broker jar the tests start (`kafka_2.13-4.1.1.jar`)."""
    libs = servers.kafka_libs()
    jars = sorted(p.name for p in libs.glob("kafka_*.jar"))
    found = re.fullmatch(r"kafka_([\d.]+)-(.+)\.jar", jars[0]) if jars else None
    return f"Apache Kafka {found.group(2)} (Scala {found.group(1)})" if found else f"Apache Kafka jars in {libs}"


def ferretdb_version() -> str:
    """The version the FerretDB build the tests start reports, with the patch it was built with."""
    binary = servers.ferretdb_binary()
    answer = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60, check=True)
    fields = dict(line.split(": ", 1) for line in answer.stdout.splitlines() if ": " in line)
    return f"FerretDB {fields.get('version', '?')} with {servers.FERRETDB_PATCH.name} ({binary.parent.parent.name})"


def report() -> list[str]:
    """One line for each outside part the suite runs against."""
    binary = browser.chromium()
    return [
        f"browser: {browser.version_line(binary)} at {binary}",
        f"identity provider: {keycloak_version()}",
        f"broker: {kafka_version()}",
        f"database: {ferretdb_version()}",
    ]


def main() -> None:
    print("\n".join(report()))


if __name__ == "__main__":
    main()

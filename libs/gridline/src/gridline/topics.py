"""The topic declarations in deploy/topics.yaml, and the command that applies them to a broker."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

DEFAULT_FILE = Path(__file__).resolve().parents[4] / "deploy" / "topics.yaml"


@dataclass(frozen=True)
class TopicDeclaration:
    name: str
    owner: str
    partitions: int
    config: dict[str, str]


class _UniqueKeys(yaml.SafeLoader):
    """YAML keeps the last of two equal keys without a word; a topic declared twice is refused instead."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise ValueError(f"{key!r} is declared twice (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load(path: Path = DEFAULT_FILE) -> list[TopicDeclaration]:
    raw: dict[str, Any] = yaml.load(path.read_text(), Loader=_UniqueKeys)  # noqa: S506 (a SafeLoader)
    defaults = raw.get("defaults", {})
    declared = []
    for name, spec in raw["topics"].items():
        merged = {**defaults, **spec}
        config = {"retention.ms": str(merged.get("retention_ms", defaults.get("retention_ms")))}
        if "cleanup_policy" in merged:
            config["cleanup.policy"] = merged["cleanup_policy"]
        declared.append(TopicDeclaration(name, merged["owner"], int(merged["partitions"]), config))
    return declared


async def apply(bootstrap: str, *, prefix: str = "", path: Path = DEFAULT_FILE) -> list[str]:
    """Create every declared topic that is missing; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(prefix + t.name, num_partitions=t.partitions, replication_factor=1, topic_configs=t.config)
            for t in load(path)
            if prefix + t.name not in existing
        ]
        if wanted:
            # A concurrent apply may have created them first: the declaration is what matters.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
        return [t.name for t in wanted]
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Create the platform's Kafka topics from deploy/topics.yaml")
    parser.add_argument("command", choices=["apply", "list"])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--prefix", default="")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    if args.command == "list":
        for t in load(args.file):
            print(f"{args.prefix}{t.name}\towner={t.owner}\tpartitions={t.partitions}")
        return
    created = asyncio.run(apply(args.bootstrap, prefix=args.prefix, path=args.file))
    print(f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else ""))

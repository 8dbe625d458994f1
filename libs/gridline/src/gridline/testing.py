"""Test support: the real Kafka and FerretDB, isolated per test by topic prefix and database name.

Tests reach a running app in-process (httpx over ASGI, the app's lifespan started for real), so the app's
producer, relay and consumers talk to the real broker and database exactly as in production.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI

from gridline import mongo, topics
from gridline.auth.issuer import issue_token, make_keys
from gridline.devstack import servers
from gridline.events import Event, Headers, from_record
from gridline.kafka import make_producer

T = TypeVar("T")


@dataclass(frozen=True)
class Servers:
    kafka: str
    mongodb: str


def servers_for_tests() -> tuple[Servers, Path | None]:
    """The servers named by GRIDLINE_TEST_* (started by deploy/test.sh), else start our own.

    Returns the state dir to stop afterwards when this call started them.
    """
    kafka, mongodb = os.environ.get("GRIDLINE_TEST_KAFKA"), os.environ.get("GRIDLINE_TEST_MONGODB")
    if kafka and mongodb:
        return Servers(kafka, mongodb), None
    # One set of servers per test run: concurrent runs in one checkout must not stop each other's.
    root = servers.REPO / ".local" / "pytest-stacks"
    _remove_abandoned(root)
    state = root / str(os.getpid())
    stack = servers.start(state)
    return Servers(stack.kafka_bootstrap, stack.mongodb_url), state


def stop_servers(state: Path) -> None:
    servers.stop(state)
    shutil.rmtree(state, ignore_errors=True)


def _remove_abandoned(root: Path) -> None:
    """Stacks of test runs that were killed before they could stop their servers."""
    for state in root.glob("*"):
        if state.name.isdigit() and not servers.alive(int(state.name)):
            stop_servers(state)


@dataclass
class Secrets:
    auth_dir: Path

    def __post_init__(self) -> None:
        make_keys(self.auth_dir)
        self.pii_key = base64.b64encode(os.urandom(32)).decode()
        self.hash_key = base64.b64encode(os.urandom(32)).decode()

    def settings(self) -> dict[str, Any]:
        return {
            "auth_jwks": str(self.auth_dir / "jwks.json"),
            "pii_encryption_keys": f"k1:{self.pii_key}",
            "pii_current_key_id": "k1",
            "pii_hash_key": self.hash_key,
        }

    def token(self, *roles: str, jurisdiction: str, subject: str = "tester", ttl: int = 600) -> str:
        return issue_token(
            self.auth_dir,
            subject=subject,
            roles=list(roles),
            jurisdiction=jurisdiction,
            issuer="gridline-local",
            audience="gridline",
            ttl_seconds=ttl,
        )

    def headers(self, *roles: str, jurisdiction: str, subject: str = "tester") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, jurisdiction=jurisdiction, subject=subject)}"}


@dataclass
class Sandbox:
    """One test's private corner of the shared servers: its own topics and databases."""

    servers: Servers
    secrets: Secrets
    name: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:10]}")

    @property
    def prefix(self) -> str:
        return f"{self.name}."

    def settings(self, service: str, **overrides: Any) -> dict[str, Any]:
        return {
            "mongodb_url": self.servers.mongodb,
            "mongodb_database": f"{self.name}_{service}",
            "kafka_bootstrap_servers": self.servers.kafka,
            "topic_prefix": self.prefix,
            "environment": "test",
            "relay_interval_seconds": 0.1,
            "consumer_backoff_seconds": 0.05,
            **self.secrets.settings(),
            **overrides,
        }

    async def create_topics(self) -> None:
        await topics.apply(self.servers.kafka, prefix=self.prefix)

    def database(self, service: str) -> mongo.Database:
        return mongo.connect(self.servers.mongodb)[f"{self.name}_{service}"]

    async def drop(self, services: list[str]) -> None:
        client = mongo.connect(self.servers.mongodb)
        for service in services:
            await client.drop_database(f"{self.name}_{service}")
        await client.close()
        await self.delete_topics()

    async def delete_topics(self) -> None:
        """The test's topics go with it: one broker keeping every test's partitions runs out of heap mid-suite."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.servers.kafka)
        await admin.start()
        try:
            mine = [t for t in await admin.list_topics() if t.startswith(self.prefix)]
            if mine:
                await admin.delete_topics(mine)
        finally:
            await admin.close()

    async def read_topic(self, topic: str, *, at_least: int, timeout: float = 20) -> list[Received]:
        return await read_topic(self.servers.kafka, self.prefix + topic, at_least=at_least, timeout=timeout)

    async def publish_raw(self, topic: str, *, value: bytes, key: bytes, headers: Headers) -> None:
        producer = make_producer(self.servers.kafka, client_id=f"{self.name}-test")
        await producer.start()
        try:
            await producer.send_and_wait(self.prefix + topic, value=value, key=key, headers=headers)
        finally:
            await producer.stop()


@dataclass(frozen=True)
class Received:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers

    def event(self) -> Event:
        return from_record(self.topic, self.key, self.value, self.headers)

    def header(self, name: str) -> str | None:
        return next((v.decode() for k, v in self.headers if k == name), None)


async def read_topic(bootstrap: str, topic: str, *, at_least: int, timeout: float = 20) -> list[Received]:
    """Every record on `topic` from the beginning; waits until at least `at_least` are there."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic, timeout)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[Received] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            found += [
                Received(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or []))
                for records in batch.values()
                for r in records
            ]
            if len(found) >= at_least:
                await asyncio.sleep(0.3)  # let a surplus (a duplicate we must not see) arrive too
                batch = await consumer.getmany(timeout_ms=300)
                found += [
                    Received(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or []))
                    for records in batch.values()
                    for r in records
                ]
                return found
        return found
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str, timeout: float) -> list[TopicPartition]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        numbers = consumer.partitions_for_topic(topic)
        if numbers:
            return [TopicPartition(topic, p) for p in sorted(numbers)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    raise AssertionError(f"topic {topic} does not exist")


class Running:
    """Apps started with their real lifespans, each reachable through an httpx client."""

    def __init__(self) -> None:
        self._stack = AsyncExitStack()
        self.clients: dict[str, httpx.AsyncClient] = {}
        self.apps: dict[str, FastAPI] = {}

    async def start(self, name: str, app: FastAPI) -> httpx.AsyncClient:
        from asgi_lifespan import LifespanManager

        manager = await self._stack.enter_async_context(LifespanManager(app, startup_timeout=60, shutdown_timeout=30))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url=f"http://{name}")
        await self._stack.enter_async_context(client)
        self.clients[name], self.apps[name] = client, app
        return client

    async def stop(self, name: str) -> None:
        """Stop one app as a crash would leave it: the lifespan ends, nothing is flushed by us."""
        app = self.apps.pop(name)
        await self.clients.pop(name).aclose()
        from gridline.service import stop

        await stop(app.state.runtime)

    async def close(self) -> None:
        await self._stack.aclose()


async def eventually(check: Callable[[], Awaitable[T]], *, timeout: float = 60, interval: float = 0.2) -> T:
    """Retry `check` until it stops raising AssertionError (effects of events arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(interval)

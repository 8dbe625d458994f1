"""What a running service holds: built in its lifespan, reached by handlers through `Annotated` aliases."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from gridline.auth.tokens import TokenVerifier
from gridline.clock import Clock
from gridline.consumer import ConsumerRunner
from gridline.events import Event
from gridline.http.metrics import Metrics
from gridline.http.rate_limits import RateLimits
from gridline.jobs import JobRunner
from gridline.kafka import AIOKafkaProducer
from gridline.links import LinkSigner
from gridline.mongo import Client, Database
from gridline.outbox import OutboxRelay
from gridline.pii import Protector
from gridline.settings import ServiceSettings


@dataclass
class Runtime:
    settings: ServiceSettings
    clock: Clock
    verifier: TokenVerifier
    protector: Protector
    metrics: Metrics
    rate_limits: RateLimits
    links: LinkSigner
    client: Client | None = None
    db: Database | None = None
    producer: AIOKafkaProducer | None = None
    relay: OutboxRelay | None = None
    jobs: JobRunner | None = None
    consumers: list[ConsumerRunner] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # Told of each event once the broker has it (tests keep a sample of every type).
    published_listeners: list[Callable[[Event], None]] = field(default_factory=list)

    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("database used before start-up")
        return self.db

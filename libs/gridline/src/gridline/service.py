"""The app factory every service uses: one definition in, one FastAPI app out.

The lifespan owns the database client, the producer, the outbox relay, the consumers and the timers;
nothing is built at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline

from gridline import fatal, logs, mongo, threads
from gridline.auth.tokens import TokenVerifier
from gridline.clock import Clock, SystemClock
from gridline.consumer import DEAD_LETTERS, ConsumerRunner, HandlerContext, RetryPolicy, Subscription
from gridline.events import Event, EventSpec
from gridline.http import dead_letters, health, limits, metrics, openapi, problems
from gridline.http.rate_limits import RateLimits
from gridline.http.server_spans import ServerSpans
from gridline.jobs import INDEXES as JOB_INDEXES
from gridline.jobs import JobKind, JobRunner
from gridline.kafka import make_producer
from gridline.leases import Lease
from gridline.links import LinkSigner
from gridline.mongo import ASCENDING, Index
from gridline.outbox import RELAY_LEASE_TTL, OutboxRelay, outbox_indexes
from gridline.runtime import Runtime
from gridline.settings import ServiceSettings
from gridline.telemetry import setup_tracing

log = logging.getLogger(__name__)

StartupHook = Callable[[Runtime], Awaitable[None]]
BackgroundJob = Callable[[Runtime], Awaitable[None]]


@dataclass(frozen=True)
class ServiceDefinition:
    """Everything that makes one service: its routers, event contracts, collections and jobs."""

    name: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    published: Sequence[EventSpec] = ()
    subscriptions: Sequence[Subscription] = ()
    outbox_collections: Sequence[str] = ()
    indexes: Sequence[Index] = ()
    # Bring documents stored by an earlier version up to what `indexes` need (a new unique field, say); run
    # at each start before the indexes are built, so each must be cheap once done.
    migrations: Sequence[StartupHook] = ()
    on_startup: Sequence[StartupHook] = ()
    jobs: Sequence[JobKind] = ()
    body_limits: Mapping[str, int] = field(default_factory=dict)  # path prefix -> bytes, e.g. an upload route
    background: Sequence[BackgroundJob] = field(default_factory=tuple)


NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def build_app(definition: ServiceDefinition, settings: ServiceSettings, *, clock: Clock | None = None) -> FastAPI:
    logs.configure()
    setup_tracing(definition.name)
    threads.favour_event_loop()
    clock = clock or SystemClock()
    runtime = Runtime(
        settings=settings,
        clock=clock,
        verifier=TokenVerifier(jwks=settings.auth_jwks, issuer=settings.auth_issuer, audience=settings.auth_audience),
        protector=settings.protector(),
        metrics=metrics.Metrics(definition.name),
        rate_limits=RateLimits(settings.rate_limit_per_caller),
        links=LinkSigner(hash_key=settings.hash_key_bytes(), service=definition.name, clock=clock),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await start(runtime, definition)
        try:
            yield
        finally:
            await stop(runtime)

    # Swagger UI and ReDoc from the packaged bundle: offices on a government network reach no CDN.
    app = FastAPIOffline(
        title=definition.title,
        description=definition.description,
        version="1",
        lifespan=lifespan,
        # One server span per request, from `ServerSpans`: FastAPI's own telemetry would add a span
        # for every dependency, the endpoint and serialisation, a fifth of a check-in's time in this process.
        telemetry=NO_NATIVE_TELEMETRY,
    )
    app.state.runtime = runtime
    app.state.definition = definition
    problems.install(app)
    metrics.install(app, runtime.metrics)
    app.add_middleware(limits.BodySizeLimit, max_bytes=settings.max_body_bytes, overrides=definition.body_limits)
    for router in (health.router, dead_letters.router, *definition.routers):
        app.include_router(router)
    # Outermost of ours, so the span covers the size limit's refusals and the request's timing.
    app.add_middleware(ServerSpans)
    openapi.install(app)
    return app


async def start(runtime: Runtime, definition: ServiceDefinition) -> None:
    settings = runtime.settings
    instance = settings.instance_id or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    watcher = mongo.WriteWatcher()
    runtime.client = mongo.connect(settings.mongodb_url, watcher=watcher)
    db = runtime.db = runtime.client[settings.mongodb_database]
    for migrate in definition.migrations:
        await migrate(runtime)
    await mongo.ensure_indexes(
        db,
        [
            *definition.indexes,
            *outbox_indexes(definition.outbox_collections),
            Index(DEAD_LETTERS, (("failed_at", ASCENDING),)),
            *JOB_INDEXES,
        ],
    )
    # Started by the relay, which retries until the broker answers: a service restarted while the broker is
    # away still serves requests, whose events wait in the outbox.
    producer = runtime.producer = make_producer(settings.kafka_bootstrap_servers, client_id=instance)
    lease = Lease(db=db, name="outbox-relay", holder=instance, clock=runtime.clock, ttl=RELAY_LEASE_TTL)
    runtime.relay = OutboxRelay(
        db=db,
        collections=definition.outbox_collections,
        producer=producer,
        lease=lease,
        clock=runtime.clock,
        topic_prefix=settings.topic_prefix,
        interval=settings.relay_interval_seconds,
        on_published=lambda event: _published(runtime, event),
        starts_producer=True,
    )
    watcher.notify = runtime.relay.wake
    context = HandlerContext(db=db, clock=runtime.clock, group="", source=definition.name, settings=settings)
    retry = RetryPolicy(settings.consumer_max_attempts, settings.consumer_backoff_seconds)
    runtime.consumers = [
        ConsumerRunner(
            service=definition.name,
            subscription=s,
            bootstrap=settings.kafka_bootstrap_servers,
            topic_prefix=settings.topic_prefix,
            dead_letter_topic=settings.dead_letter_topic,
            producer=producer,
            context=context,
            retry=retry,
        )
        for s in definition.subscriptions
    ]
    if definition.jobs:
        runtime.jobs = JobRunner(
            db=db,
            kinds=list(definition.jobs),
            clock=runtime.clock,
            settings=settings,
            holder=instance,
            interval=settings.relay_interval_seconds,
        )
    for hook in definition.on_startup:
        await hook(runtime)
    jobs: list[tuple[str, Awaitable[None]]] = [("outbox-relay", runtime.relay.run())]
    jobs += [(f"consumer:{c.group}", c.run()) for c in runtime.consumers]
    jobs += [(getattr(job, "__name__", "job"), job(runtime)) for job in definition.background]
    if runtime.jobs is not None:
        jobs.append(("jobs", runtime.jobs.run()))
    runtime.tasks = [asyncio.create_task(_logged(name, coro), name=name) for name, coro in jobs]


async def stop(runtime: Runtime) -> None:
    """Stop the background work, then the clients. With the broker away, leaving consumer groups and
    flushing the producer cannot finish: each step gets a bounded wait, so the process still exits
    (nothing is lost: unsent events stay in the outbox, uncommitted records come again)."""
    for task in runtime.tasks:
        task.cancel()
    await _bounded(asyncio.gather(*runtime.tasks, return_exceptions=True), "background tasks")
    runtime.tasks = []
    if runtime.producer is not None:
        await _bounded(runtime.producer.stop(), "the Kafka producer")
    if runtime.client is not None:
        await runtime.client.close()


def _published(runtime: Runtime, event: Event) -> None:
    runtime.metrics.published.labels(event.type).inc()
    for listener in runtime.published_listeners:
        listener(event)


async def _bounded(step: Awaitable[object], what: str, seconds: float = 10.0) -> None:
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        log.warning("stopping %s took over %.0fs; going on without it", what, seconds)


async def _logged(name: str, coro: Awaitable[None]) -> None:
    """Run a background loop; one that ends by an error it could not recover from ends the process."""
    try:
        await coro
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("background task %s stopped", name)
        fatal.fail(f"background task {name} stopped: {logs.error_text(exc)}")
        raise
    else:
        fatal.fail(f"background task {name} ended")

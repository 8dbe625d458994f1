"""aiokafka clients configured for the platform's guarantees."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

__all__ = ["AIOKafkaConsumer", "AIOKafkaProducer", "kafka_reachable", "make_consumer", "make_producer"]


def make_producer(bootstrap: str, *, client_id: str) -> AIOKafkaProducer:
    """Idempotent, acks from all in-sync replicas: a send that succeeded is neither lost nor doubled."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15000,
    )


def make_consumer(bootstrap: str, *, topics: list[str], group: str, client_id: str) -> AIOKafkaConsumer:
    """Offsets are committed by us, after the effect is stored: at-least-once, never at-most-once."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=500,
        session_timeout_ms=10000,
        heartbeat_interval_ms=3000,
    )


async def kafka_reachable(producer: AIOKafkaProducer, *, timeout: float = 2.0) -> bool:
    try:
        await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout)
    except Exception:
        return False
    return True

"""Does a Kafka broker answer metadata requests?"""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient


def kafka_answers(bootstrap: str) -> bool:
    async def probe() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.list_topics()
            return True
        except Exception:
            return False
        finally:
            await admin.close()

    return asyncio.run(probe())

"""Leases: one holder at a time across replicas, for the outbox relay and for timers.

A lease is a document `{_id: name, holder, until}`. Taking it is one conditional upsert: it matches only
when the lease is ours or has expired; otherwise the upsert collides on `_id` and we learn someone else
holds it. No transactions needed, so it works on FerretDB and MongoDB alike.
"""

from __future__ import annotations

from datetime import timedelta

from gridline.clock import Clock
from gridline.mongo import Database, DuplicateKeyError

COLLECTION = "leases"


class Lease:
    def __init__(self, *, db: Database, name: str, holder: str, clock: Clock, ttl: timedelta) -> None:
        self._coll = db[COLLECTION]
        self.name = name
        self.holder = holder
        self._clock = clock
        self._ttl = ttl

    async def acquire(self) -> bool:
        """Take or renew the lease; False while another holder's lease is still valid."""
        now = self._clock.now()
        try:
            await self._coll.update_one(
                {"_id": self.name, "$or": [{"holder": self.holder}, {"until": {"$lt": now}}]},
                {"$set": {"holder": self.holder, "until": now + self._ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def release(self) -> None:
        await self._coll.delete_one({"_id": self.name, "holder": self.holder})

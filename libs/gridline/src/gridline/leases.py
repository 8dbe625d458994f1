"""Leases: one holder at a time across replicas, for the outbox relay and for timers.

A lease is a document `{_id: name, holder, until}`. Taking it is one conditional upsert: it matches only
when the lease is ours or has expired; otherwise the upsert collides on `_id` and we learn someone else
holds it. No transactions needed, so it works on FerretDB and MongoDB alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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
        self._until: datetime | None = None  # when our lease ends, as we last wrote it

    async def acquire(self) -> bool:
        """Take or renew the lease; False while another holder's lease is still valid.

        A lease of ours with more than half its time left is not written again: a busy relay asks before
        every batch, and one write per half lease is enough to keep it.
        """
        now = self._clock.now()
        if self._until is not None and now < self._until - self._ttl / 2:
            return True
        try:
            await self._coll.update_one(
                {"_id": self.name, "$or": [{"holder": self.holder}, {"until": {"$lt": now}}]},
                {"$set": {"holder": self.holder, "until": now + self._ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            self._until = None
            return False
        self._until = now + self._ttl
        return True

    async def release(self) -> None:
        self._until = None
        await self._coll.delete_one({"_id": self.name, "holder": self.holder})

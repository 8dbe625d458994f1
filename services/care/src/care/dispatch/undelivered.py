"""A text to a helper that failed for good (`gridline.notify`'s hook) becomes `request.helper_not_notified`, which
duty turns into the desk's alert (通知未送达): the desk is duty's, and care tells it only through an event.

The event travels in the request's outbox, pushed by one write guarded by the text's key not being on the
request yet, and its id derives from that key: the hook called again (a crash before notify marked the text
alerted) finds the key and writes nothing. The event names the request, the helper and what the vendor said;
the recipient only masked, as notify keeps it.
"""

from __future__ import annotations

import logging

from gridline.events import derived_id
from gridline.jobs import JobContext
from gridline.mongo import update_guarded
from gridline.notify import Failure
from gridline.outbox import with_events

from care.dispatch.notices import text_of
from care.requests import events
from care.requests.documents import COLLECTION as REQUESTS
from care.requests.documents import event

log = logging.getLogger(__name__)

CONSUMER = "care.dispatch-undelivered"
FIELD = "texts_undelivered"  # the keys of the request's texts announced as failed
ERROR_CHARACTERS = 200


async def on_failed(ctx: JobContext, failure: Failure) -> None:
    """Announce, once per text, that the helper of a request was not told of it."""
    named = text_of(failure.key)
    if named is None:
        log.warning("message %s failed for good, and names no request to announce: %s", failure.key, failure.error)
        return
    request_id, helper_id = named
    data = events.HelperNotNotified(
        request_id=request_id,
        community_code=failure.community_code,
        helper_id=helper_id,
        kind=failure.kind,
        channel=failure.channel.value,
        vendor=failure.vendor,
        recipient=failure.recipient,
        error=failure.error[:ERROR_CHARACTERS],
        attempts=failure.attempts,
        at=ctx.clock.now(),
    )
    event_id = derived_id(CONSUMER, failure.key, events.HELPER_NOT_NOTIFIED.type)
    announced = event(events.HELPER_NOT_NOTIFIED, {"_id": request_id}, data, clock=ctx.clock, event_id=event_id)
    update = with_events({"$push": {FIELD: failure.key}}, [announced], clock=ctx.clock)
    if not await update_guarded(ctx.db[REQUESTS], request_id, {FIELD: {"$ne": failure.key}}, update):
        log.info("message %s: failure announced already, or request %s is gone", failure.key, request_id)

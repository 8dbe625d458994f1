"""Development and tests (`sms_sender=store`): the text kept in the duty database's `sms_sink`, with the phone
masked and as a keyed hash, so a developer finds the code sent to a number without the number being stored.
Refused in production (`NotifySettings`)."""

from __future__ import annotations

from gridline.notify.vendors.base import Delivery, Outcome, Text
from gridline.pii import mask_phone

SINK = "sms_sink"
HASH_CONTEXT = "sms.phone"


async def send(delivery: Delivery, text: Text) -> Outcome:
    # Keyed by the message: an attempt made again rewrites its own line.
    await delivery.db[SINK].replace_one(
        {"_id": delivery.key},
        {
            "phone_hash": delivery.protector.keyed_hash(text.phone, context=HASH_CONTEXT),
            "phone_masked": mask_phone(text.phone),
            "text": text.template.render(text.params),
            "sent_at": delivery.clock.now(),
        },
        upsert=True,
    )
    return Outcome("delivered", vendor_message_id=delivery.key)

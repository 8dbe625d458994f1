"""Messages to people (SMS, group robots) as stored effects: one record per message, sent by a stored job.

The domain asks for a *kind* of message and a recipient, never for a vendor:

    from gridline import notify

    queued = await notify.queue(
        db, clock=clock, protector=protector, settings=settings,
        key=f"booking_code:{code_hash}",          # what caused it: the same key never sends twice
        kind="booking_code",                      # names a template in `settings.notify_templates`
        recipient=notify.Phone("13905710001"),    # or notify.Group("330106001", mention_phones=(...))
        params={"code": "123456", "minutes": "5"},
        community_code="330106001001",            # picks the vendor (`sms_community_senders`, longest prefix)
        wake=runtime.jobs.wake if runtime.jobs else None,
    )
    # -> notify.Queued(key, state, created): `created` is False when the key was queued before

`queue` raises `notify.NotConfigured` (no vendor, robot or template for this message: answer 503) or
`notify.DailyCapReached` (`retry_after` seconds: answer 429) and then stores nothing. Phones are kept
sealed with `gridline.pii`, found by their keyed hash and shown masked; the per-phone daily cap
(`sms_daily_cap_per_phone`, per Asia/Shanghai day) counts keys under that hash, so a repeated key is
counted once; a template with `capped=False` (texts to staff on duty, who must get every page) is not
counted. Nothing here publishes to Kafka or logs a phone, a parameter or a secret.

A service wires the sender once: its settings class also derives from `notify.NotifySettings`, and its
definition lists

    indexes=[*notify.INDEXES, ...],
    jobs=[*notify.job_kinds(on_failed=my_hook), ...],

`on_failed(ctx, failure)` is awaited once a message has failed for good (`notify.Failure`: key, kind,
community, masked recipient, vendor, error): duty opens an incident on the desk for it ("通知未送达"). It
must be idempotent (derive what it writes from `failure.key`): a crash may call it again.

Each message moves `queued` → `sending` → `sent` (SMS: the vendor accepted it) or `delivered` (a robot's
group has it, or a vendor's receipt said so), or `failed`. A transient failure (network, 5xx, the vendor's
flow control) goes back to `queued` for another attempt after `notify_retry_seconds` doubling, up to
`notify_max_attempts`; a permanent one (bad number, bad template, bad credentials) fails at once. A sender
killed while a request was with the vendor leaves `sending` behind: the next runner does not send again
(no vendor takes an idempotency key, so a resend could text twice) but fails it as "outcome unknown",
which raises the alert for a person to check. `notify.get` reads one message, `notify.undelivered` lists
the failed ones of a jurisdiction.
"""

from __future__ import annotations

from gridline.notify.models import (
    Channel,
    DailyCapReached,
    Failure,
    Group,
    MessageRead,
    NotConfigured,
    NotifyError,
    Phone,
    Queued,
    State,
)
from gridline.notify.sender import job_kinds
from gridline.notify.settings import MessageTemplate, NotifySettings, Robot, Templates
from gridline.notify.store import COLLECTION, INDEXES, get, queue, undelivered

__all__ = [
    "COLLECTION",
    "INDEXES",
    "Channel",
    "DailyCapReached",
    "Failure",
    "Group",
    "MessageRead",
    "MessageTemplate",
    "NotConfigured",
    "NotifyError",
    "NotifySettings",
    "Phone",
    "Queued",
    "Robot",
    "State",
    "Templates",
    "get",
    "job_kinds",
    "queue",
    "undelivered",
]

"""The sender: one stored job per attempt of a message, run by the service's `gridline.jobs` runner.

Every transition is one write guarded by the state it leaves, so two runners (or a runner and a crashed
one's successor) never both send. `sending` is written before the vendor is called: a runner that finds a
message still `sending` from an earlier attempt knows that attempt died with its request out, and fails
the message as "outcome unknown" instead of texting a second time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx

from gridline import jobs
from gridline.jobs import JobContext, JobKind
from gridline.mongo import update_guarded
from gridline.notify import store
from gridline.notify.models import FINAL, Channel, Failure, State
from gridline.notify.settings import NotifySettings
from gridline.notify.vendors import aliyun, dingtalk, sink, tencent, wecom
from gridline.notify.vendors.base import Delivery, Outcome, Post, Text
from gridline.pii import Protector

log = logging.getLogger(__name__)

OnFailed = Callable[[JobContext, Failure], Awaitable[None]]
SMS = {"store": sink.send, "aliyun": aliyun.send, "tencent": tencent.send}
RECEIPTS = {"aliyun": aliyun.receipt, "tencent": tencent.receipt}
ROBOTS = {"dingtalk": dingtalk.post, "wecom": wecom.post}
UNKNOWN = "发送中断，结果未知（未重发，以免重复）"


def job_kinds(*, on_failed: OnFailed | None = None) -> list[JobKind]:
    """The sender's job kinds (one lane for texts, one for robots), each attempt one job."""

    async def handle(ctx: JobContext) -> None:
        await attempt(ctx, on_failed)

    async def receipt(ctx: JobContext) -> None:
        await check_receipt(ctx, on_failed)

    # Retries of a message are new jobs with their own due time; these bounds are for the database's outages.
    kinds = [(kind, handle) for kind in store.lanes()] + [(store.RECEIPT_KIND, receipt)]
    return [JobKind(kind, handler, max_attempts=20, backoff=timedelta(seconds=1)) for kind, handler in kinds]


async def attempt(ctx: JobContext, on_failed: OnFailed | None) -> None:
    settings = ctx.settings
    assert isinstance(settings, NotifySettings)
    key, number = ctx.payload["key"], int(ctx.payload["attempt"])
    messages = ctx.db[store.COLLECTION]
    message = await messages.find_one({"_id": key})
    if message is None:
        return  # `queue` stores the message before its job: nothing was queued under this key
    state = State(message["state"])
    if state == State.FAILED and not message.get("alerted"):
        await _alert(ctx, message, on_failed)
        return
    if state in FINAL or message["attempts"] > number or (state == State.QUEUED and message["attempts"] == number):
        return  # done already, or this attempt was superseded (a job run again after its outcome was stored)
    if state == State.SENDING:  # this very attempt died with its request out
        await _fail(ctx, message, UNKNOWN, on_failed)
        return
    now = ctx.clock.now()
    if not await update_guarded(
        messages,
        key,
        {"state": State.QUEUED.value, "attempts": number - 1},
        {"$set": {"state": State.SENDING.value, "attempts": number, "updated_at": now}},
    ):
        return  # another runner took this attempt
    outcome = await _send(ctx, settings, message)
    await _record(ctx, settings, message, number, outcome, on_failed)


async def _send(ctx: JobContext, settings: NotifySettings, message: dict[str, Any]) -> Outcome:
    protector: Protector = settings.protector()  # type: ignore[attr-defined]  # a ServiceSettings too
    params = json.loads(protector.open(message["params"], context=store.PARAMS_CONTEXT))
    template = settings.notify_templates.get(message["kind"])
    if template is None:
        return Outcome("failed", error=f"no template for {message['kind']}")
    async with httpx.AsyncClient(timeout=settings.notify_timeout_seconds, follow_redirects=False) as http:
        delivery = Delivery(ctx.db, ctx.clock, protector, settings, http, message["_id"])
        if message["channel"] == Channel.SMS.value:
            phone = protector.open(message["phone"], context=store.PHONE_CONTEXT)
            sms = SMS.get(message["vendor"])
            if sms is None:
                return Outcome("failed", error=f"SMS vendor {message['vendor']} is not available")
            code = settings.template_code(message["vendor"], message["kind"])
            return await sms(delivery, Text(phone, template, code, params))
        robot = settings.robots().get(message["group"])
        if robot is None:
            return Outcome("failed", error=f"no group robot for {message['group']}")
        mentions = [protector.open(m, context=store.PHONE_CONTEXT) for m in message.get("mentions", [])]
        return await ROBOTS[robot.vendor](delivery, Post(robot, template.render(params), mentions))


async def _record(
    ctx: JobContext,
    settings: NotifySettings,
    message: dict[str, Any],
    number: int,
    outcome: Outcome,
    on_failed: OnFailed | None,
) -> None:
    key, now = message["_id"], ctx.clock.now()
    attempt = {"attempt": number, "at": now, "outcome": outcome.status, "status_code": outcome.status_code}
    attempt["error"] = outcome.error
    guard = {"state": State.SENDING.value, "attempts": number}
    log.info("message %s attempt %d via %s: %s %s", key, number, message["vendor"], outcome.status, outcome.error or "")
    if outcome.status in ("sent", "delivered"):
        if outcome.status == "sent" and outcome.vendor_message_id and message["vendor"] in RECEIPTS:
            await _ask_receipt(ctx, settings, key, 1)
        await update_guarded(
            ctx.db[store.COLLECTION],
            key,
            guard,
            {
                "$set": {"state": outcome.status, "vendor_message_id": outcome.vendor_message_id, "updated_at": now},
                "$push": {"log": attempt},
            },
        )
        return
    if outcome.status == "retry" and number < settings.notify_max_attempts:
        due = now + timedelta(seconds=settings.notify_retry_seconds * 2 ** (number - 1))
        payload = {"key": key, "attempt": number + 1}
        await jobs.schedule(
            ctx.db,
            job_id=store.job_id(key, number + 1),
            kind=ctx.job["kind"],
            due_at=due,
            payload=payload,
            clock=ctx.clock,
        )
        await update_guarded(
            ctx.db[store.COLLECTION],
            key,
            guard,
            {
                "$set": {"state": State.QUEUED.value, "error": outcome.error, "updated_at": now},
                "$push": {"log": attempt},
            },
        )
        return
    message["log"], message["attempts"] = attempt, number  # as stored: the hook is told every attempt made
    await _fail(ctx, message, outcome.error or "failed", on_failed, guard=guard)


async def _ask_receipt(ctx: JobContext, settings: NotifySettings, key: str, check: int) -> None:
    if not settings.notify_receipt_seconds or check > settings.notify_receipt_checks:
        return
    due = ctx.clock.now() + timedelta(seconds=settings.notify_receipt_seconds * 2 ** (check - 1))
    payload = {"key": key, "check": check}
    job_id = store.receipt_job_id(key, check)
    await jobs.schedule(ctx.db, job_id=job_id, kind=store.RECEIPT_KIND, due_at=due, payload=payload, clock=ctx.clock)


async def check_receipt(ctx: JobContext, on_failed: OnFailed | None) -> None:
    """Ask the SMS vendor whether the handset has a sent text: delivered, failed (the desk is told), or ask
    again later, up to `notify_receipt_checks` times; a text never reported stays `sent`."""
    settings = ctx.settings
    assert isinstance(settings, NotifySettings)
    key, check = ctx.payload["key"], int(ctx.payload["check"])
    message = await ctx.db[store.COLLECTION].find_one({"_id": key})
    if message is None or message["state"] != State.SENT.value or message["vendor"] not in RECEIPTS:
        return
    protector: Protector = settings.protector()  # type: ignore[attr-defined]
    phone = protector.open(message["phone"], context=store.PHONE_CONTEXT)
    async with httpx.AsyncClient(timeout=settings.notify_timeout_seconds, follow_redirects=False) as http:
        delivery = Delivery(ctx.db, ctx.clock, protector, settings, http, key)
        outcome = await RECEIPTS[message["vendor"]](delivery, phone, message["vendor_message_id"])
    now = ctx.clock.now()
    report = {"receipt": check, "at": now, "outcome": outcome.status, "error": outcome.error}
    if outcome.status == "delivered":
        update = {"$set": {"state": State.DELIVERED.value, "updated_at": now}, "$push": {"log": report}}
        await update_guarded(ctx.db[store.COLLECTION], key, {"state": State.SENT.value}, update)
    elif outcome.status == "failed":
        message["log"] = report
        await _fail(ctx, message, outcome.error or "failed", on_failed, guard={"state": State.SENT.value})
    else:
        await _ask_receipt(ctx, settings, key, check + 1)


async def _fail(
    ctx: JobContext,
    message: dict[str, Any],
    error: str,
    on_failed: OnFailed | None,
    *,
    guard: dict[str, Any] | None = None,
) -> None:
    now = ctx.clock.now()
    guard = guard or {"state": message["state"], "attempts": message["attempts"]}
    update: dict[str, Any] = {"$set": {"state": State.FAILED.value, "error": error, "updated_at": now}}
    if isinstance(message.get("log"), dict):
        update["$push"] = {"log": message["log"]}
    if await update_guarded(ctx.db[store.COLLECTION], message["_id"], guard, update):
        log.warning(
            "message %s (%s via %s) failed for good: %s", message["_id"], message["kind"], message["vendor"], error
        )
        await _alert(ctx, {**message, "state": State.FAILED.value, "error": error}, on_failed)


async def _alert(ctx: JobContext, message: dict[str, Any], on_failed: OnFailed | None) -> None:
    """Tell the service (the desk's alert), then mark it told; a crash in between tells it again."""
    if on_failed is not None:
        failure = Failure(
            key=message["_id"],
            kind=message["kind"],
            channel=Channel(message["channel"]),
            vendor=message["vendor"],
            community_code=message["community_code"],
            recipient=message["recipient"],
            error=message.get("error") or "failed",
            attempts=message["attempts"],
        )
        await on_failed(ctx, failure)
    await ctx.db[store.COLLECTION].update_one({"_id": message["_id"]}, {"$set": {"alerted": True}})

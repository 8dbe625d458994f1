"""Booking a community service: free slots of a day, a phone number with a one-time code, and cancelling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from web import names
from web.apis import Apis, ApisDep, resident_address
from web.pages.resident import plain, refusal
from web.session import CsrfChecked
from web.templating import SHANGHAI, render
from web.upstream import ApiError

router = APIRouter(prefix="/r/book")
Community = Annotated[str, Query(pattern=r"^\d{12}$")]
SlotId = Annotated[str, Path(pattern=r"^\d{12}-[0-9a-f]{12}$")]
BookingId = Annotated[str, Path(pattern=r"^[0-9a-f]{1,32}$")]
DAYS_AHEAD = 7
PAGE = 200


@router.get("", response_class=HTMLResponse)
async def slot_list(request: Request, apis: ApisDep, community: Community, day: date | None = None) -> HTMLResponse:
    """The day's slots of the community, each free one with its way in; the next week's days to pick from."""
    today = datetime.now(SHANGHAI).date()
    chosen = day or today
    slots = await _day(request, apis, community, chosen)
    days = [today + timedelta(days=n) for n in range(DAYS_AHEAD)]
    now = datetime.now(SHANGHAI)
    for slot in slots:
        slot["started"] = datetime.fromisoformat(slot["starts_at"]) <= now
    return render(
        request,
        "resident/book_list.html",
        community=community,
        community_name=await names.division(apis, community),
        day=chosen,
        days=days,
        slots=slots,
    )


@router.get("/{slot_id}", response_class=HTMLResponse)
async def slot_page(request: Request, apis: ApisDep, slot_id: SlotId, community: Community) -> HTMLResponse:
    """One slot, with the phone and code form."""
    slot = await _slot(request, apis, community, slot_id)
    return _form(request, community, slot, {})


@router.post("/{slot_id}/code", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def send_code(request: Request, apis: ApisDep, slot_id: SlotId) -> HTMLResponse:
    """Text a one-time code to the phone; the page then asks for it."""
    data = await request.form()
    community, phone = str(data.get("community", "")), str(data.get("phone", "")).strip()
    slot = await _slot(request, apis, community, slot_id)
    sent = {"phone": phone, "code_sent": str(data.get("code_sent", ""))}  # a refused resend keeps the code field
    if not _mobile(phone):
        return _form(request, community, slot, sent, errors={"phone": "请填写11位手机号码"}, status_code=422)
    try:
        # The community's own SMS vendor sends the code (duty's SMS_COMMUNITY_SENDERS).
        body = {"phone": phone}
        if community.isdigit() and len(community) == 12:
            body["community_code"] = community
        answer = await apis.duty.call(
            "POST", "/v1/public/booking-codes", json=body, forwarded_for=resident_address(request)
        )
    except ApiError as exc:
        return _refused(request, community, slot, sent, exc)
    minutes = int(answer["expires_in_seconds"]) // 60
    note = f"验证码已发送到 {phone[:3]}****{phone[-4:]}，{minutes} 分钟内有效。"
    return _form(request, community, slot, {**sent, "code_sent": "1"}, note=note)


@router.post("/{slot_id}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def book(request: Request, apis: ApisDep, slot_id: SlotId) -> HTMLResponse:
    """Book with the phone and its code; the confirmation carries the cancel code, shown this once."""
    data = await request.form()
    community = str(data.get("community", ""))
    sent = {"phone": str(data.get("phone", "")).strip(), "code": str(data.get("code", "")).strip(), "code_sent": "1"}
    slot = await _slot(request, apis, community, slot_id)
    errors = {}
    if not _mobile(sent["phone"]):
        errors["phone"] = "请填写11位手机号码"
    if not (len(sent["code"]) == 6 and sent["code"].isdigit()):
        errors["code"] = "请填写短信中的6位验证码"
    if errors:
        return _form(request, community, slot, sent, errors=errors, status_code=422)
    try:
        booking = await apis.duty.call(
            "POST",
            f"/v1/public/slots/{slot_id}/bookings",
            json={"phone": sent["phone"], "code": sent["code"]},
            forwarded_for=resident_address(request),
        )
    except ApiError as exc:
        return _refused(request, community, slot, sent, exc)
    return render(request, "resident/book_done.html", community=community, booking=booking, slot=slot)


@router.get("/{slot_id}/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel_page(request: Request, slot_id: SlotId, booking_id: BookingId, community: Community) -> HTMLResponse:
    """Cancelling later: the booking's number is in this address; the cancel code is typed."""
    return _cancel_form(request, community, slot_id, booking_id, {})


@router.post("/{slot_id}/{booking_id}/cancel", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def cancel(request: Request, apis: ApisDep, slot_id: SlotId, booking_id: BookingId) -> HTMLResponse:
    """Cancel with the cancel code; the freed place goes back to the list."""
    data = await request.form()
    community, code = str(data.get("community", "")), str(data.get("cancel_code", "")).strip()
    if len(code) < 8:
        return _cancel_form(request, community, slot_id, booking_id, {"cancel_code": "请填写预约成功时给出的取消码"})
    try:
        booking = await apis.duty.call(
            "POST",
            f"/v1/public/slots/{slot_id}/bookings/{booking_id}/cancel",
            json={"cancel_code": code},
            forwarded_for=resident_address(request),
        )
    except ApiError as exc:
        if exc.status == 422:
            return _cancel_form(request, community, slot_id, booking_id, {"cancel_code": "取消码不正确"})
        unknown = "没有找到这个预约，请从预约成功页面的取消链接进入。"
        return _cancel_form(
            request,
            community,
            slot_id,
            booking_id,
            {},
            problem=unknown if exc.status == 404 else refusal(exc, "未能取消，请重试。"),
            status_code=exc.status,
        )
    return render(request, "resident/book_cancelled.html", community=community, booking=booking)


def _mobile(phone: str) -> bool:
    return len(phone) == 11 and phone.isdigit() and phone[0] == "1" and phone[1] in "3456789"


async def _day(request: Request, apis: Apis, community: str, day: date) -> list[dict[str, Any]]:
    """Every slot of the day, page by page, in start order."""
    slots: list[dict[str, Any]] = []
    params: dict[str, Any] = {"community_code": community, "day": day.isoformat(), "limit": PAGE}
    while True:
        page = await apis.duty.call("GET", "/v1/public/slots", params=params, forwarded_for=resident_address(request))
        slots.extend(page["items"])
        if not page.get("next_cursor"):
            return slots
        params["cursor"] = page["next_cursor"]


async def _slot(request: Request, apis: Apis, community: str, slot_id: str) -> dict[str, Any]:
    """The slot as the public list shows it now; its day is the first eight digits of its id."""
    if not (len(community) == 12 and community.isdigit()):
        raise ApiError(404, "未找到", "预约链接不完整，请从社区公示栏重新进入。")
    day = date(int(slot_id[:4]), int(slot_id[4:6]), int(slot_id[6:8]))
    for slot in await _day(request, apis, community, day):
        if slot["id"] == slot_id:
            return slot
    raise ApiError(404, "未找到", "没有这个预约时段，请返回重新选择。")


def _refused(
    request: Request, community: str, slot: dict[str, Any], sent: dict[str, str], exc: ApiError
) -> HTMLResponse:
    """A refusal on the slot's own page: a field to fix, or a sentence (full, too many tries, texts down)."""
    errors = {k: plain(v, "请检查此项") for k, v in exc.fields.items() if k in ("phone", "code")}
    problem = "" if errors else refusal(exc, "预约未成功，请稍后再试。")
    if exc.status == 503:
        problem = "短信服务暂不可用，请稍后再试，或拨打社区值班电话预约。"
    heading = {409: "预约未成功", 429: "请稍后再试"}.get(exc.status, "未能完成")
    if "约满" in problem:
        heading = "预约未成功：该时段已约满"
    return _form(
        request,
        community,
        slot,
        sent,
        errors=errors,
        problem=(heading, problem) if problem else None,
        taken=exc.status == 409,
        status_code=exc.status,
    )


def _form(
    request: Request,
    community: str,
    slot: dict[str, Any],
    sent: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    problem: tuple[str, str] | None = None,
    note: str = "",
    taken: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "resident/book_slot.html",
        status_code=status_code,
        community=community,
        slot=slot,
        sent=sent,
        errors=errors or {},
        problem=problem,
        note=note,
        taken=taken,
    )


def _cancel_form(
    request: Request,
    community: str,
    slot_id: str,
    booking_id: str,
    errors: dict[str, str],
    *,
    problem: str = "",
    status_code: int | None = None,
) -> HTMLResponse:
    status = status_code or (422 if errors else 200)
    return render(
        request,
        "resident/book_cancel.html",
        status_code=status,
        community=community,
        slot_id=slot_id,
        booking_id=booking_id,
        errors=errors,
        problem=problem,
    )

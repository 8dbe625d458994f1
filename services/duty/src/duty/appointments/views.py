"""HTTP adapter for appointments: staff create slots; residents (no account) get a code, book and cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from gridline import notify
from gridline.auth import Principal
from gridline.http.deps import PUBLIC, ClockDep, DbDep, ProtectorDep, RuntimeDep, SettingsDep, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.http.params import Day
from gridline.http.problems import Problem

from duty import rights
from duty.access import require_covers
from duty.appointments import bookings, codes, slots
from duty.appointments.limits import AddressDep, LimitsDep
from duty.appointments.models import (
    BookingCreate,
    BookingRead,
    Cancellation,
    CodeRequest,
    CodeSent,
    SlotRead,
    SlotsCreate,
)
from duty.openapi import Responses
from duty.settings import DutySettings

router = APIRouter(tags=["appointments"])
SlotManager = Annotated[Principal, Depends(require(rights.MANAGE_SLOTS))]
BookingReader = Annotated[Principal, Depends(require(rights.READ_BOOKINGS))]
SlotId = Annotated[str, Path(min_length=1, max_length=64)]
LIMITED: Responses = {429: {"description": "too many requests for this phone, slot or address (`Retry-After`)"}}
UNAVAILABLE = "短信服务暂不可用"


@router.post(
    "/v1/slots",
    operation_id="createSlots",
    status_code=status.HTTP_201_CREATED,
    summary="Open a day's time slots for a service, each with a cap (creating the same slots again is a no-op)",
    responses={404: {"description": "outside your jurisdiction"}},
)
async def create_slots(body: SlotsCreate, db: DbDep, clock: ClockDep, principal: SlotManager) -> list[SlotRead]:
    return [slots.to_read(s) for s in await slots.create(db=db, clock=clock, principal=principal, body=body)]


@router.get(
    "/v1/public/slots",
    operation_id="listSlots",
    dependencies=[PUBLIC],
    tags=["public"],
    summary="公示：某日可预约时段（无需登录）",
)
async def list_slots(
    db: DbDep,
    page: Annotated[PageParams, Depends(page_params)],
    community_code: Annotated[str, Query(pattern=r"^\d{12}$")],
    day: Day,
) -> Page[SlotRead]:
    return await slots.list_day(db=db, community_code=community_code, day=day, page=page)


@router.post(
    "/v1/public/booking-codes",
    operation_id="requestBookingCode",
    dependencies=[PUBLIC],
    tags=["public"],
    status_code=status.HTTP_202_ACCEPTED,
    summary="发送预约验证码（无需登录）",
    responses={
        429: {"description": "too many requests or texts today for this phone, or from this address (`Retry-After`)"},
        503: {"description": "no way to send texts is configured"},
    },
)
async def request_booking_code(
    body: CodeRequest,
    runtime: RuntimeDep,
    settings: SettingsDep,
    limits: LimitsDep,
    address: AddressDep,
) -> CodeSent:
    assert isinstance(settings, DutySettings)
    db, protector, community = runtime.database(), runtime.protector, body.community_code or ""
    limits.admit(phone_key=codes.phone_key(protector, body.phone), address=address)
    if settings.sms_vendor_for(community) == "disabled":  # before a code is stored that could never arrive
        raise Problem(503, UNAVAILABLE, headers={"Retry-After": "3600"})
    try:
        await codes.send(
            db=db,
            clock=runtime.clock,
            protector=protector,
            settings=settings,
            phone=body.phone,
            community_code=community,
            wake=runtime.jobs.wake if runtime.jobs is not None else None,
        )
    except codes.TooSoon as exc:
        raise Problem(429, exc.detail, type_=exc.type, headers={"Retry-After": str(exc.retry_after)}) from exc
    except notify.DailyCapReached as exc:
        headers = {"Retry-After": str(exc.retry_after)}
        raise Problem(429, str(exc), type_=codes.TooSoon.type, headers=headers) from exc
    except notify.NotConfigured as exc:
        raise Problem(503, UNAVAILABLE, headers={"Retry-After": "600"}) from exc
    return CodeSent(
        expires_in_seconds=settings.booking_code_ttl_seconds, resend_after_seconds=settings.booking_code_resend_seconds
    )


@router.post(
    "/v1/public/slots/{slot_id}/bookings",
    operation_id="bookAppointment",
    dependencies=[PUBLIC],
    tags=["public"],
    status_code=status.HTTP_201_CREATED,
    summary="预约一个时段：手机号加验证码（无需登录）",
    responses={
        **LIMITED,
        404: {"description": "no such slot"},
        409: {"description": "the slot is full or has started, or this phone booked it already"},
        422: {"description": "the code is wrong, expired or used"},
    },
)
async def book_appointment(
    slot_id: SlotId,
    body: BookingCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    settings: SettingsDep,
    limits: LimitsDep,
    address: AddressDep,
) -> BookingRead:
    assert isinstance(settings, DutySettings)
    limits.admit(phone_key=codes.phone_key(protector, body.phone), address=address, slot_id=slot_id)
    await bookings.bookable(db=db, clock=clock, slot_id=slot_id)  # a slot that cannot be booked spends no code
    code_hash = await codes.use(
        db=db, clock=clock, protector=protector, settings=settings, phone=body.phone, code=body.code
    )
    return await bookings.book(
        db=db, clock=clock, protector=protector, slot_id=slot_id, phone=body.phone, code_hash=code_hash
    )


@router.post(
    "/v1/public/slots/{slot_id}/bookings/{booking_id}/cancel",
    operation_id="cancelAppointment",
    dependencies=[PUBLIC],
    tags=["public"],
    summary="取消预约：凭预约时给出的取消码（无需登录）",
    responses={
        **LIMITED,
        404: {"description": "no such booking"},
        409: {"description": "cancelled already"},
        422: {"description": "wrong cancel code"},
    },
)
async def cancel_appointment(
    slot_id: SlotId,
    booking_id: Annotated[str, Path(min_length=1, max_length=32)],
    body: Cancellation,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    limits: LimitsDep,
    address: AddressDep,
) -> BookingRead:
    limits.admit(phone_key=f"booking:{booking_id}", address=address)
    return await bookings.cancel(
        db=db, clock=clock, protector=protector, slot_id=slot_id, booking_id=booking_id, cancel_code=body.cancel_code
    )


@router.get(
    "/v1/slots/{slot_id}/bookings",
    operation_id="listBookings",
    summary="A slot's bookings, phones masked (for the staff receiving residents)",
    responses={404: {"description": "unknown, or outside your jurisdiction"}},
)
async def list_bookings(slot_id: SlotId, db: DbDep, principal: BookingReader) -> list[BookingRead]:
    slot = await slots.find(db=db, slot=slot_id)
    require_covers(principal, slot["community_code"], what="slot")
    return bookings.bookings_of(slot)

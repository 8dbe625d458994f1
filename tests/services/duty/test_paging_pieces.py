"""Paging's pure pieces: quiet hours, acknowledgement link tokens, one person's shifts from the roster."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from duty.paging.links import AckKeys
from duty.paging.models import PageChannel, QuietHours
from duty.paging.policies import Policy
from duty.rosters.models import DutyRole
from duty.rosters.personal import held_by
from duty.rosters.timeline import Change, Rotation
from gridline.links import LinkError

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2021, 1, 1, tzinfo=UTC)
BOTH = (PageChannel.SMS, PageChannel.ROBOT)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def sleeping(starts: str = "22:00", ends: str = "07:00") -> Policy:
    return Policy("officer-a", "13905710001", BOTH, QuietHours(starts=starts, ends=ends))


@pytest.mark.parametrize(
    ("at", "severity", "channels"),
    [
        ("2021-01-12T23:30", "medium", [PageChannel.ROBOT]),  # quiet: not texted, the group still has it
        ("2021-01-13T06:59", "low", [PageChannel.ROBOT]),  # across midnight
        ("2021-01-13T07:00", "medium", list(BOTH)),  # quiet hours over
        ("2021-01-12T23:30", "high", list(BOTH)),  # urgent: texted even at night
        ("2021-01-12T23:30", "critical", list(BOTH)),
        ("2021-01-12T12:00", "low", list(BOTH)),
    ],
)
def test_quiet_hours_hold_back_the_text_of_what_is_not_urgent(at: str, severity: str, channels: list[str]) -> None:
    assert sleeping().channels_for(severity=severity, at=local(at)) == channels


def test_quiet_hours_within_one_day_and_a_policy_without_them() -> None:
    lunch = sleeping("12:00", "13:30")
    assert lunch.channels_for(severity="low", at=local("2021-01-12T12:45")) == [PageChannel.ROBOT]
    assert lunch.channels_for(severity="low", at=local("2021-01-12T13:30")) == list(BOTH)
    always = Policy("officer-a", None, (PageChannel.ROBOT, PageChannel.SMS), None)
    assert always.channels_for(severity="low", at=local("2021-01-12T03:00")) == [PageChannel.ROBOT, PageChannel.SMS]


def test_an_acknowledgement_token_is_short_the_same_for_the_same_step_and_refused_when_altered() -> None:
    keys = AckKeys(os.urandom(32))
    token = keys.token(incident_id="i-1", level=0, subject="officer-a")
    again = keys.token(incident_id="i-1", level=0, subject="officer-a")
    others = {
        keys.token(incident_id="i-1", level=1, subject="leader-a"),
        keys.token(incident_id="i-2", level=0, subject="officer-a"),
    }
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert (len(token), token.isalnum()) == (20, True)
    assert again == token
    assert token not in others
    assert keys.link_id(token) == token[:12]
    for bad in (altered, token[:-1], token + "0", "x" * 20, "链接" * 10):
        with pytest.raises(LinkError) as refused:
            keys.link_id(bad)
        assert refused.value.reason == "invalid"
    with pytest.raises(LinkError):
        AckKeys(os.urandom(32)).link_id(token)  # another deployment's key: not ours


def rotation() -> Rotation:
    """Day shifts 08:00-20:00 (a), night shifts 20:00-08:00 (b), leader L by day, M by night."""
    return Rotation.from_document(
        {
            "_id": "r1",
            "grid_id": None,
            "kind": "daily",
            "starts_on": "2021-01-11",
            "ends_on": None,
            "shift_starts": ["08:00", "20:00"],
            "crews": [
                {"duty_officer": {"subject": "a", "name": "A"}, "leader": {"subject": "l", "name": "L"}},
                {"duty_officer": {"subject": "b", "name": "B"}, "leader": {"subject": "m", "name": "M"}},
            ],
            "created_at": CREATED,
        }
    )


def override(starts: str, ends: str, taker: str, change_id: str = "o1") -> Change:
    leg = {"shift_id": None, "starts_at": local(starts), "ends_at": local(ends), "role": "duty_officer"}
    return Change(
        change_id, "override", None, ({**leg, "giver": None, "taker": {"subject": taker, "name": taker}},), CREATED
    )


def test_a_persons_shifts_are_whole_shifts_split_by_an_override_and_one_they_take_stands_apart() -> None:
    changes = [
        override("2021-01-12T12:00", "2021-01-12T14:00", "c"),
        override("2021-01-12T20:00", "2021-01-12T22:00", "a", "o2"),
    ]
    start, end = local("2021-01-11T00:00"), local("2021-01-13T00:00")

    held = held_by("a", [rotation()], changes, start, end)
    taken = held_by("c", [rotation()], changes, start, end)

    assert [(h.starts_at, h.ends_at, h.role, h.source) for h in held] == [
        (local("2021-01-11T08:00"), local("2021-01-11T20:00"), DutyRole.DUTY_OFFICER, "rotation"),
        (local("2021-01-12T08:00"), local("2021-01-12T12:00"), DutyRole.DUTY_OFFICER, "rotation"),
        (local("2021-01-12T14:00"), local("2021-01-12T20:00"), DutyRole.DUTY_OFFICER, "rotation"),
        (local("2021-01-12T20:00"), local("2021-01-12T22:00"), DutyRole.DUTY_OFFICER, "override"),
    ]
    assert [(h.starts_at, h.ends_at, h.source) for h in taken] == [
        (local("2021-01-12T12:00"), local("2021-01-12T14:00"), "override")
    ]
    assert [h.role for h in held_by("m", [rotation()], changes, start, end)] == [DutyRole.LEADER] * 2

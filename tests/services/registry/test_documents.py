"""Identity documents: GB 11643 resident IDs (property-based), passports, permits, residence cards, phones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from registry.documents import (
    PROVINCES,
    DocumentType,
    InvalidDocument,
    gb11643_check_character,
    gender_from_prc_id,
    validate,
    validate_phone,
)

TODAY = date(2026, 11, 29)
regions = st.sampled_from(["110105", "330106", "330182", "440305", "510104", "710101", "810001", "820001"])
# Two leading digits no province-level division has (GB/T 2260).
provinceless = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}").filter(lambda p: p not in PROVINCES)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


def make_id(region: str, born: date, sequence: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + gb11643_check_character(first17)


def test_the_standards_own_example_is_valid() -> None:
    assert validate(DocumentType.PRC_ID, "11010519491231002X", today=TODAY) == "11010519491231002X"


def test_a_lower_case_x_and_spaces_are_normalised() -> None:
    assert validate(DocumentType.PRC_ID, " 110105 19491231 002x", today=TODAY) == "11010519491231002X"


@given(regions, births, sequences)
def test_every_well_formed_id_is_accepted(region: str, born: date, sequence: int) -> None:
    number = make_id(region, born, sequence)
    assert validate(DocumentType.PRC_ID, number, today=TODAY) == number


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_is_caught(region: str, born: date, sequence: int, position: int, delta: int) -> None:
    number = make_id(region, born, sequence)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(InvalidDocument):
        validate(DocumentType.PRC_ID, changed, today=TODAY)


@given(regions, births, sequences)
def test_a_wrong_check_character_is_caught(region: str, born: date, sequence: int) -> None:
    number = make_id(region, born, sequence)
    for wrong in "0123456789X":
        if wrong != number[-1]:
            with pytest.raises(InvalidDocument, match="校验码"):
                validate(DocumentType.PRC_ID, number[:-1] + wrong, today=TODAY)


@given(regions, sequences)
def test_sequence_parity_gives_the_gender(region: str, sequence: int) -> None:
    number = make_id(region, date(1990, 1, 1), sequence)
    assert gender_from_prc_id(number) == ("male" if sequence % 2 else "female")


def with_check(first17: str) -> str:
    return first17 + gb11643_check_character(first17)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (make_id("330106", TODAY + timedelta(days=1), 1), "出生日期"),
        (with_check("33010619900230001"), "出生日期"),  # 30 February, with a correct check character
        (with_check("33010618800101001"), "出生日期"),  # born before anyone now alive
        ("3301061990010100", "18位"),
        ("33010619900101001Y", "18位"),
    ],
)
def test_impossible_ids_are_refused_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(InvalidDocument, match=reason):
        validate(DocumentType.PRC_ID, number, today=TODAY)


def test_the_province_codes_are_those_of_gb_t_2260() -> None:
    assert len(PROVINCES) == 34
    assert {"11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81", "82"} <= PROVINCES
    gaps = {"00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70", "80", "83", "99"}
    assert not gaps & PROVINCES


@given(provinceless, st.integers(min_value=0, max_value=9999), births, sequences)
def test_an_id_of_no_province_is_refused_even_with_a_right_check_character(
    province: str, rest: int, born: date, sequence: int
) -> None:
    number = make_id(f"{province}{rest:04d}", born, sequence)
    with pytest.raises(InvalidDocument, match="省级行政区划"):
        validate(DocumentType.PRC_ID, number, today=TODAY)


@pytest.mark.parametrize(
    ("kind", "number"),
    [
        (DocumentType.PASSPORT, "E12345678"),
        (DocumentType.PASSPORT, "p1234567"),
        (DocumentType.MAINLAND_TRAVEL_PERMIT, "H12345678"),
        (DocumentType.MAINLAND_TRAVEL_PERMIT, "M87654321"),
        (DocumentType.MAINLAND_TRAVEL_PERMIT, "12345678"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "USA110079050101"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, make_id("933010", date(1985, 6, 1), 21)),
    ],
)
def test_other_real_documents_are_accepted(kind: DocumentType, number: str) -> None:
    assert validate(kind, number, today=TODAY) == number.upper()


@pytest.mark.parametrize(
    ("kind", "number"),
    [
        (DocumentType.PASSPORT, "E1-234"),
        (DocumentType.MAINLAND_TRAVEL_PERMIT, "X12345678"),
        (DocumentType.MAINLAND_TRAVEL_PERMIT, "H1234567"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "US110079050101"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "11010519491231002X"),
    ],
)
def test_malformed_other_documents_are_refused(kind: DocumentType, number: str) -> None:
    with pytest.raises(InvalidDocument):
        validate(kind, number, today=TODAY)


@pytest.mark.parametrize("phone", ["13812341234", "+86 138 1234 1234", "199-1234-5678"])
def test_mobile_numbers_are_accepted_and_normalised(phone: str) -> None:
    assert len(validate_phone(phone)) == 11


@pytest.mark.parametrize("phone", ["12812341234", "1381234123", "0571-88888888", "23812341234"])
def test_non_mobile_numbers_are_refused(phone: str) -> None:
    with pytest.raises(InvalidDocument):
        validate_phone(phone)

"""Stock by lot: received into its lot, issued earliest expiry first, never below zero."""

from __future__ import annotations

from datetime import date

import pytest
from duty.supplies.lots import NotEnoughStock, held, received, taken, total


def test_stock_is_issued_from_the_lot_that_expires_first_and_undated_stock_last() -> None:
    lots = received([], 5, None)
    lots = received(lots, 10, date(2021, 3, 1))
    lots = received(lots, 10, date(2021, 2, 1))

    left = taken(lots, 12)

    assert left == [{"expires_on": "2021-03-01", "quantity": 8}, {"expires_on": None, "quantity": 5}]
    assert total(left) == 13


def test_a_lot_received_again_is_added_to_and_one_lot_can_be_disposed_of() -> None:
    lots = received(received([], 4, date(2021, 2, 1)), 6, date(2021, 2, 1))
    lots = received(lots, 3, date(2021, 5, 1))

    assert held(lots, "2021-02-01") == 10
    assert taken(lots, 10, date(2021, 2, 1)) == [{"expires_on": "2021-05-01", "quantity": 3}]


def test_more_than_is_held_cannot_leave() -> None:
    with pytest.raises(NotEnoughStock):
        taken(received([], 2, None), 3)
    with pytest.raises(NotEnoughStock):
        taken(received([], 5, date(2021, 2, 1)), 1, date(2021, 9, 9))

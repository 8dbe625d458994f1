"""The database handle gives one collection object per name, and still every driver option of a collection."""

from __future__ import annotations

from gridline import mongo


def test_a_database_hands_out_one_collection_object_per_name() -> None:
    client = mongo.connect("mongodb://127.0.0.1:9/?connect=false")
    db = client["registry"]
    assert db["persons"] is db["persons"]
    assert db.persons is db["persons"]
    assert db["persons"] is not db["grids"]
    assert db["persons"].database is db
    assert db["persons"].write_concern.document == {"w": "majority", "j": True}


def test_each_database_keeps_its_own_collections() -> None:
    client = mongo.connect("mongodb://127.0.0.1:9/?connect=false")
    assert client["registry"]["persons"].full_name == "registry.persons"
    assert client["care"]["persons"].full_name == "care.persons"

"""A data folder written by stock FerretDB 1.24 (SQLite expression indexes) is brought to key tables on start."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from gridline import mongo
from gridline.devstack import servers

pytestmark = pytest.mark.integration


def to_stock_layout(database_file: Path) -> list[str]:
    """Rewrite the indexes of every collection the way stock FerretDB 1.24.2 creates them."""
    connection = sqlite3.connect(database_file)
    rebuilt = []
    try:
        rows = connection.execute("SELECT table_name, settings FROM _ferretdb_collections").fetchall()
        for table, raw in rows:
            settings = json.loads(raw)
            for index in settings["indexes"]:
                name = f"{table}_{index['name']}"
                connection.execute(f'DROP TABLE "{name}"')
                columns = ", ".join(
                    "_ferretdb_sjson->" + "->".join(f'"{part}"' for part in key["field"].split("."))
                    for key in index["key"]
                )
                unique = "UNIQUE " if index["unique"] else ""
                connection.execute(f'CREATE {unique}INDEX "{name}" ON "{table}" ({columns})')
                index.pop("multikey", None)
                index.pop("complex", None)
                rebuilt.append(name)
            connection.execute(
                "UPDATE _ferretdb_collections SET settings = ? WHERE table_name = ?", (json.dumps(settings), table)
            )
        connection.commit()
        return rebuilt
    finally:
        connection.close()


def object_types(database_file: Path, names: list[str]) -> set[str]:
    connection = sqlite3.connect(database_file)
    try:
        marks = ",".join("?" * len(names))
        rows = connection.execute(f"SELECT type FROM sqlite_master WHERE name IN ({marks})", names).fetchall()
        return {kind for (kind,) in rows}
    finally:
        connection.close()


async def test_stock_expression_indexes_become_key_tables_that_answer_queries(tmp_path: Path) -> None:
    pid, url = servers.start_database(tmp_path)
    client = mongo.connect(url)
    try:
        people = client.upgrade.people
        await people.create_index([("scope", 1), ("_id", 1)])
        await people.create_index([("document.hash", 1)], unique=True)
        await people.insert_many(
            [{"_id": f"p{n:03d}", "scope": ["33", f"g{n % 4}"], "document": {"hash": f"h{n}"}} for n in range(200)]
        )
    finally:
        await client.close()
        servers.terminate(pid)

    database_file = tmp_path / "ferretdb" / "upgrade.sqlite"
    rebuilt = to_stock_layout(database_file)
    assert object_types(database_file, rebuilt) == {"index"}

    pid, url = servers.start_database(tmp_path)
    client = mongo.connect(url)
    try:
        people = client.upgrade.people
        in_grid = await mongo.read(people.find({"scope": "g1"}, {"_id": 1}).sort("_id", 1), None)
        assert [d["_id"] for d in in_grid] == [f"p{n:03d}" for n in range(1, 200, 4)]
        assert (await people.find_one({"document.hash": "h77"}) or {}).get("_id") == "p077"
        with pytest.raises(mongo.DuplicateKeyError):
            await people.insert_one({"_id": "again", "document": {"hash": "h77"}})
        explain = await client.upgrade.command("explain", {"find": "people", "filter": {"scope": "g1"}})
        assert "SCAN" not in " ".join(explain["queryPlanner"]["Plan"])
    finally:
        await client.close()
        servers.terminate(pid)
    assert object_types(database_file, rebuilt) == {"table"}

"""The compose smoke's own judgement, without a container engine: config it writes, records it reads, counts."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from gridline.devstack import compose_client as client
from gridline.devstack import compose_engine as engine
from gridline.devstack import compose_smoke as smoke


def test_an_absent_containers_conf_gets_exactly_what_podman_needs_here() -> None:
    written = engine.containers_conf(None)
    assert written is not None
    assert tomllib.loads(written) == {
        "containers": {"default_ulimits": []},
        "engine": {"cgroup_manager": "cgroupfs", "runtime": "runc"},
    }


def test_a_containers_conf_already_right_is_left_alone() -> None:
    current = '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n'
    assert engine.containers_conf(current) is None


def test_an_operators_own_settings_survive_the_rewrite() -> None:
    current = (
        '[containers]\nlog_driver = "k8s-file"\n\n[engine]\nruntime = "crun"\n\n'
        '[engine.runtimes]\nrunc = ["/usr/sbin/runc"]\n'
    )
    written = engine.containers_conf(current)
    assert written is not None
    parsed = tomllib.loads(written)
    assert parsed["containers"] == {"log_driver": "k8s-file", "default_ulimits": []}
    assert parsed["engine"]["runtime"] == "runc"
    assert parsed["engine"]["runtimes"] == {"runc": ["/usr/sbin/runc"]}


def test_healthchecks_run_often_until_healthy_then_at_their_interval() -> None:
    assert engine.probe_delay("starting", 15) == 2
    assert engine.probe_delay("unhealthy", 15) == 2
    assert engine.probe_delay("healthy", 15) == 15
    assert engine.probe_delay("starting", 1) == 1


CONSOLE = (
    "Partition:2\tce_specversion:1.0,ce_id:e1,ce_source:/gridline/registry,ce_type:gridline.registry.person."
    "registered.v1,ce_time:2026-12-07T00:00:00Z,ce_partitionkey:p1,content-type:application/json\tp1\t"
    '{"person_id": "p1"}\n'
    "Processed a total of 1 messages\n"
)


def test_console_consumer_lines_become_records() -> None:
    [record] = client.parse_records("registry.person.v1", CONSOLE)
    assert (record.partition, record.key, record.type) == (2, "p1", "gridline.registry.person.registered.v1")
    assert record.data() == {"person_id": "p1"}
    assert client.cloudevent_problems(record) == []


def test_a_record_without_its_envelope_is_no_cloudevent() -> None:
    [record] = client.parse_records("t", 'Partition:0\tNO_HEADERS\tk\t{"a": 1}\n')
    assert "no ce_id" in client.cloudevent_problems(record)
    [keyed] = client.parse_records("t", CONSOLE.replace("\tp1\t", "\tother\t"))
    assert client.cloudevent_problems(keyed) == ["key is not ce_partitionkey"]


def test_what_fired_twice_is_named() -> None:
    assert smoke.repeated([("p1", 1), ("p2", 1), ("p1", 1)]) == [("p1", 1)]
    assert smoke.repeated(["a", "b"]) == []


def test_the_cut_off_is_the_next_whole_beijing_minute_after_the_lead() -> None:
    now = datetime(2026, 12, 7, 0, 40, 10, tzinfo=UTC)  # 08:40:10 in Beijing
    assert smoke.cutoff_after(now, lead=timedelta(seconds=90)) == "08:42"
    assert smoke.cutoff_after(now.replace(second=0), lead=timedelta(seconds=60)) == "08:41"


def test_no_cut_off_is_set_past_midnight_in_beijing() -> None:
    with pytest.raises(engine.SmokeFailed):
        smoke.cutoff_after(datetime(2026, 12, 7, 15, 59, 30, tzinfo=UTC), lead=timedelta(minutes=2))


def test_generated_identity_numbers_carry_a_valid_checksum() -> None:
    assert client.prc_id(13) == "330106198003120136"  # the same person the integration tests register
    assert len({client.prc_id(n) for n in range(100, 160)}) == 60


def test_groups_count_only_members_holding_partitions() -> None:
    described = (
        "GROUP            CONSUMER-ID     HOST         CLIENT-ID   #PARTITIONS\n"
        "monitoring.plans aiokafka-1-x    /10.89.0.7   aiokafka-1  2\n"
        "monitoring.plans aiokafka-1-y    /10.89.0.8   aiokafka-1  1\n"
        "duty.incidents   aiokafka-2-z    /10.89.0.9   aiokafka-2  3\n"
        "duty.incidents   aiokafka-2-w    /10.89.0.10  aiokafka-2  0\n"
    )
    assert client.members_with_partitions(described) == {"monitoring.plans": 2, "duty.incidents": 1}


def test_the_timings_table_adds_up() -> None:
    table = smoke.timings_table([("1 tools", 1.5, "passed"), ("2 images", 10.0, "passed")])
    assert table.splitlines()[-1].split() == ["total", "11.5s"]
    assert json.dumps(table)

"""`GET /epcis/events`: each filter answers what the reference `matches` says, and keyset
pages with `Link: rel="next"` cover the result once, in event-time order."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.epcis_api.conftest import assert_valid, document, object_event
from tracking.epcis.parse import parse_event
from tracking.epcis.query import matches, parse_query_params

TIMES = [
    "2026-01-05T08:00:00.000+08:00",
    "2026-01-05T09:30:00.000+08:00",
    "2026-01-04T20:45:00.000-05:00",  # 09:45 at +08:00 on the 5th
    "2026-01-05T11:00:00.000+08:00",
    "2026-01-05T12:00:00.000Z",
]


def _dataset(uid: str) -> list[dict[str, Any]]:
    """Object and aggregation events at two read points of this test, varied in every field
    the filters look at."""
    rp_a, rp_b = (f"urn:epc:id:sgln:0614141.00777.{uid}{x}" for x in "ab")
    steps = [("shipping", "in_transit"), ("receiving", "in_progress"), ("packing", "in_progress")]
    events = []
    for n in range(12):
        step, disposition = steps[n % 3]
        item = "111111" if n % 2 else "222222"
        event = object_event(
            uid,
            n,
            biz_step=step,
            disposition=disposition,
            when=TIMES[n % len(TIMES)],
            read_point=rp_a if n < 8 else rp_b,
            epcs=[f"urn:epc:id:sgtin:0614141.{item}.{uid}{n}"],
        )
        if n % 4 == 0:
            event["bizLocation"] = {"id": f"urn:epc:id:sgln:0614141.00777.{uid}L"}
        events.append(event)
    for n in range(4):
        events.append(
            {
                "type": "AggregationEvent",
                "eventTime": TIMES[n],
                "eventTimeZoneOffset": "+08:00",
                "parentID": f"urn:epc:id:sscc:0614141.{n}{uid[:5].translate(_DIGITS)}0000",
                "childEPCs": [f"urn:epc:id:sgtin:0614141.111111.{uid}c{n}"],
                "action": "ADD",
                "bizStep": "packing",
                "disposition": "in_progress",
                "readPoint": {"id": rp_b},
            }
        )
    return events


_DIGITS = str.maketrans("abcdef", "123456")


@pytest.fixture
def stored(client: TestClient, integration: dict, uid: str) -> list[Any]:
    events = _dataset(uid)
    answer = client.post("/epcis/capture", json=document(events), headers=integration)
    assert answer.json()["success"], answer.text
    return [parse_event(e) for e in events]


def _scope(uid: str) -> str:
    return f"urn:epc:id:sgln:0614141.00777.{uid}a,urn:epc:id:sgln:0614141.00777.{uid}b"


def _ids(doc: dict) -> list[str]:
    return [e["eventID"] for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


FILTERS: list[dict[str, str]] = [
    {},
    {"eventType": "AggregationEvent"},
    {"eventType": "ObjectEvent,AggregationEvent"},
    {"GE_eventTime": "2026-01-05T09:30:00+08:00"},
    {"LT_eventTime": "2026-01-05T01:45:00Z"},
    {"GE_eventTime": "2026-01-05T01:30:00Z", "LT_eventTime": "2026-01-05T11:00:00+08:00"},
    {"EQ_bizStep": "shipping"},
    {"EQ_bizStep": "urn:epcglobal:cbv:bizstep:receiving"},
    {"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-packing", "eventType": "ObjectEvent"},
    {"EQ_disposition": "in_progress"},
    {"EQ_disposition": "in_transit,in_progress", "EQ_bizStep": "shipping"},
    {"MATCH_epc": "urn:epc:idpat:sgtin:0614141.111111.*"},
    {"MATCH_epc": "urn:epc:idpat:sgtin:0614141.*.*"},
    {"MATCH_parentID": "urn:epc:idpat:sscc:0614141.*"},
    {"MATCH_anyEPC": "urn:epc:idpat:sgtin:0614141.222222.*"},
]


@pytest.mark.parametrize("params", FILTERS, ids=[",".join(f) or "all" for f in FILTERS])
def test_each_filter_answers_what_the_reference_semantics_say(
    client: TestClient, integration: dict, uid: str, stored: list, params: dict
) -> None:
    """The SQL answer to a filter (scoped to this test's read points) is the set of
    events `matches` accepts, in event-time order, in a schema-valid query document."""
    scoped = {**params, "EQ_readPoint": _scope(uid), "perPage": "1000"}
    answer = client.get("/epcis/events", params=scoped, headers=integration)
    assert answer.status_code == 200, answer.text
    assert_valid(answer.json())
    query = parse_query_params({**scoped})
    expected = sorted((e for e in stored if matches(query, e)), key=lambda e: e.event_time)
    assert _ids(answer.json()) == [e.event_id for e in expected]


def test_exact_epc_parent_location_and_read_point_filters(
    client: TestClient, integration: dict, uid: str, stored: list
) -> None:
    """Exact MATCH_epc, MATCH_parentID, EQ_bizLocation and a single EQ_readPoint each find
    just their events."""
    cases = {
        "MATCH_epc": stored[3].epc_list[0],
        "MATCH_parentID": stored[13].parent_id,
        "EQ_bizLocation": f"urn:epc:id:sgln:0614141.00777.{uid}L",
    }
    for name, value in cases.items():
        params = {name: value, "EQ_readPoint": _scope(uid)}
        query = parse_query_params(params)
        got = client.get("/epcis/events", params=params, headers=integration).json()
        assert sorted(_ids(got)) == sorted(e.event_id for e in stored if matches(query, e)), name
        assert _ids(got)
    only_a = client.get(
        "/epcis/events",
        params={"EQ_readPoint": f"urn:epc:id:sgln:0614141.00777.{uid}a"},
        headers=integration,
    ).json()
    assert sorted(_ids(only_a)) == sorted(e.event_id for e in stored[:8])


def test_pages_follow_link_next_and_cover_everything_once(
    client: TestClient, integration: dict, uid: str, stored: list
) -> None:
    """perPage=3 pages, followed through `Link: <...>; rel="next"`, give every event once
    in event-time order; the last page has no next link."""
    url: str | None = "/epcis/events"
    params: dict | None = {"EQ_readPoint": _scope(uid), "perPage": 3}
    seen: list[str] = []
    pages = 0
    while url is not None:
        answer = client.get(url, params=params, headers=integration)
        assert answer.status_code == 200, answer.text
        assert_valid(answer.json())
        assert len(_ids(answer.json())) <= 3
        seen += _ids(answer.json())
        pages += 1
        link = answer.headers.get("Link")
        url, params = (link[1 : link.index(">")], None) if link else (None, None)
    by_time = sorted(stored, key=lambda e: e.event_time)
    assert pages == -(-len(stored) // 3)
    assert sorted(seen) == sorted(e.event_id for e in stored) and len(set(seen)) == len(seen)
    times = {e.event_id: e.event_time for e in stored}
    assert [times[i] for i in seen] == [e.event_time for e in by_time]


def test_a_token_works_only_for_its_own_query(
    client: TestClient, integration: dict, uid: str, stored: list
) -> None:
    """A tampered token, or one reused with other filters, is a QueryParameterException."""
    first = client.get(
        "/epcis/events", params={"EQ_readPoint": _scope(uid), "perPage": 2}, headers=integration
    )
    token = first.headers["Link"].split("nextPageToken=")[1].split(">")[0]
    for params in (
        {"EQ_readPoint": _scope(uid), "perPage": 2, "nextPageToken": token[:-3] + "xyz"},
        {"EQ_readPoint": _scope(uid), "EQ_bizStep": "shipping", "nextPageToken": token},
        {"nextPageToken": "not-a-token"},
    ):
        answer = client.get("/epcis/events", params=params, headers=integration)
        assert answer.status_code == 400, params
        assert answer.json()["type"] == "epcisException:QueryParameterException"

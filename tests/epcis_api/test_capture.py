"""Capture through the REST binding: GS1's examples go in and come back, the same event is
stored once, a capture is all or nothing, and its job tells how it ended."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.epcis.schemas import example_files
from tests.epcis_api.conftest import (
    assert_valid,
    document,
    event_path,
    object_event,
)
from tracking.epcis.parse import parse_document, parse_event

EXAMPLES = example_files()


def _without_record_time(event: dict) -> dict:
    return {k: v for k, v in event.items() if k != "recordTime"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_official_example_captures_and_queries_back(
    client: TestClient, integration: dict, path: Path
) -> None:
    """Each GS1 example is accepted (202, a job that succeeded) and each of its events is
    then answered by its eventID, as stored, in a schema-valid EPCISQueryDocument."""
    answer = client.post("/epcis/capture", content=path.read_bytes(), headers=integration)
    assert answer.status_code == 202, answer.text
    assert answer.headers["GS1-EPCIS-Version"] == "2.0"
    assert answer.headers["GS1-CBV-Version"] == "2.0"
    job = client.get(answer.headers["Location"], headers=integration)
    assert job.status_code == 200
    assert job.json() == answer.json()
    assert (job.json()["running"], job.json()["success"], job.json()["errors"]) == (False, True, [])

    for event in parse_document(path.read_bytes()).events:
        got = client.get(event_path(event.event_id), headers=integration)
        assert got.status_code == 200, got.text
        doc = got.json()
        assert_valid(doc)
        (stored,) = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert _without_record_time(stored) == event.json
        assert "recordTime" in stored


def test_capturing_the_same_document_twice_stores_each_event_once(
    client: TestClient, integration: dict, uid: str, database: str
) -> None:
    """A second capture of the same document succeeds and stores nothing new."""
    doc = document([object_event(uid, n) for n in range(3)])
    first = client.post("/epcis/capture", json=doc, headers=integration).json()
    second = client.post("/epcis/capture", json=doc, headers=integration).json()
    assert (first["success"], first["storedCount"]) == (True, 3)
    assert (second["success"], second["storedCount"]) == (True, 0)
    with psycopg.connect(database) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM epcis_events WHERE read_point = %s",
            (f"urn:epc:id:sgln:0614141.00777.{uid}",),
        ).fetchone()
    assert count == 3


def test_a_capture_is_all_or_nothing(client: TestClient, integration: dict, uid: str) -> None:
    """A document whose eventID already names a different event makes a failed job with
    the error, and none of its events, not even the new ones, is stored."""
    taken = {**object_event(uid, 1), "eventID": f"urn:uuid:00000000-0000-4000-8000-{uid}00"}
    assert client.post("/epcis/events", json=taken, headers=integration).status_code == 201
    fresh = object_event(uid, 2)
    clash = {**object_event(uid, 3), "eventID": taken["eventID"]}
    answer = client.post("/epcis/capture", json=document([fresh, clash]), headers=integration)
    assert answer.status_code == 202
    job = client.get(answer.headers["Location"], headers=integration).json()
    assert (job["running"], job["success"]) == (False, False)
    (error,) = job["errors"]
    assert error["type"] == "epcisException:ValidationException"
    assert (error["code"], error["index"]) == ("event_id_taken", 1)
    fresh_id = parse_event(fresh).event_id
    assert client.get(event_path(fresh_id), headers=integration).status_code == 404


def test_one_event_is_created_with_its_location(
    client: TestClient, integration: dict, uid: str
) -> None:
    """`POST /events` answers 201 with the event's Location, which answers the event; a
    repeat answers the same, and a different event under the same eventID is refused."""
    event = object_event(uid, 1)
    answer = client.post("/epcis/events", json=event, headers=integration)
    assert answer.status_code == 201, answer.text
    event_id = parse_event(event).event_id
    assert answer.headers["Location"] == event_path(event_id)
    assert answer.json()["eventID"] == event_id
    again = client.post("/epcis/events", json=event, headers=integration)
    assert (again.status_code, again.headers["Location"]) == (201, answer.headers["Location"])
    doc = client.get(answer.headers["Location"], headers=integration).json()
    assert_valid(doc)
    assert doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"] == event_id

    other = {**object_event(uid, 2), "eventID": event_id}
    refused = client.post("/epcis/events", json=other, headers=integration)
    assert refused.status_code == 400
    assert (refused.json()["type"], refused.json()["code"]) == (
        "epcisException:ValidationException",
        "event_id_taken",
    )


def test_a_query_document_can_be_captured(client: TestClient, integration: dict, uid: str) -> None:
    """An EPCISQueryDocument (what `GET /events` answers) is accepted by capture, as the
    binding says, and re-capturing our own answer stores nothing new."""
    client.post("/epcis/capture", json=document([object_event(uid, 1)]), headers=integration)
    answer = client.get(
        "/epcis/events",
        params={"EQ_readPoint": f"urn:epc:id:sgln:0614141.00777.{uid}"},
        headers=integration,
    )
    again = client.post("/epcis/capture", content=answer.content, headers=integration)
    assert again.status_code == 202
    assert (again.json()["success"], again.json()["storedCount"]) == (True, 0)


def test_capture_jobs_are_listed_newest_first_in_pages(
    client: TestClient, integration: dict, uid: str
) -> None:
    """`GET /capture` lists jobs newest first; `Link: rel="next"` leads to older ones."""
    ids = [
        client.post(
            "/epcis/capture", json=document([object_event(uid, n)]), headers=integration
        ).json()["captureID"]
        for n in range(3)
    ]
    seen: list[str] = []
    url: str = "/epcis/capture"
    params: dict | None = {"perPage": 2}
    for _ in range(20):  # jobs of other tests may come between ours
        page = client.get(url, params=params, headers=integration)
        assert page.status_code == 200 and len(page.json()) <= 2
        seen += [job["captureID"] for job in page.json()]
        link = page.headers.get("Link")
        if set(ids) <= set(seen) or link is None:
            break
        assert link.endswith('>; rel="next"')
        url, params = link[1 : link.index(">")], None
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i in ids] == ids[::-1]


def test_json_and_json_ld_are_both_accepted(
    client: TestClient, integration: dict, uid: str
) -> None:
    """`application/json` and `application/ld+json` (with a charset) are both capture bodies."""
    body = json.dumps(document([object_event(uid, 1)]))
    for media in ("application/json", "application/ld+json; charset=utf-8"):
        headers = {**integration, "Content-Type": media}
        assert client.post("/epcis/capture", content=body, headers=headers).status_code == 202

"""Bad input and the wrong callers get RFC 7807 problems with the binding's exception
types, never a 500 and never data; only the integration and admin roles get in."""

from __future__ import annotations

import contextlib
import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.epcis_api.conftest import auth, document, event_path, object_event

EPCIS = "epcisException:"


def _problem(answer, status: int, kind: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["GS1-EPCIS-Version"] == "2.0"
    body = answer.json()
    assert body["type"] == EPCIS + kind and body["status"] == status
    assert body["title"] and body["detail"] and body["code"]
    assert "epcisBody" not in body
    return body


ENDPOINTS = [
    ("GET", "/epcis/events"),
    ("GET", "/epcis/events/urn%3Auuid%3Aany"),
    ("POST", "/epcis/events"),
    ("POST", "/epcis/capture"),
    ("GET", "/epcis/capture"),
    ("GET", "/epcis/capture/any"),
]


@pytest.mark.parametrize("method,path", ENDPOINTS)
@pytest.mark.parametrize("role", ["buyer", "seller", "dispatcher"])
def test_other_roles_are_refused(client: TestClient, method: str, path: str, role: str) -> None:
    """A buyer's, seller's or dispatcher's token gets 403 SecurityException and no data."""
    headers = {**auth(role), "Content-Type": "application/json"}
    answer = client.request(method, path, headers=headers, content=b"{}")
    assert _problem(answer, 403, "SecurityException")["code"] == "forbidden_role"


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_no_token_or_a_bad_token_is_401(client: TestClient, method: str, path: str) -> None:
    """Without a token, or with an unknown one, the answer is 401 SecurityException."""
    for headers in ({}, {"Authorization": "Bearer nope"}):
        answer = client.request(
            method, path, headers={**headers, "Content-Type": "application/json"}, content=b"{}"
        )
        _problem(answer, 401, "SecurityException")
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_admin_and_integration_get_in(client: TestClient, uid: str) -> None:
    """Both the admin and the integration role may capture and query."""
    for role in ("admin", "integration"):
        headers = {**auth(role), "Content-Type": "application/json"}
        event = object_event(uid, 1 if role == "admin" else 2)
        assert client.post("/epcis/events", json=event, headers=headers).status_code == 201
        assert (
            client.get("/epcis/events", params={"perPage": 1}, headers=headers).status_code == 200
        )


def _valid_event(uid: str) -> dict:
    return object_event(uid, 1)


BAD_BODIES = {
    "broken_json": lambda uid: b'{"type": "EPCISDocument", ',
    "not_utf8": lambda uid: b"\xff\xfe{}",
    "json_array": lambda uid: b"[]",
    "json_number": lambda uid: b"42",
    "nan": lambda uid: json.dumps(document([{**_valid_event(uid), "x:y": float("nan")}])).encode(),
    "event_list_not_array": lambda uid: json.dumps(
        {**document([]), "epcisBody": {"eventList": {"a": 1}}}
    ).encode(),
    "epc_list_a_string": lambda uid: json.dumps(
        document([{**_valid_event(uid), "epcList": "urn:epc:id:sgtin:0614141.812345.1"}])
    ).encode(),
    "unknown_event_type": lambda uid: json.dumps(
        document([{**_valid_event(uid), "type": "TeleportEvent"}])
    ).encode(),
    "bad_date": lambda uid: json.dumps(
        document([{**_valid_event(uid), "eventTime": "2026-02-30T10:00:00+08:00"}])
    ).encode(),
    "date_without_offset": lambda uid: json.dumps(
        document([{**_valid_event(uid), "eventTime": "2026-01-05T10:00:00"}])
    ).encode(),
    "unknown_biz_step": lambda uid: json.dumps(
        document([{**_valid_event(uid), "bizStep": "teleporting"}])
    ).encode(),
    "wrong_document_type": lambda uid: json.dumps({**document([]), "type": "Invoice"}).encode(),
    "schema_version_1": lambda uid: json.dumps({**document([]), "schemaVersion": "1.2"}).encode(),
    "nested_too_deep": lambda uid: (
        b'{"type": "EPCISDocument", "x": ' + b"[" * 100000 + b"]" * 100000 + b"}"
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_a_bad_capture_body_is_a_validation_problem(
    client: TestClient, uid: str, name: str
) -> None:
    """Each kind of bad capture body is refused whole with 400 ValidationException."""
    headers = {**auth("integration"), "Content-Type": "application/ld+json"}
    answer = client.post("/epcis/capture", content=BAD_BODIES[name](uid), headers=headers)
    _problem(answer, 400, "ValidationException")


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_a_bad_single_event_is_a_validation_problem(
    client: TestClient, uid: str, name: str
) -> None:
    """The same faults in the body of `POST /events` are 400 ValidationException too."""
    headers = {**auth("integration"), "Content-Type": "application/json"}
    body = BAD_BODIES[name](uid)
    # A document's faulty event alone; bodies that are no document go as they are.
    with contextlib.suppress(ValueError, RecursionError, LookupError, TypeError):
        body = json.dumps(json.loads(body)["epcisBody"]["eventList"][0]).encode()
    answer = client.post("/epcis/events", content=body, headers=headers)
    _problem(answer, 400, "ValidationException")


def test_a_value_the_database_refuses_fails_cleanly(client: TestClient, uid: str) -> None:
    """A NUL character inside an extension (valid JSON, refused by PostgreSQL) makes a
    400 for a single event and a failed capture job, not a 500."""
    headers = {**auth("integration"), "Content-Type": "application/json"}
    event = {**object_event(uid, 1), "@context": [{"ex": "http://ex.com/"}], "ex:note": "a\u0000b"}
    single = client.post("/epcis/events", json=event, headers=headers)
    assert _problem(single, 400, "ValidationException")["code"] == "unstorable_value"
    job = client.post("/epcis/capture", json=document([event]), headers=headers)
    assert job.status_code == 202 and job.json()["success"] is False
    assert job.json()["errors"][0]["code"] == "unstorable_value"


BAD_QUERIES = [
    {"eventType": "TeleportEvent"},
    {"GE_eventTime": "yesterday"},
    {"LT_eventTime": "2026-13-01T00:00:00Z"},
    {"GE_eventTime": "2026-01-02T00:00:00Z", "LT_eventTime": "2026-01-01T00:00:00Z"},
    {"perPage": "100000"},
    {"perPage": "0"},
    {"perPage": "-5"},
    {"perPage": "ten"},
    {"EQ_bizStep": "teleporting"},
    {"MATCH_epc": "not a uri"},
    {"MATCH_epc": "urn:epc:idpat:sgtin:*.812345.*"},
    {"EQ_readPoint": "no uri"},
    {"colour": "red"},
]


@pytest.mark.parametrize(
    "params", BAD_QUERIES, ids=[",".join(q) + "=" + ",".join(q.values()) for q in BAD_QUERIES]
)
def test_a_bad_query_is_a_query_parameter_problem(client: TestClient, params: dict) -> None:
    """Unknown parameters, unknown event types, bad dates and out-of-range perPage are
    400 QueryParameterException."""
    answer = client.get("/epcis/events", params=params, headers=auth("integration"))
    _problem(answer, 400, "QueryParameterException")


def test_unknown_event_and_capture_are_404(client: TestClient, uid: str) -> None:
    """An eventID or capture ID that does not exist is 404 NoSuchNameException."""
    headers = auth("integration")
    _problem(client.get(event_path(f"urn:uuid:{uid}"), headers=headers), 404, "NoSuchNameException")
    _problem(client.get(f"/epcis/capture/{uid}", headers=headers), 404, "NoSuchNameException")


def test_too_large_or_the_wrong_media_type_is_refused(
    client: TestClient, settings: Settings, uid: str
) -> None:
    """A body over the size limit is 413 CaptureLimitExceededException (with the limit
    headers); a body that is not JSON by its media type is 415."""
    headers = {**auth("integration"), "Content-Type": "application/json"}
    huge = b" " * (settings.epcis.max_capture_bytes + 1)
    for path in ("/epcis/capture", "/epcis/events"):
        answer = client.post(path, content=huge, headers=headers)
        _problem(answer, 413, "CaptureLimitExceededException")
        assert answer.headers["GS1-EPCIS-Capture-File-Size-Limit"] == str(
            settings.epcis.max_capture_bytes
        )
        xml = client.post(path, content=b"<x/>", headers={**headers, "Content-Type": "text/xml"})
        _problem(xml, 415, "ImplementationException")


def test_too_many_events_is_413(client: TestClient, settings: Settings, uid: str) -> None:
    """A document with more events than one capture may hold is 413, and makes no job."""
    limited = settings.model_copy(
        update={"epcis": settings.epcis.model_copy(update={"max_capture_events": 2})}
    )
    with TestClient(create_app(limited), raise_server_exceptions=False) as small:
        doc = document([object_event(uid, n) for n in range(3)])
        answer = small.post(
            "/epcis/capture",
            json=doc,
            headers={**auth("admin"), "Content-Type": "application/json"},
        )
    body = _problem(answer, 413, "CaptureLimitExceededException")
    assert body["code"] == "capture_limit_exceeded"
    assert answer.headers["GS1-EPCIS-Capture-Limit"] == "2"

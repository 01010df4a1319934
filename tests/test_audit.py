"""The audit trail: one record per lookup, written in the same request, whatever the outcome."""

import logging
import os

import httpx
import pytest

from lookup import upstream
from lookup.audit import identity_hash
from lookup.models import AuditRecord
from lookup.primedata import PrimeDataClient
from sandbox import DEMO_API_KEY, create_app, fixtures
from sandbox.faults import parse_fault

pytestmark = pytest.mark.django_db

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"
DUC_PHONE = "0901234567"
VENDOR_PROFILE = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"


@pytest.fixture
def faulty_sandbox(monkeypatch):
    """An in-process sandbox whose every API request fails with a 500, used as the client."""
    app = create_app()
    app.faults.add(parse_fault("500-json"), count=0)
    client = PrimeDataClient(
        upstream.SANDBOX_BASE_URL, DEMO_API_KEY, transport=httpx.WSGITransport(app=app), deadline=2.0
    )
    monkeypatch.setattr(upstream, "_client", client)
    monkeypatch.setattr(upstream, "_client_pid", os.getpid())
    yield app
    client.close()


def only_record():
    records = list(AuditRecord.objects.all())
    assert len(records) == 1
    return records[0]


def test_search_found_is_recorded(agent_client, agent):
    response = agent_client.post("/", {"q": "0901 234 567", "ticket": "CS-1001"}, headers={"X-Request-ID": "req-search-0001"})

    record = only_record()
    assert response.status_code == 302
    assert record.agent == agent
    assert record.kind == AuditRecord.Kind.SEARCH
    assert record.outcome == AuditRecord.Outcome.FOUND
    assert record.identity_type == "phone_number"
    assert record.masked_value == "09******67"
    assert record.value_hash == identity_hash(DUC_PHONE)
    assert record.profile_id == DUC_PROFILE
    assert record.ticket == "CS-1001"
    assert record.request_id == "req-search-0001"
    assert record.upstream_latency_ms is not None
    assert record.created_at.utcoffset().total_seconds() == 0


def test_deep_link_not_found_is_recorded(agent_client):
    response = agent_client.get("/lookup/", {"email": "nobody@example.com", "ticket": "CS-2"})

    record = only_record()
    assert response.status_code == 404
    assert record.kind == AuditRecord.Kind.DEEP_LINK
    assert record.outcome == AuditRecord.Outcome.NOT_FOUND
    assert record.masked_value == "n***@example.com"
    assert record.profile_id == ""
    assert record.ticket == "CS-2"


def test_invalid_deep_link_is_recorded(agent_client):
    response = agent_client.get("/lookup/", {"phone_number": "12ab", "ticket": "CS-3"})

    record = only_record()
    assert response.status_code == 400
    assert record.outcome == AuditRecord.Outcome.INVALID
    assert record.identity_type == "phone_number"
    assert record.value_hash == identity_hash("12ab")
    assert record.ticket == "CS-3"


def test_invalid_search_is_recorded(agent_client):
    response = agent_client.post("/", {"q": "not a customer"})

    record = only_record()
    assert response.status_code == 400
    assert record.kind == AuditRecord.Kind.SEARCH
    assert record.outcome == AuditRecord.Outcome.INVALID


def test_shared_phone_records_candidates(agent_client):
    response = agent_client.post("/", {"q": "0977000111", "ticket": "CS-6"})

    record = only_record()
    assert response.status_code == 200
    assert record.outcome == AuditRecord.Outcome.FOUND
    assert record.profile_id == ""
    assert sorted(record.candidate_profile_ids.split()) == sorted(
        [fixtures.SHARED_PHONE_HUSBAND_ID, fixtures.SHARED_PHONE_WIFE_ID]
    )
    assert record.ticket == "CS-6"


def test_single_match_lists_no_candidates(agent_client):
    agent_client.post("/", {"q": DUC_PHONE})

    record = only_record()
    assert record.profile_id == DUC_PROFILE
    assert record.candidate_profile_ids == ""


def test_invalid_timeline_request_is_recorded(agent_client):
    response = agent_client.get(
        f"/profiles/{DUC_PROFILE}/timeline/",
        {"sort": "sideways", "ticket": "CS-7"},
        headers={"HX-Request": "true", "X-Request-ID": "req-timeline-0001"},
    )

    record = only_record()
    assert response.status_code == 400
    assert record.kind == AuditRecord.Kind.TIMELINE_PAGE
    assert record.outcome == AuditRecord.Outcome.INVALID
    assert record.identity_type == "profile_id"
    assert record.profile_id == DUC_PROFILE
    assert record.masked_value == DUC_PROFILE
    assert record.ticket == "CS-7"
    assert record.request_id == "req-timeline-0001"
    assert record.upstream_latency_ms is None


def test_denied_lookup_is_recorded(client, plain_user):
    client.force_login(plain_user)

    response = client.get("/lookup/", {"phone_number": DUC_PHONE, "ticket": "CS-4"})

    record = only_record()
    assert response.status_code == 403
    assert record.agent == plain_user
    assert record.outcome == AuditRecord.Outcome.DENIED
    assert record.kind == AuditRecord.Kind.DEEP_LINK
    assert record.value_hash == identity_hash(DUC_PHONE)
    assert record.ticket == "CS-4"


def test_denied_timeline_is_recorded(client, plain_user):
    client.force_login(plain_user)

    client.get(f"/profiles/{DUC_PROFILE}/timeline/")

    record = only_record()
    assert record.kind == AuditRecord.Kind.TIMELINE_PAGE
    assert record.outcome == AuditRecord.Outcome.DENIED
    assert record.profile_id == DUC_PROFILE


def test_upstream_error_is_recorded(agent_client, faulty_sandbox):
    response = agent_client.get(f"/profiles/{DUC_PROFILE}/", {"ticket": "CS-5"})

    record = only_record()
    assert response.status_code == 502
    assert record.kind == AuditRecord.Kind.PROFILE_VIEW
    assert record.outcome == AuditRecord.Outcome.UPSTREAM_ERROR
    assert record.profile_id == DUC_PROFILE
    assert record.ticket == "CS-5"
    assert record.upstream_latency_ms is not None


def test_profile_and_timeline_pages_are_recorded(agent_client):
    agent_client.get(f"/profiles/{DUC_PROFILE}/")
    agent_client.get(f"/profiles/{DUC_PROFILE}/timeline/", headers={"HX-Request": "true"})

    kinds = list(AuditRecord.objects.order_by("created_at").values_list("kind", "outcome", "profile_id"))
    assert kinds == [
        ("profile_view", "found", DUC_PROFILE),
        ("timeline_page", "found", DUC_PROFILE),
    ]


def test_plain_search_page_is_not_a_lookup(agent_client):
    agent_client.get("/")

    assert AuditRecord.objects.count() == 0


def test_record_holds_no_trait_data(agent_client):
    agent_client.get(f"/profiles/{DUC_PROFILE}/")

    record = only_record()
    stored = " ".join(str(value) for value in record.__dict__.values())
    assert "Đức" not in stored
    assert "ĐỨC" not in stored
    assert DUC_PHONE not in stored


def test_records_cannot_be_changed_or_deleted(agent_client):
    agent_client.get(f"/profiles/{DUC_PROFILE}/")
    record = only_record()

    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.update(ticket="forged")


def test_hash_is_keyed(settings):
    first = identity_hash(DUC_PHONE)
    settings.AUDIT_HASH_KEY = "another key"

    assert identity_hash(DUC_PHONE) != first


def test_agent_over_hourly_limit_is_flagged_and_logged(agent_client, settings, caplog):
    settings.AUDIT_DISTINCT_CUSTOMERS_PER_HOUR = 1
    caplog.set_level(logging.WARNING, logger="lookup.audit")

    agent_client.get(f"/profiles/{DUC_PROFILE}/")
    agent_client.get(f"/profiles/{DUC_PROFILE}/")
    agent_client.get(f"/profiles/{VENDOR_PROFILE}/")
    agent_client.get(f"/profiles/{VENDOR_PROFILE}/")

    flags = list(AuditRecord.objects.order_by("created_at").values_list("over_hourly_limit", flat=True))
    warnings = [record.getMessage() for record in caplog.records if record.name == "lookup.audit"]
    assert flags == [False, False, True, True]
    assert warnings == [
        "Agent agent-an looked up 2 distinct customers in the last hour, over the limit of 1"
    ]

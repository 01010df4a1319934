"""The audit trail in the admin: read-only, searchable by value, exportable as CSV."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from lookup.models import AuditRecord
from sandbox import fixtures

pytestmark = pytest.mark.django_db

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"
CHANGELIST = "/admin/lookup/auditrecord/"


@pytest.fixture
def auditor_client(django_user_model):
    client = Client()
    auditor = django_user_model.objects.create_user(username="auditor-cuc", password="x", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditrecord"))
    client.force_login(auditor)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def trail(agent_client):
    agent_client.post("/", {"q": "0901 234 567", "ticket": "CS-9001"})
    agent_client.get("/lookup/", {"email": "nobody@example.com", "ticket": "CS-9002"})
    return list(AuditRecord.objects.order_by("created_at"))


def test_search_by_typed_phone_finds_its_lookups(auditor_client, trail):
    response = auditor_client.get(CHANGELIST, {"q": "+84 901 234 567"})

    records = list(response.context["cl"].result_list)
    assert response.status_code == 200
    assert [record.ticket for record in records] == ["CS-9001"]


def test_ticket_and_profile_filters(auditor_client, trail):
    by_ticket = auditor_client.get(CHANGELIST, {"ticket": "CS-9002"})
    by_profile = auditor_client.get(CHANGELIST, {"profile_id": DUC_PROFILE})

    assert [record.outcome for record in by_ticket.context["cl"].result_list] == ["not_found"]
    assert {record.profile_id for record in by_profile.context["cl"].result_list} == {DUC_PROFILE}


def test_candidate_profile_finds_shared_search(auditor_client, agent_client):
    agent_client.post("/", {"q": "0977000111", "ticket": "CS-9003"})
    agent_client.get(f"/profiles/{fixtures.SHARED_PHONE_WIFE_ID}/", {"ticket": "CS-9004"})

    by_filter = auditor_client.get(CHANGELIST, {"profile_id": fixtures.SHARED_PHONE_WIFE_ID})
    by_search = auditor_client.get(CHANGELIST, {"q": fixtures.SHARED_PHONE_WIFE_ID})
    other_profile = auditor_client.get(CHANGELIST, {"profile_id": DUC_PROFILE})

    expected = {"CS-9003", "CS-9004"}
    assert {record.ticket for record in by_filter.context["cl"].result_list} == expected
    assert {record.ticket for record in by_search.context["cl"].result_list} == expected
    assert list(other_profile.context["cl"].result_list) == []


def test_admin_is_read_only(auditor_client, trail):
    record = trail[0]

    add = auditor_client.get(f"{CHANGELIST}add/")
    change = auditor_client.post(f"{CHANGELIST}{record.pk}/change/", {"ticket": "forged"})
    delete = auditor_client.post(f"{CHANGELIST}{record.pk}/delete/", {"post": "yes"})

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert AuditRecord.objects.get(pk=record.pk).ticket == "CS-9001"


def test_csv_export_holds_masked_values(auditor_client, trail):
    response = auditor_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [record.pk for record in trail]}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert text.splitlines()[0].startswith("created_at,agent,kind,identity_type,masked_value")
    assert "09******67" in text
    assert "0901234567" not in text
    assert "CS-9001" in text
    assert "CS-9002" in text
    assert text.splitlines()[0].endswith(",candidate_profile_ids")

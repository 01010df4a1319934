"""Agents and their permissions come from the shared cache, and a change to them takes effect at once."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lookup.access import agents_group

pytestmark = pytest.mark.django_db


def table_queries(agent_client, table: str = "auth_permission") -> int:
    """Open the search page and count the queries that read ``table``."""
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get("/")
    assert response.status_code == 200
    return sum(1 for query in queries if f'"{table}"' in query["sql"])


def test_second_page_uses_cache(agent_client):
    first = table_queries(agent_client)
    second = table_queries(agent_client)

    assert first > 0
    assert second == 0


def test_second_page_reads_no_agent_row(agent_client):
    first = table_queries(agent_client, "auth_user")
    second = table_queries(agent_client, "auth_user")

    assert first > 0
    assert second == 0


def test_changed_password_signs_agent_out(agent_client, agent):
    table_queries(agent_client)

    agent.set_password("a-new-password-for-the-test")
    agent.save()

    response = agent_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_removed_agent_refused_at_once(agent_client, agent):
    table_queries(agent_client)

    agent.groups.remove(agents_group())

    assert agent_client.get("/").status_code == 403


def test_revoked_group_permission_refused(agent_client):
    table_queries(agent_client)

    agents_group().permissions.clear()

    assert agent_client.get("/").status_code == 403


def test_deactivated_agent_is_signed_out(agent_client, agent):
    table_queries(agent_client)

    agent.is_active = False
    agent.save()

    assert agent_client.get("/").status_code == 302


def test_granted_permission_applies_at_once(agent_client, agent):
    table_queries(agent_client)
    agent.user_permissions.add(
        Permission.objects.get_by_natural_key("view_full_contact_details", "lookup", "auditrecord")
    )
    fresh = type(agent).objects.get(pk=agent.pk)

    assert fresh.has_perm("lookup.view_full_contact_details")


def test_broken_cache_uses_database(agent_client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)

    assert agent_client.get("/").status_code == 200
    assert "The agent could not be read from the cache" in caplog.text
    assert "Permissions could not be read from the cache" in caplog.text

"""The workbench without a browser: summary, stale note, masking and reveal, retries, recent lookups."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import translation

from lookup import primedata, workbench
from lookup.audit import audit_record
from lookup.identities import parse
from lookup.models import AuditRecord
from lookup.primedata import Profile
from sandbox import fixtures

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def make_profile(**changes):
    values = {
        "profile_id": fixtures.DUC_ID,
        "last_updated": NOW - timedelta(hours=2),
        "identities": {"phone_number": ["0901234567", "0912345678"], "email": ["duc@example.com"],
                       "crm_user_id": ["749547"]},
        "traits": {"full_name": "ĐỨC", "first_seen": "2021-03-04"},
        "p_traits": {"ltv": 18_450_000, "last_time_purchased": "2026-04-28T08:00:00Z"},
        "sections": frozenset({"trait", "ptrait", "identity"}),
    }
    return Profile(**(values | changes))


def test_summary_takes_configured_traits_and_masks_contacts():
    summary = workbench.customer_summary(make_profile(), full=False, now=NOW)

    assert (summary.name, summary.phone, summary.email) == ("ĐỨC", "09******67", "d***@example.com")
    assert (summary.ltv.key, summary.ltv.value) == ("ltv", 18_450_000)
    assert summary.customer_since.value == "2021-03-04"
    assert summary.last_activity is None
    assert summary.is_stale is False


def test_summary_full_contacts_with_permission():
    summary = workbench.customer_summary(make_profile(), full=True, now=NOW)

    assert (summary.phone, summary.email) == ("0901234567", "duc@example.com")


@override_settings(LOOKUP_SUMMARY_TRAITS={"name": ("nickname", "full_name"), "ltv": ("clv",)})
def test_summary_traits_are_configuration():
    profile = make_profile(traits={"full_name": "ĐỨC", "nickname": "Đức béo"}, p_traits={"clv": 5})
    summary = workbench.customer_summary(profile, full=False, now=NOW)

    assert summary.name == "Đức béo"
    assert summary.ltv.value == 5
    assert summary.last_purchase is None


@override_settings(LOOKUP_STALE_AFTER_HOURS=6)
def test_stale_after_age_or_without_time():
    assert workbench.is_stale(NOW - timedelta(hours=7), now=NOW)
    assert not workbench.is_stale(NOW - timedelta(hours=5), now=NOW)
    assert workbench.is_stale(None, now=NOW)
    assert workbench.is_stale("2024-01-01", now=NOW)


def test_summary_text_is_plain_and_masked():
    profile = make_profile()
    with translation.override("vi"):
        text = workbench.summary_text(profile, workbench.customer_summary(profile, full=False, now=NOW))

    assert f"Mã hồ sơ (profile ID): {fixtures.DUC_ID}" in text
    assert "09******67" in text
    assert "0901234567" not in text
    assert "18.450.000 ₫" in text
    assert "PrimeData cập nhật lần cuối: 01/05/2026 17:00" in text
    assert "<" not in text


def test_shown_identities_mask_only_contact_details():
    shown = dict(workbench.shown_identities(make_profile(), full=False))

    assert [item.text for item in shown["phone_number"]] == ["09******67", "09******78"]
    assert shown["crm_user_id"][0].text == "749547"
    assert shown["crm_user_id"][0].masked is False


def test_retries_offer_other_identity_types_after_not_found():
    retries = workbench.retries_for(parse("phone_number", "0901234567"), primedata.ProfileNotFound("none"))

    assert [retry.identity_name for retry in retries] == ["crm_user_id", "clevertap_device_id"]
    assert {retry.value for retry in retries} == {"0901234567"}


def test_retry_after_an_outage_repeats_the_lookup():
    query = parse("email", "an@example.com")
    retries = workbench.retries_for(query, primedata.UpstreamTimeout("slow"))

    assert retries == [workbench.Retry("email", "an@example.com", is_same_query=True)]
    assert workbench.failure_cause(primedata.InvalidRequest("bad")) == "not-configured"


def test_recent_lookups_are_own_found_distinct_newest_first(rf, agent, plain_user):
    request = rf.get("/")
    request.user = agent
    audit_record(request, kind="search", outcome="found", identity_type="phone_number",
                 value="0912345678", profile_id=fixtures.AN_ID)
    audit_record(request, kind="profile_view", outcome="found", identity_type="profile_id",
                 value=fixtures.AN_ID, profile_id=fixtures.AN_ID)
    audit_record(request, kind="search", outcome="not_found", identity_type="phone_number",
                 value="0900000099")
    audit_record(request, kind="deep_link", outcome="found", identity_type="phone_number",
                 value="0901234567", profile_id=fixtures.DUC_ID, ticket="T-1")
    audit_record(request, kind="reveal", outcome="found", identity_type="phone_number",
                 value="0903000001", profile_id=fixtures.NO_EVENTS_ID, reason="call back")
    other = rf.get("/")
    other.user = plain_user
    audit_record(other, kind="search", outcome="found", identity_type="phone_number",
                 value="0988000000", profile_id=fixtures.LONG_HISTORY_ID)

    recent = workbench.recent_lookups(agent)

    assert [item.profile_id for item in recent] == [fixtures.DUC_ID, fixtures.AN_ID]
    assert [item.masked_value for item in recent] == ["09******67", "09******78"]
    assert recent[0].ticket == "T-1"


def test_search_page_lists_recent_lookups_without_contacts(agent_client):
    agent_client.post("/", {"q": "0912345678"})
    body = agent_client.get("/").content.decode()

    assert f'href="/profiles/{fixtures.AN_ID}/"' in body
    assert "09******78" in body
    assert "0912345678" not in body


def test_profile_page_masks_contacts_everywhere(agent_client):
    agent_client.post("/", {"q": "0901234567"})
    body = agent_client.get(f"/profiles/{fixtures.DUC_ID}/").content.decode()
    events = agent_client.get(f"/profiles/{fixtures.DUC_ID}/timeline/", {"sort": "asc"}).content.decode()

    for page in (body, events):
        assert "0901234567" not in page
        assert "duc.nguyen@example.com" not in page
    assert "09******67" in body
    assert "“09******67”" in body  # the match note


def test_holder_of_full_access_sees_contacts(contact_agent_client):
    body = contact_agent_client.get(f"/profiles/{fixtures.DUC_ID}/").content.decode()

    assert "0901234567" in body
    assert 'class="reveal"' not in body


def test_reveal_shows_the_value_and_records_reason(agent_client, agent):
    response = agent_client.post(
        f"/profiles/{fixtures.DUC_ID}/reveal/",
        {"name": "phone_number", "index": "0", "reason": "Khách đọc lại số", "ticket": "T-5"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "0901234567" in response.content.decode()
    record = AuditRecord.objects.get(kind="reveal")
    assert (record.agent, record.reason, record.ticket, record.masked_value) == (
        agent, "Khách đọc lại số", "T-5", "09******67",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"name": "phone_number", "index": "0", "reason": ""},
        {"name": "crm_user_id", "index": "0", "reason": "not a contact"},
        {"name": "phone_number", "index": "x", "reason": "bad index"},
    ],
)
def test_reveal_refuses_without_reason_or_for_other_identities(agent_client, data):
    response = agent_client.post(f"/profiles/{fixtures.DUC_ID}/reveal/", data)

    assert response.status_code == 400
    assert "0901234567" not in response.content.decode()
    assert not AuditRecord.objects.filter(kind="reveal").exists()


def test_reveal_missing_value_not_found(agent_client):
    response = agent_client.post(
        f"/profiles/{fixtures.DUC_ID}/reveal/", {"name": "phone_number", "index": "5", "reason": "typo?"}
    )

    assert response.status_code == 404
    assert AuditRecord.objects.get(kind="reveal").outcome == "not_found"


def test_reveal_needs_the_lookup_permission(client, plain_user):
    client.force_login(plain_user)
    response = client.post(
        f"/profiles/{fixtures.DUC_ID}/reveal/", {"name": "phone_number", "index": "0", "reason": "why"}
    )

    assert response.status_code == 403
    assert AuditRecord.objects.get().outcome == "denied"


def test_contact_permission_not_in_agents_group(agent):
    assert not agent.has_perm("lookup.view_full_contact_details")
    assert Permission.objects.filter(codename="view_full_contact_details").exists()


def test_candidates_show_masked_identities_and_carry_ticket(agent_client):
    response = agent_client.get("/lookup/", {"phone_number": "0977000111", "ticket": "T-3"})
    body = response.content.decode()
    # The language switcher repeats the requested URL, which the CRM built; the page body must not.
    main = body.split("<main", 1)[1]

    assert response.status_code == 200
    assert body.count('class="candidate"') == 2
    assert "Ngô Văn Bình" in body
    assert "Ngô Thị Lan" in body
    assert "0977000111" not in main
    assert "09******11" in main
    assert f'href="/profiles/{fixtures.SHARED_PHONE_WIFE_ID}/?ticket=T-3"' in body


def test_not_found_offers_post_retries(agent_client):
    response = agent_client.get("/lookup/", {"phone_number": "01691234568", "ticket": "T-4"})
    body = response.content.decode()

    assert response.status_code == 404
    assert 'data-cause="not-found"' in body
    assert "<code>0391234568</code>, <code>+84391234568</code>, <code>01691234568</code>" in body
    assert body.count('<input type="hidden" name="identity_name" value="crm_user_id">') == 1
    assert body.count('<input type="hidden" name="ticket" value="T-4">') == 2
    retry = agent_client.post("/", {"q": "0391234568", "identity_name": "crm_user_id", "ticket": "T-4"})
    assert retry.status_code == 404


def test_profile_page_search_box_carries_the_ticket(agent_client):
    body = agent_client.get(f"/profiles/{fixtures.DUC_ID}/", {"ticket": "ABC-123"}).content.decode()

    assert '<input type="hidden" name="ticket" value="ABC-123" id="id_ticket">' in body
    assert 'data-search-box' in body


def test_profile_page_notes_stale_data(agent_client):
    old = agent_client.get(f"/profiles/{fixtures.VENDOR_EXAMPLE_ID}/").content.decode()
    fresh = agent_client.get(f"/profiles/{fixtures.DUC_ID}/").content.decode()

    assert "PrimeData chưa cập nhật hồ sơ này hơn 24 giờ" in old
    assert "stale-note" not in fresh

"""Who reaches which page: every URL the project routes, walked from the resolver."""

import re
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.html import escape

from tests.conftest import AGENT_PASSWORD

pytestmark = pytest.mark.django_db

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"
DUC_PHONE = "0901234567"

# What a sample request to each routed pattern is, and who may see it.
# "lookup": agents only; "signed_in": any signed-in user; "admin": the admin's
# own sign-in; "public": anyone.
# A pattern missing here fails test_every_routed_url_is_classified, so a new
# route cannot skip these checks.
ROUTES = {
    "accounts/login/": ("/accounts/login/", "public"),
    "accounts/logout/": ("/accounts/logout/", "signed_in"),
    "i18n/setlang/": ("/i18n/setlang/", "public"),
    "healthz": ("/healthz", "public"),
    "readyz": ("/readyz", "public"),
    "": ("/", "lookup"),
    "lookup/": (f"/lookup/?phone_number={DUC_PHONE}", "lookup"),
    "profiles/<profile_id:profile_id>/": (f"/profiles/{DUC_PROFILE}/", "lookup"),
    "profiles/<profile_id:profile_id>/timeline/": (f"/profiles/{DUC_PROFILE}/timeline/", "lookup"),
    "profiles/<profile_id:profile_id>/reveal/": (f"/profiles/{DUC_PROFILE}/reveal/", "lookup"),
    "admin/login/": ("/admin/login/", "public"),
    "admin/logout/": ("/admin/logout/", "admin"),
    "admin/^(?P<app_label>auth|lookup)/$": ("/admin/lookup/", "admin"),
    "admin/(?P<url>.*)$": ("/admin/no-such-page/", "admin"),
    "admin/r/<path:content_type_id>/<path:object_id>/": ("/admin/r/1/1/", "admin"),
    "admin/auth/user/<id>/password/": ("/admin/auth/user/1/password/", "admin"),
}
# Agents get these; the deep link sends them on to the profile at once.
AGENT_STATUS = {
    "/": 200,
    f"/lookup/?phone_number={DUC_PHONE}": 302,
    f"/profiles/{DUC_PROFILE}/": 200,
    f"/profiles/{DUC_PROFILE}/timeline/": 200,
    # Revealing a contact value takes a POST with a reason.
    f"/profiles/{DUC_PROFILE}/reveal/": 405,
}


def routed_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routed_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern)


def sample(pattern):
    """Return the sample URL and audience of ``pattern``; admin model pages are generated."""
    if pattern in ROUTES:
        return ROUTES[pattern]
    assert pattern.startswith("admin/"), f"unclassified route {pattern!r}: add it to ROUTES"
    return "/" + re.sub(r"<path:object_id>", "1", pattern), "admin"


def all_samples():
    return [sample(pattern) for pattern in routed_patterns()]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_routed_url_is_classified():
    patterns = list(routed_patterns())

    assert len(patterns) > 30
    for pattern in patterns:
        url, audience = sample(pattern)
        assert "<" not in url, pattern
        assert audience in {"public", "signed_in", "lookup", "admin"}


def test_anonymous_user_is_sent_to_sign_in(client):
    for url, audience in all_samples():
        response = client.get(url)

        if audience in {"lookup", "signed_in"}:
            assert response.status_code == 302, url
            assert response["Location"] == f"/accounts/login/?next={quote(url, safe='/')}", url
        elif audience == "admin":
            assert response.status_code == 302, url
            assert re.match(r"^/(accounts|admin)/login/\?next=", response["Location"]), url
        else:
            assert response.status_code in {200, 302, 405}, url
            assert "/login/?next=" not in response.get("Location", ""), url


def test_user_without_permission_gets_403(plain_user):
    client = signed_in(plain_user)

    for url, audience in all_samples():
        response = client.get(url)

        if audience == "lookup":
            assert response.status_code == 403, url
        elif audience == "admin":
            # Not staff: the admin sends the user to its own sign-in page.
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/"), url
            assert response.status_code != 200, url
        else:
            assert response.status_code != 403, url


def test_agent_reaches_every_lookup_page(agent):
    client = signed_in(agent)

    for url, audience in all_samples():
        if audience != "lookup":
            continue
        response = client.get(url)

        assert response.status_code == AGENT_STATUS[url], url


def test_agent_search_post_is_allowed(agent):
    response = signed_in(agent).post("/", {"q": DUC_PHONE})

    assert response.status_code == 302
    assert response["Location"] == f"/profiles/{DUC_PROFILE}/"


def test_403_page_names_group_to_ask(plain_user):
    client = signed_in(plain_user)
    client.cookies["django_language"] = "en"

    response = client.get(f"/profiles/{DUC_PROFILE}/")

    text = response.content.decode()
    assert response.status_code == 403
    assert "Your account is not allowed to look up customers." in text
    assert "add you to the group “Customer care agents”" in text


def test_403_page_is_vietnamese_by_default(plain_user):
    response = signed_in(plain_user).get(f"/profiles/{DUC_PROFILE}/")

    assert response.status_code == 403
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.parametrize("contact", ["it-helpdesk@example.vn"])
def test_403_page_shows_access_contact(plain_user, settings, contact):
    settings.LOOKUP_ACCESS_CONTACT = contact
    client = signed_in(plain_user)
    client.cookies["django_language"] = "en"

    response = client.get("/")

    assert response.status_code == 403
    assert f"Contact: {contact}" in response.content.decode()


def test_timeline_fragment_for_plain_user_is_403_fragment(plain_user):
    response = signed_in(plain_user).get(
        f"/profiles/{DUC_PROFILE}/timeline/", headers={"HX-Request": "true"}
    )

    text = response.content.decode()
    assert response.status_code == 403
    assert 'role="alert"' in text
    assert "<html" not in text


def test_deep_link_returns_to_same_link_after_sign_in(client, agent):
    deep_link = f"/lookup/?phone_number={DUC_PHONE}&ticket=T-77"

    first = client.get(deep_link)
    login_url = first["Location"]
    login_page = client.get(login_url)
    # The browser posts the form's hidden "next" field as the page rendered it.
    next_value = parse_qs(urlsplit(login_url).query)["next"][0]
    sign_in = client.post(
        login_url, {"username": agent.username, "password": AGENT_PASSWORD, "next": next_value}
    )
    followed = client.get(sign_in["Location"])

    assert first.status_code == 302
    assert next_value == deep_link
    assert f'name="next" value="{escape(deep_link)}"' in login_page.content.decode()
    assert sign_in.status_code == 302
    assert sign_in["Location"] == deep_link
    assert followed.status_code == 302
    assert followed["Location"] == f"/profiles/{DUC_PROFILE}/?ticket=T-77"


def test_idle_session_expires(agent_client, settings):
    # A lifetime of one second, renewed by every request. The sleep outlasts
    # it, whichever backend (database or cache) stores the session.
    settings.SESSION_COOKIE_AGE = 1
    assert agent_client.get("/").status_code == 200

    time.sleep(2.1)
    response = agent_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_session_lasts_idle_seconds_from_last_request(agent_client, settings):
    settings.SESSION_COOKIE_AGE = 600

    agent_client.get("/")

    assert agent_client.session.get_expiry_age() == 600


def test_sign_out_is_one_post(agent_client):
    response = agent_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert agent_client.get("/").status_code == 302

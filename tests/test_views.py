import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db

VENDOR_PROFILE = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"
DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"


@pytest.fixture(autouse=True)
def english_pages(client):
    # Vietnamese is the default; these tests read the English interface.
    client.cookies["django_language"] = "en"


def test_search_page_requires_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_deep_link_by_phone_redirects_to_profile(agent_client):
    response = agent_client.get("/lookup/", {"phone_number": "0123456789"})

    assert response.status_code == 302
    assert response["Location"] == f"/profiles/{VENDOR_PROFILE}/"


def test_deep_link_keeps_ticket(agent_client):
    response = agent_client.get("/lookup/", {"q": "0123456788", "ticket": "ABC-123"})

    assert response.status_code == 302
    assert response["Location"] == f"/profiles/{VENDOR_PROFILE}/?ticket=ABC-123"


def test_deep_link_by_profile_id(agent_client):
    response = agent_client.get("/lookup/", {"profile_id": DUC_PROFILE})

    assert response["Location"] == f"/profiles/{DUC_PROFILE}/"


def test_deep_link_by_email(agent_client):
    response = agent_client.get("/lookup/", {"email": "Mail@Example.com"})

    assert response["Location"] == f"/profiles/{VENDOR_PROFILE}/"


def test_deep_link_without_identity_is_400(agent_client):
    response = agent_client.get("/lookup/", {"ticket": "ABC-1"})

    assert response.status_code == 400
    assert "The link names no customer" in response.content.decode()


def test_deep_link_invalid_phone_is_400(agent_client):
    response = agent_client.get("/lookup/", {"phone_number": "12ab"})

    assert response.status_code == 400
    assert "is not a valid phone number" in response.content.decode()


def test_deep_link_unknown_customer_is_404(agent_client):
    response = agent_client.get("/lookup/", {"phone_number": "0909999999"})

    body = response.content.decode()
    assert response.status_code == 404
    assert "PrimeData has no customer with this value." in body
    assert "0909999999" in body


def test_search_post_redirects_to_profile(agent_client):
    response = agent_client.post("/", {"q": "+84 123 456 789", "identity_name": "auto"})

    assert response.status_code == 302
    assert response["Location"] == f"/profiles/{VENDOR_PROFILE}/"


def test_search_post_with_explicit_identity_type(agent_client):
    response = agent_client.post("/", {"q": "123", "identity_name": "crm_user_id"})

    assert response["Location"] == f"/profiles/{VENDOR_PROFILE}/"


def test_search_post_invalid_value_rerenders_form(agent_client):
    response = agent_client.post("/", {"q": "hello there", "identity_name": "auto"})

    assert response.status_code == 400
    assert "Choose the identity type" in response.content.decode()


class ElementsById(HTMLParser):
    """The start tags of a page that carry an id, as attribute dictionaries by id."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.elements: dict[str, dict[str, str | None]] = {}
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.elements[attributes["id"]] = {"tag": tag, **attributes}


def assert_search_error(response, *, value: str, identity_name: str, ticket: str, mentions: str) -> str:
    """Check that the rejected search box keeps its input and links its error message; return the page."""
    body = response.content.decode()
    elements = ElementsById(body).elements
    search_box = elements["search-input"]
    assert response.status_code == 400
    assert search_box["value"] == value
    assert search_box["aria-invalid"] == "true"
    assert search_box["aria-describedby"] == "search-error"
    assert "search-error" in elements
    assert re.search(rf'id="search-error">[^<]*{re.escape(mentions)}', body)
    assert f'<option value="{identity_name}" selected>' in body
    assert elements["id_ticket"]["value"] == ticket
    return body


def test_search_error_described_by_message(agent_client):
    response = agent_client.post("/", {"q": "hello there", "identity_name": "email", "ticket": "T-7"})

    assert_search_error(response, value="hello there", identity_name="email", ticket="T-7", mentions="email")


def test_invalid_deep_link_keeps_value(agent_client):
    agent_client.get("/lookup/", {"phone_number": "0123456789"})

    response = agent_client.get("/lookup/", {"email": "abc@@", "ticket": "T-3"})

    body = assert_search_error(response, value="abc@@", identity_name="email", ticket="T-3", mentions="abc@@")
    assert "Ticket T-3" in body
    # The agent's recent lookups stay on the page.
    assert f"/profiles/{VENDOR_PROFILE}/" in body


def test_deep_link_without_identity_shows_error(agent_client):
    response = agent_client.get("/lookup/", {"ticket": "T-4"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "The link names no customer." in body
    assert ElementsById(body).elements["id_ticket"]["value"] == "T-4"


def test_search_box_focus_only_on_search_page(agent_client):
    search = ElementsById(agent_client.get("/").content.decode()).elements["search-input"]
    profile = ElementsById(agent_client.get(f"/profiles/{VENDOR_PROFILE}/").content.decode()).elements["search-input"]

    assert "autofocus" in search
    assert "autofocus" not in profile
    assert "aria-invalid" not in search


def test_profile_page_shows_vendor_example(agent_client):
    response = agent_client.get(f"/profiles/{VENDOR_PROFILE}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Sơn" in body
    assert ">HN<" in body
    assert "12,000" in body
    # Contact details are masked for an agent without the full-contact permission.
    assert "01******88" in body
    assert "m***@example.com" in body
    assert "0123456788" not in body
    assert "mail@example.com" not in body
    assert f'hx-get="/profiles/{VENDOR_PROFILE}/timeline/"' in body


def test_profile_page_unknown_profile_is_404(agent_client):
    response = agent_client.get("/profiles/AAAAAAAAAAAAAAAAAAAAAAAAAAA/")

    assert response.status_code == 404


def test_sandbox_banner_on_every_page(agent_client):
    for url in ("/", f"/profiles/{VENDOR_PROFILE}/"):
        response = agent_client.get(url)

        assert "Sample data (sandbox)" in response.content.decode(), url


def test_timeline_fragment_for_htmx(agent_client):
    response = agent_client.get(f"/profiles/{DUC_PROFILE}/timeline/", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count('data-event-key=') == 25
    assert 'hx-trigger="intersect once"' in body
    assert "HX-Request" in response["Vary"]


def test_timeline_full_page_without_htmx(agent_client):
    response = agent_client.get(f"/profiles/{DUC_PROFILE}/timeline/")

    body = response.content.decode()
    assert "<html" in body
    assert body.count('data-event-key=') == 25
    assert "Show older events" in body


def test_timeline_pages_through_whole_history_once(agent_client):
    url = f"/profiles/{DUC_PROFILE}/timeline/"
    keys = []
    for _page in range(100):
        body = agent_client.get(url, headers={"HX-Request": "true"}).content.decode()
        keys += re.findall(r'data-event-key="([0-9a-f]+)"', body)
        found = re.search(r'hx-get="([^"]+)"', body)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")

    assert "All events are shown." in body
    assert len(keys) == 320
    assert len(set(keys)) == 320


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_rejected_ticket_can_be_corrected(agent_client):
    bad_ticket = "T-1 <x>"
    link = agent_client.get("/lookup/", {"phone_number": "0123456789", "ticket": bad_ticket})
    # The agent searches again from the rejected link's page, with its ticket.
    again = agent_client.post("/", {"q": "0912345678", "identity_name": "auto", "ticket": bad_ticket})
    corrected = agent_client.post("/", {"q": "0912345678", "identity_name": "auto", "ticket": "T-1"})

    for response in (link, again):
        elements = ElementsById(response.content.decode()).elements
        ticket_box = elements["id_ticket"]
        assert response.status_code == 400
        assert ticket_box["type"] == "text"
        assert ticket_box["value"] == bad_ticket
        assert ticket_box["aria-describedby"] == "ticket-error"
        assert "ticket-error" in elements
    assert corrected.status_code == 302
    assert corrected["Location"].endswith("?ticket=T-1")


def test_rejected_ticket_is_not_shown(agent_client):
    response = agent_client.get("/lookup/", {"phone_number": "0123456789", "ticket": "<b>x</b>"})

    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="ticket-ref"' not in body
    assert "The ticket reference" in body

"""Vietnamese by default, English on request (remembered) or from the browser; the matched identity."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"
VENDOR_PROFILE = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_sign_in_page_vietnamese_by_default(client):
    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="vi">' in page
    assert "<h1>Đăng nhập</h1>" in page
    assert "Dữ liệu mẫu (sandbox) — không phải khách hàng thật" in page
    assert "Sign in" not in page


def test_search_page_vietnamese_by_default(agent_client):
    page = agent_client.get("/").content.decode()

    assert "<h1>Tra cứu khách hàng</h1>" in page
    assert "Đăng xuất" in page


def test_unknown_browser_language_falls_back_to_vietnamese(client):
    page = client.get("/accounts/login/", headers={"accept-language": "fr-FR,fr;q=0.9"}).content.decode()

    assert '<html lang="vi">' in page


def test_browser_language_english_honoured(client):
    page = client.get("/accounts/login/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()

    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page
    assert "Sample data (sandbox) — not real customers" in page


def test_switch_to_english_is_remembered(agent_client):
    response = agent_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = agent_client.get(f"/profiles/{DUC_PROFILE}/").content.decode()

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
    assert '<html lang="en">' in page
    assert "Computed traits" in page
    assert "<h2>Chỉ số tính toán</h2>" not in page


def test_switch_wins_over_browser_language(client):
    client.post("/i18n/setlang/", {"language": "vi", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", headers={"accept-language": "en"}).content.decode()

    assert '<html lang="vi">' in page


def test_switch_works_signed_out(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "<h1>Sign in</h1>" in client.get("/accounts/login/").content.decode()


def test_form_error_vietnamese(agent_client):
    page = agent_client.post("/", {"q": "12ab", "identity_name": "phone_number"}).content.decode()

    assert "không phải số điện thoại hợp lệ" in page


def test_upstream_error_vietnamese(agent_client):
    page = agent_client.get("/lookup/", {"phone_number": "0999999999"}).content.decode()

    assert "Không tìm thấy khách hàng" in page
    assert "Mã yêu cầu" in page


@pytest.mark.parametrize(
    ("typed", "profile_id", "matched"),
    [
        ("+84 123 456 789", VENDOR_PROFILE, "0123456789"),
        ("01691234567", "legacy", "0391234567"),
        ("0935 123 456", "e164", "+84935123456"),
        ("DUC.Nguyen@EXAMPLE.com", DUC_PROFILE, "duc.nguyen@example.com"),
    ],
)
def test_profile_names_matched_spelling(contact_agent_client, typed, profile_id, matched):
    response = contact_agent_client.post("/", {"q": typed, "identity_name": "auto"})
    location = response["Location"]
    page = contact_agent_client.get(location).content.decode()

    assert response.status_code == 302
    assert typed not in location
    assert matched not in location
    if len(profile_id) == 27:
        assert location == f"/profiles/{profile_id}/"
    assert f"“{matched}” (bạn đã tra cứu “" in page
    assert f'identity-value identity-match">{matched}</span>' in page


def test_profile_names_legacy_number_searched(contact_agent_client):
    response = contact_agent_client.post("/", {"q": "0169 123 4567", "identity_name": "auto"})
    page = contact_agent_client.get(response["Location"]).content.decode()

    assert "Tìm thấy theo Số điện thoại “0391234567” (bạn đã tra cứu “01691234567”)." in page


def test_deep_link_names_matched_spelling(contact_agent_client):
    response = contact_agent_client.get("/lookup/", {"phone_number": "84123456789", "ticket": "T-9"})
    page = contact_agent_client.get(response["Location"]).content.decode()

    assert response["Location"] == f"/profiles/{VENDOR_PROFILE}/?ticket=T-9"
    assert "Tìm thấy theo Số điện thoại “0123456789” (bạn đã tra cứu “0123456789”)." in page


def test_profile_opened_directly_names_no_match(agent_client):
    page = agent_client.get(f"/profiles/{DUC_PROFILE}/").content.decode()

    assert "Tìm thấy theo" not in page
    assert "identity-match" not in page


def test_profile_id_search_forgets_earlier_match(agent_client):
    agent_client.post("/", {"q": "mail@example.com", "identity_name": "auto"})
    agent_client.get("/lookup/", {"profile_id": VENDOR_PROFILE})

    page = agent_client.get(f"/profiles/{VENDOR_PROFILE}/").content.decode()

    assert "Tìm thấy theo" not in page

import pytest
from django.utils import translation

from lookup import identities
from lookup.identities import InvalidIdentity


@pytest.fixture(autouse=True)
def english_messages():
    # The messages are matched in English; Vietnamese is the default language.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84 912 345 678",
        "84912345678",
        "(+84) 912-345-678",
        "\u200b0912\u00a0345\u00a0678 ",
    ],
)
def test_phone_forms_normalise_to_one_number(typed):
    query = identities.recognise(typed)

    assert query.name == "phone_number"
    assert query.value == "0912345678"
    assert query.spellings == ("0912345678", "+84912345678")


@pytest.mark.parametrize(
    ("typed", "current", "legacy"),
    [
        ("01691234567", "0391234567", "01691234567"),
        ("+84 169 123 4567", "0391234567", "01691234567"),
        ("0391234567", "0391234567", "01691234567"),
        ("01201234567", "0701234567", "01201234567"),
        ("01861234567", "0561234567", "01861234567"),
        ("01991234567", "0591234567", "01991234567"),
    ],
)
def test_legacy_mobile_numbers_map_both_ways(typed, current, legacy):
    query = identities.parse("phone_number", typed)

    assert query.value == current
    assert query.spellings == (current, "+84" + current[1:], legacy)
    # Only a number that the search converted keeps the agent's own spelling.
    assert query.typed == ("" if typed == current else legacy)


def test_vendor_sample_number_is_still_searched():
    query = identities.parse("phone_number", "0123456789")

    assert query.spellings == ("0123456789", "+84123456789")


def test_landline_is_accepted():
    query = identities.parse("phone_number", "024 3825 1234")

    assert query.value == "02438251234"


@pytest.mark.parametrize("typed", ["12345", "0912345", "091234567890123", "09x2345678", "++--"])
def test_impossible_phone_numbers_are_rejected(typed):
    with pytest.raises(InvalidIdentity, match="not a valid phone number"):
        identities.parse("phone_number", typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Son.Nguyen@Example.COM ", "Son.Nguyen@example.com"),
        ("mail@example.com", "mail@example.com"),
        ("mail@example.com\u200b", "mail@example.com"),
    ],
)
def test_email_domain_lowercased_and_trimmed(typed, expected):
    query = identities.recognise(typed)

    assert query.name == "email"
    assert query.value == expected


def test_invalid_email_is_rejected():
    with pytest.raises(InvalidIdentity, match="not a valid email"):
        identities.recognise("son@")


def test_profile_id_recognised_by_shape():
    query = identities.recognise("2K7QRzns7Gpw4n4Q4RADtFpmhnm")

    assert query.is_profile_id
    assert query.spellings == ("2K7QRzns7Gpw4n4Q4RADtFpmhnm",)


@pytest.mark.parametrize("typed", ["2K7QRzns7Gpw4n4Q4RADtFpmhn", "2K7QRzns7Gpw4n4Q4RADtFpmhnm!"])
def test_malformed_profile_id_rejected(typed):
    with pytest.raises(InvalidIdentity, match="not a valid profile ID"):
        identities.parse("profile_id", typed)


def test_unrecognised_text_asks_for_identity_type():
    with pytest.raises(InvalidIdentity, match="Choose the identity type"):
        identities.recognise("Nguyễn Văn An")


def test_other_identity_names_keep_value_as_typed():
    query = identities.parse("crm_user_id", " 749547 ")

    assert query.name == "crm_user_id"
    assert query.spellings == ("749547",)


def test_decomposed_text_is_nfc_normalised():
    decomposed = "Nguye\u0302\u0303n"

    assert identities.clean_text(decomposed) == "Nguyễn"

"""Recognise and normalise the identities agents type or paste.

All identity rules live here; views and templates only call ``recognise``
and ``parse``. Values are NFC-normalised and cleared of invisible characters
first, so text pasted from a Mac or a chat app compares equal to what
PrimeData stores.
"""

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

PROFILE_ID = "profile_id"
PHONE_NUMBER = "phone_number"
EMAIL = "email"

_PROFILE_ID_SHAPE = re.compile(r"^[0-9A-Za-z]{27}$")
_PHONE_CHARACTERS = re.compile(r"^[0-9+().\-/ ]+$")
# Zero-width characters, the byte-order mark and soft hyphen are dropped;
# non-breaking and other Unicode spaces become plain spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_MAX_VALUE_LENGTH = 256

# Vietnam's 2018 renumbering moved 11-digit mobile numbers to 10 digits. The
# keys are the old prefixes after the leading 0, the values the new ones.
# Source: the Ministry of Information and Communications' conversion plan
# (Decision 798/QD-BTTTT), as published by the carriers.
LEGACY_MOBILE_PREFIXES = {
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36",
    "167": "37", "168": "38", "169": "39",
    "186": "56", "188": "58",
    "199": "59",
}  # fmt: skip
_CURRENT_TO_LEGACY = {new: old for old, new in LEGACY_MOBILE_PREFIXES.items()}


class InvalidIdentity(ValueError):
    """A value that cannot be the identity it claims to be; the message is for agents."""


@dataclass(frozen=True, slots=True)
class IdentityQuery:
    """A lookup request: the identity name, the value to show and the spellings to send.

    ``typed`` is the agent's own spelling when the search converted it, such
    as a pre-2018 mobile number, and empty otherwise.
    """

    name: str
    value: str
    spellings: tuple[str, ...]
    typed: str = ""

    @property
    def is_profile_id(self) -> bool:
        return self.name == PROFILE_ID


def clean_text(raw: str) -> str:
    """Return ``raw`` NFC-normalised, without invisible characters, spaces collapsed."""
    text = unicodedata.normalize("NFC", raw).translate(_INVISIBLE)
    text = "".join(" " if unicodedata.category(char) == "Zs" else char for char in text)
    return " ".join(text.split())


def recognise(raw: str) -> IdentityQuery:
    """Guess the identity type of ``raw`` by its shape: profile_id, email or phone number."""
    text = clean_text(raw)
    if not text:
        raise InvalidIdentity(_("Enter a phone number, an email or a profile ID."))
    if _PROFILE_ID_SHAPE.match(text) and not text.isdigit():
        return parse(PROFILE_ID, text)
    if "@" in text:
        return parse(EMAIL, text)
    if _PHONE_CHARACTERS.match(text):
        return parse(PHONE_NUMBER, text)
    raise InvalidIdentity(
        _(
            "“%(value)s” does not look like a phone number, an email or a profile ID. "
            "Choose the identity type to search another identity."
        )
        % {"value": text}
    )


def parse(name: str, raw: str) -> IdentityQuery:
    """Validate ``raw`` as identity ``name`` and return the spellings to send upstream."""
    text = clean_text(raw)
    if not text:
        raise InvalidIdentity(_("Enter a value to search."))
    if len(text) > _MAX_VALUE_LENGTH:
        raise InvalidIdentity(
            _("The value is too long: at most %(limit)d characters.") % {"limit": _MAX_VALUE_LENGTH}
        )
    if name == PROFILE_ID:
        return _parse_profile_id(text)
    if name == PHONE_NUMBER:
        return _parse_phone_number(text)
    if name == EMAIL:
        return _parse_email(text)
    return IdentityQuery(name=name, value=text, spellings=(text,))


def _parse_profile_id(text: str) -> IdentityQuery:
    if not _PROFILE_ID_SHAPE.match(text):
        raise InvalidIdentity(
            _("“%(value)s” is not a valid profile ID: it has 27 letters and digits.")
            % {"value": text}
        )
    return IdentityQuery(name=PROFILE_ID, value=text, spellings=(text,))


def _parse_email(text: str) -> IdentityQuery:
    local, _at, domain = text.strip().rpartition("@")
    email = f"{local}@{domain.lower()}"
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidIdentity(
            _("“%(value)s” is not a valid email address, for example an@example.com.")
            % {"value": text}
        ) from None
    # Many sources store emails fully lower-cased, although the local part is
    # case-sensitive by the standard, so both spellings are sent.
    spellings = (email,) if email == email.lower() else (email, email.lower())
    return IdentityQuery(name=EMAIL, value=email, spellings=spellings)


def _parse_phone_number(text: str) -> IdentityQuery:
    invalid = InvalidIdentity(
        _(
            "“%(value)s” is not a valid phone number. Enter a Vietnamese number such as "
            "0912 345 678 or +84 912 345 678."
        )
        % {"value": text}
    )
    if not _PHONE_CHARACTERS.match(text):
        raise invalid
    digits = re.sub(r"\D", "", text)
    legacy = _legacy_to_current(digits)
    try:
        number = phonenumbers.parse(legacy or text, "VN")
    except phonenumbers.NumberParseException:
        raise invalid from None
    national_digits = phonenumbers.national_significant_number(number)
    # is_valid_number rejects numbers outside today's plan, such as the vendor's
    # sample 0123456789, which agents must still be able to search. A possible
    # number of at least 9 national digits is accepted instead.
    plausible = phonenumbers.is_possible_number(number) and len(national_digits) >= 9
    if not (phonenumbers.is_valid_number(number) or plausible):
        raise invalid

    if number.country_code != 84:
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return IdentityQuery(name=PHONE_NUMBER, value=e164, spellings=(e164,))
    national = "0" + national_digits
    spellings = [national, f"+84{national_digits}"]
    legacy_spelling = _current_to_legacy(national_digits)
    if legacy_spelling:
        spellings.append(legacy_spelling)
    typed = legacy_spelling if legacy and legacy_spelling else ""
    return IdentityQuery(name=PHONE_NUMBER, value=national, spellings=tuple(spellings), typed=typed)


def _legacy_to_current(digits: str) -> str | None:
    """Map an 11-digit pre-2018 mobile number (with 0, 84 or +84) to today's national form."""
    for prefix in ("0", "84"):
        rest = digits.removeprefix(prefix)
        if rest != digits and len(rest) == 10 and rest[:3] in LEGACY_MOBILE_PREFIXES:
            return "0" + LEGACY_MOBILE_PREFIXES[rest[:3]] + rest[3:]
    return None


def _current_to_legacy(national_digits: str) -> str | None:
    if len(national_digits) == 9 and national_digits[:2] in _CURRENT_TO_LEGACY:
        return "0" + _CURRENT_TO_LEGACY[national_digits[:2]] + national_digits[2:]
    return None

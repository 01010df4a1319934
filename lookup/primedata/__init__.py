"""Client of the PrimeData Profile API, free of Django.

Typical use::

    client = PrimeDataClient(base_url, api_key)
    profiles = client.search_profiles(identities={"phone_number": ["0912345678"]})
    page = client.search_events(profile_id=profiles[0].profile_id, sort="desc")

Failures raise the classes of `lookup.primedata.errors`, whose module
docstring draws their tree.
"""

from .client import PrimeDataClient
from .errors import (
    AuthenticationFailed,
    CursorRejected,
    InvalidRequest,
    PrimeDataError,
    ProfileNotFound,
    RateLimited,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from .parsing import LOCAL_TZ, parse_timestamp
from .results import Attempt, Event, EventPage, Profile

__all__ = [
    "LOCAL_TZ",
    "Attempt",
    "AuthenticationFailed",
    "CursorRejected",
    "Event",
    "EventPage",
    "InvalidRequest",
    "PrimeDataClient",
    "PrimeDataError",
    "Profile",
    "ProfileNotFound",
    "RateLimited",
    "UpstreamProtocolError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "parse_timestamp",
]

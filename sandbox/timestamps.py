"""Reading and writing the date-time forms that PrimeData sends and accepts."""

import re
import zoneinfo
from datetime import UTC, date, datetime, time

LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# The vendor's page prints event times as "2023:01:01T20:00:00Z", with colons
# in the date part. Some sources in the demo data keep that form.
_COLON_DATED = re.compile(r"^(\d{4}):(\d{2}):(\d{2})(T.*)$")


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time into an aware datetime.

    A bare date means midnight in Asia/Ho_Chi_Minh, and so does a naive
    date-time's wall clock. The colon-dated form is accepted as well.
    Raises ValueError for anything else.
    """
    match = _COLON_DATED.match(text)
    if match:
        year, month, day, rest = match.groups()
        text = f"{year}-{month}-{day}{rest}"
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=LOCAL_TZ)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def format_instant(moment: datetime, style: str) -> str:
    """Format an aware datetime in one of the styles that sources use.

    ``utc`` gives ``2023-01-01T20:00:00Z``, ``millis`` adds milliseconds,
    ``offset`` gives local time with ``+07:00``, ``colon`` gives the
    vendor's colon-dated ``2023:01:01T20:00:00Z`` and ``naive`` gives local
    wall-clock time without an offset.
    """
    utc = moment.astimezone(UTC)
    if style == "utc":
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "millis":
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if style == "colon":
        return utc.strftime("%Y:%m:%dT%H:%M:%SZ")
    local = moment.astimezone(LOCAL_TZ)
    if style == "offset":
        return local.isoformat(timespec="seconds")
    if style == "naive":
        return local.replace(tzinfo=None).isoformat(timespec="seconds")
    raise ValueError(f"unknown timestamp style {style!r}")

"""The sandbox's demo tenant, its catalogue and the README that documents it."""

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox import fixtures
from sandbox.data import CATALOGUE, EVENT_NAMES, Tenant, catalogue_markdown

README = Path(__file__).resolve().parent.parent / "sandbox" / "README.md"
ANCHOR = datetime(2026, 3, 1, 9, tzinfo=UTC)
BASE62_ID = re.compile(r"[0-9A-Za-z]{27}")


def test_readme_table_matches_catalogue() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    first = lines.index("| identity | value | profile_id | what it shows |")
    table = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        table.append(line)

    assert "\n".join(table) + "\n" == catalogue_markdown()


def test_catalogue_markdown_has_row_per_entry() -> None:
    rows = catalogue_markdown().splitlines()

    assert len(rows) == 2 + len(CATALOGUE)
    assert rows[2] == (
        "| phone_number | `0123456789` | `2K7QRzns7Gpw4n4Q4RADtFpmhnm` | "
        + CATALOGUE[0]["shows"]
        + " |"
    )


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda entry: entry["value"])
def test_catalogue_profile_ids_are_base62(entry: dict[str, str]) -> None:
    assert BASE62_ID.fullmatch(entry["profile_id"])


def test_profile_ids_are_unique() -> None:
    tenant = Tenant(ANCHOR)
    profile_ids = [entry["profile_id"] for entry in CATALOGUE]
    profile_ids += [fixtures.make_profile_id(f"filler-{index}") for index in range(fixtures.FILLER_COUNT)]

    assert len(set(profile_ids)) == len(profile_ids)
    assert all(tenant.profile(profile_id) is not None for profile_id in profile_ids)


def test_import_builds_no_data() -> None:
    # A fresh interpreter shows what import alone builds, unaffected by other tests.
    script = (
        "import sandbox.app, sandbox.data as data\n"
        "tenants = list(data._tenants.values())\n"
        "assert len(tenants) == 1, tenants\n"
        "assert not tenants[0]._profiles and not tenants[0]._histories\n"
    )

    result = subprocess.run([sys.executable, "-c", script], cwd=README.parent.parent, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr


def test_history_is_deterministic() -> None:
    first, second = Tenant(ANCHOR), Tenant(ANCHOR)
    profile_id = fixtures.DUC_ID

    events_first = [event.body for event in first.history(first.profile(profile_id)).ordered]
    events_second = [event.body for event in second.history(second.profile(profile_id)).ordered]

    assert events_first == events_second


def test_anchor_moves_times_not_ids() -> None:
    earlier, later = Tenant(ANCHOR), Tenant(ANCHOR + timedelta(hours=5))
    profile_id = fixtures.AN_ID

    events_earlier = earlier.history(earlier.profile(profile_id)).ordered
    events_later = later.history(later.profile(profile_id)).ordered

    assert [event.body["id"] for event in events_earlier] == [event.body["id"] for event in events_later]
    assert all(
        b.moment - a.moment == timedelta(hours=5) for a, b in zip(events_earlier, events_later, strict=True)
    )


def test_event_ids_name_source_and_event() -> None:
    tenant = Tenant(ANCHOR)
    vendor_pair_id = "30ShineMSSQL.BookingCompleted.17484563"

    for entry in CATALOGUE:
        profile = tenant.profile(entry["profile_id"])
        for event in tenant.history(profile).ordered:
            body = event.body
            if body["id"] == vendor_pair_id:
                continue
            assert body["event_name"] in EVENT_NAMES
            assert re.fullmatch(rf"[A-Za-z0-9]+\.{body['event_name']}\.\d+", body["id"]), body["id"]
            assert body["profile_id"] == profile.profile_id


def test_history_sizes() -> None:
    tenant = Tenant(ANCHOR)
    expected = {
        fixtures.VENDOR_EXAMPLE_ID: 3,
        fixtures.DUC_ID: 320,
        fixtures.AN_ID: 26,
        fixtures.NO_EVENTS_ID: 0,
        fixtures.ONE_EVENT_ID: 1,
        fixtures.FULL_PAGE_ID: 25,
        fixtures.LONG_HISTORY_ID: 5000,
    }

    sizes = {profile_id: len(tenant.history(tenant.profile(profile_id)).ordered) for profile_id in expected}

    assert sizes == expected


def test_events_before_anchor() -> None:
    tenant = Tenant(ANCHOR)
    profile = tenant.profile(fixtures.LONG_HISTORY_ID)

    events = tenant.history(profile).ordered

    assert events[-1].moment < ANCHOR
    assert ANCHOR - events[-1].moment < timedelta(days=1)
    assert ANCHOR - events[0].moment > timedelta(days=365)

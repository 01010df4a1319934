"""Values as agents read them: local times, relative hints, Vietnamese numbers, VND, nested data."""

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import formats, timezone, translation

from lookup import display

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"
NOW = datetime(2024, 5, 21, 11, 48, tzinfo=UTC)  # 18:48 in Ho Chi Minh City


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2023, 5, 21, 4, 48, 23, tzinfo=UTC), "21/05/2023 11:48"),
        (datetime(2023, 12, 31, 17, 30, tzinfo=UTC), "01/01/2024 00:30"),
        (date(1991, 7, 19), "19/07/1991"),
        ("not a time", "not a time"),
        (None, "(không rõ)"),
    ],
)
def test_moment_text(value, expected):
    assert display.moment_text(value) == expected


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "value",
    [
        datetime(2023, 5, 21, 4, 48, 23, tzinfo=UTC),
        datetime(2023, 12, 31, 17, 30, tzinfo=UTC),
        datetime(999, 3, 4, 5, 6, tzinfo=UTC),
        date(1991, 7, 19),
        date(5, 1, 2),
    ],
)
def test_moments_match_django_formatting(language, value):
    # Moments writes the active language's formats with strftime, and the text
    # must stay what Django's own formatting gives, early years included.
    with translation.override(language):
        local = timezone.localtime(value) if isinstance(value, datetime) else value
        name = "SHORT_DATETIME_FORMAT" if isinstance(value, datetime) else "SHORT_DATE_FORMAT"

        assert display.Moments().text(value) == formats.date_format(local, name)


@pytest.mark.parametrize(
    ("django_format", "pattern"),
    [
        ("d/m/Y H:i", "%d/%m/%Y %H:%M"),
        ("H:i:s d-m-y", "%H:%M:%S %d-%m-%y"),
        ("d% m", "%d%% %m"),
        ("m/d/Y P", None),
        ("j N Y", None),
        (r"d \d\e m", None),
    ],
)
def test_strftime_pattern_only_for_digit_fields(django_format, pattern):
    assert display.strftime_pattern(django_format) == pattern


@pytest.fixture
def django_english_formats(settings):
    # Django's own English formats instead of the project's. Django caches
    # formats, and a changed FORMAT_MODULE_PATH does not clear that cache.
    settings.FORMAT_MODULE_PATH = None
    formats.reset_format_cache()
    with translation.override("en"):
        yield
    formats.reset_format_cache()


def test_moments_fallback_for_other_formats(django_english_formats):
    value = datetime(2023, 5, 21, 4, 48, tzinfo=UTC)
    text = display.Moments().text(value)

    # Django's English date-time format spells the time as "11:48 a.m.".
    assert text == formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    assert "a.m." in text


def test_moments_memoize_each_instant():
    moments = display.Moments(now=NOW)
    value = NOW - timedelta(hours=3)

    first = moments.html(value)

    assert moments.html(value.astimezone(UTC)) is first
    assert "3 giờ trước" in first


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(seconds=20), "vừa xong"),
        (timedelta(seconds=-30), "vừa xong"),
        (timedelta(minutes=5), "5 phút trước"),
        (timedelta(hours=3), "3 giờ trước"),
        (timedelta(hours=20), "hôm qua"),  # 22:48 the day before, local time
        (timedelta(days=3), "3 ngày trước"),
        (timedelta(days=29), "29 ngày trước"),
        (timedelta(days=31), ""),
        (timedelta(hours=-2), ""),
    ],
)
def test_moments_hint_vietnamese(elapsed, expected):
    assert display.Moments(now=NOW).hint(NOW - elapsed) == expected


def test_moments_hint_english():
    with translation.override("en"):
        assert display.Moments(now=NOW).hint(NOW - timedelta(days=3)) == "3 days ago"
        assert display.Moments(now=NOW).hint(NOW - timedelta(days=1, hours=2)) == "yesterday"
        assert display.Moments(now=NOW).hint(NOW - timedelta(minutes=1)) == "1 minute ago"


def test_moments_hint_skips_dates():
    assert display.Moments(now=NOW).hint(NOW.date()) == ""


def test_moment_html_has_iso_on_hover():
    html = display.moment_html(datetime(2023, 5, 21, 4, 48, 23, tzinfo=UTC))

    assert html == (
        '<time datetime="2023-05-21T11:48:23+07:00" title="2023-05-21T11:48:23+07:00">'
        "21/05/2023 11:48</time>"
    )


def test_moment_html_recent_shows_hint():
    html = display.moment_html(datetime.now(UTC) - timedelta(days=3, minutes=1))

    assert '<span class="moment-hint">(3 ngày trước)</span>' in html


@pytest.mark.parametrize(
    ("value", "key", "expected"),
    [
        (12000, "", "12.000"),
        (12000.5, "", "12.000,5"),
        (0.12, "churn_risk", "0,12"),
        (12000, "ltv", "12.000 ₫"),
        (18_450_000, "LTV", "18.450.000 ₫"),
        (749547, "order_revenue", "749.547 ₫"),
        (1234.6, "amount", "1.235 ₫"),
        ("120000", "total", "120.000 ₫"),
        ("không rõ", "amount", "không rõ"),
        (41, "total_orders", "41"),
        (True, "is_vip", "Có"),
        (False, "", "Không"),
        (None, "", '<span class="muted">(trống)</span>'),
        ([], "", '<span class="muted">(không có)</span>'),
        (["vip", 3, None, True], "", 'vip; 3; <span class="muted">(trống)</span>; Có'),
        ("Bùi <b>đậm</b>", "", "Bùi &lt;b&gt;đậm&lt;/b&gt;"),
        ("1992-08-15", "birthday", '<time datetime="1992-08-15" title="1992-08-15">15/08/1992</time>'),
    ],
)
def test_value_html(value, key, expected):
    assert display.value_html(value, key) == expected


def test_value_html_nested_object_is_labelled_list():
    html = display.value_html({"city": "Hà Nội", "geo": [21.0143, 105.8566], "deep": {"ok": True}})

    assert html == (
        '<dl class="value-map">'
        '<dt title="city">Tỉnh/thành phố</dt><dd>Hà Nội</dd>'
        '<dt title="geo">geo</dt><dd>21,0143; 105,8566</dd>'
        '<dt title="deep">deep</dt><dd><dl class="value-map"><dt title="ok">ok</dt><dd>Có</dd></dl></dd>'
        "</dl>"
    )


def test_value_html_list_of_objects():
    html = display.value_html([1, {"deeper": None}])

    assert html.startswith('<ul class="value-list"><li>1</li><li><dl class="value-map">')


def test_value_html_string_time_is_local():
    html = display.value_html("2023:01:01T20:00:00Z", "last_time_purchased")

    assert ">02/01/2023 03:00</time>" in html
    assert 'title="2023-01-02T03:00:00+07:00"' in html


def test_money_keys_from_setting(settings):
    settings.LOOKUP_MONEY_KEYS = ["points_value"]

    assert display.value_html(12000, "points_value") == "12.000 ₫"
    assert display.value_html(12000, "ltv") == "12.000"


class Attributes(HTMLParser):
    """Collect every attribute of the page as (tag, name, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found.extend((tag, name, value or "") for name, value in attrs)


MACHINE_ATTRIBUTE = re.compile(r"^(href|hx-.*|data-.*|value|datetime|action)$")
# What localisation would put into a raw value: Vietnamese dates, grouped
# thousands, decimal commas, the dong sign.
LOCALISED = re.compile(r"\d{2}/\d{2}/\d{4}|(?<![\w.])\d{1,3}(\.\d{3})+(?![\w.])|\d,\d|₫")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [f"/profiles/{DUC_PROFILE}/", f"/profiles/{DUC_PROFILE}/timeline/"])
def test_machine_contexts_keep_raw_values(agent_client, url):
    response = agent_client.get(url, {"ticket": "T-1.000"} if "timeline" not in url else {})
    parser = Attributes()
    parser.feed(response.content.decode())

    machine = [(tag, name, value) for tag, name, value in parser.found if MACHINE_ATTRIBUTE.match(name)]
    localised = [
        item for item in machine
        if LOCALISED.search(item[2]) and item[2] != "T-1.000" and "ticket=T-1.000" not in item[2]
    ]

    assert response.status_code == 200
    assert machine, "the page has no machine attributes to check"
    assert localised == []


@pytest.mark.django_db
def test_timeline_keeps_raw_event_ids_and_keys(agent_client):
    response = agent_client.get(f"/profiles/{DUC_PROFILE}/timeline/", {"sort": "asc"})
    parser = Attributes()
    parser.feed(response.content.decode())

    event_ids = [value for _, name, value in parser.found if name == "data-event-id"]
    next_urls = [value for _, name, value in parser.found if name == "hx-get"]

    assert "30ShineMSSQL.BookingCompleted.17484563" in event_ids
    assert next_urls and all(url.startswith(f"/profiles/{DUC_PROFILE}/timeline/?") for url in next_urls)


@pytest.mark.django_db
def test_profile_page_reads_vietnamese(agent_client):
    page = agent_client.get(f"/profiles/{DUC_PROFILE}/").content.decode()

    assert '<dt title="ltv">Giá trị vòng đời (LTV)</dt><dd>18.450.000 ₫</dd>' in page
    assert '<dt title="total_orders">Tổng số đơn hàng</dt><dd>41</dd>' in page
    assert '<dt title="birthday">Ngày sinh</dt><dd><time datetime="1991-07-19"' in page
    assert '<dt title="phone_number">Số điện thoại</dt>' in page
    assert re.search(r'<span class="moment-hint">\((3|4) ngày trước\)</span>', page)


@pytest.mark.django_db
def test_timeline_labels_events(agent_client):
    page = agent_client.get(f"/profiles/{DUC_PROFILE}/timeline/", {"sort": "asc"}).content.decode()

    assert '<span class="event-name" title="BookingCompleted">Hoàn tất đặt lịch</span>' in page
    assert '<dt title="order_revenue">Doanh thu đơn hàng</dt><dd>749.547 ₫</dd>' in page
    assert "\\u" not in page
    assert "None" not in page
    assert "True" not in page

"""Timeline event markup: the event head, summary, properties, day headers, masking and escaping."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from lookup import timeline_html
from lookup.primedata import Event
from lookup.services import event_digest, timeline_entries

# 11:48 on Sunday 21 May 2023 in Ho Chi Minh City.
SUNDAY = datetime(2023, 5, 21, 4, 48, 23, tzinfo=UTC)


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def make_event(**fields) -> Event:
    defaults = {
        "id": "HaravanShop.OrderCreated.1", "profile_id": "p", "event_name": "OrderCreated",
        "time_stamp": SUNDAY, "sent_at": None, "properties": {}, "raw_time_stamp": "2023-05-21T04:48:23Z",
    }
    return Event(**(defaults | fields))


def render(*events: Event, mask_contacts: bool = False) -> str:
    return timeline_html.events_html(timeline_entries(list(events)), mask_contacts=mask_contacts)


def test_event_head_shows_label_time_and_source():
    event = make_event()

    markup = render(event)

    assert (
        f'<li class="event event-kind-order" tabindex="-1" data-event-id="HaravanShop.OrderCreated.1"'
        f' data-event-key="{event_digest(event)}">\n'
        '  <div class="event-head">\n'
        '    <span class="event-icon" aria-hidden="true"></span>\n'
        '    <span class="event-name" title="OrderCreated">Tạo đơn hàng</span>\n'
        '    <time class="event-time" datetime="2023-05-21T11:48:23+07:00" title="21/05/2023 11:48">11:48</time>\n'
        '    <span class="event-source" title="Hệ thống nguồn">HaravanShop</span>\n'
        '    <button type="button" class="copy-button copy-event" data-copy-event>Sao chép</button>\n'
        "  </div>\n"
    ) in markup


def test_summary_shows_configured_properties_in_order():
    event = make_event(properties={"shop_name": "Mỹ phẩm", "order_id": "DH1", "order_revenue": 749547})

    markup = render(event)

    assert (
        '<p class="event-summary">'
        '<span class="summary-item"><span class="muted">Doanh thu đơn hàng:</span> 749.547 ₫</span>'
        '<span class="summary-item"><span class="muted">Mã đơn hàng:</span> DH1</span>'
        '<span class="summary-item"><span class="muted">Cửa hàng:</span> Mỹ phẩm</span>'
        "</p>"
    ) in markup


def test_no_summary_without_its_properties():
    markup = render(make_event(properties={"note": "x"}))

    assert "event-summary" not in markup


def test_properties_nest_mappings_and_lists():
    event = make_event(properties={
        "items": [{"sku": "A", "qty": 2}, []],
        "tags": ["vip", None],
        "empty": {},
    })

    markup = render(event)

    assert (
        '<dl class="event-properties">'
        '<dt title="items">Sản phẩm</dt><dd><ol class="event-value-list">'
        '<li><dl class="event-properties"><dt title="sku">Mã SKU</dt><dd>A</dd><dt title="qty">qty</dt><dd>2</dd></dl></li>'
        '<li><span class="muted">(không có)</span></li>'
        "</ol></dd>"
        '<dt title="tags">Nhãn</dt><dd>vip; <span class="muted">(trống)</span></dd>'
        '<dt title="empty">empty</dt><dd><dl class="event-properties"><dd class="muted">(không có)</dd></dl></dd>'
        "</dl>"
    ) in markup


def test_event_without_properties_says_none():
    markup = render(make_event(properties={}))

    assert (
        '<details class="event-details">\n'
        "    <summary>Tất cả thuộc tính</summary>\n"
        '    <dl class="event-properties"><dd class="muted">(không có)</dd></dl>\n'
        "  </details>\n"
    ) in markup


def test_every_value_is_escaped():
    hostile = '<script>alert("x")</script>'
    event = make_event(
        id=f"{hostile}.OrderCreated.1", event_name=hostile, time_stamp=hostile, raw_time_stamp=hostile,
        properties={hostile: hostile, "nested": {"list": [{hostile: [hostile]}]}},
    )

    markup = render(event)

    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert "<script" not in markup
    assert f'data-event-id="{escaped}.OrderCreated.1"' in markup
    assert f'<span class="event-name" title="{escaped}">{escaped}</span>' in markup
    assert f'<time class="event-time" datetime="{escaped}" title="{escaped}">{escaped}</time>' in markup
    assert f'<span class="event-source" title="Hệ thống nguồn">{escaped}</span>' in markup
    assert f'<dt title="{escaped}">{escaped}</dt><dd>{escaped}</dd>' in markup
    assert f"<dd>{escaped}</dd></dl></li></ol>" in markup


@pytest.mark.parametrize(
    ("time_stamp", "expected"),
    [
        ("not a time", '<time class="event-time" datetime="not a time" title="not a time">not a time</time>'),
        (None, '<time class="event-time" datetime="" title="(không rõ)">(không rõ)</time>'),
        (SUNDAY.date(), '<time class="event-time" datetime="2023-05-21" title="21/05/2023">21/05/2023</time>'),
    ],
)
def test_unparsed_time_stamp_shown_as_received(time_stamp, expected):
    markup = render(make_event(time_stamp=time_stamp))

    assert expected in markup


def test_day_headers_start_each_day_once():
    now = timezone.now()
    events = [
        make_event(id="A.OrderCreated.1", time_stamp=now),
        make_event(id="A.OrderCreated.2", time_stamp=now - timedelta(seconds=1)),
        make_event(id="A.OrderCreated.3", time_stamp=now - timedelta(days=1)),
        make_event(id="A.OrderCreated.4", time_stamp=SUNDAY),
        make_event(id="A.OrderCreated.5", time_stamp="not a time"),
    ]

    markup = render(*events)

    today = timezone.localdate()
    assert markup.count('class="timeline-day"') == 4
    assert f'<li class="timeline-day" data-day="{today.isoformat()}"><h3>Hôm nay</h3></li>' in markup
    assert f'data-day="{(today - timedelta(days=1)).isoformat()}"><h3>Hôm qua</h3>' in markup
    assert '<li class="timeline-day" data-day="2023-05-21"><h3>Chủ nhật, 21/05/2023</h3></li>' in markup
    assert '<li class="timeline-day" data-day="unknown"><h3>Không rõ ngày</h3></li>' in markup


def test_contacts_masked_without_permission(settings):
    settings.LOOKUP_EVENT_DISPLAY = {"OrderCreated": {"kind": "order", "summary": ("phone_number",)}}
    event = make_event(properties={
        "phone_number": "0901234567", "email": "duc.nguyen@example.com", "customer_id": "0901234567",
    })

    markup = render(event, mask_contacts=True)

    assert '<span class="muted">Số điện thoại:</span> 09******67</span>' in markup
    assert '<dt title="phone_number">Số điện thoại</dt><dd>09******67</dd>' in markup
    assert '<dt title="email">Email</dt><dd>d***@example.com</dd>' in markup
    assert "duc.nguyen@example.com" not in markup
    assert '<dt title="customer_id">Mã khách hàng</dt><dd>09******67</dd>' in markup


def test_contacts_masked_in_free_text_and_lists():
    event = make_event(properties={
        "note": "gọi 0912 345 678 hoặc son.nguyen@example.com",
        "phone_number": ["0901234567", "0912345678"],
    })

    markup = render(event, mask_contacts=True)

    assert '<dt title="note">Ghi chú</dt><dd>gọi 09******78 hoặc s***@example.com</dd>' in markup
    assert "0901234567" not in markup
    assert "0912345678" not in markup


def test_contacts_shown_with_permission():
    event = make_event(properties={"phone_number": "0901234567", "email": "duc.nguyen@example.com"})

    markup = render(event, mask_contacts=False)

    assert '<dd>0901234567</dd>' in markup
    assert '<dd>duc.nguyen@example.com</dd>' in markup


def test_memo_separates_value_types():
    # The renderer reuses the markup of a value within a page. 1, 1.0 and
    # True are equal in Python, but each reads differently.
    events = [make_event(id=f"A.OrderCreated.{index}", properties={"count": value})
              for index, value in enumerate([1, True, 1.0, "1", 1])]

    markup = render(*events)

    values_shown = [part.split("</dd>")[0] for part in markup.split('<dt title="count">count</dt><dd>')[1:]]
    assert values_shown == ["1", "Có", "1,0", "1", "1"]


def test_memo_separates_keys():
    event = make_event(properties={"count": 1, "price": 1, "phone_number": "DH0901234567", "note": "DH0901234567"})

    markup = render(event, mask_contacts=True)

    assert '<dt title="count">count</dt><dd>1</dd>' in markup
    assert '<dt title="price">Giá</dt><dd>1 ₫</dd>' in markup
    assert '<dt title="phone_number">Số điện thoại</dt><dd>09******67</dd>' in markup
    assert '<dt title="note">Ghi chú</dt><dd>DH0901234567</dd>' in markup


def test_english_labels():
    with translation.override("en"):
        markup = render(make_event(properties={"order_id": "DH1"}))

    assert '<span class="event-name" title="OrderCreated">Order created</span>' in markup
    assert '<span class="event-source" title="Source system">HaravanShop</span>' in markup
    assert ">Copy</button>" in markup
    assert "<summary>All properties</summary>" in markup
    assert '<dt title="order_id">Order ID</dt>' in markup

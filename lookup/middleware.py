"""Request ids on every request and log line, and CRM framing of the dashboard."""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.csp import CSP

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the load balancer is reused only when it is short and plain, so
# a forged header cannot inject text into log lines.
_TRUSTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _TRUSTED_ID.match(incoming) else uuid.uuid4().hex[:16]
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Add ``request_id`` to every record so formatters can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class FrameAncestorsMiddleware:
    """Let the CRM origins in LOOKUP_FRAME_ANCESTORS frame every page but the admin's.

    It must sit below ContentSecurityPolicyMiddleware and XFrameOptionsMiddleware
    in MIDDLEWARE, so both read the marks it leaves on the response.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origins = settings.LOOKUP_FRAME_ANCESTORS
        if origins and not request.path.startswith(reverse("admin:index")):
            policy = getattr(response, "_csp_config", None) or settings.SECURE_CSP
            response._csp_config = {**policy, "frame-ancestors": [CSP.SELF, *origins]}  # type: ignore[attr-defined]
            response.xframe_options_exempt = True  # type: ignore[attr-defined]
        return response

from django.conf import settings
from django.http import HttpRequest


def dashboard(request: HttpRequest) -> dict[str, object]:
    """Expose the sandbox flag (for the banner) and the request id to every template."""
    return {
        "primedata_sandbox": settings.PRIMEDATA_SANDBOX,
        "request_id": getattr(request, "request_id", ""),
    }

"""Who may look up customers: the permission check in front of every lookup view."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lookup import identities
from lookup.audit import Outcome, audit_record, ticket_of
from lookup.forms import parse_deep_link
from lookup.models import LOOK_UP_CUSTOMERS

AGENTS_GROUP = "Customer care agents"

View = Callable[..., HttpResponse]


def agents_group() -> Group:
    """Return the group "Customer care agents", creating it with the lookup permission if missing.

    A migration creates it; this restores it where the table was emptied
    since, as transactional tests do.
    """
    group, _created = Group.objects.get_or_create(name=AGENTS_GROUP)
    app_label, codename = LOOK_UP_CUSTOMERS.split(".")
    group.permissions.add(
        Permission.objects.get_by_natural_key(codename, app_label, "auditrecord")
    )
    return group


def lookup_permission_required(kind: str) -> Callable[[View], View]:
    """Let only holders of the lookup permission through; audit and respond 403 to others.

    Anonymous users never get here: LoginRequiredMiddleware sends them to
    sign in first, with the page they asked for as ``next``.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.user.has_perm(LOOK_UP_CUSTOMERS):
                return view(request, *args, **kwargs)
            return permission_denied(request, kind, profile_id=str(kwargs.get("profile_id", "")))

        return wrapper

    return decorator


def permission_denied(request: HttpRequest, kind: str, *, profile_id: str = "") -> HttpResponse:
    """Record the denied attempt and render the 403 page, or its fragment for htmx."""
    identity_type, value = _requested_identity(request, profile_id)
    if value or request.method == "POST" or kind != "search":
        audit_record(
            request, kind=kind, outcome=Outcome.DENIED, identity_type=identity_type,
            value=value, profile_id=profile_id, ticket=ticket_of(request.POST or request.GET),
        )
    template = "403.html#forbidden-message" if getattr(request, "htmx", False) else "403.html"
    context = {"agents_group": AGENTS_GROUP, "access_contact": settings.LOOKUP_ACCESS_CONTACT}
    return render(request, template, context, status=403)


def _requested_identity(request: HttpRequest, profile_id: str) -> tuple[str, str]:
    if profile_id:
        return identities.PROFILE_ID, profile_id
    raw = request.POST.get("q", "") if request.method == "POST" else ""
    if raw:
        try:
            query = identities.recognise(raw)
        except identities.InvalidIdentity:
            return "", identities.clean_text(raw)
        return query.name, query.value
    try:
        query, _ticket_value = parse_deep_link(request.GET)
    except identities.InvalidIdentity:
        return "", ""
    return query.name, query.value

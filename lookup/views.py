"""Pages of the dashboard: search, CRM deep links, profile and its timeline."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from lookup import primedata, services
from lookup.readiness import readiness_checks
from lookup.forms import SearchForm, TimelineForm, identity_label, parse_deep_link
from lookup.identities import IdentityQuery, InvalidIdentity
from lookup.outcomes import outcome_for


@never_cache
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    # Typed searches arrive by POST so phone numbers and emails stay out of
    # URLs, browser history and access logs.
    form = SearchForm(request.POST or None, initial={"ticket": request.GET.get("ticket", "")})
    if request.method == "POST" and form.is_valid() and form.identity_query:
        return _open_lookup(request, form.identity_query, ticket=form.cleaned_data["ticket"])

    status = 400 if form.errors else 200
    return render(request, "lookup/search.html", {"form": form}, status=status)


@never_cache
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """Serve CRM deep links: ``/lookup/?phone_number=…``, ``?q=…``, ``?profile_id=…``."""
    try:
        query, ticket = parse_deep_link(request.GET)
    except InvalidIdentity as error:
        form = SearchForm(initial={"ticket": request.GET.get("ticket", "")})
        return render(
            request, "lookup/search.html", {"form": form, "error": str(error)}, status=400
        )

    return _open_lookup(request, query, ticket=ticket)


@never_cache
@require_GET
def profile_detail(request: HttpRequest, profile_id: str) -> HttpResponse:
    try:
        profile = services.profile_get(profile_id, request_id=request.request_id)
    except primedata.PrimeDataError as error:
        return _render_failure(request, error, subject=profile_id)

    context = {
        "profile": profile,
        "ticket": request.GET.get("ticket", ""),
        "timeline_url": reverse("profile_timeline", args=[profile.profile_id]),
    }
    return render(request, "lookup/profile.html", context)


@never_cache
@require_GET
@vary_on_headers("HX-Request")
def profile_timeline(request: HttpRequest, profile_id: str) -> HttpResponse:
    # htmx asks for the next page as a fragment; a browser without JavaScript,
    # a reload or a history restore gets the whole page instead.
    form = TimelineForm(request.GET)
    query = form.timeline_query()
    cursor, seen, trail = form.cursor_state()
    template = "lookup/timeline.html#timeline-page" if request.htmx else "lookup/timeline.html"
    context: dict[str, object] = {"profile_id": profile_id, "query": query}

    try:
        page = services.timeline_page(
            profile_id, query, cursor=cursor, seen=seen, cursor_trail=trail,
            request_id=request.request_id,
        )
    except primedata.PrimeDataError as error:
        outcome = outcome_for(error)
        context |= {"outcome": outcome, "retry_url": request.get_full_path()}
        if isinstance(error, primedata.CursorRejected):
            context["restart_url"] = reverse("profile_timeline", args=[profile_id])
        template = "lookup/timeline.html#timeline-error" if request.htmx else "lookup/timeline.html"
        response = render(request, template, context, status=outcome.status)
        if outcome.retry_after:
            response["Retry-After"] = str(outcome.retry_after)
        return response

    context |= {
        "page": page,
        "is_first_page": cursor is None,
        "next_url": _next_page_url(profile_id, query, page),
    }
    return render(request, template, context)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Tell the load balancer the process is alive; nothing else is checked."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Tell the load balancer whether this instance can serve agents."""
    ready, checks = readiness_checks()
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status=200 if ready else 503)


def _open_lookup(request: HttpRequest, query: IdentityQuery, *, ticket: str) -> HttpResponse:
    try:
        result = services.profile_search(query, request_id=request.request_id)
    except primedata.PrimeDataError as error:
        return _render_failure(request, error, subject=query.value, query=query, ticket=ticket)

    if len(result.profiles) == 1:
        return redirect(_profile_url(result.profiles[0].profile_id, ticket))
    candidates = [
        (profile, _profile_url(profile.profile_id, ticket), result.matched_value(profile))
        for profile in result.profiles
    ]
    context = {"result": result, "candidates": candidates, "ticket": ticket,
               "identity_label": identity_label(query.name)}
    return render(request, "lookup/candidates.html", context)


def _render_failure(
    request: HttpRequest,
    error: primedata.PrimeDataError,
    *,
    subject: str,
    query: IdentityQuery | None = None,
    ticket: str = "",
) -> HttpResponse:
    outcome = outcome_for(error)
    context = {
        "outcome": outcome,
        "subject": subject,
        "query": query,
        "identity_label": identity_label(query.name) if query else "",
        "ticket": ticket,
        "form": SearchForm(initial={"ticket": ticket}),
    }
    response = render(request, "lookup/failure.html", context, status=outcome.status)
    if outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    return response


def _profile_url(profile_id: str, ticket: str) -> str:
    url = reverse("profile_detail", args=[profile_id])
    return f"{url}?{urlencode({'ticket': ticket})}" if ticket else url


def _next_page_url(profile_id: str, query: services.TimelineQuery, page: services.TimelinePage) -> str:
    if page.next_cursor is None:
        return ""
    params = {
        "sort": query.sort,
        "cursor": page.next_cursor,
        "seen": ".".join(page.seen),
        "trail": ".".join(page.cursor_trail),
    }
    return f"{reverse('profile_timeline', args=[profile_id])}?{urlencode(params)}"

"""Pages of the dashboard: search, CRM deep links, profile and its timeline."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from lookup import audit, primedata, services, timeline_urls, workbench
from lookup.access import lookup_permission_required
from lookup.forms import (
    RevealForm, SearchForm, TimelineFilterForm, TimelineForm, deep_link_form, identity_label, parse_deep_link,
)
from lookup.identities import IdentityQuery, InvalidIdentity
from lookup.matches import match_recall, match_remember
from lookup.outcomes import Outcome, outcome_for
from lookup.readiness import readiness_checks


@never_cache
@require_http_methods(["GET", "POST"])
@lookup_permission_required(audit.Kind.SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    # Typed searches arrive by POST so phone numbers and emails stay out of
    # URLs, browser history and access logs.
    form = SearchForm(request.POST or None, initial={"ticket": audit.ticket_of(request.GET)})
    if request.method == "POST" and form.is_valid() and form.identity_query:
        return _open_lookup(
            request, form.identity_query, ticket=form.cleaned_data["ticket"], kind=audit.Kind.SEARCH
        )

    status = 400 if form.errors else 200
    if form.errors:
        audit.audit_invalid(request, audit.Kind.SEARCH, request.POST)
    context = {"form": form, "recent": workbench.recent_lookups(request.user)}
    return render(request, "lookup/search.html", context, status=status)


@never_cache
@require_GET
@lookup_permission_required(audit.Kind.DEEP_LINK)
def lookup(request: HttpRequest) -> HttpResponse:
    """Serve CRM deep links: ``/lookup/?phone_number=…``, ``?q=…``, ``?profile_id=…``."""
    try:
        query, ticket = parse_deep_link(request.GET)
    except InvalidIdentity as error:
        audit.audit_invalid(request, audit.Kind.DEEP_LINK, request.GET)
        ticket = audit.ticket_of(request.GET)
        form = deep_link_form(request.GET, ticket=ticket)
        context = {"form": form or SearchForm(initial={"ticket": ticket}),
                   "recent": workbench.recent_lookups(request.user)}
        if form is None or form.is_valid():
            # The form has no error of its own to show, so the link's error goes under it.
            context["error"] = str(error)
        return render(request, "lookup/search.html", context, status=400)

    return _open_lookup(request, query, ticket=ticket, kind=audit.Kind.DEEP_LINK)


@never_cache
@require_GET
@lookup_permission_required(audit.Kind.PROFILE_VIEW)
def profile_detail(request: HttpRequest, profile_id: str) -> HttpResponse:
    try:
        query = audit.profile_query(profile_id)
        with audit.recording(request, audit.Kind.PROFILE_VIEW, query, ticket=audit.ticket_of(request.GET)):
            profile = services.profile_get(profile_id, request_id=request.request_id)
    except primedata.PrimeDataError as error:
        return _render_failure(request, error, subject=profile_id)

    # The timeline's filters live in this page's URL, so a link pasted into a
    # ticket reopens the same view. Invalid filters leave the timeline unloaded.
    ticket = audit.ticket_of(request.GET)
    filters = TimelineFilterForm(request.GET)
    match = match_recall(request.session, profile.profile_id)
    full = workbench.can_view_contacts(request.user)
    summary = workbench.customer_summary(profile, full=full)
    context: dict[str, object] = {
        "profile": profile,
        "match": match,
        "match_label": identity_label(match.name) if match else "",
        "match_shown": workbench.shown_value(match.name, match.matched, full=full) if match else "",
        "match_typed": workbench.shown_value(match.name, match.typed, full=full) if match else "",
        "summary": summary,
        "summary_text": workbench.summary_text(profile, summary),
        "stale_after_hours": round(settings.LOOKUP_STALE_AFTER_HOURS),
        "identities": workbench.shown_identities(profile, full=full),
        "search_form": SearchForm(initial={"ticket": ticket}),
        "ticket": ticket,
        "filter_form": filters,
        "clear_url": timeline_urls.clear_filters_url(profile.profile_id, ticket=ticket),
    }
    if filters.is_valid():
        query = filters.timeline_query()
        filtered = query.is_filtered or query.sort != "desc"
        context |= {
            "filtered": filtered,
            # Only the newest events of an unfiltered timeline tell the last activity.
            "activity_from_timeline": not filtered,
            "timeline_url": timeline_urls.timeline_url(profile.profile_id, query, ticket=ticket),
        }
    return render(request, "lookup/profile.html", context, status=200 if filters.is_valid() else 400)


@never_cache
@require_GET
@vary_on_headers("HX-Request")
@lookup_permission_required(audit.Kind.TIMELINE_PAGE)
def profile_timeline(request: HttpRequest, profile_id: str) -> HttpResponse:
    # htmx requests the next page as a fragment. A browser without JavaScript,
    # a reload or a history restore gets the whole page instead.
    form = TimelineForm(request.GET)
    context: dict[str, object] = {
        "profile_id": profile_id, "mask_contacts": not workbench.can_view_contacts(request.user),
    }
    if not form.is_valid():
        audit.audit_record(
            request, kind=audit.Kind.TIMELINE_PAGE, outcome=audit.Outcome.INVALID,
            identity_type="profile_id", value=profile_id, profile_id=profile_id,
            ticket=audit.ticket_of(request.GET),
        )
        context |= {"outcome": Outcome(400, form.error_text()),
                    "clear_url": timeline_urls.clear_filters_url(profile_id)}
        template = "lookup/timeline.html#timeline-error" if request.htmx else "lookup/timeline.html"
        return render(request, template, context, status=400)

    query = form.timeline_query()
    cursor, seen, trail = form.cursor_state()
    ticket = form.cleaned_data["ticket"]
    template = "lookup/timeline.html#timeline-page" if request.htmx else "lookup/timeline.html"
    context |= {"query": query, "clear_url": timeline_urls.clear_filters_url(profile_id, ticket=ticket)}

    try:
        with audit.recording(request, audit.Kind.TIMELINE_PAGE, audit.profile_query(profile_id)):
            page = services.timeline_page(
                profile_id, query, cursor=cursor, seen=seen, cursor_trail=trail,
                request_id=request.request_id,
            )
    except primedata.PrimeDataError as error:
        outcome = outcome_for(error)
        context |= {"outcome": outcome, "retry_url": request.get_full_path()}
        if isinstance(error, primedata.CursorRejected):
            context["restart_url"] = timeline_urls.timeline_url(profile_id, query, ticket=ticket)
        template = "lookup/timeline.html#timeline-error" if request.htmx else "lookup/timeline.html"
        response = render(request, template, context, status=outcome.status)
        if outcome.retry_after:
            response["Retry-After"] = str(outcome.retry_after)
        return response

    entries = services.timeline_entries(page.events, previous_day=form.cleaned_data["day"])
    last_day = entries[-1].day if entries else form.cleaned_data["day"]
    context |= {
        "page": page,
        "entries": entries,
        "is_first_page": cursor is None,
        "next_url": timeline_urls.next_page_url(profile_id, query, page, last_day=last_day, ticket=ticket),
    }
    return render(request, template, context)


@never_cache
@lookup_permission_required(audit.Kind.REVEAL)
@require_http_methods(["POST"])
def contact_reveal(request: HttpRequest, profile_id: str) -> HttpResponse:
    """Show one masked contact value after the agent gives a reason, and audit it."""
    form = RevealForm(request.POST)
    template = "lookup/reveal.html#revealed" if request.htmx else "lookup/reveal.html"
    context: dict[str, object] = {"profile_id": profile_id, "form": form}
    if not form.is_valid():
        return render(request, template, context, status=400)
    name, index = form.cleaned_data["name"], form.cleaned_data["index"]
    try:
        profile = services.profile_get(profile_id, request_id=request.request_id)
    except primedata.PrimeDataError as error:
        return _render_failure(request, error, subject=profile_id)
    value = workbench.identity_value(profile, name, index)
    audit.audit_record(
        request, kind=audit.Kind.REVEAL,
        outcome=audit.Outcome.FOUND if value is not None else audit.Outcome.NOT_FOUND,
        identity_type=name, value=value or "", profile_id=profile_id,
        ticket=form.cleaned_data["ticket"], reason=form.cleaned_data["reason"],
    )
    context |= {"name": name, "index": index, "value": value, "ticket": form.cleaned_data["ticket"]}
    return render(request, template, context, status=200 if value is not None else 404)


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


def _open_lookup(
    request: HttpRequest, query: IdentityQuery, *, ticket: str, kind: str
) -> HttpResponse:
    try:
        with audit.recording(request, kind, query, ticket=ticket) as recorded:
            result = services.profile_search(query, request_id=request.request_id)
            recorded.profile_ids = [profile.profile_id for profile in result.profiles]
    except primedata.PrimeDataError as error:
        return _render_failure(request, error, subject=query.value, query=query, ticket=ticket)

    match_remember(request.session, result)
    if len(result.profiles) == 1:
        return redirect(timeline_urls.profile_url(result.profiles[0].profile_id, ticket=ticket))
    full = workbench.can_view_contacts(request.user)
    candidates = [
        (profile, timeline_urls.profile_url(profile.profile_id, ticket=ticket),
         workbench.customer_summary(profile, full=full),
         workbench.shown_identities(profile, full=full))
        for profile in result.profiles
    ]
    context = {"result": result, "candidates": candidates, "ticket": ticket,
               "identity_label": identity_label(query.name),
               "searched": workbench.shown_value(query.name, query.value, full=full)}
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
        "cause": workbench.failure_cause(error),
        "retries": [
            (retry, identity_label(retry.identity_name)) for retry in workbench.retries_for(query, error)
        ] if query else [],
    }
    response = render(request, "lookup/failure.html", context, status=outcome.status)
    if outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    return response

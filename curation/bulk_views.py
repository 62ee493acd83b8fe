"""The bulk decision page (htmx): choose a filter and an action, see how many records it will
change, confirm, see what changed. Thin: `curation.bulk` counts and writes."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from curation import bulk
from curation.models import Review
from datanets import permissions, selectors
from datanets.models import Datanet

FIELDS = ("action", "score_below", "score_at_least", "submission", "contributor", "reason", "comment")


def _curated(request: HttpRequest, slug: str) -> Datanet:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_curate(request.user, datanet):
        raise PermissionDenied("Only the datanet's curators and owners decide records in bulk.")
    return datanet


def _context(request: HttpRequest, datanet: Datanet, **extra) -> dict:
    return {"datanet": datanet, "reasons": Review.Reason.choices, "bulk_max": bulk.BULK_MAX,
            "actions": [a for a in bulk.ACTIONS.values() if a.allowed(request.user, datanet)],
            "form": {k: request.POST.get(k, "") for k in FIELDS}, **extra}


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "curation/partials/bulk_result.html" if request.htmx else "curation/bulk.html"
    return render(request, template, context, status=status)


@login_required
def bulk_page(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "curation/bulk.html", _context(request, _curated(request, slug)))


@login_required
@require_POST
def bulk_preview(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _curated(request, slug)
    context = _context(request, datanet)
    try:
        flt = bulk.bulk_filter_from(request.POST)
        preview = bulk.bulk_preview(datanet=datanet, actor=request.user, action=request.POST.get("action", ""),
                                    flt=flt)
        if preview.action.decision == "reject":
            bulk.review.clean_decision(decision="reject", reason=request.POST.get("reason", ""),
                                       comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        return _render(request, {**context, "error": " ".join(exc.messages)}, 400)
    except PermissionDenied as exc:
        return _render(request, {**context, "error": str(exc)}, 403)
    return _render(request, {**context, "preview": preview})


@login_required
@require_POST
def bulk_apply(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _curated(request, slug)
    context = _context(request, datanet)
    try:
        flt = bulk.bulk_filter_from(request.POST)
        result = bulk.bulk_apply(datanet=datanet, actor=request.user, action=request.POST.get("action", ""), flt=flt,
                                 reason=request.POST.get("reason", ""), comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        return _render(request, {**context, "error": " ".join(exc.messages)}, 400)
    except PermissionDenied as exc:
        return _render(request, {**context, "error": str(exc)}, 403)
    return _render(request, {**context, "result": result})

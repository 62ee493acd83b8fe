"""Appeal pages (htmx): the contributor's appeal form on a rejected record, and the owners' queue
where each appeal is upheld or overturned. Thin: selectors read, `curation.appeals` writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from curation import appeal_selectors, appeals
from curation.models import Appeal
from datanets import permissions, selectors, submission_selectors
from datanets.models import Membership

OWNERS_ONLY = "Only the datanet's owners decide appeals."


@login_required
def appeal_record(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form (or why this record cannot be appealed); POST: send the appeal."""
    record = submission_selectors.record_get_for_user(user=request.user, record_id=pk)
    context = {"record": record, "message": request.POST.get("message", "")}
    template = "curation/partials/appeal_form.html" if request.htmx else "curation/appeal.html"
    refusal = appeals.appeal_refusal(record=record, user=request.user)
    if request.method != "POST":
        return render(request, template, {**context, "error": refusal.message if refusal else ""},
                      status=refusal.status if refusal else 200)
    try:
        appeal = appeals.appeal_create(record=record, appellant=request.user, message=context["message"])
    except ValidationError as exc:
        return render(request, template, {**context, "error": " ".join(exc.messages)}, status=400)
    except appeals.AppealRefused as exc:
        return render(request, template, {**context, "error": exc.message}, status=exc.status)
    return render(request, template, {**context, "appeal": appeal})


def _owned_datanet(request: HttpRequest, slug: str):
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if permissions.role_of(request.user, datanet) != Membership.Role.OWNER:
        raise PermissionDenied(OWNERS_ONLY)
    return datanet


@login_required
def appeal_queue(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _owned_datanet(request, slug)
    status = request.GET.get("status", "") or Appeal.Status.OPEN
    if status != "all" and status not in Appeal.Status.values:
        status = Appeal.Status.OPEN
    return render(request, "curation/appeals.html", {
        "datanet": datanet, "status": status, "statuses": Appeal.Status.choices,
        "appeals": appeal_selectors.appeal_queue(datanet=datanet, status=status)[:200],
    })


@login_required
@require_POST
def appeal_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = Appeal.objects.select_related("datanet").filter(pk=pk).first()
    if appeal is None or not permissions.can_view(request.user, appeal.datanet):
        raise Http404("No appeal here.")
    if permissions.role_of(request.user, appeal.datanet) != Membership.Role.OWNER:
        raise PermissionDenied(OWNERS_ONLY)
    decision = request.POST.get("decision", "")
    try:
        appeals.appeal_resolve(appeal=appeal, actor=request.user, decision=decision, note=request.POST.get("note", ""))
        messages.success(request, f"Appeal on record #{appeal.record_id}: "
                                  f"{'overturned, the record is accepted' if decision == 'overturn' else 'rejection upheld'}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except appeals.AppealRefused as exc:
        messages.error(request, exc.message)
    return redirect("curation:appeals", slug=appeal.datanet.slug)

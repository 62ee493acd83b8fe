"""Report forms (htmx), the moderation queue and the audit log pages. Thin: selectors read,
`curation.moderation` writes, `datanets.permissions` decides."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as DrfValidationError

from curation import moderation, moderation_selectors
from curation.models import Report
from curation.moderation_api import audit_filters
from datanets import permissions, selectors, submission_selectors
from datanets.models import Datanet, Record

MODERATORS_ONLY = "Only staff and datanet owners moderate reports."


def _report_page(request: HttpRequest, *, record: Record | None = None, datanet: Datanet | None = None):
    target_datanet = record.datanet if record is not None else datanet
    context = {"record": record, "datanet": target_datanet, "reasons": Report.Reason.choices,
               "form": {"reason": "", "comment": ""}}
    template = "curation/partials/report_form.html" if request.htmx else "curation/report.html"
    if request.method != "POST":
        return render(request, template, context)
    context["form"] = {k: request.POST.get(k, "") for k in ("reason", "comment")}
    try:
        report = moderation.report_create(reporter=request.user, record=record, datanet=datanet,
                                          reason=context["form"]["reason"], comment=context["form"]["comment"])
    except ValidationError as exc:
        return render(request, template, {**context, "error": " ".join(exc.messages)}, status=400)
    except moderation.ModerationRefused as exc:
        return render(request, template, {**context, "error": exc.message}, status=exc.status)
    return render(request, template, {**context, "report": report})


@login_required
def report_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, record=submission_selectors.record_get_for_user(user=request.user, record_id=pk))


@login_required
def report_datanet(request: HttpRequest, slug: str) -> HttpResponse:
    return _report_page(request, datanet=selectors.datanet_get_for_user(user=request.user, slug=slug))


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not permissions.can_moderate_anything(request.user):
        raise PermissionDenied(MODERATORS_ONLY)
    params = {k: request.GET.get(k, "").strip() for k in ("status", "datanet", "reason")}
    params["status"] = params["status"] or Report.Status.OPEN
    datanets = moderation_selectors.moderated_datanets(user=request.user)
    datanet = datanets.filter(slug=params["datanet"]).first() if params["datanet"] else None
    qs = moderation_selectors.report_queue(user=request.user, datanet=datanet, reason=params["reason"],
                                           status="" if params["status"] == "all" else params["status"])
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "curation/moderation.html", {
        "page": page, "params": params, "query": urlencode({k: v for k, v in params.items() if v}),
        "statuses": [*Report.Status.choices, ("all", "All")], "reasons": Report.Reason.choices,
        "datanets": datanets.order_by("name")[:200], "frozen": datanets.filter(is_frozen=True).order_by("name"),
        "is_moderator": permissions.is_moderator(request.user),
    })


RESOLVED = {"dismiss": "Dismissed report #{id}.", "takedown": "Took down the record of report #{id}.",
            "suspend_user": "Suspended the contributor of report #{id}.",
            "freeze_datanet": "Froze the datanet of report #{id}."}


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    report = moderation_selectors.report_get_for_moderator(user=request.user, report_id=pk)
    if report is None:
        other = Report.objects.select_related("datanet").filter(pk=pk).first()
        if other is None or not permissions.can_view(request.user, other.datanet):
            raise Http404("No report here.")
        raise PermissionDenied(MODERATORS_ONLY)
    action = request.POST.get("action", "")
    try:
        moderation.report_resolve(report=report, actor=request.user, action=action, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, f"Report #{pk}: {' '.join(exc.messages)}")
    except moderation.ModerationRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, RESOLVED[action].format(id=pk))
    return redirect(_back(request))


@login_required
@require_POST
def unfreeze(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_moderate(request.user, datanet):
        raise PermissionDenied("Only staff and this datanet's owners moderate it.")
    try:
        moderation.datanet_unfreeze(datanet=datanet, actor=request.user, reason=request.POST.get("note", ""))
    except moderation.ModerationRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{datanet.name} takes contributions again.")
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    back = request.POST.get("next", "")
    return back if back.startswith("/moderation/") and "//" not in back else "/moderation/"


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not permissions.can_browse_audit_log(request.user):
        raise PermissionDenied("Only staff browse the audit log.")
    raw = {k: request.GET.get(k, "").strip() for k in ("action", "actor", "datanet", "since", "until")}
    error = ""
    try:
        filters = audit_filters(request.GET)
    except DrfValidationError as exc:
        filters, error = {**raw, "since": None, "until": None}, " ".join(
            str(m) for msgs in exc.detail.values() for m in msgs)
    qs = moderation_selectors.audit_entries(**filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "curation/moderation_audit.html", {
        "page": page, "params": raw, "error": error, "actions": moderation_selectors.audit_action_names(),
        "query": urlencode({k: v for k, v in raw.items() if v}),
    }, status=400 if error else 200)

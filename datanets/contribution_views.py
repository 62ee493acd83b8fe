"""Pages for contributions: upload progress (htmx polling), My contributions, a submission's
records with the explanation of every decision, and its error report."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from datanets import submission_selectors
from datanets.models import Record
from datanets.submission_api import error_report_response


@login_required
def my_contributions(request: HttpRequest) -> HttpResponse:
    subs = submission_selectors.submission_list(user=request.user)
    page = Paginator(subs, 25).get_page(request.GET.get("page"))
    return render(request, "datanets/my_contributions.html", {"page": page})


@login_required
def submission_progress(request: HttpRequest, pk: str) -> HttpResponse:
    sub = submission_selectors.submission_get_for_user(user=request.user, submission_id=pk)
    return render(request, "datanets/partials/submission_progress.html", {"sub": sub})


@login_required
def submission_detail(request: HttpRequest, pk: str) -> HttpResponse:
    sub = submission_selectors.submission_get_for_user(user=request.user, submission_id=pk)
    status = request.GET.get("status", "")
    records = submission_selectors.record_list(user=request.user, datanet=sub.datanet, submission=sub, status=status)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "datanets/submission_detail.html", {
        "sub": sub, "page": page, "status": status, "statuses": Record.Status.choices,
        "issues": sub.issues.all()[:200], "issue_count": sub.issues.count(),
    })


@login_required
def submission_errors_download(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    sub = submission_selectors.submission_get_for_user(user=request.user, submission_id=pk)
    return error_report_response(sub, "csv" if fmt == "csv" else "jsonl")

"""Browse a datanet's records: accepted ones for whoever sees the datanet (each with a Report
link), every status for its curators and owners. Thin: `submission_selectors` decides visibility."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from datanets import permissions, selectors, submission_selectors
from datanets.models import Record


def record_browse(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    sees_all = permissions.can_curate(request.user, datanet) or permissions.is_staff(request.user)
    status = request.GET.get("status", "") if sees_all else Record.Status.ACCEPTED
    if status and status not in Record.Status.values:
        status = ""
    records = submission_selectors.record_list(user=request.user, datanet=datanet,
                                               status=status or ("" if sees_all else Record.Status.ACCEPTED))
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "datanets/records.html", {
        "datanet": datanet, "page": page, "status": status, "sees_all": sees_all, "statuses": Record.Status.choices,
    })

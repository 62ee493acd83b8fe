"""The rewards page: your balance and every entry with its reason."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rewards import selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    history = selectors.user_history(user=request.user).select_related("account")
    page = Paginator(history, 50).get_page(request.GET.get("page"))
    rows = [(entry, selectors.entry_reason(entry)) for entry in page]
    return render(request, "rewards/dashboard.html", {
        "balance": selectors.user_balance(user=request.user), "page": page, "rows": rows,
    })

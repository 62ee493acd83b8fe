"""The rewards page: balance, every entry with its reason (and the proof behind a usage fee),
earnings over time, and the leaderboard of each datanet the user takes part in."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from rewards import amounts, chart, selectors, usage_selectors

CHART_DAYS = 30


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    history = selectors.user_history(user=request.user).select_related("account")
    page = Paginator(history, 50).get_page(request.GET.get("page"))
    proofs = usage_selectors.proofs_paying(transaction_ids=[entry.transaction_id for entry in page])
    rows = [(entry, selectors.entry_reason(entry), proofs.get(entry.transaction_id)) for entry in page]
    days = usage_selectors.earnings_by_day(user=request.user, days=CHART_DAYS)
    scale = 10 ** amounts.decimals()
    points = [(day.strftime("%b %-d"), units / scale) for day, units in days]
    svg = chart.bar_chart(points, label=f"Earnings per day, last {CHART_DAYS} days", unit=amounts.symbol())
    leaderboards = [(datanet, usage_selectors.leaderboard(datanet=datanet))
                    for datanet in usage_selectors.datanets_earned_from(user=request.user)[:5]]
    return render(request, "rewards/dashboard.html", {
        "balance": selectors.user_balance(user=request.user), "page": page, "rows": rows,
        "chart": mark_safe(svg),  # built from numbers and escaped labels only (rewards/chart.py)
        "earned_30d": sum(units for _, units in days), "leaderboards": leaderboards,
        "models": usage_selectors.ai_model_list(owner=request.user)[:20],
    })

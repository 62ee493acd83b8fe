"""The review page (htmx): the claimed record, its checks and neighbours, and the decision form.
Deciding swaps in the next item without a page reload. Thin: selectors read, services write."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from curation import gold, gold_selectors, review, review_selectors
from curation.models import Review
from datanets import permissions, selectors
from datanets.models import Datanet, Record

CURATORS_ONLY = "Only the datanet's curators and owners review records."


def _curated_datanet(request: HttpRequest, slug: str) -> Datanet:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_curate(request.user, datanet):
        raise PermissionDenied(CURATORS_ONLY)
    return datanet


def _item_context(request: HttpRequest, datanet: Datanet, item, **extra) -> dict:
    return {
        "datanet": datanet,
        "item": item,
        "reasons": Review.Reason.choices,
        "queue_count": review_selectors.review_queue_count(datanet=datanet, curator=request.user),
        "claim_minutes": review.claim_seconds() // 60,
        **extra,
    }


@login_required
def review_page(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _curated_datanet(request, slug)
    item = gold.review_item_held(datanet=datanet, curator=request.user)
    return render(request, "curation/review.html", _item_context(request, datanet, item, started=item is not None))


@login_required
@require_POST
def review_next(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _curated_datanet(request, slug)
    item = gold.review_next_item(datanet=datanet, curator=request.user)
    return render(request, "curation/partials/review_item.html",
                  _item_context(request, datanet, item, started=True))


DONE = {"accept": "Accepted record #{id}.", "reject": "Rejected record #{id}.", "skip": "Skipped record #{id}."}


@login_required
@require_POST
def review_decide(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _curated_datanet(request, slug)
    raw_id = request.POST.get("record", "")
    record = Record.objects.filter(datanet=datanet, pk=int(raw_id)).first() if raw_id.isdigit() else None
    if record is None:
        return _refusal(request, datanet, "No record of this datanet was sent with the decision. "
                                          "Press n for the next item.", 400)
    decision = request.POST.get("decision", "")
    fields = {"decision": decision, "reason": request.POST.get("reason", ""), "comment": request.POST.get("comment", "")}
    open_gold = gold_selectors.gold_answer_open_for(record=record, curator=request.user)
    try:
        if open_gold is not None:
            answer = gold.gold_answer_submit(answer=open_gold, **fields)
        else:
            vote = review.review_submit(record=record, reviewer=request.user, **fields)
    except ValidationError as exc:
        return _refusal(request, datanet, " ".join(exc.messages), 400)
    except review.ReviewRefused as exc:
        return _refusal(request, datanet, exc.message, exc.status)
    notice = DONE[decision].format(id=record.pk)
    if open_gold is not None:
        notice += " " + gold_notice(answer)
    elif vote.record.status != Record.Status.IN_REVIEW:
        notice += f" It is now {vote.record.get_status_display().lower()}."
    elif decision != "skip" and review_selectors.is_escalated(record=vote.record):
        notice += " The vote is tied: it goes to the owners."
    item = gold.review_next_item(datanet=datanet, curator=request.user)
    return render(request, "curation/partials/review_item.html",
                  _item_context(request, datanet, item, started=True, notice=notice))


def gold_notice(answer) -> str:
    """What a curator is told after answering a gold item."""
    known = answer.gold.get_answer_display().lower()
    if answer.agreed is None:
        return f"It was a gold item (known answer: {known}); skipping it does not count."
    return (f"It was a gold item with a known answer ({known}): you {'agreed' if answer.agreed else 'disagreed'}. "
            "Gold answers never change the record.")


def _refusal(request: HttpRequest, datanet: Datanet, message: str, status: int) -> HttpResponse:
    """The item the curator still holds (if any) with the error above it."""
    item = gold.review_item_held(datanet=datanet, curator=request.user)
    context = _item_context(request, datanet, item, started=item is not None, error=message,
                            form={k: request.POST.get(k, "") for k in ("reason", "comment")})
    return render(request, "curation/partials/review_item.html", context, status=status)

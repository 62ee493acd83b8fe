"""The owners' page for curator quality: the gold policy, the gold items, and each curator's
agreement with final decisions and with gold answers. Thin: selectors read, `curation.gold` writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from curation import gold, gold_selectors
from curation.models import GoldItem
from datanets import permissions, selectors
from datanets.models import Datanet, Membership, Record


def _owned_datanet(request: HttpRequest, slug: str) -> Datanet:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if permissions.role_of(request.user, datanet) != Membership.Role.OWNER:
        raise PermissionDenied(gold.OWNERS_ONLY)
    return datanet


@login_required
def gold_page(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _owned_datanet(request, slug)
    return render(request, "curation/gold.html", {
        "datanet": datanet, "every": gold_selectors.gold_every(datanet=datanet),
        "gold_items": gold_selectors.gold_list(datanet=datanet)[:200],
        "agreement": gold_selectors.curator_agreement(datanet=datanet),
        "answers": GoldItem.Answer.choices,
    })


@login_required
@require_POST
def gold_policy(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _owned_datanet(request, slug)
    raw = request.POST.get("every", "").strip()
    try:
        if not raw.isdigit():
            raise ValidationError({"every": f"Give a whole number from 0 to 1,000 (got {raw!r})."})
        gold.gold_policy_update(datanet=datanet, actor=request.user, every=int(raw))
        messages.success(request, f"Curators now get one gold item in every {raw} items." if int(raw)
                         else "Gold items are off: curators get none.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("curation:gold", slug=slug)


@login_required
@require_POST
def gold_mark(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = _owned_datanet(request, slug)
    raw = request.POST.get("record", "").strip().lstrip("#")
    record = Record.objects.filter(datanet=datanet, pk=int(raw)).first() if raw.isdigit() else None
    if record is None:
        messages.error(request, f"No record #{raw or '?'} in {datanet.name}: give the number of one of its records.")
        return redirect("curation:gold", slug=slug)
    try:
        gold.gold_mark(record=record, actor=request.user, answer=request.POST.get("answer", ""))
        messages.success(request, f"Record #{record.pk} is a gold item.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("curation:gold", slug=slug)


@login_required
@require_POST
def gold_retire(request: HttpRequest, pk: int) -> HttpResponse:
    item = GoldItem.objects.select_related("datanet", "record").filter(pk=pk).first()
    if item is None or not permissions.can_view(request.user, item.datanet):
        raise Http404("No gold item here.")
    if permissions.role_of(request.user, item.datanet) != Membership.Role.OWNER:
        raise PermissionDenied(gold.OWNERS_ONLY)
    gold.gold_retire(gold=item, actor=request.user)
    messages.success(request, f"Record #{item.record_id} is no longer served as a gold item; its answers still count.")
    return redirect("curation:gold", slug=item.datanet.slug)

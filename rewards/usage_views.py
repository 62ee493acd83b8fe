"""Pages for AI models and attribution proofs: register a model, prepay it, read its usage and
the public proof of every usage event."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rewards import ai_models, amounts, services, usage_selectors
from rewards.forms import AIModelForm, PrepayForm
from rewards.proof import HOW_TO_VERIFY


def model_list(request: HttpRequest) -> HttpResponse:
    return render(request, "rewards/models.html", {"models": usage_selectors.ai_model_list()[:200]})


@login_required
def model_new(request: HttpRequest) -> HttpResponse:
    form = AIModelForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "releases": list(form.cleaned_data["releases"])}
        try:
            model = ai_models.ai_model_register(owner=request.user, **data)
        except ai_models.ModelRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{model.name} is registered. Prepay its usage below, then post usage "
                                      f"with POST /api/v1/models/{model.pk}/usage/.")
            return redirect("rewards:model", pk=model.pk)
    return render(request, "accounts/form_page.html", {
        "form": form, "title": "Register a model", "submit": "Register",
        "intro": "Name the releases your model was trained on and how each usage fee is split. "
                 "Every use you post is attributed to the records that shaped the output."})


def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = usage_selectors.ai_model_get(pk=pk)
    is_owner = request.user == model.owner
    return render(request, "rewards/model_detail.html", {
        "model": model, "is_owner": is_owner, "prepay_form": PrepayForm() if is_owner else None,
        "releases": usage_selectors.visible_releases(ai_model=model, user=request.user),
        "balance": usage_selectors.prepaid_balance(ai_model=model) if is_owner else None,
        "events": usage_selectors.usage_events(ai_model=model)[:50],
    })


@login_required
@require_POST
def model_prepay(request: HttpRequest, pk: int) -> HttpResponse:
    model = usage_selectors.ai_model_get(pk=pk)
    if request.user != model.owner:
        raise PermissionDenied("Only the model's owner can prepay its usage.")
    form = PrepayForm(request.POST)
    try:
        units = amounts.parse(form.data.get("amount", ""))
        if units <= 0:
            raise ValueError("The amount must be more than zero.")
        ai_models.ai_model_prepay(ai_model=model, actor=request.user, amount=units)
    except ValueError as exc:
        messages.error(request, str(exc))
    except services.LedgerError as exc:
        messages.error(request, f"{exc.message} Earn or receive tokens first.")
    else:
        messages.success(request, f"Prepaid {amounts.format_amount(units)} for {model.name}.")
    return redirect("rewards:model", pk=model.pk)


def attribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = usage_selectors.proof_get(pk=pk)
    body, redacted = usage_selectors.proof_public_body(proof=found, user=request.user)
    return render(request, "rewards/attribution.html", {
        "proof": found, "body": body, "redacted": redacted, "event": found.usage_event,
        "records": [{**r, "weight_percent": int(r["weight"]) / 10**7} for r in body["records"]],
        "amounts": [{**a, "amount": int(a["amount"])} for a in body["amounts"]],
        "fee": int(body["usage_event"]["fee"]), "verify": HOW_TO_VERIFY,
    })

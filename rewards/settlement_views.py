"""Pages for wallets and settlements: link a wallet, download a Merkle proof, and the staff
page that settles now and shows reconciliation. Thin: services write, selectors read."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from datanets import permissions
from rewards import settlement_selectors, wallets
from rewards.reconciliation import settlement_reconcile
from rewards.settlement import settlement_run
from rewards.settlement_models import WalletChallenge

STAFF_ONLY = "Only staff run settlements and see reconciliation."


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    """GET: the linked wallet, and the message to sign when a challenge is open. POST: link."""
    nonce = request.POST.get("nonce") or request.GET.get("nonce", "")
    challenge = WalletChallenge.objects.filter(nonce=nonce, user=request.user).first() if nonce else None
    context = {"address": settlement_selectors.wallet_of(user=request.user),
               "proof": settlement_selectors.wallet_proof_latest(user=request.user),
               "challenge": challenge, "form": {"signature": "", "address": ""}}
    if request.method != "POST":
        return render(request, "rewards/wallet.html", context)
    context["form"] = {k: request.POST.get(k, "").strip() for k in ("signature", "address")}
    if not context["form"]["signature"]:
        return render(request, "rewards/wallet.html", {**context, "error": "Paste the signature your wallet returned "
                      "for the message above (it starts with 0x)."}, status=400)
    try:
        proof = wallets.wallet_link(user=request.user, nonce=nonce, **context["form"])
    except wallets.WalletError as exc:
        return render(request, "rewards/wallet.html", {**context, "error": exc.message}, status=400)
    messages.success(request, f"Linked {proof.address}. Settlements pay this wallet from now on.")
    return redirect("rewards:wallet")


@login_required
@require_POST
def wallet_challenge(request: HttpRequest) -> HttpResponse:
    challenge = wallets.wallet_challenge_create(user=request.user)
    return redirect(f"{reverse('rewards:wallet')}?nonce={challenge.nonce}")


@login_required
def settlement_proof(request: HttpRequest, pk) -> HttpResponse:
    proof = settlement_selectors.settlement_proof(user=request.user, batch_uid=pk)
    if proof is None:
        raise Http404("You are not a recipient of this settlement batch.")
    response = HttpResponse(json.dumps(proof, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="settlement-{proof["batch"]}-proof-{proof["account"]}.json"'
    return response


@login_required
def settlements_staff(request: HttpRequest) -> HttpResponse:
    if not permissions.is_staff(request.user):
        raise PermissionDenied(STAFF_ONLY)
    return render(request, "rewards/settlements_staff.html", {
        "batches": settlement_selectors.batches_recent(),
        "flags": settlement_selectors.reconciliation_flags_open(), "settings_adapter": settings.CHAIN_ADAPTER,
    })


@login_required
@require_POST
def settlements_run(request: HttpRequest) -> HttpResponse:
    if not permissions.is_staff(request.user):
        raise PermissionDenied(STAFF_ONLY)
    result = settlement_run(actor=request.user)
    messages.success(request, f"Settlement run: {result}.")
    return redirect("rewards:settlements_staff")


@login_required
@require_POST
def settlements_reconcile(request: HttpRequest) -> HttpResponse:
    if not permissions.is_staff(request.user):
        raise PermissionDenied(STAFF_ONLY)
    flags = settlement_reconcile(actor=request.user)
    if flags:
        messages.warning(request, f"Reconciliation found {len(flags)} difference(s) between the ledger and the chain.")
    else:
        messages.success(request, "Reconciliation: the ledger and the chain agree.")
    return redirect("rewards:settlements_staff")

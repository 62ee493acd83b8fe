"""Posting a usage event: attribute the output, split the fee in one ledger transaction, store
the proof. `usage_post` is the only writer of usage events.

What callers may rely on:

- ``(model, idempotency_key)`` is used once. Repeating it with the same output, prompt and fee
  returns the first event and charges nothing; with anything else it raises `UsageConflict`.
- The fee leaves the model's prepaid balance in one USAGE_FEE transaction that sums to zero; when
  the balance cannot cover it, `InsufficientFunds` is raised and nothing is written (the key
  stays free for a retry after prepaying).
- Every event has exactly one AttributionProof (a one-to-one), written in the same transaction.

Where the fee goes (integer base units; every rounding is the largest-remainder method with ties
broken by id, so the same event always splits the same way):

- model owner: ``owner_bps`` to the owner's balance;
- contributors: ``contributors_bps`` split by attribution weight, summed per contributor (and
  per datanet for the payout records); records taken down since the release are skipped;
- datanet owners and curators: ``datanet_bps`` split over datanets by the weight of their
  records, then equally over each datanet's owners and curators;
- treasury: ``treasury_bps`` plus what rounding the four shares leaves.

When no record has positive influence (an output unrelated to the training data), no record is
paid: the contributors' share goes to the reward pools of the trained-on datanets, equally, where
it pays future acceptance rewards, and the datanet share is split over those datanets equally.
"""

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from curation.models import Release
from curation.scoring import encoder
from datanets.models import Datanet, Membership, Record
from rewards import amounts, attribution, proof, selectors
from rewards.models import (Account, AIModel, AttributionPayout, AttributionProof, LedgerTransaction, UsageEvent,
                            split_amount)
from rewards.services import IdempotencyConflict, InsufficientFunds, account_get_or_create, ledger_post

Role = AttributionPayout.Role
PROOF_FORMAT = 1


class UsageConflict(Exception):
    code = "idempotency_conflict"

    def __init__(self, event: UsageEvent) -> None:
        self.event = event
        self.message = (f"Idempotency key {event.idempotency_key!r} was already used for another usage event "
                        f"(#{event.pk}) with a different output, prompt or fee. Use a new key for a new event.")
        super().__init__(self.message)


def request_digest(*, output: str, prompt: str, fee: int) -> str:
    return hashlib.sha256(proof.canonical_json({"output": output, "prompt": prompt, "fee": str(fee)})).hexdigest()


def _ledger_key(ai_model: AIModel, key: str) -> str:
    return f"usage:{ai_model.pk}:{hashlib.sha256(key.encode()).hexdigest()}"


def _existing(ai_model: AIModel, key: str, digest: str) -> UsageEvent | None:
    event = UsageEvent.objects.filter(ai_model=ai_model, idempotency_key=key).first()
    if event is not None and event.request_sha256 != digest:
        raise UsageConflict(event)
    return event


def usage_post(*, ai_model: AIModel, actor: Any, idempotency_key: str, output: str, fee: int,
               prompt: str = "") -> tuple[UsageEvent, bool]:
    """Attribute one use of `ai_model` and pay its fee. Returns (event, created)."""
    if actor != ai_model.owner:
        raise PermissionDenied("Only the model's owner (its application's token) can post usage.")
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValueError("An idempotency_key of 1 to 200 characters is required.")
    if not output.strip():
        raise ValueError("The output is empty; send the text the model produced.")
    if isinstance(fee, bool) or not isinstance(fee, int) or fee <= 0:
        raise ValueError("The fee must be more than zero.")
    digest = request_digest(output=output, prompt=prompt, fee=fee)
    event = _existing(ai_model, idempotency_key, digest)
    if event is not None:
        return event, False
    payer = account_get_or_create(kind=Account.Kind.MODEL_PAYER, ai_model=ai_model)
    balance = selectors.account_balance(account=payer)
    if balance < fee:  # checked again under lock by ledger_post; this saves the attribution work
        event = _existing(ai_model, idempotency_key, digest)  # a concurrent twin may have just paid
        if event is not None:
            return event, False
        raise InsufficientFunds(
            f"{ai_model.name} has {amounts.format_amount(balance)} prepaid; this usage costs "
            f"{amounts.format_amount(fee)}. Prepay more (POST /api/v1/models/{ai_model.pk}/prepay/).", payer)
    releases = list(ai_model.releases.select_related("datanet").order_by("id"))
    found, index = _attribute(output, releases)
    plan = _plan(ai_model, releases, found, fee)
    try:
        with transaction.atomic():
            tx = ledger_post(key=_ledger_key(ai_model, idempotency_key), kind=LedgerTransaction.Kind.USAGE_FEE,
                             actor=actor, lines=[(payer, -fee), *plan.lines],
                             memo=f"Usage of {ai_model.name}: {amounts.format_amount(fee)} split by attribution")
            event = UsageEvent.objects.create(ai_model=ai_model, idempotency_key=idempotency_key,
                                              request_sha256=digest, output=output, prompt=prompt, fee=str(fee),
                                              transaction=tx)
            body = _proof_body(event, releases, index, found, plan, tx)
            attribution_proof = AttributionProof.objects.create(
                usage_event=event, method=attribution.METHOD, method_version=attribution.METHOD_VERSION,
                embedding_model=index.embedding_model, body=body, commitment=proof.commitment(body))
            AttributionPayout.objects.bulk_create([
                AttributionPayout(proof=attribution_proof, role=role, user_id=user_id, datanet_id=datanet_id,
                                  amount_hi=split_amount(amount)[0], amount_lo=split_amount(amount)[1])
                for role, user_id, datanet_id, amount in plan.payouts if amount])
    except (IntegrityError, IdempotencyConflict):  # a concurrent request with the same key won
        event = _existing(ai_model, idempotency_key, digest)
        if event is None:
            raise
        return event, False
    return event, True


# --- attribution ---------------------------------------------------------------------------------


def _attribute(output: str, releases: list[Release]) -> tuple[list[tuple[attribution.Influence, Record]], Any]:
    from rewards import attribution_index  # loads faiss: only where usage is attributed

    index = attribution_index.index_for(releases)
    vector = encoder().encode([output])[0]
    reached = attribution.candidates(output=output, vector=vector, semantic=index.semantic, lexical=index.lexical)
    ids = {int(index.record_ids[c.row]) for c in reached}
    records = Record.objects.in_bulk(ids)
    payable = [c for c in reached if c.row < len(index.record_ids)
               and getattr(records.get(int(index.record_ids[c.row])), "status", None) == Record.Status.ACCEPTED]
    weighted = attribution.weigh(payable)
    return [(w, records[int(index.record_ids[w.row])]) for w in weighted], index


class _Plan:
    def __init__(self) -> None:
        self.lines: list[tuple[Account, int]] = []
        self.payouts: list[tuple[str, int | None, int | None, int]] = []  # role, user id, datanet id, amount
        self.split: dict[str, int] = {}

    def pay(self, role: str, account: Account, amount: int, *, user_id: int | None = None,
            datanet_id: int | None = None) -> None:
        if amount:
            self.lines.append((account, amount))
            self.payouts.append((role, user_id, datanet_id, amount))


def _plan(ai_model: AIModel, releases: list[Release], found: list, fee: int) -> _Plan:
    plan = _Plan()
    plan.split = parts = attribution.split_fee(fee, ai_model.split_bps)
    user_account = _user_accounts()
    plan.pay(Role.MODEL_OWNER, user_account(ai_model.owner_id), parts["model_owner"], user_id=ai_model.owner_id)
    plan.pay(Role.TREASURY, account_get_or_create(kind=Account.Kind.TREASURY), parts["treasury"])
    datanet_ids = sorted({r.datanet_id for r in releases})
    if found:
        per_contributor: dict[tuple[int, int], int] = {}
        per_datanet: dict[int, int] = {}
        for influence, record in found:
            key = (record.contributor_id, record.datanet_id)
            per_contributor[key] = per_contributor.get(key, 0) + influence.weight_units
            per_datanet[record.datanet_id] = per_datanet.get(record.datanet_id, 0) + influence.weight_units
        if parts["contributors"]:
            for (user_id, datanet_id), amount in attribution.allocate(parts["contributors"], per_contributor).items():
                plan.pay(Role.CONTRIBUTOR, user_account(user_id), amount, user_id=user_id, datanet_id=datanet_id)
    else:
        per_datanet = {datanet_id: 1 for datanet_id in datanet_ids}
        if parts["contributors"]:
            for datanet_id, amount in attribution.allocate(parts["contributors"], per_datanet).items():
                pool = account_get_or_create(kind=Account.Kind.POOL, datanet=Datanet(pk=datanet_id))
                plan.pay(Role.POOL, pool, amount, datanet_id=datanet_id)
    if parts["datanets"]:
        for datanet_id, share in attribution.allocate(parts["datanets"], per_datanet).items():
            stewards = list(Membership.objects.filter(
                datanet_id=datanet_id, role__in=(Membership.Role.OWNER, Membership.Role.CURATOR))
                .order_by("user_id").values_list("user_id", flat=True))
            if not stewards:  # a datanet without owner or curator: its share funds its pool
                plan.pay(Role.POOL, account_get_or_create(kind=Account.Kind.POOL, datanet=Datanet(pk=datanet_id)),
                         share, datanet_id=datanet_id)
                continue
            for user_id, amount in attribution.allocate(share, {u: 1 for u in stewards}).items():
                plan.pay(Role.DATANET, user_account(user_id), amount, user_id=user_id, datanet_id=datanet_id)
    return plan


def _user_accounts():
    from django.contrib.auth import get_user_model

    cache: dict[int, Account] = {}

    def get(user_id: int) -> Account:
        if user_id not in cache:
            cache[user_id] = account_get_or_create(kind=Account.Kind.USER, user=get_user_model()(pk=user_id))
        return cache[user_id]

    return get


# --- the proof -----------------------------------------------------------------------------------


def _proof_body(event: UsageEvent, releases: list[Release], index: Any, found: list, plan: _Plan,
                tx: LedgerTransaction) -> dict:
    from django.contrib.auth import get_user_model

    user_ids = {r.contributor_id for _, r in found} | {u for _, u, _, _ in plan.payouts if u}
    usernames = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("id", "username"))
    slugs = dict(Datanet.objects.filter(pk__in={r.datanet_id for r in releases}).values_list("id", "slug"))
    records = []
    for influence, record in found:
        match = influence.match
        span = None
        if match is not None and influence.lexical > 0:
            span = {"text": event.output[match.span_start:match.span_end], "words": match.span_words,
                    "start": match.span_start, "end": match.span_end}
        records.append({
            "record": record.pk, "datanet": slugs.get(record.datanet_id, str(record.datanet_id)),
            "contributor": usernames.get(record.contributor_id, ""), "content_hash": record.content_hash,
            "weight": str(influence.weight_units), "cosine": proof.decimal(influence.cosine),
            "semantic": proof.decimal(influence.semantic), "lexical": proof.decimal(influence.lexical),
            "span": span,
        })
    return {
        "proof_format": PROOF_FORMAT,
        "method": attribution.METHOD, "method_version": attribution.METHOD_VERSION,
        "parameters": attribution.PARAMETERS, "embedding_model": index.embedding_model,
        "index": {"fingerprint": index.fingerprint, "records": len(index)},
        "releases": [{"id": r.pk, "datanet": slugs.get(r.datanet_id, ""), "version": r.version,
                      "merkle_root": r.merkle_root} for r in releases],
        "usage_event": {"id": event.pk, "model": event.ai_model_id, "model_name": event.ai_model.name,
                        "idempotency_key": event.idempotency_key,
                        "output_sha256": hashlib.sha256(event.output.encode()).hexdigest(),
                        "prompt_sha256": hashlib.sha256(event.prompt.encode()).hexdigest() if event.prompt else None,
                        "fee": event.fee},
        "attributed": bool(found),
        "records": records,
        "split_bps": event.ai_model.split_bps,
        "split": {name: str(amount) for name, amount in plan.split.items()},
        "amounts": [{"role": role, "user": usernames.get(user_id) if user_id else None,
                     "datanet": slugs.get(datanet_id) if datanet_id else None, "amount": str(amount)}
                    for role, user_id, datanet_id, amount in plan.payouts],
        "ledger_transaction": {"id": tx.pk, "key": tx.idempotency_key},
    }


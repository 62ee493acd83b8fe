"""A scripted economy with honest users and attackers, through the real pipeline (parsing, MinHash
LSH, the embedding model, review consensus, the ledger). Attackers:

- copycats re-upload honest records with small edits from fresh accounts;
- a flooder uploads low-quality text;
- a colluding curator approves only their friend's records (and the friend uploads junk);
- a model owner posts fake usage whose outputs are their rejected copies, hoping to route the
  contributors' share of the fees to themselves (and replays its idempotency key);
- replays: a review decision posted twice, another user's wallet signature replayed.

An honest model owner uses the release too. "Earned" is what rewards and usage fees credited,
minus the fees a user's own models paid.

Honest curators decide from what the review page shows them (score, nearest accepted neighbours).
The test prints who earned what and asserts that attackers earn at most 1% of all rewards paid.
"""

import io
import json
import random
from difflib import SequenceMatcher

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Profile
from curation.review import review_claim_next, review_submit
from curation.review_selectors import review_item
from datanets.models import Membership, Record
from rewards import selectors as ledger
from rewards import services as rewards
from rewards.models import LedgerEntry
from tests.factories import UserFactory, make_datanet

OPEN = 10**18
HONEST_TEXTS = [
    "Apply firm, steady pressure to a bleeding wound with a clean cloth and keep pressing for at least ten minutes.",
    "Cool a minor burn under cool running water for twenty minutes, then cover it loosely with cling film.",
    "If an adult is choking and cannot cough, give up to five sharp back blows between the shoulder blades.",
    "Place an unresponsive person who is breathing normally on their side in the recovery position.",
    "Rest a sprained ankle, apply ice wrapped in a towel for short spells, and keep the foot raised.",
    "Before helping a casualty, check that the scene is safe so that you do not get hurt yourself.",
    "For a nosebleed, sit the person forward and pinch the soft part of the nose for ten minutes.",
    "Someone having a seizure should be protected from nearby hard objects but never held down.",
    "Signs of a stroke include a drooping face, arm weakness and slurred speech; call for help at once.",
    "Treat a person in shock by laying them down, raising their legs and keeping them warm.",
    "Rinse a chemical splash in the eye with clean running water for at least fifteen minutes.",
    "A bee sting should be scraped out sideways with a card rather than squeezed with tweezers.",
    "Give chest compressions at a rate of about two per second, pressing five to six centimetres deep.",
    "Keep a person with suspected spinal injury still and support their head in the position found.",
    "Cover a deep cut with a sterile dressing and bandage it firmly without cutting off circulation.",
    "Heat exhaustion is eased by moving to a cool place, drinking water and loosening tight clothing.",
    "A person with hypothermia should be warmed gradually with blankets, not with hot water bottles on skin.",
    "If someone has swallowed a poison, do not make them vomit; call the poison line for advice.",
    "An asthma attack calls for the person's reliever inhaler, sitting upright and slow steady breaths.",
    "For a suspected broken arm, support it in the position you found it and avoid moving the joint.",
]
JUNK = ["buy cheap pills now now now click here best price", "asdf qwer zxcv asdf qwer zxcv asdf qwer",
        "lol lol lol lol lol lol lol lol lol lol lol lol", "!!!! ???? $$$$ %%%% &&&& **** #### @@@@",
        "win win win free money free money click", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "test test test test test test test test", "spam spam spam eggs spam spam spam spam bacon"]


def _edit(text: str, rng: random.Random) -> str:
    """A small edit: swap one word, drop one word, or add one — what a copycat does by hand."""
    words = text.split()
    i = rng.randrange(1, len(words) - 1)
    kind = rng.choice(["swap", "drop", "add"])
    if kind == "swap":
        words[i] = {"the": "a", "a": "the", "and": "plus", "for": "during"}.get(words[i], words[i] + "s")
    elif kind == "drop":
        del words[i]
    else:
        words.insert(i, rng.choice(["really", "always", "gently", "carefully"]))
    return " ".join(words)


def _upload(api_as, user, datanet, texts: list[str], name: str) -> dict:
    data = "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()
    f = io.BytesIO(data)
    f.name = name
    response = api_as(user).post(f"/api/v1/datanets/{datanet.slug}/submissions/", {"file": f}, format="multipart")
    assert response.status_code in (202, 409), response.content[:300]
    return response.json()


def _honest_decision(item, junk: set[str]) -> tuple[str, str]:
    """What a careful person decides from the review page: they read the record (spam is spam to
    a reader; the simulation knows which texts it made as junk) and compare it with its nearest
    accepted neighbours side by side (a copy with a word changed is a copy)."""
    record = item.record
    if record.text in junk:
        return "reject", "spam"
    for neighbour in item.neighbours:
        if SequenceMatcher(None, record.text.split(), neighbour.record.text.split()).ratio() >= 0.85:
            return "reject", "duplicate"
    return "accept", ""


def _review_round(datanet, honest_curators, colluder, friend, junk: set[str]) -> None:
    for _ in range(200):  # bounded: every curator takes items until nobody gets one
        progress = False
        for curator in [*honest_curators, colluder]:
            claim = review_claim_next(datanet=datanet, curator=curator)
            if claim is None:
                continue
            progress = True
            item = review_item(claim=claim)
            if curator == colluder:
                if item.record.contributor_id == friend.pk:
                    review_submit(record=item.record, reviewer=curator, decision="accept")
                else:
                    review_submit(record=item.record, reviewer=curator, decision="skip")
                continue
            decision, reason = _honest_decision(item, junk)
            review_submit(record=item.record, reviewer=curator, decision=decision, reason=reason)
        if not progress:
            return
    raise AssertionError("the review queues did not drain")


def _earnings() -> dict[int, int]:
    """Per user: what acceptance rewards and usage fees credited, minus the fees their models paid."""
    out: dict[int, int] = {}
    for entry in (LedgerEntry.objects.filter(transaction__kind__in=["acceptance_reward", "usage_fee", "reversal"])
                  .select_related("account", "account__ai_model")):
        if entry.account.kind == "user":
            uid = entry.account.user_id
        elif entry.account.kind == "model_payer":
            uid = entry.account.ai_model.owner_id
        else:
            continue
        out[uid] = out.get(uid, 0) + entry.amount
    return out


def _model_usage(datanet, alice, staff, *, honest_owner, shill, copies, django_capture_on_commit_callbacks) -> None:
    from curation.models import Release
    from curation.releases import release_create
    from rewards import ai_models
    from rewards.models import Account
    from rewards.usage import usage_post

    with django_capture_on_commit_callbacks(execute=True):
        release = release_create(datanet=datanet, actor=alice)
    release.refresh_from_db()
    assert release.status == Release.Status.READY
    treasury = rewards.account_get_or_create(kind=Account.Kind.TREASURY)
    for user in (honest_owner, shill):  # both buy tokens to pay for their model's use
        rewards.ledger_post(key=f"buy:{user.pk}", kind="transfer", actor=staff, memo="bought tokens",
                            lines=[(treasury, -100 * OPEN),
                                   (rewards.account_get_or_create(kind=Account.Kind.USER, user=user), 100 * OPEN)])
    honest_model = ai_models.ai_model_register(owner=honest_owner, name="Helper", releases=[release])
    shill_model = ai_models.ai_model_register(owner=shill, name="Shill", releases=[release])
    ai_models.ai_model_prepay(ai_model=honest_model, actor=honest_owner, amount=50 * OPEN, key="p1")
    ai_models.ai_model_prepay(ai_model=shill_model, actor=shill, amount=50 * OPEN, key="p2")
    accepted = list(Record.objects.filter(datanet=datanet, status="accepted").values_list("text", flat=True))
    for i, text in enumerate(accepted[:6]):
        usage_post(ai_model=honest_model, actor=honest_owner, idempotency_key=f"h{i}", fee=2 * OPEN,
                   output=f"Here is what to do. {text}")
    for i, text in enumerate(copies[:8]):
        usage_post(ai_model=shill_model, actor=shill, idempotency_key=f"s{i}", fee=2 * OPEN, output=text)
    for _ in range(5):  # replaying a key is answered from the first event and charges nothing
        _, created = usage_post(ai_model=shill_model, actor=shill, idempotency_key="s0", fee=2 * OPEN,
                                output=copies[0])
        assert not created


@pytest.mark.django_db(transaction=True)
def test_attackers_earn_at_most_one_percent(api_as, alice, staff, settings, django_capture_on_commit_callbacks,
                                             capsys):
    rng = random.Random(7)
    honest = [UserFactory(username=f"honest{i}") for i in range(4)]
    curators = [UserFactory(username=f"curator{i}") for i in range(2)]
    colluder, friend = UserFactory(username="colluder"), UserFactory(username="friend")
    copycats = [UserFactory(username=f"copycat{i}") for i in range(3)]
    flooder = UserFactory(username="flooder")
    attackers = {colluder, friend, flooder, *copycats}
    datanet = make_datanet(alice, name="First aid", summary="Short, factual first-aid instructions",
                           description="Plain-English first-aid instructions: bleeding, burns, choking, sprains, "
                                       "fractures, shock, poisoning, seizures, strokes and resuscitation.",
                           members={**{c: Membership.Role.CURATOR for c in curators},
                                    colluder: Membership.Role.CURATOR},
                           approvals_required=2)
    rewards.reward_policy_update(datanet=datanet, actor=alice, base_reward=10 * OPEN, curator_reward=OPEN)
    rewards.treasury_mint(actor=staff, amount=10_000 * OPEN, key="abuse-mint")
    rewards.pool_fund(datanet=datanet, actor=staff, amount=5_000 * OPEN, key="abuse-fund")

    with django_capture_on_commit_callbacks(execute=True):
        for i, user in enumerate(honest):
            _upload(api_as, user, datanet, HONEST_TEXTS[i * 5:(i + 1) * 5], f"honest{i}.jsonl")
    junk: set[str] = set()
    _review_round(datanet, curators, colluder, friend, junk)
    accepted = list(Record.objects.filter(datanet=datanet, status="accepted").values_list("text", flat=True))
    assert len(accepted) >= 15, "honest work must be accepted for the simulation to mean anything"

    with django_capture_on_commit_callbacks(execute=True):
        for i, user in enumerate(copycats):
            copies = [_edit(t, rng) for t in rng.sample(accepted, 6)] + [accepted[i]]  # + one exact copy
            _upload(api_as, user, datanet, copies, f"copies{i}.jsonl")
        flood = JUNK * 3 + [f"{j} {j}" * 9 for j in JUNK]
        friends = [j + " friend edition" for j in JUNK]
        junk.update(flood + friends)
        _upload(api_as, flooder, datanet, flood, "flood.jsonl")
        _upload(api_as, friend, datanet, friends, "friend.jsonl")
    _review_round(datanet, curators, colluder, friend, junk)

    shill = copycats[0]
    _model_usage(datanet, alice, staff, honest_owner=UserFactory(username="modelco"), shill=shill,
                 copies=list(Record.objects.filter(contributor=shill).values_list("text", flat=True)),
                 django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    # Replays: the same review decision again, and someone else's wallet signature.
    record = Record.objects.filter(datanet=datanet, status="accepted").first()
    vote = record.reviews.filter(reviewer__in=curators).first()
    again = api_as(vote.reviewer).post("/api/v1/reviews/", {"record": record.pk, "decision": "accept"}, format="json")
    assert again.status_code in (400, 409), again.content[:200]
    _replay_wallet_signature(api_as, honest[0], flooder)

    earned = _earnings()
    total = sum(v for v in earned.values() if v > 0)
    # Only gains count against the bound: one attacker's loss does not offset another's gain.
    by_attackers = sum(max(v, 0) for uid, v in earned.items() if uid in {a.pk for a in attackers})
    rows = [(u.username, "attacker" if u in attackers else "honest", earned.get(u.pk, 0))
            for u in [*honest, *curators, get_user_model().objects.get(username="modelco"), colluder, friend,
                      *copycats, flooder]]
    with capsys.disabled():
        print("\n| user | kind | earned (OPEN) | share |\n|---|---|---:|---:|")
        for name, kind, amount in rows:
            print(f"| {name} | {kind} | {amount / OPEN:.2f} | {amount / max(total, 1):.2%} |")
        print(f"| **attackers' gains** | | {by_attackers / OPEN:.2f} | {by_attackers / max(total, 1):.2%} |")
    assert total > 0
    assert by_attackers <= total // 100, rows
    assert ledger.pool_balance(datanet=datanet) >= 0


def _replay_wallet_signature(api_as, victim, attacker) -> None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    wallet = Account.create()
    challenge = api_as(victim).post("/api/v1/wallet/challenge/", format="json")
    assert challenge.status_code in (200, 201), challenge.content[:200]
    body = challenge.json()
    signature = wallet.sign_message(encode_defunct(text=body["message"])).signature.hex()
    linked = api_as(victim).post("/api/v1/wallet/link/", {"nonce": body["nonce"], "signature": signature,
                                                          "address": wallet.address}, format="json")
    assert linked.status_code in (200, 201), linked.content[:200]
    stolen = api_as(attacker).post("/api/v1/wallet/link/", {"nonce": body["nonce"], "signature": signature,
                                                            "address": wallet.address}, format="json")
    assert stolen.status_code >= 400, stolen.content[:200]
    assert Profile.objects.get(user=attacker).wallet_address == ""

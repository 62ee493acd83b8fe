"""Rewards for reviewed records: alice owns the datanet, carol and dave curate, bob contributes."""

import pytest

from curation.review import review_submit
from datanets.models import Membership, Record
from rewards import selectors, services
from rewards.models import LedgerTransaction
from tests.factories import UserFactory, make_datanet, make_records_in_review

OPEN = 10**18


@pytest.fixture
def dave(db):
    return UserFactory(username="dave")


@pytest.fixture
def reviewed(alice, carol, dave):
    datanet = make_datanet(alice, name="Rewarded", approvals_required=2,
                           members={carol: Membership.Role.CURATOR, dave: Membership.Role.CURATOR})
    services.reward_policy_update(datanet=datanet, actor=alice, base_reward=10 * OPEN, curator_reward=OPEN)
    return datanet


@pytest.fixture
def funded(reviewed, staff):
    services.treasury_mint(actor=staff, amount=1000 * OPEN, key="seed")
    services.pool_fund(datanet=reviewed, actor=staff, amount=100 * OPEN, key="fund")
    return reviewed


def _decide(record, votes: dict) -> Record:
    for user, decision in votes.items():
        record.refresh_from_db()
        review_submit(record=record, reviewer=user, decision=decision, reason="off_topic" if decision == "reject" else "")
    record.refresh_from_db()
    return record


def test_accepted_record_pays_contributor_times_quality_and_agreeing_curators(funded, bob, carol, dave, alice):
    (record,) = make_records_in_review(funded, bob, ["a useful first-aid answer"], scores=[0.8])
    # 2 approvals needed: carol accepts, dave rejects — a tie with no curator left, so the owner rules.
    record = _decide(record, {carol: "accept", dave: "reject", alice: "accept"})
    assert record.status == Record.Status.ACCEPTED
    tx = services.reward_accrue_for_acceptance(record=record)
    assert tx is not None and tx.kind == "acceptance_reward"
    assert selectors.user_balance(user=bob) == 13 * OPEN  # 10 × (0.5 + 0.8)
    assert selectors.user_balance(user=carol) == OPEN
    assert selectors.user_balance(user=alice) == 0  # an owner's ruling is not a curator's review
    assert selectors.user_balance(user=dave) == 0  # disagreed with the outcome
    assert selectors.pool_balance(datanet=funded) == (100 - 14) * OPEN
    assert selectors.ledger_total() == 0


def test_rejected_record_pays_only_the_curators_who_rejected(funded, bob, carol, dave):
    (record,) = make_records_in_review(funded, bob, ["spam spam"], scores=[0.9])
    record = _decide(record, {carol: "reject", dave: "reject"})
    services.reward_accrue_for_decision(record=record)
    assert selectors.user_balance(user=bob) == 0
    assert selectors.user_balance(user=carol) == selectors.user_balance(user=dave) == OPEN


def test_a_record_is_paid_exactly_once(funded, bob, carol, dave):
    (record,) = make_records_in_review(funded, bob, ["paid once"], scores=[0.5])
    record = _decide(record, {carol: "accept", dave: "accept"})
    first = services.reward_accrue_for_acceptance(record=record)
    for _ in range(3):
        assert services.reward_accrue_for_acceptance(record=record).pk == first.pk
    services.rewards_accrue_pending(datanet=funded)
    assert LedgerTransaction.objects.filter(record=record, kind="acceptance_reward").count() == 1
    assert selectors.user_balance(user=bob) == 10 * OPEN


def test_undecided_record_earns_nothing(funded, bob):
    (record,) = make_records_in_review(funded, bob, ["still in review"])
    assert services.reward_accrue_for_acceptance(record=record) is None
    assert selectors.user_balance(user=bob) == 0


def test_empty_pool_pauses_accrual_and_the_datanet_page_says_so(reviewed, staff, alice, bob, carol, dave, client):
    records = make_records_in_review(reviewed, bob, ["first answer", "second answer"], scores=[0.5, 0.5])
    services.treasury_mint(actor=staff, amount=1000 * OPEN, key="seed")
    services.pool_fund(datanet=reviewed, actor=staff, amount=12 * OPEN, key="small")  # one record's worth
    for record in records:
        record = _decide(record, {carol: "accept", dave: "accept"})
        services.reward_accrue_for_acceptance(record=record)
    assert selectors.user_balance(user=bob) == 10 * OPEN  # the second did not fit: 10 + 2 > 12 - 12
    assert selectors.pool_balance(datanet=reviewed) == 0
    status = selectors.pool_status(datanet=reviewed)
    assert status.paused and status.awaiting == 1
    page = client.get(f"/d/{reviewed.slug}/").content.decode()
    assert "Rewards paused: the pool is empty" in page

    services.pool_fund(datanet=reviewed, actor=staff, amount=50 * OPEN, key="refill")  # pays the waiting record
    assert selectors.user_balance(user=bob) == 20 * OPEN
    assert not selectors.pool_status(datanet=reviewed).paused
    page = client.get(f"/d/{reviewed.slug}/").content.decode()
    assert "Rewards paused" not in page and "38 OPEN" in page


def test_owner_funds_their_pool_from_their_balance_only(reviewed, alice, bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(services.InsufficientFunds):
        services.pool_fund(datanet=reviewed, actor=alice, amount=OPEN)
    with pytest.raises(PermissionDenied):
        services.pool_fund(datanet=reviewed, actor=bob, amount=OPEN)


def test_takedown_reverses_the_rewards_once(funded, bob, carol, dave):
    (record,) = make_records_in_review(funded, bob, ["later taken down"], scores=[0.5])
    record = _decide(record, {carol: "accept", dave: "accept"})
    services.reward_accrue_for_acceptance(record=record)
    Record.objects.filter(pk=record.pk).update(status=Record.Status.REMOVED)  # what moderation does
    reversal = services.rewards_on_takedown(record=record, reason="copyright")
    assert reversal is not None and reversal.kind == "reversal"
    assert services.rewards_on_takedown(record=record).pk == reversal.pk
    assert selectors.user_balance(user=bob) == selectors.user_balance(user=carol) == 0
    assert selectors.pool_balance(datanet=funded) == 100 * OPEN
    assert services.reward_accrue_for_acceptance(record=record) is None  # a removed record earns nothing
    services.rewards_accrue_pending(datanet=funded)
    assert selectors.user_balance(user=bob) == 0  # and is not paid again


def test_takedown_of_an_unpaid_record_pays_nothing_later(reviewed, staff, bob, carol, dave):
    (record,) = make_records_in_review(reviewed, bob, ["unpaid"], scores=[0.5])
    record = _decide(record, {carol: "accept", dave: "accept"})
    assert services.reward_accrue_for_acceptance(record=record) is None  # the pool is empty
    Record.objects.filter(pk=record.pk).update(status=Record.Status.REMOVED)
    assert services.rewards_on_takedown(record=record) is None
    services.treasury_mint(actor=staff, amount=100 * OPEN, key="seed")
    services.pool_fund(datanet=reviewed, actor=staff, amount=100 * OPEN, key="late")
    assert selectors.user_balance(user=bob) == 0


def test_takedown_after_the_reward_was_spent_is_logged_not_overdrawn(funded, alice, bob, carol, dave):
    from datanets.models import AuditEntry

    (record,) = make_records_in_review(funded, bob, ["spent reward"], scores=[0.5])
    record = _decide(record, {carol: "accept", dave: "accept"})
    services.reward_accrue_for_acceptance(record=record)
    bob_account = services.account_get_or_create(kind="user", user=bob)
    services.ledger_post(key="spend", kind="transfer",
                         lines=[(bob_account, -10 * OPEN), (services.account_get_or_create(kind="user", user=alice),
                                                            10 * OPEN)])
    assert services.rewards_on_takedown(record=record) is None
    assert selectors.user_balance(user=bob) == 0
    assert AuditEntry.objects.filter(action="reward.reversal_blocked", target_id=str(record.pk)).exists()

"""Random sequences of mints, fundings, rewards, transfers and reversals keep the ledger's laws:
the whole ledger sums to zero, no user, pool or treasury balance is negative, and every balance
equals the sum of a model kept beside it."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from rewards import selectors, services
from rewards.models import Account, LedgerEntry, LedgerTransaction
from tests.factories import UserFactory, make_datanet

amounts = st.integers(min_value=1, max_value=10**25)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # each example runs in a savepoint that teardown rolls back
        self.keys = 0
        self.expected: dict[int, int] = {}
        self.posted: list[LedgerTransaction] = []

    @initialize()
    def setup(self) -> None:
        self.staff = UserFactory(username="ledger-staff")
        self.staff.is_staff = True
        self.staff.save()
        self.owner = UserFactory(username="ledger-owner")
        self.users = [self.owner] + [UserFactory(username=f"ledger-u{i}") for i in range(2)]
        self.datanet = make_datanet(self.owner, name="Ledger machine")
        self.treasury = services.account_get_or_create(kind=Account.Kind.TREASURY)
        self.pool = services.account_get_or_create(kind=Account.Kind.POOL, datanet=self.datanet)
        self.user_accounts = [services.account_get_or_create(kind=Account.Kind.USER, user=u) for u in self.users]

    def _key(self) -> str:
        self.keys += 1
        return f"k{self.keys}"

    def _apply(self, lines) -> None:
        for account, amount in lines:
            self.expected[account.id] = self.expected.get(account.id, 0) + amount

    def _covered(self, lines) -> bool:
        net: dict[int, int] = {}
        kinds = {}
        for account, amount in lines:
            net[account.id] = net.get(account.id, 0) + amount
            kinds[account.id] = account.kind
        return all(self.expected.get(i, 0) + amt >= 0 for i, amt in net.items()
                   if amt < 0 and kinds[i] in Account.NON_NEGATIVE)

    def _post(self, lines, kind="transfer") -> None:
        debits_ok = self._covered(lines)
        try:
            tx = services.ledger_post(key=self._key(), kind=kind, lines=lines)
        except services.InsufficientFunds:
            assert not debits_ok, "refused although the model says the funds are there"
            return
        assert debits_ok, "accepted although it overdraws"
        self._apply(lines)
        self.posted.append(tx)

    @rule(amount=amounts)
    def mint(self, amount: int) -> None:
        tx = services.treasury_mint(actor=self.staff, amount=amount, key=self._key())
        self._apply([(e.account, e.amount) for e in tx.entries.select_related("account")])
        self.posted.append(tx)

    @rule(amount=amounts)
    def fund_pool(self, amount: int) -> None:
        self._post([(self.treasury, -amount), (self.pool, amount)], kind="fund_pool")

    @rule(amount=amounts, who=st.integers(0, 2))
    def reward(self, amount: int, who: int) -> None:
        self._post([(self.pool, -amount), (self.user_accounts[who], amount)], kind="acceptance_reward")

    @rule(amount=amounts, src=st.integers(0, 2), dst=st.integers(0, 2))
    def transfer(self, amount: int, src: int, dst: int) -> None:
        self._post([(self.user_accounts[src], -amount), (self.user_accounts[dst], amount)])

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def reverse(self, data) -> None:
        original = data.draw(st.sampled_from(self.posted))
        lines = [(e.account, -e.amount) for e in original.entries.select_related("account")]
        debits_ok = self._covered(lines)
        already = LedgerTransaction.objects.filter(reverses=original).exists()
        try:
            services.ledger_reverse(original=original)
        except services.InsufficientFunds:
            assert not debits_ok and not already
            return
        if not already:
            assert debits_ok
            self._apply(lines)

    @rule(data=st.data())
    def repeat_a_key(self, data) -> None:
        if not self.posted:
            return
        tx = data.draw(st.sampled_from(self.posted))
        before = LedgerEntry.objects.count()
        lines = [(e.account, e.amount) for e in tx.entries.select_related("account")]
        assert services.ledger_post(key=tx.idempotency_key, kind=tx.kind, lines=lines).pk == tx.pk
        assert LedgerEntry.objects.count() == before

    @invariant()
    def ledger_sums_to_zero(self) -> None:
        if hasattr(self, "treasury"):
            assert selectors.ledger_total() == 0

    @invariant()
    def balances_match_the_model_and_are_not_negative(self) -> None:
        if not hasattr(self, "treasury"):
            return
        accounts = list(Account.objects.all())
        balances = selectors.account_balances(account_ids=[a.id for a in accounts])
        for account in accounts:
            assert balances[account.id] == self.expected.get(account.id, 0), account
            entries_sum = sum(e.amount for e in LedgerEntry.objects.filter(account=account))
            assert balances[account.id] == entries_sum
            if account.kind in Account.NON_NEGATIVE:
                assert balances[account.id] >= 0, account

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)


@pytest.mark.django_db
def test_ledger_laws_hold_for_random_sequences():
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))

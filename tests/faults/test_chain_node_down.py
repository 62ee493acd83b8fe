"""The chain node stops between sending a settlement transaction and recording its receipt, and
comes back later with its chain: after recovery there is exactly one settlement on chain and the
ledger agrees with it. Runs against a private anvil (npm @foundry-rs/anvil) that keeps its chain
in a state file across the restart, as a real node keeps its database."""

import subprocess
import time

import pytest
from web3 import Web3

from rewards import selectors
from rewards.chain.evm import EvmAdapter
from rewards.models import Account
from rewards.reconciliation import settlement_reconcile
from rewards.settlement import settlement_run
from rewards.settlement_models import SettlementBatch
from tests.factories import UserFactory
from tests.rewards.settlement_fixtures import ANVIL, ANVIL_KEY, OPEN, credit, link_wallet, mine
from tests.worker_process import wait_for

pytestmark = pytest.mark.django_db


class Node:
    def __init__(self, port: int, state: str) -> None:
        self.port, self.state, self.proc = port, state, None
        self.w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 5}))

    def start(self) -> None:
        if not ANVIL.exists():
            pytest.fail(f"anvil is missing at {ANVIL}: run `npm ci` (make test does).")
        self.proc = subprocess.Popen([str(ANVIL), "--host", "127.0.0.1", "--port", str(self.port), "--silent",
                                      "--state", self.state, "--preserve-historical-states"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, 30, "anvil to answer")

    def _answers(self) -> bool:
        try:
            return self.w3.is_connected()
        except Exception:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # anvil writes its state file on the way out
            self.proc.wait(timeout=30)


@pytest.fixture
def node(tmp_path):
    from tests.rewards.settlement_fixtures import _free_port

    n = Node(_free_port(), str(tmp_path / "anvil-state.json"))
    n.start()
    yield n
    n.stop()


class NodeDiesAfterSend(EvmAdapter):
    """The transaction leaves for the node, then the node goes away before the receipt is read."""

    node: Node

    def send_settlement(self, payload):
        tx = super().send_settlement(payload)
        self.node.stop()
        return tx


def test_node_down_after_send_then_back_ends_with_one_settlement(node, settings):
    from rewards.chain.evm import deploy

    settings.SETTLEMENT_MIN_PAYOUT = "1"
    settings.SETTLEMENT_CONFIRMATIONS = 2
    settings.SETTLEMENT_CLAIM_SECONDS = 0
    payees = {}
    for i, amount in enumerate([4 * OPEN, 9 * OPEN + 17, 2 * OPEN]):
        user = UserFactory(username=f"nodepayee{i}")
        payees[user] = (link_wallet(user), amount)
        credit(user, amount, f"node-credit-{i}")
    address, block = deploy(node.w3, name="Datanets OPEN", symbol="OPEN", private_key=ANVIL_KEY)
    dying = NodeDiesAfterSend(node.w3, address, private_key=ANVIL_KEY, from_block=block)
    dying.node = node

    first = settlement_run(adapter=dying)  # sends, then every later call finds no node
    batch = SettlementBatch.objects.get()
    assert first.confirmed == 0 and batch.state in ("submitted", "failed"), (first, batch.state, batch.last_error)
    for _ in range(2):  # runs while the node is down change nothing on chain and pay nobody twice
        settlement_run(adapter=EvmAdapter(node.w3, address, private_key=ANVIL_KEY, from_block=block))
    assert SettlementBatch.objects.count() == 1

    node.start()
    adapter = EvmAdapter(node.w3, address, private_key=ANVIL_KEY, from_block=block)
    assert adapter.is_settled(batch.chain_batch_id)  # the node kept the transaction it had mined
    for _ in range(6):  # bounded: mine and let the runs record and confirm
        mine(node.w3, 1)
        settlement_run(adapter=adapter)
        batch.refresh_from_db()
        if batch.state == "confirmed":
            break
        time.sleep(0.2)
    assert batch.state == "confirmed", (batch.state, batch.last_error)
    events = adapter.contract.events.BatchSettled().get_logs(from_block=0,
                                                              argument_filters={"batch_id": batch.chain_batch_id})
    assert len(events) == 1
    for user, (wallet, amount) in payees.items():
        assert adapter.balance_of(wallet.address) == amount
        assert selectors.user_balance(user=user) == 0
    assert adapter.total_settled() == batch.total_units == sum(a for _, a in payees.values())
    assert selectors.account_balance(account=selectors.account_find(kind=Account.Kind.CLEARING)) == 0
    assert settlement_reconcile(adapter=adapter) == []

"""The EVM adapter end to end, on py-evm in process (eth-tester) and on anvil: deploy the
Vyper contract, settle, refuse a repeated batch, read balances back from the chain, and
survive a crash between sending and recording with exactly one on-chain settlement."""

import io

import pytest
from django.core.management import call_command

from rewards import selectors, settlement_selectors
from rewards.chain.base import BatchAlreadySettled
from rewards.chain.evm import EvmAdapter
from rewards.models import Account
from rewards.reconciliation import settlement_reconcile
from rewards.settlement import batch_payload, settlement_run
from rewards.settlement_models import SettlementBatch
from tests.factories import UserFactory
from tests.rewards.settlement_fixtures import ANVIL_KEY, OPEN, anvil_chain, credit, eth_tester_chain, link_wallet, mine

__all__ = ["anvil_chain", "eth_tester_chain"]  # fixtures used through `chain`

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture(params=["eth_tester_chain", "anvil_chain"])
def chain(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def adapter(chain):
    address, block = chain.deploy()
    return chain.adapter(address, from_block=block)


@pytest.fixture
def payees(settings, db):
    settings.SETTLEMENT_MIN_PAYOUT = "1"
    settings.SETTLEMENT_CONFIRMATIONS = 3
    people = {}
    for i, amount in enumerate([3 * OPEN, 7 * OPEN + 123, 11 * OPEN, 2 * OPEN, 5 * OPEN]):
        user = UserFactory(username=f"payee{i}")
        people[user] = (link_wallet(user), amount)
        credit(user, amount, f"credit-{i}")
    return people


def settled_events(adapter: EvmAdapter, batch_id: int) -> int:
    return len(adapter.contract.events.BatchSettled().get_logs(from_block=0, argument_filters={"batch_id": batch_id}))


def test_settle_confirm_and_chain_balances_equal_the_ledger(chain, adapter, payees):
    first = settlement_run(adapter=adapter)
    (batch,) = SettlementBatch.objects.all()
    assert first.submitted == 1 and batch.state == "submitted" and batch.tx_id.startswith("0x")
    assert settlement_run(adapter=adapter).confirmed == 0  # one confirmation of three
    mine(chain.w3, 2)
    assert settlement_run(adapter=adapter).confirmed == 1
    batch.refresh_from_db()
    assert batch.state == "confirmed"
    for user, (wallet, amount) in payees.items():
        assert adapter.balance_of(wallet.address) == amount  # read back from the chain
        assert selectors.user_balance(user=user) == 0
    issued = selectors.account_balance(account=selectors.account_find(kind=Account.Kind.ISSUANCE))
    assert adapter.total_settled() == batch.total_units == sum(a for _, a in payees.values())
    assert issued == 0  # the test credits came out of issuance; the confirmed settlement put them back
    assert selectors.account_balance(account=selectors.account_find(kind=Account.Kind.CLEARING)) == 0
    assert settlement_reconcile(adapter=adapter) == []


def test_a_repeated_batch_is_refused_by_the_contract(chain, adapter, payees):
    settlement_run(adapter=adapter)
    batch = SettlementBatch.objects.get()
    payload = batch_payload(batch)
    with pytest.raises(BatchAlreadySettled):
        adapter.send_settlement(payload)
    # The contract itself, called directly: eth-tester raises TransactionFailed, anvil ContractLogicError.
    sender = chain.w3.eth.accounts[0]
    with pytest.raises(chain.revert_error, match="already settled"):
        adapter.contract.functions.settle(payload.batch_id, payload.merkle_root,
                                          [a for a, _ in payload.recipients],
                                          [n for _, n in payload.recipients]).transact({"from": sender})
    assert settled_events(adapter, payload.batch_id) == 1


class CrashAfterSend(EvmAdapter):
    def send_settlement(self, payload):
        super().send_settlement(payload)
        raise KeyboardInterrupt("the worker died after sending, before recording")


def test_crash_between_send_and_record_ends_with_one_settlement(chain, adapter, payees, settings):
    settings.SETTLEMENT_CLAIM_SECONDS = 0  # the dead worker's claim lapses at once
    crashing = CrashAfterSend(chain.w3, adapter.contract.address, private_key=chain.private_key)
    with pytest.raises(KeyboardInterrupt):
        settlement_run(adapter=crashing)
    batch = SettlementBatch.objects.get()
    assert batch.state == "pending" and batch.tx_id == ""
    assert adapter.is_settled(batch.chain_batch_id)  # it did reach the chain
    settlement_run(adapter=adapter)  # recovery: asks the chain first, records instead of resending
    batch.refresh_from_db()
    assert batch.state == "submitted" and batch.tx_id == adapter.find_settlement(batch.chain_batch_id)
    mine(chain.w3, 3)
    settlement_run(adapter=adapter)
    batch.refresh_from_db()
    assert batch.state == "confirmed" and batch.attempts == 1
    assert settled_events(adapter, batch.chain_batch_id) == 1
    for wallet, amount in payees.values():
        assert adapter.balance_of(wallet.address) == amount
    assert adapter.total_settled() == batch.total_units


def test_contract_verifies_every_downloaded_proof(chain, adapter, payees):
    settlement_run(adapter=adapter)
    batch = SettlementBatch.objects.get()
    for user in payees:
        proof = settlement_selectors.settlement_proof(user=user, batch_uid=batch.uid)
        args = (batch.chain_batch_id, proof["index"], proof["account"], int(proof["amount"]),
                [bytes.fromhex(p[2:]) for p in proof["proof"]])
        assert adapter.contract.functions.verify_proof(*args).call() is True
        assert adapter.contract.functions.verify_proof(args[0], args[1], args[2], args[3] + 1, args[4]).call() is False


def test_deploy_command_and_settings_drive_the_real_path_on_anvil(anvil_chain, payees, settings):
    rpc = anvil_chain.w3.provider.endpoint_uri
    settings.EVM_PRIVATE_KEY = ANVIL_KEY
    out = io.StringIO()
    call_command("deploy_settlement_contract", rpc_url=rpc, stdout=out)
    line = out.getvalue().splitlines()[-1]
    found = dict(part.split("=", 1) for part in line.split())
    settings.CHAIN_ADAPTER, settings.EVM_CONTRACT_ADDRESS = "evm", found["EVM_CONTRACT_ADDRESS"]
    settings.EVM_FROM_BLOCK = int(found["EVM_FROM_BLOCK"])
    settings.SETTLEMENT_CONFIRMATIONS = 1
    settings.EVM_RPC_URL = "http://127.0.0.1:9"  # nothing listens: the batch fails with a message
    settlement_run()
    batch = SettlementBatch.objects.get()
    assert batch.state == "failed" and "EVM_RPC_URL" in batch.last_error
    settings.EVM_RPC_URL = rpc
    settlement_run()
    batch.refresh_from_db()
    assert batch.state == "confirmed" and batch.adapter == "evm" and batch.attempts == 2
    chain_view = EvmAdapter.from_settings()
    for wallet, amount in payees.values():
        assert chain_view.balance_of(wallet.address) == amount
    assert settlement_reconcile() == []


def test_crash_while_the_transaction_is_still_unmined_ends_with_one_settlement(anvil_chain, payees, settings):
    """The hard case: the crashed worker's transaction sits in the mempool when recovery asks the
    chain, which still says "not settled", so recovery sends again. The contract reverts the
    second transaction, the batch adopts the first, and only one settlement lands."""
    chain = anvil_chain
    address, block = chain.deploy()
    adapter = chain.adapter(address, from_block=block)
    settings.SETTLEMENT_CLAIM_SECONDS = 0
    settings.SETTLEMENT_CONFIRMATIONS = 1
    chain.w3.provider.make_request("evm_setAutomine", [False])
    try:
        with pytest.raises(KeyboardInterrupt):
            settlement_run(adapter=CrashAfterSend(chain.w3, address, private_key=chain.private_key))
        batch = SettlementBatch.objects.get()
        assert not adapter.is_settled(batch.chain_batch_id)  # sent, not mined
        settlement_run(adapter=adapter)  # recovery while the first transaction is unmined
        batch.refresh_from_db()
        second_tx = batch.tx_id
    finally:
        chain.w3.provider.make_request("evm_setAutomine", [True])
    for _ in range(4):  # bounded: mine, then let the runs adopt and confirm
        mine(chain.w3, 1)
        settlement_run(adapter=adapter)
        batch.refresh_from_db()
        if batch.state == "confirmed":
            break
    assert batch.state == "confirmed"
    assert adapter.tx_status(second_tx).state == "reverted"  # the contract refused the repeat
    assert batch.tx_id == adapter.find_settlement(batch.chain_batch_id) != second_tx
    assert settled_events(adapter, batch.chain_batch_id) == 1
    for wallet, amount in payees.values():
        assert adapter.balance_of(wallet.address) == amount
    assert adapter.total_settled() == batch.total_units
    assert settlement_reconcile(adapter=adapter) == []

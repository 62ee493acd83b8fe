"""The EVM adapter: web3.py against any JSON-RPC node (anvil, a testnet, mainnet), or against
an in-process py-evm (eth-tester) handed in as a `Web3`.

Transactions are signed locally with EVM_PRIVATE_KEY when it is set; without it the node's
first unlocked account sends (development nodes only).
"""

from typing import Any

from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound

from rewards.chain.base import BatchAlreadySettled, BatchPayload, ChainAdapter, ChainError, SettledBatch, TxStatus
from rewards.chain.contract import compiled


def _revert_errors() -> tuple[type[BaseException], ...]:
    # anvil (and any JSON-RPC node) reverts as web3's ContractLogicError; py-evm in process
    # (eth-tester) raises its own TransactionFailed.
    try:
        from eth_tester.exceptions import TransactionFailed

        return (ContractLogicError, TransactionFailed)
    except ImportError:  # eth-tester is a test dependency
        return (ContractLogicError,)


def _sender(w3: Web3, private_key: str) -> tuple[str, Any]:
    if private_key:
        account = Account.from_key(private_key)
        return account.address, account
    accounts = w3.eth.accounts
    if not accounts:
        raise ChainError("The node has no unlocked account: set EVM_PRIVATE_KEY to the settlement account's key.")
    return accounts[0], None


def _transact(w3: Web3, call: Any, sender: str, account: Any) -> str:
    """Send a contract call or deployment; return the transaction hash (0x…). Gas is estimated
    first, so a call the contract would refuse raises here and costs nothing."""
    try:
        if account is None:
            return "0x" + bytes(call.transact({"from": sender})).hex()
        tx = call.build_transaction({"from": sender, "nonce": w3.eth.get_transaction_count(sender, "pending"),
                                     "chainId": w3.eth.chain_id})
        signed = account.sign_transaction(tx)
        return "0x" + bytes(w3.eth.send_raw_transaction(signed.raw_transaction)).hex()
    except _revert_errors() as exc:
        message = str(exc)
        if "already settled" in message:
            raise BatchAlreadySettled(f"The contract refused the batch: {message}") from exc
        raise ChainError(f"The contract refused the transaction: {message}") from exc
    except ChainError:
        raise
    except Exception as exc:  # node down, timeout, nonce or funds trouble. Safe to retry: the chain is asked first.
        raise ChainError(f"Could not send the transaction: {exc}. Check EVM_RPC_URL, and that the settlement "
                         "account (EVM_PRIVATE_KEY) holds ether for gas.") from exc


def deploy(w3: Web3, *, name: str, symbol: str, private_key: str = "") -> tuple[str, int]:
    """Deploy the settlement contract; returns (address, block number)."""
    abi, bytecode = compiled()
    sender, account = _sender(w3, private_key)
    tx_hash = _transact(w3, w3.eth.contract(abi=abi, bytecode=bytecode).constructor(name, symbol), sender, account)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
    if receipt.status != 1:
        raise ChainError(f"The deployment transaction {tx_hash} failed.")
    return receipt.contractAddress, receipt.blockNumber


class EvmAdapter(ChainAdapter):
    name = "evm"

    def __init__(self, w3: Web3, contract_address: str, *, private_key: str = "", from_block: int = 0) -> None:
        if not contract_address:
            raise ChainError("No settlement contract: run `manage.py deploy_settlement_contract` and set "
                             "EVM_CONTRACT_ADDRESS to the address it prints.")
        try:
            address = Web3.to_checksum_address(contract_address)
        except ValueError:
            raise ChainError(f"EVM_CONTRACT_ADDRESS {contract_address!r} is not an address (0x and 40 hex digits)."
                             ) from None
        self.w3 = w3
        self.contract = w3.eth.contract(address=address, abi=compiled()[0])
        self.private_key = private_key
        self.from_block = from_block

    @classmethod
    def from_settings(cls) -> "EvmAdapter":
        from django.conf import settings

        w3 = Web3(Web3.HTTPProvider(settings.EVM_RPC_URL, request_kwargs={"timeout": 30}))
        return cls(w3, settings.EVM_CONTRACT_ADDRESS, private_key=settings.EVM_PRIVATE_KEY,
                   from_block=settings.EVM_FROM_BLOCK)

    def _guard(self, what: str, read: Any) -> Any:
        try:
            return read()
        except Exception as exc:  # connection refused, wrong address, node down: one message
            raise ChainError(f"Could not read {what} from the chain ({self.contract.address}): {exc}. "
                             "Check EVM_RPC_URL and EVM_CONTRACT_ADDRESS.") from exc

    def _read(self, fn: str, *args: Any) -> Any:
        return self._guard(fn, lambda: getattr(self.contract.functions, fn)(*args).call())

    def is_settled(self, batch_id: int) -> bool:
        return bool(self._read("is_settled", batch_id))

    def send_settlement(self, payload: BatchPayload) -> str:
        sender, account = _sender(self.w3, self.private_key)
        call = self.contract.functions.settle(payload.batch_id, payload.merkle_root,
                                              [address for address, _ in payload.recipients],
                                              [amount for _, amount in payload.recipients])
        return _transact(self.w3, call, sender, account)

    def find_settlement(self, batch_id: int) -> str | None:
        logs = self._guard("settlement events", lambda: self.contract.events.BatchSettled().get_logs(
            from_block=self.from_block, argument_filters={"batch_id": batch_id}))
        return "0x" + bytes(logs[0]["transactionHash"]).hex() if logs else None

    def tx_status(self, tx_id: str) -> TxStatus:
        return self._guard(f"transaction {tx_id}", lambda: self._tx_status(tx_id))

    def _tx_status(self, tx_id: str) -> TxStatus:
        try:
            receipt = self.w3.eth.get_transaction_receipt(tx_id)
        except TransactionNotFound:
            receipt = None
        if receipt is None:
            try:
                self.w3.eth.get_transaction(tx_id)
                return TxStatus("pending")
            except TransactionNotFound:
                return TxStatus("unknown")
        if receipt.status != 1:
            return TxStatus("reverted")
        return TxStatus("success", confirmations=self.w3.eth.block_number - receipt.blockNumber + 1)

    def settled_batch(self, batch_id: int) -> SettledBatch | None:
        if not self.is_settled(batch_id):
            return None
        return SettledBatch(total=self._read("batch_total", batch_id), merkle_root=bytes(self._read("batch_root", batch_id)))

    def total_settled(self) -> int:
        return self._read("totalSupply")

    def balance_of(self, address: str) -> int:
        return self._read("balanceOf", Web3.to_checksum_address(address))

"""Helpers and fixtures for wallet and settlement tests: real signatures, real EVMs.

Import the fixtures you use into a test module (`from tests.rewards.settlement_fixtures import …`).
`eth_tester_chain` is py-evm in process; `anvil_chain` starts the anvil binary from npm
(`make test` runs `npm ci` first) on a free loopback port and stops it afterwards.
"""

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from web3 import Web3

from rewards import services, wallets
from rewards.chain.evm import EvmAdapter, deploy
from rewards.models import Account as LedgerAccount

OPEN = 10**18
ANVIL = Path(__file__).resolve().parents[2] / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
# anvil's first well-known development key (public knowledge, holds only test ether).
ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def sign(account, message: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")


def link_wallet(user, account=None):
    """Link a fresh (or the given) wallet to the user through the real challenge and signature."""
    account = account or Account.create()
    challenge = wallets.wallet_challenge_create(user=user)
    wallets.wallet_link(user=user, nonce=challenge.nonce, signature=sign(account, challenge.message))
    return account


def credit(user, amount: int, key: str) -> None:
    """Give a user a ledger balance (a transfer out of the treasury after a staff mint)."""
    issuance = services.account_get_or_create(kind=LedgerAccount.Kind.ISSUANCE)
    target = services.account_get_or_create(kind=LedgerAccount.Kind.USER, user=user)
    services.ledger_post(key=key, kind="transfer", lines=[(issuance, -amount), (target, amount)], memo="test credit")


def mine(w3: Web3, blocks: int) -> None:
    for _ in range(blocks):
        if hasattr(w3, "testing") and w3.provider.__class__.__name__ == "EthereumTesterProvider":
            w3.testing.mine(1)
        else:
            w3.provider.make_request("evm_mine", [])


@dataclass
class Chain:
    name: str
    w3: Web3
    private_key: str
    revert_error: type

    def adapter(self, address: str, from_block: int = 0) -> EvmAdapter:
        return EvmAdapter(self.w3, address, private_key=self.private_key, from_block=from_block)

    def deploy(self) -> tuple[str, int]:
        return deploy(self.w3, name="Datanets OPEN", symbol="OPEN", private_key=self.private_key)


@pytest.fixture(scope="module")
def eth_tester_chain():
    from eth_tester import EthereumTester, PyEVMBackend
    from eth_tester.exceptions import TransactionFailed
    from web3 import EthereumTesterProvider

    backend = PyEVMBackend(genesis_parameters=PyEVMBackend.generate_genesis_params(overrides={"gas_limit": 30_000_000}))
    return Chain("eth-tester", Web3(EthereumTesterProvider(EthereumTester(backend))), "", TransactionFailed)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def anvil_chain():
    from web3.exceptions import ContractLogicError

    if not ANVIL.exists():
        pytest.fail(f"anvil is missing at {ANVIL}: run `npm ci` (make test does) to install @foundry-rs/anvil.")
    port = _free_port()
    proc = subprocess.Popen([str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--silent"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 30}))
    try:
        for _ in range(200):  # bounded: up to ~20 s on a loaded machine
            if proc.poll() is not None:
                pytest.fail(f"anvil exited with {proc.returncode} before answering")
            try:
                if w3.is_connected():
                    break
            except Exception:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("anvil did not answer on its port")
        yield Chain("anvil", w3, ANVIL_KEY, ContractLogicError)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

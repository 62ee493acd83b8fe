"""Gas of a settlement batch on the Vyper contract, measured on py-evm (eth-tester) in process.

    python bench/bench_settlement_gas.py [--no-check]    (~1 min on 2 cores)

Recipients are fresh addresses (the worst case: each gets a new storage slot) or addresses that
already hold tokens. The baseline is one ERC-20 `transfer` transaction per recipient, what a
payout without batching would cost. The largest batch for a 30M-gas block is fitted from the
marginal gas per recipient and confirmed by settling it (one more runs out of gas); --no-check
skips that (the quick run).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_tester import EthereumTester, PyEVMBackend  # noqa: E402
from eth_tester.exceptions import TransactionFailed  # noqa: E402
from web3 import EthereumTesterProvider, Web3  # noqa: E402

from rewards.chain.contract import compiled  # noqa: E402
from rewards.settlement_merkle import Leaf, MerkleTree  # noqa: E402

BLOCK = 30_000_000
TX_CAP = 2**24  # EIP-7825 (Osaka): the most gas one transaction may use


class OutOfGas(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-check", action="store_true", help="do not settle the fitted maximum batch to confirm it")
    args = parser.parse_args()

    backend = PyEVMBackend(genesis_parameters=PyEVMBackend.generate_genesis_params(overrides={"gas_limit": BLOCK}))
    w3 = Web3(EthereumTesterProvider(EthereumTester(backend)))
    owner = w3.eth.accounts[0]
    abi, bytecode = compiled()
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.contract(abi=abi, bytecode=bytecode).constructor("Datanets OPEN", "OPEN").transact({"from": owner}))
    token = w3.eth.contract(address=receipt.contractAddress, abi=abi)
    batch_ids = iter(range(1, 10**6))

    def settle(recipients: list[str], gas: int | None = None) -> int:
        amounts = [10**18 + i for i in range(len(recipients))]
        root = MerkleTree([Leaf(i, a, m) for i, (a, m) in enumerate(zip(recipients, amounts))]).root
        tx = {"from": owner, **({"gas": gas} if gas else {})}
        tx_hash = token.functions.settle(next(batch_ids), root, recipients, amounts).transact(tx)
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        if receipt.status != 1:
            raise OutOfGas(f"{len(recipients)} recipients: the transaction failed using {receipt.gasUsed:,} gas")
        return receipt.gasUsed

    def fresh(n: int) -> list[str]:
        return [Web3.to_checksum_address(os.urandom(20)) for _ in range(n)]

    g0 = settle([])
    g1 = settle(fresh(1))
    holders = fresh(100)
    g100 = settle(holders)
    g200 = settle(fresh(200))
    g100_again = settle(holders)  # the same 100 addresses, now holding tokens
    marginal = (g200 - g100) / 100
    base = g100 - 100 * marginal
    fit = int((BLOCK - base) // marginal)
    fit_tx_cap = int((TX_CAP - base) // marginal)

    settle([owner])  # the owner holds tokens to transfer for the baseline
    transfers = [w3.eth.get_transaction_receipt(token.functions.transfer(a, 1).transact({"from": owner})).gasUsed
                 for a in fresh(20)]
    per_transfer = sum(transfers) / len(transfers)

    print("## Settlement gas (SettlementToken.vy on py-evm)\n")
    print("| batch | gas used | gas per recipient | ratio vs one transfer tx each |")
    print("|---|---:|---:|---:|")
    print(f"| empty batch | {g0:,} | — | — |")
    print(f"| 1 new recipient | {g1:,} | {g1:,} | {g1 / per_transfer:.2f}x |")
    print(f"| 100 new recipients | {g100:,} | {g100 / 100:,.0f} | {g100 / 100 / per_transfer:.2f}x |")
    print(f"| 200 new recipients | {g200:,} | {g200 / 200:,.0f} | {g200 / 200 / per_transfer:.2f}x |")
    print(f"| 100 recipients already holding | {g100_again:,} | {g100_again / 100:,.0f} | "
          f"{g100_again / 100 / per_transfer:.2f}x |")
    print(f"| baseline: one `transfer` tx to a new holder | {per_transfer:,.0f} | {per_transfer:,.0f} | 1.00x |")
    print()
    print(f"Marginal gas per new recipient: {marginal:,.0f}; fixed part of a batch: {base:,.0f}.")
    print(f"Largest batch of new recipients in a {BLOCK:,}-gas block: **{fit:,}**; "
          f"under the EIP-7825 per-transaction cap of {TX_CAP:,} gas: **{fit_tx_cap:,}**.")
    if not args.no_check:
        used = settle(fresh(fit), gas=BLOCK)
        try:
            settle(fresh(fit + 1), gas=BLOCK)
            over = "fits too (the fit is conservative)"
        except (TransactionFailed, ValueError, OutOfGas) as exc:
            over = f"runs out of gas ({type(exc).__name__})"
        print(f"Checked: {fit:,} recipients used {used:,} gas; {fit + 1:,} {over}.")


if __name__ == "__main__":
    main()

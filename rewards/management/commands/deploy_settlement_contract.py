"""Compile contracts/SettlementToken.vy with the installed vyper and deploy it to EVM_RPC_URL."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from web3 import Web3

from rewards.chain import ChainError
from rewards.chain.evm import deploy


class Command(BaseCommand):
    help = "Deploy the settlement contract to the EVM_RPC_URL node and print the settings to use it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rpc-url", default=settings.EVM_RPC_URL)
        parser.add_argument("--name", default=f"Datanets {settings.TOKEN_SYMBOL}")
        parser.add_argument("--symbol", default=settings.TOKEN_SYMBOL)

    def handle(self, *args, rpc_url: str, name: str, symbol: str, **options) -> None:
        w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
        if not w3.is_connected():
            raise CommandError(f"No JSON-RPC node answers at {rpc_url}. Start one or pass --rpc-url.")
        try:
            address, block = deploy(w3, name=name[:32], symbol=symbol[:8], private_key=settings.EVM_PRIVATE_KEY)
        except ChainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Deployed the settlement contract at {address} (block {block}, chain {w3.eth.chain_id}).")
        self.stdout.write(f"CHAIN_ADAPTER=evm EVM_RPC_URL={rpc_url} EVM_CONTRACT_ADDRESS={address} "
                          f"EVM_FROM_BLOCK={block}")

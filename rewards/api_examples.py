"""OpenAPI examples for balances, history, pool funding, minting, wallets, settlements, AI models,
usage events and attribution proofs, by operation id (read by openledger/schema.py; checked against
the schema by tests/openledger/test_schema_drift.py)."""

from drf_spectacular.utils import OpenApiExample

from rewards.proof import HOW_TO_VERIFY

ENTRY = {"transaction": 552, "kind": "acceptance_reward", "amount": "10000000000000000000",
         "amount_display": "10 OPEN", "reason": "Your record #4711 was accepted in First-aid Q&A", "record": 4711,
         "record_url": "/submissions/8d1f0c7e-52b1-4f7e-9a41-3c0f5f0f2b6d/#record-4711",
         "attribution_url": None, "created_at": "2026-11-20T11:02:00Z"}

FUND_TX = {"id": 560, "idempotency_key": "api:1:fund-2026-11", "kind": "fund_pool", "memo": "",
           "created_at": "2026-11-22T08:00:00Z"}

USAGE_ENTRY = {"transaction": 612, "kind": "usage_fee", "amount": "240000000000000000", "amount_display": "0.24 OPEN",
               "reason": "Usage fee: your records shaped an output of First-aid helper", "record": None,
               "record_url": None, "attribution_url": "/attributions/88/", "created_at": "2026-11-23T15:30:00Z"}

ADDRESS = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
BATCH_UUID = "3f0b7d4e-6a0c-4c2e-9b8e-1d2f3a4b5c6d"

FLAG = {"id": 3, "batch": 14, "adapter": "evm", "kind": "missing_on_chain",
        "detail": "Batch 14 is recorded as confirmed but the contract has no root for it.",
        "ledger_value": "0x1c9ebd6caf02840a5b2b7f0fc870ec1db154886ae9fe621b822b14fd0bf513d6", "chain_value": "",
        "first_seen_at": "2026-11-22T01:00:00Z", "last_seen_at": "2026-11-22T02:00:00Z"}

MODEL = {"id": 7, "name": "First-aid helper", "description": "Answers first-aid questions", "owner": "alice",
         "releases": [{"id": 3, "datanet": "first-aid-answers", "version": 2,
                       "merkle_root": "991758612f5549288d694c45b85333b5d4ce79dbe345a713203c8940d79faea3"}],
         "owner_bps": 2000, "contributors_bps": 6000, "datanet_bps": 1500, "treasury_bps": 500,
         "split_bps": {"model_owner": 2000, "contributors": 6000, "datanets": 1500, "treasury": 500},
         "prepaid_balance": None, "url": "/models/7/", "created_at": "2026-11-23T15:00:00Z"}

ATTRIBUTED_RECORD = {"record": 4711, "datanet": "first-aid-answers", "contributor": "bob", "weight": "1000000000",
                     "span": {"text": "cool the burn under cool running water for twenty minutes", "words": 10,
                              "start": 0, "end": 58}}

USAGE_EVENT = {"id": 90, "idempotency_key": "chat-2026-11-23-0001", "fee": "500000000000000000",
               "fee_display": "0.5 OPEN", "transaction": 612,
               "attribution": {"id": 88, "url": "/attributions/88/",
                               "commitment": "5c4f0b1e9f8a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f5e",
                               "attributed": True, "records": [ATTRIBUTED_RECORD]},
               "created_at": "2026-11-23T15:30:00Z"}


def _response(name: str, value, code: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[code])


def _request(name: str, value) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


EXAMPLES = {
    "rewards_balance": [_response("A contributor's balance", {
        "symbol": "OPEN", "decimals": 18, "balance": "10000000000000000000", "balance_display": "10 OPEN",
        "history": [ENTRY]})],
    "rewards_history": [_response("An acceptance reward", ENTRY), _response("A usage fee", USAGE_ENTRY)],
    "datanets_pool_fund": [
        _request("Fund from your balance", {"amount": "12.5"}),
        _response("Funded", {"transaction": FUND_TX, "pool_balance": "112500000000000000000",
                             "pool_balance_display": "112.5 OPEN"}, "201"),
    ],
    "treasury_mint": [
        _request("Mint", {"amount": "1000 OPEN", "memo": "November budget"}),
        _response("Minted", {"id": 559, "idempotency_key": "api:3:mint-2026-11", "kind": "mint",
                             "memo": "November budget", "created_at": "2026-11-22T07:59:00Z"}, "201"),
    ],
    "wallet_get": [_response("A linked wallet", {"address": ADDRESS, "linked_at": "2026-11-21T08:00:00Z"}),
                   _response("No wallet yet", {"address": "", "linked_at": None})],
    "wallet_challenge": [
        _request("Ask for a message to sign", {}),
        _response("Sign this", {
            "nonce": "a3f1c29e7b5d4e6f8091a2b3c4d5e6f7",
            "message": "Datanets: link this wallet to my account.\n\nAccount: bob\n"
                       "Nonce: a3f1c29e7b5d4e6f8091a2b3c4d5e6f7\nExpires: 2026-11-21 08:10:00 UTC\n\n"
                       "Signing proves that you control the wallet. It is not a transaction and costs nothing.",
            "expires_at": "2026-11-21T08:10:00Z"}, "201"),
    ],
    "wallet_link": [
        _request("The signed challenge", {"nonce": "a3f1c29e7b5d4e6f8091a2b3c4d5e6f7",
                                          "signature": "0x" + "4f" * 65, "address": ADDRESS}),
        _response("Linked", {"address": ADDRESS, "linked_at": "2026-11-21T08:01:00Z"}),
    ],
    "settlements_list": [_response("A confirmed settlement", {
        "batch": 14, "batch_uuid": BATCH_UUID, "state": "confirmed",
        "tx_id": "0x8e1d0c5b2a3f4e6d7c8b9a0f1e2d3c4b5a69788766554433221100ffeeddccbb", "adapter": "evm", "index": 0,
        "address": ADDRESS, "amount": "10000000000000000000", "amount_display": "10 OPEN",
        "created_at": "2026-11-22T00:00:00Z", "proof_url": f"/api/v1/settlements/{BATCH_UUID}/proof/"})],
    "settlements_proof": [_response("Your leaf and its proof", {
        "batch": 14, "batch_id": "14", "batch_uuid": BATCH_UUID, "adapter": "evm", "state": "confirmed",
        "tx_id": "0x8e1d0c5b2a3f4e6d7c8b9a0f1e2d3c4b5a69788766554433221100ffeeddccbb",
        "merkle_root": "0x1c9ebd6caf02840a5b2b7f0fc870ec1db154886ae9fe621b822b14fd0bf513d6", "index": 0,
        "account": ADDRESS, "amount": "10000000000000000000",
        "leaf": "0x2fe3a7c5b0f1e6d48a9c0b7d2e1f4a3b6c5d8e7f0a1b2c3d4e5f60718293a4b5",
        "proof": ["0x7d0a9c1b2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3"],
        "leaf_encoding": "keccak256(abi.encodePacked(uint256 index, address account, uint256 amount)); "
                         "pairs hashed in sorted order"})],
    "settlements_run": [
        _request("Settle now", {}),
        _response("One batch formed and confirmed", {"formed": 1, "submitted": 1, "confirmed": 1, "failed": 0}),
    ],
    "settlements_reconciliation": [_response("A batch missing on chain", FLAG)],
    "settlements_reconcile": [
        _request("Compare now", {}),
        _response("One difference still open", FLAG),
    ],
    "models_list": [_response("A public model", MODEL)],
    "models_create": [
        _request("Register", {"name": "First-aid helper", "description": "Answers first-aid questions",
                              "releases": [3]}),
        _response("Registered", MODEL, "201"),
    ],
    "models_retrieve": [_response("As its owner sees it", {**MODEL, "prepaid_balance": "25000000000000000000"})],
    "models_prepay": [
        _request("Prepay", {"amount": "25"}),
        _response("Prepaid", {"transaction": {"id": 611, "idempotency_key": "api:1:prepay-2026-11",
                                              "kind": "model_prepay", "memo": "", "created_at": "2026-11-23T15:05:00Z"},
                              "prepaid_balance": "25000000000000000000", "prepaid_balance_display": "25 OPEN"}, "201"),
    ],
    "models_usage_create": [
        _request("One answer of the model", {
            "idempotency_key": "chat-2026-11-23-0001", "fee": "0.5",
            "prompt": "What do I do about a burn?",
            "output": "Cool the burn under cool running water for twenty minutes, then cover it loosely."}),
        _response("Recorded and paid", USAGE_EVENT, "201"),
        _response("The same event again (a repeat of its idempotency_key)", USAGE_EVENT, "200"),
    ],
    "attributions_retrieve": [_response("A proof", {
        "id": 88, "usage_event": 90, "model": 7, "method": "hybrid-semantic-lexical", "method_version": "1",
        "embedding_model": "all-MiniLM-L6-v2",
        "commitment": "5c4f0b1e9f8a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f5e",
        "created_at": "2026-11-23T15:30:00Z",
        "body": {"method": "hybrid-semantic-lexical", "method_version": "1", "attributed": True,
                 "records": [{**ATTRIBUTED_RECORD, "content_hash": "b1946ac92492d2347c6235b4d2611184"}],
                 "split": {"model_owner": "100000000000000000", "contributors": "300000000000000000",
                           "datanets": "75000000000000000", "treasury": "25000000000000000"}},
        "redacted": False,
        "how_to_verify": HOW_TO_VERIFY})],
}

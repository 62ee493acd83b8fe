"""OpenAPI examples for balances, history, pool funding and minting, by operation id (read by
openledger/schema.py; checked against the schema by tests/openledger/test_schema_drift.py)."""

from drf_spectacular.utils import OpenApiExample

ENTRY = {"transaction": 552, "kind": "acceptance_reward", "amount": "10000000000000000000",
         "amount_display": "10 OPEN", "reason": "Your record #4711 was accepted in First-aid Q&A", "record": 4711,
         "record_url": "/submissions/8d1f0c7e-52b1-4f7e-9a41-3c0f5f0f2b6d/#record-4711",
         "created_at": "2026-11-20T11:02:00Z"}

FUND_TX = {"id": 560, "idempotency_key": "api:1:fund-2026-11", "kind": "fund_pool", "memo": "",
           "created_at": "2026-11-22T08:00:00Z"}


def _response(name: str, value, code: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[code])


def _request(name: str, value) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


EXAMPLES = {
    "rewards_balance": [_response("A contributor's balance", {
        "symbol": "OPEN", "decimals": 18, "balance": "10000000000000000000", "balance_display": "10 OPEN",
        "history": [ENTRY]})],
    "rewards_history": [_response("An acceptance reward", ENTRY)],
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
}

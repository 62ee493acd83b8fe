"""OpenAPI examples for tokens and `me`, by operation id (read by openledger/schema.py; checked
against the schema by tests/openledger/test_schema_drift.py)."""

from drf_spectacular.utils import OpenApiExample

EXAMPLES = {
    "auth_token_create": [
        OpenApiExample("Username and password", request_only=True,
                       value={"username": "alice", "password": "alice-demo-pass", "name": "laptop CLI"}),
        OpenApiExample("A read-only token", request_only=True,
                       value={"username": "alice", "password": "alice-demo-pass", "scope": "read"}),
        OpenApiExample("The token, shown once", response_only=True, status_codes=["201"], value={
            "token": "dn_3q2+7w_example_not_a_real_token", "name": "laptop CLI", "scope": "write",
            "prefix": "3q2+7w"}),
    ],
    "me_retrieve": [
        OpenApiExample("Signed in with a token", response_only=True, status_codes=["200"], value={
            "username": "alice", "email": "alice@example.org", "display_name": "Alice", "is_staff": False,
            "token_scope": "write"}),
    ],
}

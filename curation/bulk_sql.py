"""The bulk SQL of ingest: record inserts and the set lookups of one chunk, in plain SQL.

At thousands of records a second the ORM's per-object work (model instances, per-field
preparation, one placeholder per value of an IN list) costs more than the database does, so a
chunk's records are written as rows of prepared values and its lookups pass the whole set as
one parameter. Values are prepared by the same `connection.ops` adapters the ORM uses, so what
is stored is what `Record.objects.bulk_create` would store. Callers run inside the chunk's
transaction.
"""

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone

from datanets.models import Record

_ROWS_PER_STATEMENT = 500  # x 18 columns: SQLite allows 32,766 parameters per statement


def in_values(values: Iterable[Any], *, sql_type: str) -> tuple[str, Any]:
    """(`"<op> <placeholder>"`, its one parameter): the SQL for "column is one of `values`",
    whatever their number. `sql_type` is the column's type ("bigint" or "text")."""
    if connection.vendor == "postgresql":
        return f"= ANY(%b::{sql_type}[])", list(values)  # binary: no quoting
    # SQLite: a JSON array read back by json_each, probed against the column's index.
    return "IN (SELECT value FROM json_each(%s))", json.dumps(list(values))


def cursor() -> Any:
    """A cursor on the default connection for bulk statements (use as a context manager).

    PostgreSQL: a psycopg cursor with server-side binding, so thousands of values travel as
    parameters instead of being quoted into the SQL text (Django's cursors bind on the client).
    It shares the connection, hence the transaction, of the ORM."""
    if connection.vendor == "postgresql":
        return _psycopg_cursor()
    return connection.cursor()


@contextlib.contextmanager
def _psycopg_cursor() -> Iterator[Any]:
    """A raw psycopg cursor whose errors come out as Django's (OperationalError, IntegrityError…),
    as through the ORM: a connection the server cut is then a transient error the ingest task
    retries, not an internal one that fails the file (tests/faults), and Django knows the
    connection is unusable."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
        yield cur


def existing_hashes(datanet_id: int, hashes: list[str]) -> dict[str, int]:
    """{content hash: record id} of the datanet's records (duplicates aside) among `hashes`."""
    if not hashes:
        return {}
    q = connection.ops.quote_name
    match, param = in_values(hashes, sql_type="text")
    with cursor() as cur:
        # The condition of the unique index "record_content_once", so that index can answer.
        cur.execute(f"SELECT content_hash, id FROM {q(Record._meta.db_table)} WHERE datanet_id = %s AND "
                    f"NOT (status = %s) AND content_hash {match}", [datanet_id, Record.Status.REJECTED_DUPLICATE.value, param])
        return dict(cur.fetchall())


def records_insert(rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """Insert records given as {attname: value} (a field not given takes its default, and
    `created_at` is now); returns {row: id}. All rows belong to one submission: ids are matched
    back by their row number, which is unique per submission, so the order in which the database
    returns them does not matter."""
    if not rows:
        return {}
    fields = [f for f in Record._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {f.attname: f.get_default for f in fields}
    defaults["created_at"] = lambda: now
    q = connection.ops.quote_name
    head = f"INSERT INTO {q(Record._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
    returning = f" RETURNING {q(Record._meta.get_field('row').column)}, {q(Record._meta.pk.column)}"
    ids: dict[int, int] = {}
    with cursor() as cur:
        if connection.vendor == "postgresql":
            # One array per column, zipped back into rows by unnest: a short statement whatever
            # the number of rows (psycopg parses a statement's placeholders in Python).
            columns = []
            for f in fields:
                name, default, adapt = f.attname, defaults[f.attname], _adapter(f)
                columns.append([adapt(row[name] if name in row else default()) for row in rows])
            arrays = ", ".join(f"%b::{f.db_type(connection)}[]" for f in fields)  # binary: no quoting
            cur.execute(head + f"SELECT * FROM unnest({arrays})" + returning, columns)
            ids.update(cur.fetchall())
            return ids
        adapters = [(f.attname, defaults[f.attname], _adapter(f)) for f in fields]
        values = [adapt(row[name] if name in row else default()) for row in rows for name, default, adapt in adapters]
        placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
        width = len(fields)
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            count = min(_ROWS_PER_STATEMENT, len(rows) - start)
            cur.execute(head + "VALUES " + ", ".join([placeholder] * count) + returning,
                        values[start * width:(start + count) * width])
            ids.update(cur.fetchall())
    return ids


_PLAIN = frozenset({int, float, str, bytes, type(None)})


def json_dumps(value: Any) -> bytes:
    """JSON of a record's fields, receipt or components: orjson, ~5x the standard library's speed
    (ingest serialises three values per record). Values orjson refuses (integers beyond 64
    bits, non-string keys) go through the standard library. Not-a-number floats, which JSON
    cannot hold and PostgreSQL's jsonb refuses, are stored as null."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value).encode()


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    """The preparation of one column's values, as the ORM does it: JSON through the backend's
    JSON adapter; values the driver takes as they are, straight through; anything else (UUIDs,
    datetimes) through the field, remembering the last one (they repeat down a chunk)."""
    if isinstance(field, models.JSONField):
        if field.encoder is not None:
            return lambda value: None if value is None else connection.ops.adapt_json_value(value, field.encoder)
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return lambda value: None if value is None else Jsonb(value, dumps=json_dumps)
        return lambda value: None if value is None else json_dumps(value).decode()
    last: list[Any] = [object(), None]

    def adapt(value: Any) -> Any:
        if type(value) in _PLAIN:
            return value
        if value is not last[0]:
            # Choices members become their value (psycopg would store an Enum by its name).
            prepared = field.get_db_prep_save(value.value if isinstance(value, Enum) else value, connection)
            last[:] = [value, prepared]
        return last[1]

    return adapt

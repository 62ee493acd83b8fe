"""The bulk SQL of ingest: record inserts and the set lookups of one chunk, in plain SQL.

At thousands of records a second the ORM's per-object work (model instances, per-field
preparation, one placeholder per value of an IN list) costs more than the database does, so a
chunk's records are written as rows of prepared values and its lookups pass the whole set as
one parameter. Values are prepared by the same `connection.ops` adapters the ORM uses, so what
is stored is what `Record.objects.bulk_create` would store. Callers run inside the chunk's
transaction.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from datanets.models import Record

_ROWS_PER_STATEMENT = 500  # SQLite allows 32,766 parameters per statement, PostgreSQL 65,535


def in_values(values: Iterable[Any], *, sql_type: str) -> tuple[str, Any]:
    """(`"<op> <placeholder>"`, its one parameter): the SQL for "column is one of `values`",
    whatever their number. `sql_type` is the column's type ("bigint" or "text")."""
    if connection.vendor == "postgresql":
        return f"= ANY(%s::{sql_type}[])", list(values)
    # SQLite: a JSON array read back by json_each, probed against the column's index.
    return "IN (SELECT value FROM json_each(%s))", json.dumps(list(values))


def existing_hashes(datanet_id: int, hashes: list[str]) -> dict[str, int]:
    """{content hash: record id} of the datanet's records (duplicates aside) among `hashes`."""
    if not hashes:
        return {}
    q = connection.ops.quote_name
    match, param = in_values(hashes, sql_type="text")
    with connection.cursor() as cursor:
        # The condition of the unique index "record_content_once", so that index can answer.
        cursor.execute(f"SELECT content_hash, id FROM {q(Record._meta.db_table)} WHERE datanet_id = %s AND "
                       f"NOT (status = %s) AND content_hash {match}",
                       [datanet_id, Record.Status.REJECTED_DUPLICATE.value, param])
        return dict(cursor.fetchall())


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
    adapters = [(f.attname, defaults[f.attname], _adapter(f)) for f in fields]
    values = [adapt(row[name] if name in row else default()) for row in rows for name, default, adapt in adapters]
    q = connection.ops.quote_name
    head = (f"INSERT INTO {q(Record._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) VALUES ")
    returning = f" RETURNING {q(Record._meta.get_field('row').column)}, {q(Record._meta.pk.column)}"
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    width = len(fields)
    ids: dict[int, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            count = min(_ROWS_PER_STATEMENT, len(rows) - start)
            cursor.execute(head + ", ".join([placeholder] * count) + returning,
                           values[start * width:(start + count) * width])
            ids.update(cursor.fetchall())
    return ids


_PLAIN = frozenset({int, float, str, bytes, type(None)})


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    """The preparation of one column's values, as the ORM does it: JSON through the backend's
    JSON adapter; values the driver takes as they are, straight through; anything else (UUIDs,
    datetimes) through the field, remembering the last one (they repeat down a chunk)."""
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else connection.ops.adapt_json_value(value, field.encoder)
    last: list[Any] = [object(), None]

    def adapt(value: Any) -> Any:
        if type(value) in _PLAIN:
            return value
        if value is not last[0]:
            last[:] = [value, field.get_db_prep_save(value, connection)]
        return last[1]

    return adapt

"""Errors from ingest's bulk statements come out as Django's, so the ingest task can tell a
database that went away (retry) from a bug (fail the file): on PostgreSQL those statements run on
a raw psycopg cursor, which raised psycopg's own classes until it was wrapped."""

import pytest
from django.db import OperationalError, connection

from curation import bulk_sql
from curation.tasks import TRANSIENT

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_connection_cut_mid_statement_is_a_transient_error():
    statement = ("SELECT pg_terminate_backend(pg_backend_pid())" if connection.vendor == "postgresql"
                 else "SELECT * FROM a_table_that_is_not_there")  # SQLite's OperationalError
    with pytest.raises(OperationalError) as caught:
        with bulk_sql.cursor() as cur:
            cur.execute(statement)
    assert isinstance(caught.value, TRANSIENT)
    connection.close()  # the next test gets a fresh connection

"""Raw SQL helpers for tests that run on older shapes of the schema, where the models do not fit."""

from django.db import connection


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def columns(table):
    return {
        row[0]
        for row in sql(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
    }

"""Word-prefix search through GIN indexes, on any PostgreSQL (no extension needed).

A GIN index on `Words(<columns>)` serves `Words(<columns>) @@ prefix_query(term)`: every word of the term
begins a word of the columns. Models declare the index, selectors and views use the same expression.
"""
import re

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import Func


class OrEmpty(Func):
    template = "COALESCE(%(expressions)s, '')"


class Words(Func):
    """The words of some text columns, `to_tsvector('simple', …)`: lower-cased, no stemming, no stop words.

    Written without query parameters, so the expression of a GIN index on it and that of a query are the
    same text and the planner matches them. The parser splits at anything but letters and digits, keeps
    e-mail addresses and host names whole too (`fair.test`), and splits web addresses into host and path.
    """

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()

    def __init__(self, *columns):
        super().__init__(*(OrEmpty(column) for column in columns))


WORD = re.compile(r"[^\W_]+")
MAX_WORD = 100  # longer words are searched by their first 100 characters


def prefix_query(term: str) -> SearchQuery | None:
    """`ann mül` → every word must begin a word of the text (`'ann':* & 'mül':*`); None without a word."""
    words = WORD.findall(term.lower())
    if not words:
        return None
    return SearchQuery(" & ".join(f"'{word[:MAX_WORD]}':*" for word in words), search_type="raw", config="simple")

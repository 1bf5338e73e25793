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
    """The words of some text columns: runs of letters and digits, lower-cased (`to_tsvector('simple', …)`
    of the text with everything else turned into spaces; no stemming, no stop words). `ann.lee@fair.test`
    is the words ann, lee, fair, test; `https://expo.test/hall-3` is https, expo, test, hall, 3.

    Written without query parameters, so the expression of a GIN index on it and that of a query are the
    same text and the planner matches them.
    """

    template = "to_tsvector('simple'::regconfig, regexp_replace(%(expressions)s, '[^[:alnum:]]+', ' ', 'g'))"
    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()

    def __init__(self, *columns):
        super().__init__(*(OrEmpty(column) for column in columns))


WORD = re.compile(r"[^\W_]+")
MAX_WORD = 100  # longer words are searched by their first 100 characters


def prefix_query(term: str) -> SearchQuery | None:
    """`ann mül` → every word (run of letters and digits) must begin a word of the text, as `Words` splits
    it (`'ann':* & 'mül':*`); None when the term has no word."""
    words = WORD.findall(term.lower())
    if not words:
        return None
    return SearchQuery(" & ".join(f"'{word[:MAX_WORD]}':*" for word in words), search_type="raw", config="simple")

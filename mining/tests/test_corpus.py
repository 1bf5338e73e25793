"""The labelled corpus (corpus/): its size and languages, and floors under precision and recall per field,
so that a change that loses fidelity fails here. `python mining/tests/corpus/score.py -v` lists every miss."""

from mining.tests.corpus.score import rates, score

# (precision, recall) each field must keep; the figures reached are in the README's Mining section.
FLOORS = {
    "email": (0.99, 0.99),
    "first": (0.97, 0.93),
    "last": (0.93, 0.89),
    "company": (0.98, 0.78),
    "position": (0.95, 0.88),
    "country": (0.98, 0.94),
    "name": (0.95, 0.95),
    "email_value": (0.98, 0.98),
    "country_value": (0.98, 0.98),
    "country_text": (0.95, 0.95),
    "country_phone": (0.95, 0.95),
    "company_text": (0.95, 0.95),
}


def test_corpus_size_and_languages():
    result = score()
    assert result["cases"] >= 400
    assert {"en", "de", "fr", "es", "it", "pt", "nl", "tr"} <= result["languages"]


def test_every_field_keeps_its_precision_and_recall():
    fields = score()["fields"]
    assert set(fields) == set(FLOORS)
    below = {}
    for field, (min_precision, min_recall) in FLOORS.items():
        precision, recall = rates(fields[field])
        if precision < min_precision or recall < min_recall:
            below[field] = (round(precision, 3), round(recall, 3))
    assert below == {}

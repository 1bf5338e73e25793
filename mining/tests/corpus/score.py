"""Precision and recall of the page miner, the table miner and the normalizer over the labelled corpus.

    python mining/tests/corpus/score.py

The corpus (this folder): `pages/*.html` (a page, its labels in the leading comment), `sheets/*.csv` (a
spreadsheet, its labels in `<name>.labels`), `fields.tsv` (single values: names, emails, countries,
companies). A label line is `email | first | last | company | position | country`, "-" for "nothing here".

Scoring per field: a prediction equal to the label is a true positive; a prediction that differs (or
is made where the label says nothing) is a false positive; a label the prediction does not give is a
false negative. Emails: an address found and labelled is a true positive, found and not labelled a
false positive, labelled and not found a false negative.
"""

import csv
import sys
from collections import Counter
from pathlib import Path

if __name__ == "__main__":  # run as a script from anywhere: the project root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from mining.miners.base import MinerInput
from mining.miners.extract import extract_blocks, parse
from mining.miners.table import TableFileMiner
from mining.normalize import normalize_blocks
from mining.normalize.companies import company_from_text
from mining.normalize.countries import country_from_phone, country_from_text, to_iso2
from mining.normalize.emails import clean_email
from mining.normalize.names import parse_name

CORPUS = Path(__file__).resolve().parent
CONTACT_FIELDS = ("first", "last", "company", "position", "country")
FIELDS = ("email", *CONTACT_FIELDS, "name", "country_value", "country_text", "country_phone", "company_text")


def read_labels(lines):
    """(language, {email: {field: value or None}}) from label lines."""
    language, labels, header = None, {}, None
    for line in lines:
        line = line.strip()
        if line.startswith("lang:"):
            language = line.split(":", 1)[1].strip()
        elif line.startswith("email |"):
            header = [cell.strip() for cell in line.split("|")]
        elif header and "|" in line:
            cells = [cell.strip() for cell in line.split("|")]
            row = {name: (None if value == "-" else value) for name, value in zip(header, cells, strict=False)}
            labels[row.pop("email")] = row
    return language, labels


def page_cases():
    for path in sorted((CORPUS / "pages").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        comment = text[text.index("<!--") + 4 : text.index("-->")]
        language, labels = read_labels(comment.splitlines())
        blocks = extract_blocks(parse(text.encode("utf-8")), f"https://corpus.test/{path.stem}")
        yield path.name, language, labels, normalize_blocks(blocks, {"miner_name": "html_page"})[0]


def sheet_cases():
    for path in sorted((CORPUS / "sheets").glob("*.csv")):
        language, labels = read_labels(path.with_suffix(".labels").read_text(encoding="utf-8").splitlines())
        output = TableFileMiner().mine(MinerInput(file_name=path.name, file_data=path.read_bytes()))
        yield path.name, language, labels, normalize_blocks(output.blocks, {"miner_name": "table_file"})[0]


def predicted(candidate):
    affiliation = candidate.affiliations[0] if candidate.affiliations else None
    return {
        "first": candidate.first_name,
        "last": candidate.last_name,
        "company": affiliation and affiliation.company_name,
        "position": affiliation and affiliation.position,
        "country": affiliation and affiliation.country_code,
    }


FIELD_FUNCTIONS = {
    "name": lambda value: (
        "|".join(part or "" for part in parse_name(value, allow_single=True))
        if any(parse_name(value, allow_single=True))
        else None
    ),
    "email": clean_email,
    "country": to_iso2,
    "country_text": country_from_text,
    "country_phone": country_from_phone,
    "company_text": company_from_text,
}
# fields.tsv names its fields by what they read; in the report a structured country is `country_value`
REPORTED_AS = {"country": "country_value", "email": "email_value"}


def field_cases():
    with open(CORPUS / "fields.tsv", encoding="utf-8") as handle:
        for field, language, value, expected in csv.reader(
            (line for line in handle if not line.startswith("#")), delimiter="\t", quoting=csv.QUOTE_NONE
        ):
            yield field, language, value, None if expected == "-" else expected


def _same(field, got, want):
    if got is None or want is None:
        return got == want
    if field in ("company", "position", "company_text"):
        return " ".join(got.split()).casefold() == " ".join(want.split()).casefold()
    return got == want


def score():
    """{"fields": {field: Counter(tp, fp, fn)}, "cases": n, "languages": set, "misses": [...]}."""
    counts, languages, misses, cases = {}, set(), [], 0

    def count(field, got, want, where):
        tally = counts.setdefault(field, Counter())
        if _same(field, got, want):
            tally["tp"] += want is not None
            return
        tally["fp"] += got is not None
        tally["fn"] += want is not None
        misses.append((where, field, want, got))

    for name, language, labels, candidates in [*page_cases(), *sheet_cases()]:
        languages.add(language)
        found = {candidate.email: candidate for candidate in candidates}
        for email in set(found) | set(labels):
            count("email", email if email in found else None, email if email in labels else None, name)
        for email, label in labels.items():
            cases += 1
            got = predicted(found[email]) if email in found else dict.fromkeys(CONTACT_FIELDS)
            for field in CONTACT_FIELDS:
                count(field, got[field], label[field], f"{name} {email}")
    for field, language, value, expected in field_cases():
        cases += 1
        languages.add(language)
        count(REPORTED_AS.get(field, field), FIELD_FUNCTIONS[field](value), expected, f"fields.tsv {value!r}")
    return {"fields": counts, "cases": cases, "languages": languages, "misses": misses}


def rates(tally):
    precision = tally["tp"] / (tally["tp"] + tally["fp"]) if tally["tp"] + tally["fp"] else 1.0
    recall = tally["tp"] / (tally["tp"] + tally["fn"]) if tally["tp"] + tally["fn"] else 1.0
    return precision, recall


def main():
    result = score()
    print(
        f"{result['cases']} labelled cases in {len(result['languages'])} languages "
        f"({', '.join(sorted(result['languages']))})\n"
    )
    print(f"{'field':<16}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    for field, tally in result["fields"].items():
        precision, recall = rates(tally)
        print(f"{field:<16}{precision:>10.3f}{recall:>8.3f}{tally['tp']:>6}{tally['fp']:>5}{tally['fn']:>5}")
    if "-v" in sys.argv:
        print()
        for where, field, want, got in result["misses"]:
            print(f"{field:<14} {where}: labelled {want!r}, got {got!r}")


if __name__ == "__main__":
    main()

"""The page miner against a local fixture site, the table file miner against bad and good files."""

import io

from openpyxl import Workbook

from mining.miners import MinerInput, run_miners
from mining.miners.base import BLOCKED, FAILED, PARTIAL, SUCCESS
from mining.miners.extract import decode_cloudflare
from mining.miners.fetch import USER_AGENT, PoliteFetcher
from mining.miners.html import HtmlPageMiner
from mining.miners.table import TableFileMiner
from mining.normalize import normalize_output
from mining.tests.sites import cloudflare_encode

FAST = {"page_delay": 0, "timeout": 5}


def mine_url(url, **config):
    return HtmlPageMiner().mine(MinerInput(url=url, config=FAST | config))


def emails_of(output):
    candidates, _ = normalize_output(output.as_dict())
    return {c.email: c for c in candidates}


def test_home_page_with_obfuscated_and_cloudflare_emails_and_contact_pages(site):
    output = mine_url(site.url + "/home")
    assert output.status == SUCCESS
    found = emails_of(output)
    assert {
        "jane@acme-fairs.de",
        "press@acme-fairs.de",
        "sales@acme-fairs.de",
        "k.mueller@acme-fairs.de",
        "info@acme-fairs.de",
        "eva.schmidt@acme-fairs.de",
    } == set(found)
    klaus = found["k.mueller@acme-fairs.de"]
    assert (klaus.first_name, klaus.last_name) == ("Klaus", "Müller")
    assert klaus.affiliations[0].position == "Geschäftsführer"
    assert klaus.affiliations[0].country_code == "DE"
    assert klaus.affiliations[0].phone == "+49301234567"
    eva = found["eva.schmidt@acme-fairs.de"]
    assert (eva.first_name, eva.last_name, eva.affiliations[0].company_name, eva.affiliations[0].position) == (
        "Eva",
        "Schmidt",
        "Acme Fairs GmbH",
        "Head of Sales",
    )
    assert found["info@acme-fairs.de"].affiliations[0].city == "Berlin"
    assert found["k.mueller@acme-fairs.de"].extraction_meta["source_url"].endswith("/kontakt")
    assert "Klaus Müller" in found["k.mueller@acme-fairs.de"].extraction_meta["context_snippet"]
    assert output.page_title == "Acme Fairs"
    fetched = {path for path, _ua, _t in site.requests}
    assert "/robots.txt" in fetched and "/kontakt" in fetched and "/about-us" in fetched
    assert all(ua == USER_AGENT for _path, ua, _t in site.requests)


def test_paginated_directory_stops_after_three_empty_pages(site):
    output = mine_url(site.url + "/directory?page=1", follow_contact_pages=False)
    assert len(emails_of(output)) == 9
    pages = [path for path, _ua, _t in site.requests if path.startswith("/directory")]
    assert pages == [f"/directory?page={n}" for n in range(1, 7)]  # 3 with emails, then 3 empty


def test_pagination_respects_max_pages(site):
    mine_url(site.url + "/directory?page=1", follow_contact_pages=False, max_pages=2)
    assert [p for p, _ua, _t in site.requests if p.startswith("/directory")] == [
        "/directory?page=1",
        "/directory?page=2",
    ]


def test_path_pagination_stops_after_two_duplicate_pages(site):
    output = mine_url(site.url + "/exhibitors", follow_contact_pages=False)
    assert set(emails_of(output)) == {"anna.berg@stand.se"}
    assert [p for p, _ua, _t in site.requests if p.startswith("/exhibitors")] == [
        "/exhibitors",
        "/exhibitors/page/2/",
        "/exhibitors/page/3/",
    ]


def test_robots_txt_disallow_blocks_the_page(site):
    output = mine_url(site.url + "/private/list")
    assert output.status == BLOCKED and "robots.txt" in output.error
    assert "/private/list" not in [p for p, _ua, _t in site.requests]


def test_slow_page_times_out(site):
    output = mine_url(site.url + "/slow", timeout=0.5)
    assert output.status == FAILED and "timed out" in output.error


def test_huge_page_is_cut_off_by_the_size_cap(site):
    output = mine_url(site.url + "/huge", max_bytes=100_000)
    assert output.status == FAILED and "larger than 100000 bytes" in output.error


def test_non_utf8_page_is_decoded(site):
    found = emails_of(mine_url(site.url + "/latin1"))
    assert set(found) == {"juergen.weiss@messe-sued.de", "j.weiss@messe-süd.de"}  # an IDN domain is a domain
    assert (found["juergen.weiss@messe-sued.de"].first_name, found["juergen.weiss@messe-sued.de"].last_name) == (
        "Jürgen",
        "Weiß",
    )


def test_vcard_markup_gives_structured_fields(site):
    [tom] = emails_of(mine_url(site.url + "/vcard")).values()
    assert (tom.first_name, tom.last_name) == ("Tom", "Baker")
    assert (tom.affiliations[0].company_name, tom.affiliations[0].position, tom.affiliations[0].country_code) == (
        "Expo London Ltd",
        "Partnerships Lead",
        "GB",
    )


def test_missing_page_fails_and_a_cancel_stops_the_crawl(site):
    assert mine_url(site.url + "/nowhere").status == FAILED
    calls = iter([True, False])
    output = HtmlPageMiner().mine(
        MinerInput(url=site.url + "/directory?page=1", config=FAST), should_continue=lambda: next(calls, False)
    )
    assert output.status == PARTIAL


def test_per_host_delay_is_kept():
    clock = {"now": 0.0}
    slept = []
    fetcher = PoliteFetcher(delay=2.0, clock=lambda: clock["now"], sleep=lambda s: slept.append(s))
    fetcher._wait_for_host("http://a.test/1")
    clock["now"] = 0.5
    fetcher._wait_for_host("http://a.test/2")
    fetcher._wait_for_host("http://b.test/1")
    assert slept == [1.5]


def test_cloudflare_decoding():
    assert decode_cloudflare(cloudflare_encode("x@acme.de", key=0x7A)) == "x@acme.de"
    assert decode_cloudflare("zz") is None


def mine_file(name, data):
    return TableFileMiner().mine(MinerInput(file_name=name, file_data=data))


def test_csv_with_header_below_a_title_and_multilingual_aliases():
    data = (
        "Ausstellerliste 2026\n\nFirma;Vorname;Nachname;E-Mail-Adresse;Land;Lead Source\n"
        "Acme GmbH;Jane;Doe;jane.doe@acme.de;Deutschland;fair\n"
        ";;;;;\n"
        "Globex AG;Max;Muster;no email here;Schweiz;web\n"
    ).encode("cp1252")
    output = mine_file("list.csv", data)
    assert output.status == SUCCESS
    [block] = output.blocks
    assert block["contact_name"] == "Jane Doe" and block["company_name"] == "Acme GmbH"
    assert block["raw"] == {"Lead Source": "fair"}  # unmapped columns kept, "lead source" is not a name
    [candidate] = emails_of(output).values()
    assert candidate.affiliations[0].country_code == "DE"


def test_csv_utf16_and_tabs():
    data = "Name\tEmail\tCountry\nJosé García\tjose@ferias.es\tEspaña\n".encode("utf-16")
    [candidate] = emails_of(mine_file("x.csv", data)).values()
    assert (candidate.first_name, candidate.last_name, candidate.affiliations[0].country_code) == (
        "José",
        "García",
        "ES",
    )


def test_xlsx_file():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Company Name", "Contact Email", "Job Title"])
    sheet.append(["Initech LLC", "peter@initech.com", "Engineer"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [candidate] = emails_of(mine_file("x.xlsx", buffer.getvalue())).values()
    assert candidate.affiliations[0].company_name == "Initech LLC"
    assert candidate.affiliations[0].position == "Engineer"


def test_bad_files_give_clear_errors():
    no_email = mine_file("x.csv", b"Name,Company\nJane,Acme\n")
    assert (
        no_email.status == FAILED
        and no_email.error == 'No email column found. Columns in the first row: "Name", "Company".'
    )
    empty = mine_file("x.csv", b"")
    assert empty.status == FAILED and empty.error == "The file is empty."
    broken = mine_file("x.xlsx", b"PK\x03\x04 this is not a workbook")
    assert broken.status == FAILED and broken.error == "The file is not a readable XLSX workbook."
    blank = mine_file("x.csv", b"\n\n  \n")
    assert blank.status == FAILED and blank.error == "The file has no rows."


def test_orchestrator_runs_only_applicable_miners(site):
    merged, outputs = run_miners(MinerInput(url=site.url + "/vcard", config=FAST))
    assert [o.miner_name for o in outputs] == ["html_page"]
    assert merged["status"] == SUCCESS and merged["raw"]["blocks"][0]["miner_name"] == "html_page"
    assert run_miners(MinerInput(file_name="x.pdf", file_data=b"%PDF")) == (None, [])


def test_csv_encodings_without_a_bom_and_binary_garbage():
    utf16 = "Email;Firma\nana@expo.es;Ferias Madrid S.L.\n".encode("utf-16-le")
    [block] = mine_file("x.csv", utf16).blocks
    assert block["company_name"] == "Ferias Madrid S.L."
    garbage = mine_file("x.csv", bytes(range(256)) * 20)
    assert garbage.status == FAILED and garbage.error.startswith("The file is not readable text")

"""The page miner keeps the structure that holds a person: table rows under their header cells, list items,
definition-list groups, footers, JSON-LD, and follows the pagination of any listing page it reaches."""

import pytest

from mining.miners import MinerInput
from mining.miners.base import SUCCESS
from mining.miners.html import HtmlPageMiner
from mining.normalize import normalize_output

FAST = {"page_delay": 0, "timeout": 5}


@pytest.fixture
def local_site(site, settings):
    """The fixture site listens on loopback, which the fetcher refuses unless told otherwise."""
    settings.MINING_ALLOW_PRIVATE_ADDRESSES = True
    return site


def mine(url, **config):
    output = HtmlPageMiner().mine(MinerInput(url=url, config=FAST | config))
    candidates, _rejected = normalize_output(output.as_dict())
    return output, {candidate.email: candidate for candidate in candidates}


def summary(candidate):
    affiliation = candidate.affiliations[0]
    return (
        candidate.first_name,
        candidate.last_name,
        affiliation.company_name,
        affiliation.position,
        affiliation.country_code,
    )


def test_table_header_cells_name_the_fields_of_each_row(local_site):
    _output, found = mine(local_site.url + "/exhibitor-table", follow_contact_pages=False)
    # a role mailbox keeps the row's company, position and country, but never the person's name
    assert summary(found["info@mueller-mb.de"]) == (
        None,
        None,
        "Müller Maschinenbau GmbH & Co. KG",
        "Geschäftsführer",
        "DE",
    )
    assert summary(found["ayse.yilmaz@yilmaz-tekstil.com"]) == (
        "Ayşe",
        "Yılmaz",
        "Yılmaz Tekstil San. ve Tic. Ltd. Şti.",
        "İhracat Müdürü",
        "TR",
    )
    assert "Hans" not in found["ayse.yilmaz@yilmaz-tekstil.com"].extraction_meta["context_snippet"]


def test_definition_list_footer_obfuscations_and_json_ld(local_site):
    _output, found = mine(local_site.url + "/structured", follow_contact_pages=False)
    assert set(found) == {
        "jean.dupont@salons-lyon.fr",
        "marie.martin@salons-lyon.fr",
        "press@salons-lyon.fr",
        "anna@salons-lyon.fr",
        "luc.bernard@salons-lyon.fr",
        "contact@salons-lyon.fr",
        "ventes@salons-lyon.fr",
        "claire.lefevre@salons-lyon.fr",
    }
    # each person of the definition list gets their own term and details, not the neighbour's
    assert summary(found["jean.dupont@salons-lyon.fr"]) == (
        "Jean",
        "Dupont",
        "Salons Lyon SARL",
        "Directeur commercial",
        "FR",
    )
    assert summary(found["marie.martin@salons-lyon.fr"])[:2] == ("Marie", "Martin")
    assert summary(found["marie.martin@salons-lyon.fr"])[3] == "Responsable marketing"
    assert "Jean" not in found["marie.martin@salons-lyon.fr"].extraction_meta["context_snippet"]
    footer = found["contact@salons-lyon.fr"]
    assert (footer.affiliations[0].company_name, footer.affiliations[0].country_code) == ("Salons Lyon SARL", "FR")
    contact_point = found["ventes@salons-lyon.fr"].affiliations[0]
    assert (contact_point.company_name, contact_point.phone, contact_point.city) == (
        "Salons Lyon SARL",
        "+33 4 12 34 56 79",
        "Lyon",
    )
    claire = found["claire.lefevre@salons-lyon.fr"]
    assert summary(claire) == ("Claire", "Lefèvre", "Salons Lyon SARL", "Directrice", "FR")
    assert claire.affiliations[0].phone == "+33 6 12 34 56 78"
    assert (found["luc.bernard@salons-lyon.fr"].first_name, found["luc.bernard@salons-lyon.fr"].last_name) == (
        "Luc",
        "Bernard",
    )


def test_pagination_of_a_listing_reached_through_a_contact_link_ends_normally_at_a_404(local_site):
    output, found = mine(local_site.url + "/fair")
    assert output.status == SUCCESS
    assert {"s.rossi@fair-team.it", "luca.bianchi@fair-team.it", "marta.verdi@fair-team.it"} <= set(found)
    assert summary(found["luca.bianchi@fair-team.it"])[:4] == ("Luca", "Bianchi", None, "Sales Director")
    paths = [path for path, _ua, _t in local_site.requests]
    assert paths.count("/team/members-3") == 1
    assert any(event["message"] == "Pagination ended" for event in output.events)


def test_a_404_at_the_end_of_numbered_pagination_is_a_normal_end(local_site):
    output, found = mine(local_site.url + "/catalog?page=1", follow_contact_pages=False)
    assert output.status == SUCCESS and output.error is None
    assert set(found) == {"catalog1@fair-catalog.es", "catalog2@fair-catalog.es"}
    assert [p for p, _ua, _t in local_site.requests if p.startswith("/catalog")] == [
        "/catalog?page=1",
        "/catalog?page=2",
        "/catalog?page=3",
    ]


def test_pagination_is_bounded_by_max_pages(local_site):
    mine(local_site.url + "/fair", max_pages=2)
    assert [p for p, _ua, _t in local_site.requests if p not in ("/robots.txt",)] == ["/fair", "/team"]

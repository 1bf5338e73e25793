"""Persons in the admin: the list with the latest affiliation, the person page, indexed search."""

import pytest
from django.db import connection
from django.urls import reverse

from campaigns.tests.factories import CampaignEventFactory, CampaignFactory, CampaignRecipientFactory
from django.contrib import admin
from persons.models import Affiliation, Person
from persons.tests.factories import AffiliationFactory, PersonFactory, ProspectIntentFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/persons/person/"


def test_the_list_shows_company_and_country_of_the_latest_affiliation(platform_admin, organizer):
    person = PersonFactory(organizer=organizer, email="ann@fair.test")
    AffiliationFactory(person=person, company_name="Old Fair", country_code="FR")
    AffiliationFactory(person=person, company_name="Expo Praha", country_code="CZ")
    row = platform_admin.get(CHANGELIST).content.decode()
    assert "Expo Praha" in row and "CZ" in row and "Old Fair" not in row


def test_search_matches_the_start_of_email_first_or_last_name(platform_admin, organizer):
    PersonFactory(organizer=organizer, email="maria.rossi@fiera.it", first_name="Maria", last_name="Rossi")
    PersonFactory(organizer=organizer, email="jan@expo.cz", first_name="Jan", last_name="Novák")

    def found(term):
        return {p.email for p in platform_admin.get(CHANGELIST, {"q": term}).context["cl"].result_list}

    assert found("MARIA") == {"maria.rossi@fiera.it"}
    assert found("nov") == {"jan@expo.cz"}
    assert found("jan nov") == {"jan@expo.cz"}
    assert found("rossi@") == set()  # a prefix, not a substring


PREFIX_INDEXES = {"persons_email_prefix_idx", "persons_first_name_prefix_idx", "persons_last_name_prefix_idx"}


@pytest.mark.parametrize(
    "model, term, indexes",
    [
        (Person, "ann", PREFIX_INDEXES),
        (Person, "ann@fair.test", PREFIX_INDEXES),
        (Affiliation, "expo", {"affiliation_company_prefix_idx"}),
    ],
)
def test_the_admin_searches_are_served_by_the_prefix_indexes(model, term, indexes, rf, staff_user):
    """EXPLAIN of the admin's own search query: with sequential scans ruled out, the plan must use the
    prefix indexes (which it can only do if they match the query's expressions). A few thousand analyzed
    rows, so that the planner weighs the indexes by their size and not by a tie among empty ones."""
    organizer = PersonFactory().organizer
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO persons (organizer_id, email, first_name, last_name)"
            " SELECT %s, 'p' || n || '@x.test', 'F' || n, 'L' || n FROM generate_series(1, 3000) AS n",
            [organizer.pk],
        )
        cursor.execute(
            "INSERT INTO affiliations (organizer_id, person_id, company_name)"
            " SELECT organizer_id, id, 'Company ' || email FROM persons WHERE organizer_id = %s",
            [organizer.pk],
        )
        cursor.execute("ANALYZE persons, affiliations")
    request = rf.get("/admin/")
    request.user = staff_user
    queryset, _ = admin.site._registry[model].get_search_results(request, model.objects.all(), term)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert indexes <= {name for name in plan.split() if name.endswith("_prefix_idx")}, plan


def test_person_page_shows_latest_affiliation_score_timeline_and_intents(platform_admin, organizer):
    person = PersonFactory(organizer=organizer, email="ann@fair.test")
    affiliation = AffiliationFactory(
        person=person, company_name="Expo Praha", position="Sales Director", country_code="CZ", city="Prague"
    )
    campaign = CampaignFactory(organizer=organizer, name="Spring fair")
    recipient = CampaignRecipientFactory(campaign=campaign, person=person, email=person.email)
    for event_type in ("sent", "open", "click"):
        CampaignEventFactory(recipient=recipient, person=person, event_type=event_type)
    ProspectIntentFactory(person=person, campaign=campaign, intent_type="meeting_booked")
    page = platform_admin.get(reverse("admin:persons_person_change", args=[person.pk])).content.decode()
    assert str(affiliation) == "Sales Director at Expo Praha"
    assert "Sales Director at Expo Praha</a> (Prague, CZ)" in page
    assert "55 / 100 (campaigns opened +5, campaigns clicked +10, intents +40)" in page
    assert page.count("Spring fair</a>") >= 3  # one per event of the timeline, and the intent
    assert "meeting_booked" in page and f"?person={person.pk}" in page


NO_INLINE_ROWS = {
    f"{prefix}-{key}": "0" for prefix in ("affiliations", "intents") for key in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def test_staff_add_a_person_with_a_normalized_unique_email(platform_admin, organizer):
    PersonFactory(organizer=organizer, email="taken@fair.test")
    add = reverse("admin:persons_person_add")
    refused = platform_admin.post(add, {"organizer": organizer.pk, "email": "Taken@Fair.test", **NO_INLINE_ROWS})
    assert refused.context["adminform"].form.errors["email"] == [
        "This organizer already has a person with this address."
    ]
    response = platform_admin.post(
        add, {"organizer": organizer.pk, "email": " New@Fair.TEST ", "first_name": "N", **NO_INLINE_ROWS}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Person.objects.filter(organizer=organizer, email="new@fair.test").exists()


def test_affiliations_added_on_the_person_page_belong_to_its_organizer(platform_admin, organizer):
    person = PersonFactory(organizer=organizer)
    data = {
        "first_name": "Ann",
        "last_name": "Lee",
        "affiliations-TOTAL_FORMS": "1",
        "affiliations-INITIAL_FORMS": "0",
        "affiliations-0-company_name": "Fair GmbH",
        "affiliations-0-country_code": "DE",
        "intents-TOTAL_FORMS": "0",
        "intents-INITIAL_FORMS": "0",
    }
    response = platform_admin.post(reverse("admin:persons_person_change", args=[person.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Affiliation.objects.get(person=person).organizer == organizer

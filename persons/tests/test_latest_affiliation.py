"""A person's latest affiliation is the same in the list, the detail and the admin."""

import pytest

from persons.tests.factories import AffiliationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_person_detail_shows_the_latest_affiliation_of_its_list_row(member_client, organizer, platform_admin):
    person = PersonFactory(organizer=organizer)
    AffiliationFactory(person=person, company_name="Old Fair")
    AffiliationFactory(person=person, company_name="Expo Praha")
    row = next(p for p in member_client.get("/api/persons").json()["results"] if p["id"] == str(person.pk))
    detail = member_client.get(f"/api/persons/{person.pk}").json()
    assert row["latest_affiliation"]["company_name"] == "Expo Praha"
    assert detail["latest_affiliation"] == row["latest_affiliation"]
    assert "Expo Praha" in platform_admin.get(f"/admin/persons/person/{person.pk}/change/").content.decode()

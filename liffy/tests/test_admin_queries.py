"""Admin pages cost a fixed number of queries, whatever the number of rows they show; big lists are never
counted in full."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liffy.admin_base import EstimatedCountPaginator
from liffy.testing import admin_client_for
from liffy.tests.admin_rows import TENANT_ADMINS, admin_url, change_url, make_row
from liffy.tests.factories import OrganizerFactory

pytestmark = pytest.mark.django_db
MANY = 6


def grow(obj, organizer):
    """Give `obj` many of the rows its page shows (inline rows, timeline, counts…)."""
    from campaigns.tests.factories import CampaignEventFactory, CampaignRecipientFactory
    from legacy.tests.factories import ListMemberFactory
    from mining.tests.factories import MiningJobLogFactory, MiningResultFactory
    from persons.tests.factories import AffiliationFactory, PersonFactory, ProspectIntentFactory

    label = obj._meta.label
    for number in range(MANY):
        if label == "persons.Person":
            AffiliationFactory(person=obj)
            ProspectIntentFactory(
                person=obj,
                intent_type="reply",
                campaign=CampaignRecipientFactory(campaign__organizer=organizer).campaign,
            )
            CampaignEventFactory(recipient__campaign__organizer=organizer, person=obj)
            ListMemberFactory(list__organizer=organizer, person=obj)
        elif label == "campaigns.Campaign":
            recipient = CampaignRecipientFactory(campaign=obj, status=("sent", "delivered", "bounced")[number % 3])
            CampaignEventFactory(recipient=recipient, event_type=("sent", "open", "click")[number % 3])
        elif label == "legacy.List":
            ListMemberFactory(list=obj, person=PersonFactory(organizer=organizer))
        elif label == "mining.MiningJob":
            MiningResultFactory(job=obj)
            MiningJobLogFactory(job=obj)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture(params=["platform staff", "organizer staff"])
def viewer(request, staff_user, organizer_staff):
    if request.param == "platform staff":
        return admin_client_for(staff_user)
    staff = organizer_staff(group="Support (read-only)")
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_group", "view_authtoken", "view_accessattempt"])
    )
    return admin_client_for(staff)


@pytest.mark.parametrize("model, model_admin", TENANT_ADMINS, ids=[m._meta.label for m, _ in TENANT_ADMINS])
def test_list_and_page_queries_do_not_grow_with_rows(model, model_admin, viewer, organizer):
    first = make_row(model, organizer)
    changelist = admin_url(model, "changelist")
    queries(viewer, changelist), queries(viewer, change_url(first))  # warm the per-process caches
    one_row, one_page = queries(viewer, changelist), queries(viewer, change_url(first))
    for _ in range(MANY):
        # one throttle row per organizer: the others' rows (which organizer staff do not see)
        make_row(model, OrganizerFactory() if model._meta.label == "campaigns.SendThrottle" else organizer)
    grow(first, organizer)
    assert queries(viewer, changelist) == one_row
    assert queries(viewer, change_url(first)) == one_page


def test_lists_beyond_the_exact_limit_show_an_estimate_without_counting_everything(
    platform_admin, organizer, monkeypatch
):
    from persons.tests.factories import PersonFactory

    monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 3)
    for _ in range(5):
        PersonFactory(organizer=organizer)
    with CaptureQueriesContext(connection) as captured:
        response = platform_admin.get(reverse("admin:persons_person_changelist"))
    sql = [query["sql"] for query in captured]
    assert any("LIMIT 4" in line and "COUNT(*)" in line for line in sql)  # bounded
    assert not any("COUNT(*)" in line and "LIMIT" not in line and "persons" in line for line in sql)
    assert any(line.startswith("EXPLAIN (FORMAT JSON)") for line in sql)
    assert response.context["cl"].paginator.is_estimate
    assert "beyond 3 rows the total is an estimate" in response.content.decode()


def test_small_lists_are_counted_exactly(platform_admin, organizer):
    from persons.tests.factories import PersonFactory

    for _ in range(3):
        PersonFactory(organizer=organizer)
    response = platform_admin.get(reverse("admin:persons_person_changelist"))
    assert response.context["cl"].result_count == 3 and not response.context["cl"].paginator.is_estimate

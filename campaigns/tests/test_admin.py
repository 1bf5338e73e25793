"""Campaigns in the admin: invariants as in the API, lifecycle actions with a confirmation, the campaign page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import Campaign, EmailTemplate, SenderIdentity
from campaigns.tests.factories import (
    CampaignEventFactory,
    CampaignFactory,
    CampaignRecipientFactory,
    EmailTemplateFactory,
    SenderIdentityFactory,
)
from legacy.tests.factories import ListFactory, ListMemberFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/campaigns/campaign/"


def shown(response):
    return [str(message) for message in response.context["messages"]]


def change(campaign):
    return reverse("admin:campaigns_campaign_change", args=[campaign.pk])


def form_data(campaign, **changes):
    data = {
        "name": campaign.name,
        "template": campaign.template_id,
        "list": campaign.list_id or "",
        "sender": campaign.sender_id or "",
        "verification_mode": campaign.verification_mode,
    }
    return {**data, **changes}


@pytest.fixture
def draft(organizer):
    campaign = CampaignFactory(
        organizer=organizer, sender=SenderIdentityFactory(organizer=organizer), list=ListFactory(organizer=organizer)
    )
    ListMemberFactory(list=campaign.list, person__email="ann@client.test")
    return campaign


def test_a_reference_to_another_organizers_row_is_refused_on_add_and_change(
    platform_admin, organizer, other_organizer, draft
):
    foreign = EmailTemplateFactory(organizer=other_organizer)
    response = platform_admin.post(
        reverse("admin:campaigns_campaign_add"),
        {"organizer": organizer.pk, "name": "Mixed", "template": foreign.pk, "verification_mode": "exclude_invalid"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["template"] == ["This template belongs to another organizer."]
    assert not Campaign.objects.filter(name="Mixed").exists()
    response = platform_admin.post(change(draft), form_data(draft, template=foreign.pk))
    assert response.status_code == 200 and "template" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.template.organizer == organizer


def test_the_same_check_guards_the_services_and_the_models(draft, other_organizer):
    from django.core.exceptions import ValidationError

    from liffy.errors import InvalidInput

    foreign = EmailTemplateFactory(organizer=other_organizer)
    with pytest.raises(InvalidInput) as refused:
        lifecycle.update_campaign(draft, template=foreign)
    assert refused.value.errors == {"template": ["This template belongs to another organizer."]}
    draft.refresh_from_db()
    draft.organizer = other_organizer
    with pytest.raises(ValidationError, match="organizer of a saved row cannot change"):
        draft.save()
    assert Campaign.objects.get(pk=draft.pk).organizer_id != other_organizer.pk


def test_status_and_organizer_cannot_be_edited_and_a_sent_campaign_not_at_all(
    platform_admin, other_organizer, organizer
):
    done = CampaignFactory(organizer=organizer, status="completed")
    form = platform_admin.get(change(done)).context["adminform"].form
    assert not {"status", "organizer", "template", "name"} & set(form.fields)
    platform_admin.post(change(done), {"status": "draft", "organizer": other_organizer.pk, "name": "Renamed"})
    done.refresh_from_db()
    assert (done.status, done.organizer, done.name) == ("completed", organizer, done.name)


def test_a_draft_is_edited_through_the_lifecycle_service(platform_admin, draft):
    response = platform_admin.post(change(draft), form_data(draft, name="Renamed"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Renamed"


def test_an_action_asks_for_confirmation_then_runs_the_service(platform_admin, draft):
    selection = {"action": "resolve", "_selected_action": [draft.pk]}
    confirmation = platform_admin.post(CHANGELIST, selection)
    page = confirmation.content.decode()
    assert "Resolve into recipients: are you sure?" in page and draft.name in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    response = platform_admin.post(CHANGELIST, {**selection, "confirmed": "yes"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == "ready" and "1 campaign resolved." in shown(response)
    assert f"{draft.name}: 1 of the list's 1 members became recipients." in shown(response)


def test_a_refusal_of_the_service_is_an_error_message(platform_admin, draft):
    button = reverse("admin:campaigns_campaign_service_action", args=[draft.pk, "pause"])
    response = platform_admin.post(button, {"confirmed": "yes"}, follow=True)
    assert f"{draft.name}: A draft campaign cannot be paused." in shown(response)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_campaign_page_offers_the_actions_its_status_allows(platform_admin, draft):
    page = platform_admin.get(change(draft)).content.decode()
    assert "Resolve into recipients" in page and "Cancel</a>" in page and ">Pause<" not in page


def test_schedule_asks_for_the_time(platform_admin, draft):
    lifecycle_ready = Campaign.objects.filter(pk=draft.pk)
    lifecycle_ready.update(status="ready")
    url = reverse("admin:campaigns_campaign_service_action", args=[draft.pk, "schedule"])
    when = timezone.now() + timedelta(days=2)
    refused = platform_admin.post(url, {"confirmed": "yes"})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    response = platform_admin.post(
        url,
        {"confirmed": "yes", "scheduled_at_0": when.strftime("%Y-%m-%d"), "scheduled_at_1": when.strftime("%H:%M:%S")},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == "scheduled" and "1 campaign scheduled." in shown(response)


def test_a_sending_campaign_cannot_be_deleted(platform_admin, organizer):
    sending = CampaignFactory(organizer=organizer, status="sending")
    response = platform_admin.post(
        reverse("admin:campaigns_campaign_delete", args=[sending.pk]), {"post": "yes"}, follow=True
    )
    assert "A sending campaign cannot be deleted." in shown(response)
    assert Campaign.objects.filter(pk=sending.pk).exists()


def test_campaign_page_shows_analytics_and_recipients_by_status(platform_admin, organizer):
    campaign = CampaignFactory(organizer=organizer, status="completed")
    for status in ("delivered", "delivered", "bounced"):
        recipient = CampaignRecipientFactory(campaign=campaign, status=status)
        CampaignEventFactory(recipient=recipient, event_type="sent")
    page = platform_admin.get(change(campaign)).content.decode()
    assert f'campaign__id__exact={campaign.pk}&amp;status__exact=delivered">2 delivered</a>' in page
    assert "1 bounced</a>" in page and "all recipients</a>" in page
    assert "<th>sent</th><td>3</td>" in page
    recipients = platform_admin.get(
        reverse("admin:campaigns_campaignrecipient_changelist"),
        {"campaign__id__exact": campaign.pk, "status__exact": "delivered"},
    )
    assert recipients.context["cl"].result_count == 2


def test_templates_preview_clone_and_in_use_templates_are_kept(platform_admin, organizer):
    template = EmailTemplateFactory(organizer=organizer, name="Invite", subject="Hi {{display_name}}")
    page = platform_admin.get(reverse("admin:campaigns_emailtemplate_change", args=[template.pk])).content.decode()
    assert "Hi Jane" in page and "<iframe sandbox" in page
    platform_admin.post(
        "/admin/campaigns/emailtemplate/", {"action": "clone", "_selected_action": [template.pk], "confirmed": "yes"}
    )
    assert EmailTemplate.objects.filter(name="Copy of Invite", organizer=organizer).exists()
    CampaignFactory(organizer=organizer, template=template)
    response = platform_admin.post(
        reverse("admin:campaigns_emailtemplate_delete", args=[template.pk]), {"post": "yes"}, follow=True
    )
    assert EmailTemplate.objects.filter(pk=template.pk).exists() and response.context["messages"]


def test_senders_keep_one_default_and_are_deactivated_not_deleted(platform_admin, organizer):
    old = SenderIdentityFactory(organizer=organizer, is_default=True)
    response = platform_admin.post(
        "/admin/campaigns/senderidentity/add/",
        {
            "organizer": organizer.pk,
            "from_name": "New",
            "from_email": "new@acme.de",
            "is_default": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert not old.is_default and SenderIdentity.objects.get(from_email="new@acme.de").is_default
    platform_admin.post(
        "/admin/campaigns/senderidentity/", {"action": "deactivate", "_selected_action": [old.pk], "confirmed": "yes"}
    )
    old.refresh_from_db()
    assert not old.is_active
    assert platform_admin.get(reverse("admin:campaigns_senderidentity_delete", args=[old.pk])).status_code == 403


def test_the_confirmation_names_twenty_rows_and_counts_the_rest(platform_admin, organizer):
    templates = [EmailTemplateFactory(organizer=organizer) for _ in range(23)]
    page = platform_admin.post(
        "/admin/campaigns/emailtemplate/", {"action": "clone", "_selected_action": [t.pk for t in templates]}
    ).content.decode()
    assert page.count("<li>Template ") == 20 and "… and 3 more" in page
    assert page.count('name="_selected_action"') == 23  # confirming keeps the whole selection

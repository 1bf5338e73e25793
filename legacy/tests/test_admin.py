"""Lists in the admin: CSV import through the API's service, member count and import progress; waiting uploads."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from legacy.models import List, ListUpload
from legacy.tests.factories import ListFactory, ListMemberFactory, ListUploadFactory
from liffy.testing import admin_client_for

pytestmark = pytest.mark.django_db
GOOD = """Email;Full Name;Company;Job Title;Country;Phone
jane.doe@acme.de;Dr. Jane Doe;Acme GmbH;CEO;Germany;+49 30 1234
ali@yilmaz.com.tr;Ali Yılmaz;Yılmaz AŞ;Satış Müdürü;Türkiye;
"""


def test_staff_import_a_csv_from_the_admin(platform_admin, organizer):
    response = platform_admin.post(
        "/admin/legacy/list/add/",
        {
            "organizer": organizer.pk,
            "name": "From admin",
            "type": "import",
            "csv_file": SimpleUploadedFile("c.csv", GOOD.encode()),
        },
        follow=True,
    )
    assert response.status_code == 200
    target = List.objects.get(name="From admin")
    # platform staff belong to the staff organizer: the list records no creator of another organizer
    assert target.members.count() == 2 and target.created_by_user is None
    assert any("Imported 2 row(s)" in str(m) for m in response.context["messages"])
    refused = platform_admin.post(
        "/admin/legacy/list/add/",
        {"organizer": organizer.pk, "name": "Bad", "csv_file": SimpleUploadedFile("c.csv", b"name\nJane\n")},
    )
    assert refused.status_code == 200 and "No email column" in refused.content.decode()
    assert not List.objects.filter(name="Bad").exists()


def test_organizer_staff_lists_record_their_creator(organizer_staff, organizer):
    staff = organizer_staff()
    response = admin_client_for(staff).post("/admin/legacy/list/add/", {"name": "Mine", "type": "manual"})
    assert response.status_code == 302
    assert List.objects.get(name="Mine").created_by_user == staff


def test_list_page_shows_member_count_and_import_progress(platform_admin, organizer):
    target = ListFactory(
        organizer=organizer,
        import_status="completed",
        import_progress={
            "total": 3,
            "imported": 2,
            "skipped": 1,
            "duplicates": 0,
            "file_name": "fair.csv",
            "errors": [{"row": 3, "error": "no valid email"}],
        },
    )
    ListMemberFactory(list=target)
    ListMemberFactory(list=target)
    page = platform_admin.get(reverse("admin:legacy_list_change", args=[target.pk])).content.decode()
    assert "Completed: 2 of 3 rows imported, 1 skipped, 0 duplicates (file fair.csv)." in page
    assert "row 3: no valid email" in page
    assert f'?list__id__exact={target.pk}">2</a>' in page
    listing = platform_admin.get(reverse("admin:legacy_list_changelist")).content.decode()
    assert f'?list__id__exact={target.pk}">2</a>' in listing


def test_a_failed_import_says_so_and_what_to_do(platform_admin, organizer):
    target = ListFactory(
        organizer=organizer,
        import_status="failed",
        import_progress={"total": 900, "imported": 400, "failure": "Upload the file again to import the rest."},
    )
    page = platform_admin.get(reverse("admin:legacy_list_change", args=[target.pk])).content.decode()
    assert (
        "Failed: 400 of 900 rows imported, 0 skipped, 0 duplicates. Upload the file again to import the rest." in page
    )


def test_a_waiting_upload_is_shown_never_edited_and_editors_may_delete_it(organizer_staff, organizer, other_organizer):
    mine = ListUploadFactory(list__organizer=organizer)
    ListUploadFactory(list__organizer=other_organizer)
    editor = admin_client_for(organizer_staff(group="Editors"))
    listing = editor.get(reverse("admin:legacy_listupload_changelist"))
    assert [upload.pk for upload in listing.context["cl"].result_list] == [mine.pk]
    assert editor.get(reverse("admin:legacy_listupload_add")).status_code == 403
    assert editor.post(reverse("admin:legacy_listupload_change", args=[mine.pk]), {"name": "x"}).status_code == 403
    delete = reverse("admin:legacy_listupload_delete", args=[mine.pk])
    support = admin_client_for(organizer_staff(group="Support (read-only)"))
    assert support.post(delete, {"post": "yes"}).status_code == 403
    assert editor.post(delete, {"post": "yes"}).status_code == 302
    assert not ListUpload.objects.filter(pk=mine.pk).exists()


def test_an_upload_waits_for_a_list_of_its_own_organizer(organizer, other_organizer):
    with pytest.raises(ValidationError, match="This list belongs to another organizer"):
        ListUploadFactory(organizer=organizer, list=ListFactory(organizer=other_organizer))

"""Admin for organizers and users, and the pieces every app's admin shares."""
import json

from axes.models import AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashField
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.html import format_html
from knox.models import AuthToken

from liffy.fields import mask_secret
from liffy.models import Organizer, User
from liffy.services import SECRET_FIELDS


# Permissions are by staff flag and role, never by group: the group admin would only mislead.
admin.site.unregister(Group)
admin.site.site_header = "Liffy back office"
admin.site.site_title = "Liffy"


def pretty_json(value):
    """A JSON value as indented, escaped text for a read-only admin field."""
    if value in (None, "", {}, []):
        return "—"
    return format_html(
        '<pre style="white-space: pre-wrap; margin: 0">{}</pre>',
        json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str),
    )


def json_display(field_name, description=None):
    """A read-only admin column/field showing `field_name` as pretty JSON."""

    def show(obj):
        return pretty_json(getattr(obj, field_name))

    show.short_description = description or field_name.replace("_", " ")
    show.__name__ = f"{field_name}_pretty"
    return show


class ReadOnlyAdmin(admin.ModelAdmin):
    """For logs and immutable records: staff may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StampOrganizerOnInlinesMixin:
    """Rows added in an inline belong to the parent's organizer (the inline form does not ask)."""

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.organizer_id = form.instance.organizer_id
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
        formset.save_m2m()


@admin.register(Organizer)
class OrganizerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "country", "timezone", "user_count", "created_at")
    search_fields = ("name", "slug", "default_from_email")
    list_filter = ("country", "zoho_datacenter")
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ("name",)}
    # provider keys are never shown or edited here in full: organizers set them through the API
    exclude = (*SECRET_FIELDS, "zoho_access_token")
    readonly_fields = ("id", "created_at", "masked_keys", "zoho_access_token_expires_at")
    fieldsets = (
        (None, {"fields": ("id", "name", "slug", "logo_url", "phone", "country", "timezone", "created_at")}),
        ("Sending", {"fields": ("default_from_email", "default_from_name", "physical_address",
                                "sendgrid_webhook_public_key")}),
        ("Zoho CRM", {"fields": ("zoho_client_id", "zoho_datacenter", "zoho_access_token_expires_at")}),
        ("Provider keys (masked)", {"fields": ("masked_keys",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(user_total=Count("users"))

    @admin.display(description="users", ordering="user_total")
    def user_count(self, organizer):
        return organizer.user_total

    @admin.display(description="keys")
    def masked_keys(self, organizer):
        return format_html(
            "<br>".join(f"{name}: {{}}" for name in SECRET_FIELDS),
            *[mask_secret(getattr(organizer, name)) or "not set" for name in SECRET_FIELDS],
        )


class UserCreationForm(forms.ModelForm):
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ("email", "organizer", "role", "is_staff")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_password2(self):
        password1, password2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError("The two passwords differ.")
        return password2

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class UserChangeForm(forms.ModelForm):
    password = ReadOnlyPasswordHashField(
        help_text='Passwords are stored hashed. Use <a href="../password/">this form</a> to set a new one.'
    )

    class Meta:
        model = User
        fields = ("email", "password", "organizer", "role", "is_active", "is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "organizer", "role", "is_active", "is_staff", "created_at")
    list_filter = ("organizer", "role", "is_active", "is_staff")
    list_select_related = ("organizer",)
    search_fields = ("email", "organizer__name")
    ordering = ("email",)
    readonly_fields = ("id", "created_at", "last_login")
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("id", "email", "password", "organizer", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("created_at", "last_login")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "organizer", "role", "is_staff", "password1", "password2")}),)


# --- API tokens and login lockouts -----------------------------------------------------------------
# Knox's own admin would let staff mint tokens without an expiry; here they can see tokens and revoke
# (delete) them. Of axes' tables only the attempts are kept (liffy/settings.py turns its logs off):
# deleting an attempt lifts that address's lockout.
admin.site.unregister(AuthToken)
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("token_key", "user", "created", "expiry")
    list_select_related = ("user",)
    list_filter = ("user__organizer",)
    search_fields = ("token_key", "user__email")
    fields = ("token_key", "user", "created", "expiry")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Admin of organizers, users, permission groups, API tokens and login lockouts.

Who may manage whom: only platform staff create staff users or change `is_staff`, only superusers make
or manage superusers, and an organizer's own staff users manage only their organizer's non-staff users
of a role no higher than theirs (so none can reset the owner's password or grant themselves more).
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashField
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.html import format_html
from knox.models import AuthToken

from liffy.admin_base import OrganizerScopedAdmin, ViewAndDeleteAdmin
from liffy.fields import mask_secret
from liffy.models import ROLE_RANK, Organizer, Role, User
from liffy.services import SECRET_FIELDS

admin.site.site_header = "Liffy back office"
admin.site.site_title = "Liffy"


class PlatformStaffOnly:
    """A page only platform staff may open at all (Django's check first: it also turns away anonymous users)."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) and request.user.is_platform_staff

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and request.user.is_platform_staff

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.is_platform_staff

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.is_platform_staff

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and request.user.is_platform_staff


@admin.register(Organizer)
class OrganizerAdmin(OrganizerScopedAdmin):
    """Organizer staff see (and with the permission, edit) their own organizer; only platform staff add
    or delete organizers."""

    list_display = ("name", "slug", "country", "timezone", "user_count", "created_at")
    ordering = ("name",)  # the user count's GROUP BY drops the model's default ordering
    search_fields = ("name", "slug")
    list_filter = ("country", "zoho_datacenter")
    prepopulated_fields = {"slug": ("name",)}
    # provider keys are never shown or edited here in full: organizers set them through the API
    exclude = (*SECRET_FIELDS, "zoho_access_token")
    readonly_fields = ("id", "created_at", "masked_keys", "zoho_access_token_expires_at")
    fieldsets = (
        (None, {"fields": ("id", "name", "slug", "logo_url", "phone", "country", "timezone", "created_at")}),
        (
            "Sending",
            {
                "fields": (
                    "default_from_email",
                    "default_from_name",
                    "physical_address",
                    "sendgrid_webhook_public_key",
                    "send_rate_per_second",
                    "send_batch_size",
                )
            },
        ),
        ("Zoho CRM", {"fields": ("zoho_client_id", "zoho_datacenter", "zoho_access_token_expires_at")}),
        ("Provider keys (masked)", {"fields": ("masked_keys",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(user_total=Count("users"))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.is_platform_staff

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and request.user.is_platform_staff

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
        fields = (
            "email",
            "password",
            "organizer",
            "role",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


@admin.register(User)
class UserAdmin(OrganizerScopedAdmin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "role", "is_active", "is_staff", "is_superuser", "created_at")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("^email",)
    ordering = ("email",)
    readonly_fields = ("id", "created_at", "last_login")
    filter_horizontal = ("groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("id", "email", "password", "organizer", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("created_at", "last_login")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "organizer", "role", "is_staff", "password1", "password2")}),)
    PLATFORM_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = () if request.user.is_platform_staff else self.PLATFORM_FIELDS[1:] + (() if obj else ("is_staff",))
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not request.user.is_platform_staff:
            return fields + self.PLATFORM_FIELDS
        return fields if request.user.is_superuser else (*fields, "is_superuser")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "user_permissions":  # each permission is shown with its content type
            kwargs["queryset"] = db_field.remote_field.model.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_platform_staff:
            rank = ROLE_RANK[request.user.role]
            kwargs["choices"] = [(value, label) for value, label in Role.choices if ROLE_RANK[value] <= rank]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def may_manage(self, request, target):
        """Superusers only by superusers; staff users only by platform staff; nobody above one's own role."""
        user = request.user
        if target is None or user.is_superuser:
            return True
        if target.is_superuser:
            return False
        if user.is_platform_staff:
            return True
        return not target.is_staff and ROLE_RANK[target.role] <= ROLE_RANK[user.role]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PlatformStaffOnly, OrganizerScopedAdmin, DjangoGroupAdmin):
    """Permission groups apply across organizers: platform staff only."""


# --- API tokens and login lockouts -----------------------------------------------------------------
# Knox's own admin would let staff mint tokens without an expiry; here they can see tokens and revoke
# (delete) them. Of axes' tables only the attempts are kept (liffy/settings.py turns its logs off):
# deleting an attempt lifts that address's lockout.
admin.site.unregister(AuthToken)
admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


@admin.register(AuthToken)
class ApiTokenAdmin(ViewAndDeleteAdmin):
    """API tokens, masked: staff revoke them here; users get theirs from POST /api/auth/token."""

    organizer_lookup = "user__organizer"
    list_display = ("masked_key", "user", "created", "expiry")
    search_fields = ("^user__email", "=token_key")
    search_help_text = "The start of the user's email, or the first 15 characters of a token."
    ordering = ("-created",)
    fields = ("masked_key", "user", "created", "expiry")
    readonly_fields = fields

    @admin.display(description="key")
    def masked_key(self, token):
        return mask_secret(token.token_key)


@admin.register(AccessAttempt)
class LoginAttemptAdmin(PlatformStaffOnly, OrganizerScopedAdmin, AxesAccessAttemptAdmin):
    """Failed logins by client address (admin and API): they belong to no organizer, so platform staff only."""

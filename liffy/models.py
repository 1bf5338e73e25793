"""Tenant root (Organizer) and the custom user."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models, transaction

from liffy import webhook_keys
from liffy.fields import EncryptedTextField, created_at_field, uuid7_primary_key
from liffy.header_values import refuse_control_characters
from liffy.webhook_keys import validate_webhook_public_key

WEBHOOK_KEY_CONSTRAINT = "organizers_webhook_key_one_owner"


class Organizer(models.Model):
    id = uuid7_primary_key()
    name = models.CharField(max_length=255, validators=[refuse_control_characters])
    slug = models.CharField(max_length=100, unique=True, null=True, blank=True)
    logo_url = models.TextField(null=True, blank=True)
    phone = models.CharField(max_length=50, null=True, blank=True)
    country = models.CharField(max_length=100, null=True, blank=True)
    timezone = models.CharField(max_length=100, null=True, blank=True)
    sendgrid_api_key = EncryptedTextField(blank=True, default="")
    default_from_email = models.CharField(
        max_length=255, null=True, blank=True, validators=[refuse_control_characters, EmailValidator()]
    )
    default_from_name = models.CharField(max_length=255, null=True, blank=True, validators=[refuse_control_characters])
    created_at = created_at_field()
    physical_address = models.TextField(null=True, blank=True)
    zerobounce_api_key = EncryptedTextField(null=True, blank=True)
    zoho_client_id = models.TextField(null=True, blank=True)
    zoho_client_secret = EncryptedTextField(null=True, blank=True)
    zoho_refresh_token = EncryptedTextField(null=True, blank=True)
    zoho_access_token = EncryptedTextField(null=True, blank=True)
    zoho_access_token_expires_at = models.DateTimeField(null=True, blank=True)
    zoho_datacenter = models.CharField(max_length=20, default="com", null=True, blank=True)
    sendgrid_webhook_public_key = models.TextField(
        null=True,
        blank=True,
        validators=[validate_webhook_public_key],
        help_text="Base64 DER public key of the organizer's SendGrid signed event webhook.",
    )
    sendgrid_webhook_key_fingerprint = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text="SHA-256 of the webhook key's canonical DER: one organizer per key.",
    )
    send_rate_per_second = models.PositiveIntegerField(
        null=True, blank=True, help_text="Messages per second across all workers. Empty: SEND_RATE_PER_SECOND."
    )
    send_batch_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Recipients claimed per send batch. Empty: SEND_BATCH_SIZE."
    )
    zerobounce_key_rejected_at = models.DateTimeField(
        null=True, blank=True, help_text="When ZeroBounce last refused the key; cleared when a new key is saved."
    )

    class Meta:
        db_table = "organizers"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["sendgrid_webhook_key_fingerprint"], name=WEBHOOK_KEY_CONSTRAINT),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """The webhook key is kept in its canonical spelling, with its fingerprint."""
        if self.sendgrid_webhook_public_key:
            self.sendgrid_webhook_public_key = webhook_keys.canonical_spelling(self.sendgrid_webhook_public_key)
        self.sendgrid_webhook_key_fingerprint = webhook_keys.fingerprint(self.sendgrid_webhook_public_key)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "sendgrid_webhook_public_key" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sendgrid_webhook_key_fingerprint"}
        super().save(*args, **kwargs)

    def clean(self):
        """The admin's check of the key's single owner (the database constraint holds it everywhere)."""
        key_fingerprint = webhook_keys.fingerprint(self.sendgrid_webhook_public_key)
        if (
            key_fingerprint
            and Organizer.objects.exclude(pk=self.pk).filter(sendgrid_webhook_key_fingerprint=key_fingerprint).exists()
        ):
            raise ValidationError({"sendgrid_webhook_public_key": webhook_keys.KEY_TAKEN})


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    USER = "user", "User"


STAFF_ORGANIZER_SLUG = "liffy-staff"
ROLE_RANK = {Role.USER: 0, Role.ADMIN: 1, Role.OWNER: 2}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, *, organizer, **extra_fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), organizer=organizer, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    @transaction.atomic
    def create_superuser(self, email, password=None, organizer=None, **extra_fields):
        """Staff users still belong to an organizer (the column is NOT NULL): a dedicated one by default."""
        if organizer is None:
            organizer, _ = Organizer.objects.get_or_create(slug=STAFF_ORGANIZER_SLUG, defaults={"name": "Liffy staff"})
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.OWNER)
        return self.create_user(email, password, organizer=organizer, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An organizer's user. Logs in with email; `role` decides what the API allows.

    In the admin (`is_staff`), Django's permissions decide what a user may do (groups, see
    `liffy/admin_groups.py`), and `is_platform_staff` decides which organizers they see: platform staff
    see every organizer, an organizer's own staff users only theirs.
    """

    id = uuid7_primary_key()
    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField(max_length=255, unique=True)
    password = models.TextField(db_column="password_hash")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.USER)
    is_active = models.BooleanField(default=True)
    created_at = created_at_field()
    is_staff = models.BooleanField(default=False, help_text="Can log into the admin.")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        db_table = "users"
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="users_role_check"),
        ]

    def __str__(self):
        return self.email

    @property
    def is_platform_staff(self):
        """Superusers and staff members of the staff organizer: they work on every organizer."""
        if not self.is_active:
            return False
        return self.is_superuser or (self.is_staff and self.organizer.slug == STAFF_ORGANIZER_SLUG)

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_withdrawn = True

    def save(self, *args, **kwargs):
        """A new password (set_password, set_unusable_password; not a hash upgrade at login) ends every API
        token of the user: whoever held one must log in with the new password."""
        password_changed = not self._state.adding and (
            self._password is not None or getattr(self, "_password_withdrawn", False)
        )
        super().save(*args, **kwargs)
        if password_changed:
            self._password_withdrawn = False
            self.auth_token_set.all().delete()

"""Organizer scoping: the one mechanism every tenant-owned queryset, view and serializer goes through.

- Models: derive from `OrganizerOwnedModel`, whose invariants (`check_organizer_invariants`) hold for
  every write through the ORM, whoever makes it (API, admin, services, commands): the organizer of a
  saved row never changes, and every row it references belongs to the same organizer.
  `objects = OrganizerManager()` gives `.for_organizer(organizer)`.
- Views: derive from `OrganizerScopedViewSet`; the organizer is the authenticated user's, never the body's.
- Serializers: reference other rows with `OrganizerScopedRelatedField`; plain ids go through
  `get_for_organizer_or_404`. A foreign id is always a 404, so existence is never revealed.
- Query filters: every filterset derives from `FilterSet` (views' `filterset_fields` too, through
  `FilterBackend`), which makes each foreign key an `OrganizerScopedIdFilter`: a foreign id matches
  nothing, exactly like an unknown one.
"""

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from rest_framework import filters, mixins, serializers, viewsets

from liffy.errors import NotFound
from liffy.filters import DateTimeFilter, SearchFilter
from liffy.permissions import HasRole, IsOrganizerMember


class OrganizerQuerySet(models.QuerySet):
    def for_organizer(self, organizer):
        """Rows of one organizer; accepts an Organizer or its id."""
        return self.filter(organizer_id=getattr(organizer, "pk", organizer))


OrganizerManager = models.Manager.from_queryset(OrganizerQuerySet)


def is_organizer_owned(model):
    """Rows of `model` belong to one organizer (they have an `organizer` foreign key)."""
    return any(field.name == "organizer" and field.many_to_one for field in model._meta.concrete_fields)


def _owner_of(field, instance, value):
    """The organizer id of the row `instance.<field>` points at: from the loaded row, else one query."""
    related = field.get_cached_value(instance, None)
    if related is not None and related.pk == value:
        return related.organizer_id
    return field.related_model._base_manager.filter(pk=value).values_list("organizer_id", flat=True).first()


def check_organizer_invariants(instance, fields=None):
    """Raise ValidationError({field: reason}) unless `instance` keeps its organizer and references only
    rows of that organizer. `fields` limits the check to the fields being written (`update_fields`).

    Loaded references cost no query; an id alone costs one.
    """
    errors = {}
    saved = getattr(instance, "_saved_organizer_id", None)
    if saved is not None and instance.organizer_id != saved:
        errors["organizer"] = "The organizer of a saved row cannot change."
    if instance.organizer_id is not None:
        for field in instance._meta.concrete_fields:
            if not field.many_to_one or field.name == "organizer" or not is_organizer_owned(field.related_model):
                continue
            if fields is not None and field.name not in fields and field.attname not in fields:
                continue
            value = getattr(instance, field.attname)
            if value is not None and _owner_of(field, instance, value) not in (None, instance.organizer_id):
                errors[field.name] = f"This {field.verbose_name} belongs to another organizer."
    if errors:
        raise DjangoValidationError(errors)


class OrganizerOwnedModel(models.Model):
    """Base of every tenant-owned model: `clean()` (forms, the admin) and `save()` (everything else)
    enforce `check_organizer_invariants`. Bulk inserts and queryset updates bypass `save()`: the services
    that use them write ids they have already taken from the organizer's own rows."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        check_organizer_invariants(self, fields=None if update_fields is None else set(update_fields))
        super().save(*args, **kwargs)
        self._saved_organizer_id = self.organizer_id

    def clean(self):
        super().clean()
        check_organizer_invariants(self)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_organizer_id = instance.__dict__.get("organizer_id")
        return instance


def organizer_of(request):
    """The caller's organizer: always the authenticated user's."""
    return request.user.organizer


def get_for_organizer_or_404(queryset, organizer, pk, label="object"):
    """A row of `organizer` by id; a foreign, unknown or malformed id is NotFound (a 404)."""
    try:
        return queryset.for_organizer(organizer).get(pk=pk)
    except (ObjectDoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(f"No such {label}.") from None


class OrganizerScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """Accepts only ids of the caller's organizer; anything else is a 404."""

    def get_queryset(self):
        return super().get_queryset().for_organizer(organizer_of(self.context["request"]))

    def to_internal_value(self, data):
        return get_for_organizer_or_404(
            self.get_queryset(), organizer_of(self.context["request"]), data, self.field_name or "object"
        )


class OrganizerScopedIdFilter(django_filters.UUIDFilter):
    """`?campaign=<id>`: rows of the caller's organizer that reference this id.

    The id itself is never looked up, so a foreign id and an unknown id give the same answer (200, no
    rows) and nothing tells whether it exists elsewhere; a malformed id is a 400 naming the parameter.
    """

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        request = getattr(self.parent, "request", None)
        if request is not None:
            qs = qs.for_organizer(organizer_of(request))
        return qs.filter(**{f"{self.field_name}_id": value})


class FilterSet(RestFilterSet):
    """Base of every filterset: ids through `OrganizerScopedIdFilter`, date-times through `DateTimeFilter`."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.DateTimeField: {"filter_class": DateTimeFilter},
        models.ForeignKey: {"filter_class": OrganizerScopedIdFilter},
        models.OneToOneField: {"filter_class": OrganizerScopedIdFilter},
    }


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend; the filtersets it builds from a view's `filterset_fields` are `FilterSet`s."""

    filterset_base = FilterSet


class OrganizerScopedViewSet(viewsets.GenericViewSet):
    """Base of every tenant API view: rows of the caller's organizer only, creations stamped with it.

    `action_roles` maps an action to the roles allowed to run it; other actions are open to every
    member of the organizer.
    """

    permission_classes = [IsOrganizerMember]
    filter_backends = [FilterBackend, SearchFilter, filters.OrderingFilter]
    action_roles: dict[str, tuple[str, ...]] = {}

    @property
    def organizer(self):
        return organizer_of(self.request)

    def get_queryset(self):
        return super().get_queryset().for_organizer(self.organizer)

    def get_permissions(self):
        roles = self.action_roles.get(self.action)
        return [HasRole.of(*roles)()] if roles else super().get_permissions()

    def perform_create(self, serializer):
        serializer.save(organizer=self.organizer)

    def __init_subclass__(cls, **kwargs):
        """Creations are stamped with the caller's organizer whatever the order of the DRF mixins: a
        CreateModelMixin listed first would otherwise save without it."""
        super().__init_subclass__(**kwargs)
        if cls.perform_create is mixins.CreateModelMixin.perform_create:
            cls.perform_create = OrganizerScopedViewSet.perform_create

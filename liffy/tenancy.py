"""Organizer scoping: the one mechanism every tenant-owned queryset, view and serializer goes through.

- Models: `objects = OrganizerManager()` gives `.for_organizer(organizer)`.
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
from rest_framework.exceptions import NotFound

from liffy.filters import DateTimeFilter
from liffy.permissions import HasRole, IsOrganizerMember


class OrganizerQuerySet(models.QuerySet):
    def for_organizer(self, organizer):
        """Rows of one organizer; accepts an Organizer or its id."""
        return self.filter(organizer_id=getattr(organizer, "pk", organizer))


OrganizerManager = models.Manager.from_queryset(OrganizerQuerySet)


def organizer_of(request):
    """The caller's organizer: always the authenticated user's."""
    return request.user.organizer


def get_for_organizer_or_404(queryset, organizer, pk, label="object"):
    """A row of `organizer` by id; a foreign, unknown or malformed id is a 404."""
    try:
        return queryset.for_organizer(organizer).get(pk=pk)
    except (ObjectDoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(f"No such {label}.")


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
    filter_backends = [FilterBackend, filters.SearchFilter, filters.OrderingFilter]
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

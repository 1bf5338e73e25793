"""Organizer scoping: the one mechanism every tenant-owned queryset goes through."""
from django.db import models


class OrganizerQuerySet(models.QuerySet):
    def for_organizer(self, organizer):
        """Rows of one organizer; accepts an Organizer or its id."""
        return self.filter(organizer_id=getattr(organizer, "pk", organizer))


OrganizerManager = models.Manager.from_queryset(OrganizerQuerySet)

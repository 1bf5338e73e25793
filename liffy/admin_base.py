"""The base of every ModelAdmin: organizer scoping, autocomplete, big-table lists and shared displays.

Two kinds of admin users (see `User.is_platform_staff`):
- platform staff (superusers, staff members of the staff organizer) work on every organizer;
- an organizer's own staff users see and edit only their organizer's rows: every list, page, choice
  list, list filter and autocomplete is limited to it, and rows they add are stamped with it.
What either may do (view, add, change, delete) is Django's permission system (`liffy/admin_groups.py`).

For everyone, the organizer of a row is fixed once it is saved, and on a saved row every choice list
and autocomplete offers only that organizer's rows; the model's own invariants
(`liffy.tenancy.check_organizer_invariants`) refuse the rest, in the admin as in the API.
"""

import contextlib
import json
import uuid

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.db import connections
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode

from liffy.admin_actions import ServiceActionsMixin
from liffy.admin_messages import REFUSALS, report_refusal
from liffy.models import Organizer
from liffy.tenancy import is_organizer_owned


def is_foreign_key(field):
    """A foreign key or one-to-one column (a reference to one row)."""
    return field.many_to_one or (field.one_to_one and field.concrete)


def organizer_lookup(model, admin_site=admin.site):
    """The lookup from `model` to its organizer: `pk` for organizers, `organizer` for tenant rows, or what
    the model's admin declares (`organizer_lookup`). None: the model belongs to no organizer."""
    if model is Organizer:
        return "pk"
    registered = admin_site._registry.get(model)
    if registered is not None and getattr(registered, "organizer_lookup", None):
        return registered.organizer_lookup
    return "organizer" if is_organizer_owned(model) else None


def scoped(queryset, user, admin_site=admin.site):
    """`queryset` as `user` may see it: everything for platform staff, else their organizer's rows only."""
    if user.is_platform_staff:
        return queryset
    lookup = organizer_lookup(queryset.model, admin_site)
    if lookup is None:
        return queryset.none()
    return queryset.filter(**{lookup: user.organizer_id})


class OrganizerAutocompleteSelect(AutocompleteSelect):
    """Autocomplete that, once the row's organizer is known, asks only for that organizer's rows."""

    organizer_id = None

    def get_url(self):
        url = super().get_url()
        return f"{url}?{urlencode({'organizer': self.organizer_id})}" if self.organizer_id else url


class OrganizerScopedFormMixin:
    """Mixed into every admin form by `OrganizerScopedAdmin.get_form`.

    `scope_organizer_id` is the organizer the row belongs to (the saved row's, or the organizer staff
    user's for a new one): the instance gets it before validation, so the model's invariants see it, and
    every choice of a tenant row is narrowed to it.
    """

    scope_organizer_id = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organizer_id = self.scope_organizer_id
        if organizer_id is None:
            return
        if hasattr(self.instance, "organizer_id") and self.instance.organizer_id is None:
            self.instance.organizer_id = organizer_id
        for field in self.fields.values():
            model = getattr(getattr(field, "queryset", None), "model", None)
            if model is None or model is Organizer or not is_organizer_owned(model):
                continue
            field.queryset = field.queryset.filter(organizer_id=organizer_id)
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, OrganizerAutocompleteSelect):
                widget.organizer_id = organizer_id

    def _get_validation_exclusions(self):
        """Unique constraints that include the organizer are checked even where the form does not show it."""
        exclude = super()._get_validation_exclusions()
        if getattr(self.instance, "organizer_id", None) is not None:
            exclude.discard("organizer")
        return exclude

    def _update_errors(self, errors):
        """The model's invariants may name a field this form does not show: report it on the form."""
        if hasattr(errors, "error_dict"):
            for name in list(errors.error_dict):
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    moved = [
                        f"{name.replace('_', ' ')}: {message}"
                        for message in forms.ValidationError(errors.error_dict.pop(name)).messages
                    ]
                    errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(forms.ValidationError(moved).error_list)
        super()._update_errors(errors)


class OrganizerScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a foreign key that offers only the rows the staff user may see."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        lookup = organizer_lookup(field.related_model, model_admin.admin_site)
        if request.user.is_platform_staff or lookup is None:
            return field.get_choices(include_blank=False, ordering=ordering)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={lookup: request.user.organizer_id}
        )


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to `exact_limit` rows with one bounded query; beyond that takes the planner's
    estimate, so a list of a million rows never waits for a COUNT(*) of all of them."""

    exact_limit = 10_000
    is_estimate = False

    @cached_property
    def count(self):
        queryset = self.object_list.order_by()
        exact = queryset[: self.exact_limit + 1].count()
        if exact <= self.exact_limit:
            return exact
        self.is_estimate = True
        return max(exact, planner_estimate(queryset))


def planner_estimate(queryset):
    """The number of rows PostgreSQL's planner expects `queryset` to return (statistics, no scan)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class PrefetchingChangeList:
    """A list page's related rows (organizer, person, campaign…) come in one query per relation for the
    page's rows, never by a join: a join under ORDER BY … LIMIT makes PostgreSQL sort the whole table,
    a single table lets it keep only the top rows."""

    def apply_select_related(self, queryset):
        return queryset.prefetch_related(*self.list_select_related) if self.list_select_related else queryset


def choices_filter(field_name, choices, title=None):
    """A list filter offering fixed `choices` (value, label) for `field_name`: unlike Django's filter of
    a free-text column, it never reads the table to find the values."""

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            return queryset.filter(**{field_name: self.value()}) if self.value() else queryset

    ChoicesFilter.title = title or field_name.replace("_", " ")
    return ChoicesFilter


class OrganizerScopedAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Base of every ModelAdmin (see the module docstring).

    `organizer_lookup` names the path to the organizer when it is not `organizer` (a job's logs:
    `job__organizer`). Lists get an Organizer column and filter (for platform staff), foreign keys an
    autocomplete, and big lists neither a full count nor facet counts.
    """

    organizer_lookup = None
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    change_list_template = "admin/liffy/change_list.html"
    change_form_template = "admin/liffy/change_form.html"

    # --- who sees which rows -----------------------------------------------------------------
    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.admin_site)

    def get_search_results(self, request, queryset, search_term):
        """An autocomplete asking for one organizer's rows (`?organizer=`) gets only those."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        lookup = organizer_lookup(self.model, self.admin_site)
        if match is not None and match.url_name == "autocomplete" and lookup:
            with contextlib.suppress(ValueError):  # not an id: the autocomplete's own search stands
                queryset = queryset.filter(**{lookup: uuid.UUID(request.GET.get("organizer", ""))})
        return queryset, may_have_duplicates

    def _organizer_scope(self, request, obj):
        """The organizer a form's rows must belong to: the saved row's, else the organizer staff user's."""
        if obj is not None:
            return obj.pk if self.model is Organizer else getattr(obj, "organizer_id", None)
        return None if request.user.is_platform_staff else request.user.organizer_id

    # --- forms ---------------------------------------------------------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service that refuses a save (a campaign no longer a draft…) leaves nothing written and says why."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            report_refusal(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as error:
            report_refusal(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(
            form.__name__, (OrganizerScopedFormMixin, form), {"scope_organizer_id": self._organizer_scope(request, obj)}
        )

    def get_readonly_fields(self, request, obj=None):
        """The organizer is fixed once saved, and organizer staff never choose one."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if self._has_organizer_field() and (obj is not None or not request.user.is_platform_staff):
            fields += ("organizer",) if "organizer" not in fields else ()
        return fields

    def get_autocomplete_fields(self, request):
        """Every editable foreign key whose target has a searchable admin."""
        declared = tuple(super().get_autocomplete_fields(request))
        automatic = tuple(
            field.name
            for field in self.model._meta.fields
            if is_foreign_key(field)
            and field.editable
            and field.name not in declared
            and field.name not in self.raw_id_fields
            and self.admin_site._registry.get(field.related_model) is not None
            and self.admin_site._registry[field.related_model].search_fields
        )
        return declared + automatic

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = OrganizerAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        if "queryset" not in kwargs:
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scoped(queryset, request.user, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and self._has_organizer_field() and obj.organizer_id is None:
            obj.organizer_id = request.user.organizer_id
        super().save_model(request, obj, form, change)

    # --- lists ---------------------------------------------------------------------------------
    def get_changelist(self, request, **kwargs):
        return type("ChangeList", (PrefetchingChangeList, super().get_changelist(request, **kwargs)), {})

    def _has_organizer_field(self):
        return self.model is not Organizer and is_organizer_owned(self.model)

    def _organizer_path(self):
        lookup = organizer_lookup(self.model, self.admin_site)
        return None if lookup in (None, "pk") else lookup

    def get_list_display(self, request):
        columns = tuple(super().get_list_display(request))
        path = self._organizer_path()
        if request.user.is_platform_staff:
            if path == "organizer" and "organizer" not in columns:
                columns += ("organizer",)
            elif path and path != "organizer":
                columns += (organizer_column(path),)
            return columns
        return tuple(column for column in columns if column != "organizer")

    def get_list_select_related(self, request):
        declared = super().get_list_select_related(request)
        related = set(declared) if isinstance(declared, (list, tuple)) else set()
        related |= {name for name in self.list_display if isinstance(name, str) and self._is_foreign_key(name)}
        path = self._organizer_path()
        if path and request.user.is_platform_staff:
            related.add(path)
        return tuple(sorted(related))

    def _is_foreign_key(self, name):
        try:
            return is_foreign_key(self.model._meta.get_field(name))
        except Exception:  # noqa: BLE001 - a method or callable column, not a field
            return False

    def get_list_filter(self, request):
        """Platform staff filter by organizer first; organizer staff get foreign-key filters offering only
        their organizer's rows, and no organizer filter at all."""
        filters = [item for item in super().get_list_filter(request) if item != "organizer"]
        filters = [
            (item, OrganizerScopedRelatedFilter) if isinstance(item, str) and self._is_foreign_key(item) else item
            for item in filters
        ]
        path = self._organizer_path()
        if request.user.is_platform_staff and path:
            filters.insert(0, path)
        return filters


def organizer_column(path):
    """A list column showing the organizer reached through `path` (e.g. `job__organizer`)."""

    def show(obj):
        for part in path.split("__"):
            obj = getattr(obj, part)
        return obj

    show.short_description = "organizer"
    show.admin_order_field = path
    show.__name__ = "organizer_of_row"
    return show


class ViewAndDeleteAdmin(OrganizerScopedAdmin):
    """For rows made elsewhere that staff may only look at or, with the permission, delete (API tokens,
    files waiting for an import): never added or changed here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ViewAndDeleteAdmin):
    """For logs and immutable records (events, push logs, job logs, results): look, never add, change or
    delete."""

    def has_delete_permission(self, request, obj=None):
        return False


class OrganizerScopedInline:
    """Mixed into every inline: its rows are the parent's organizer's, and so are its choices."""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.admin_site)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped(
                db_field.remote_field.model._default_manager.all(), request.user, self.admin_site
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class StampedFormSet(formset):
            """New rows belong to the parent's organizer before they are validated."""

            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                if hasattr(form.instance, "organizer_id") and form.instance.organizer_id is None:
                    form.instance.organizer_id = getattr(self.instance, "organizer_id", None)
                return form

        return StampedFormSet


class ReadOnlyTabularInline(OrganizerScopedInline, admin.TabularInline):
    """Related facts shown on a parent's page (intents, job logs): read-only, nothing added here."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- displays shared by the apps' admins ---------------------------------------------------------
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


def change_link(obj, text=None):
    """A link to `obj`'s admin page (plain text when there is none)."""
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def changelist_link(model, text, **filters):
    """A link to `model`'s list, filtered by `filters` (query parameters of the admin list)."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), text)

"""Status changes in the admin: actions that call the same services as the API, after a confirmation page.

A `ServiceAction` names a service function (`service(obj, **inputs)`, e.g. `lifecycle.start_campaign`).
Staff reach it from the list (select rows, pick the action) or from a row's page (a button); both show a
confirmation page listing the rows (and asking the action's inputs, such as a send time), and only the
confirmed POST runs the service, row by row, each in its own transaction. A row the service refuses is
reported as an admin error message (`liffy.admin_messages`) and the others go ahead; every change is
recorded in the row's admin history.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from liffy.admin_messages import report_refusal

LISTED_ROWS = 20  # rows named on a confirmation page; the rest are counted


@dataclass(frozen=True)
class ServiceAction:
    name: str
    label: str  # "Start sending"
    service: Callable  # service(obj, **inputs)
    done: str  # "started", as in "2 campaigns started."
    explanation: str = ""  # what happens, shown on the confirmation page
    form: type[forms.Form] | None = None  # inputs asked on the confirmation page
    offered: Callable | None = None  # offered(obj): show the button on the row's page
    report: Callable | None = None  # report(result): a line about one row's outcome
    permission: str = "change"


class ServiceActionsMixin:
    """Adds `service_actions` to a ModelAdmin's list actions and to its rows' pages."""

    service_actions: tuple[ServiceAction, ...] = ()

    def _permitted(self, request, action, obj=None):
        return getattr(self, f"has_{action.permission}_permission")(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None:
            return actions
        for action in self.service_actions:
            if self._permitted(request, action):
                actions[action.name] = (self._list_action(action), action.name, action.label)
        return actions

    def _list_action(self, action):
        def run(modeladmin, request, queryset):
            return modeladmin.confirm_service_action(request, action, queryset)

        run.__name__ = action.name
        return run

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/do/<str:action_name>/",
                self.admin_site.admin_view(self.service_action_view),
                name=f"{opts.app_label}_{opts.model_name}_service_action",
            ),
            *super().get_urls(),
        ]

    def service_action_view(self, request, object_id, action_name):
        action = next((a for a in self.service_actions if a.name == action_name), None)
        obj = self.get_object(request, unquote(object_id))
        if action is None or obj is None:
            raise Http404("No such row or action.")
        if not self._permitted(request, action, obj):
            raise PermissionDenied
        response = self.confirm_service_action(request, action, [obj], single=True)
        opts = self.model._meta
        return response or HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def service_action_buttons(self, request, obj):
        """(label, url) of the actions offered on `obj`'s page."""
        opts = self.model._meta
        return [
            (
                action.label,
                reverse(f"admin:{opts.app_label}_{opts.model_name}_service_action", args=[obj.pk, action.name]),
            )
            for action in self.service_actions
            if (action.offered is None or action.offered(obj)) and self._permitted(request, action, obj)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if self.service_actions else None
        buttons = self.service_action_buttons(request, obj) if obj is not None else []
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "service_action_buttons": buttons}
        )

    def confirm_service_action(self, request, action, objects, single=False):
        """The confirmation page; once confirmed, run the action and return None."""
        confirmed = request.method == "POST" and request.POST.get("confirmed") == "yes"
        form = action.form(request.POST if confirmed else None) if action.form else None
        if confirmed and (form is None or form.is_valid()):
            self.run_service_action(request, action, objects, form.cleaned_data if form else {})
            return None
        select_across = request.POST.get("select_across") == "1"
        # the rows picked on a page (at most a page's worth) are counted; "all N" of a big list is not
        total = None if select_across else len(objects) if isinstance(objects, list) else objects.count()
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.label}: are you sure?",
            "action": action,
            "form": form,
            "opts": self.model._meta,
            "objects": list(objects[:LISTED_ROWS]),
            "more": True if select_across else max(total - LISTED_ROWS, 0),
            "selected_ids": [] if single or select_across else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": select_across and not single,
            "single": single,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + (form.media if form else forms.Media()),
        }
        return TemplateResponse(request, "admin/liffy/confirm_service_action.html", context)

    def run_service_action(self, request, action, objects, inputs):
        done = 0
        for obj in objects:
            try:
                with transaction.atomic():
                    result = action.service(obj, **inputs)
            except Exception as error:  # noqa: BLE001 - report_refusal re-raises what is not a refusal
                report_refusal(request, error, subject=obj)
                continue
            done += 1
            self.log_change(request, obj, action.label)
            if action.report:
                messages.info(request, f"{obj}: {action.report(result)}")
        if done:
            messages.success(request, f"{done} {model_ngettext(self.opts, done)} {action.done}.")

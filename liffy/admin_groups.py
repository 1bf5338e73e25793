"""The admin's permission groups, kept in step with the code after every `migrate`.

Superusers may do everything. Every other staff user does what their groups allow:
- "Support (read-only)": sees every page of the back office, changes nothing.
- "Editors": support's view, plus adding, changing and deleting the organizers' working data
  (persons, affiliations, intents, templates, senders, campaigns and their actions, unsubscribes,
  lists, members and waiting list uploads, mining jobs and their actions).
- "User managers": adds and changes users, revokes API tokens and (platform staff only) lifts login
  lockouts; only platform staff may make a user staff or superuser, and nobody manages a user who
  outranks them.
Which organizers' rows a staff user sees is not a permission but who they are (`User.is_platform_staff`).
The permissions of these three groups are reset to this definition on each `migrate`; make other groups
for other needs.
"""

from django.apps import apps as global_apps

APPS = ("liffy", "persons", "campaigns", "mining", "legacy")
EDITED = {
    "persons": ("person", "affiliation", "prospectintent"),
    "campaigns": ("emailtemplate", "senderidentity", "campaign", "unsubscribe"),
    "legacy": ("list", "listmember", "listupload"),
    "mining": ("miningjob",),
}
# users, their API tokens (knox) and the login lockouts by client address (axes)
USER_MANAGERS_MODELS = {("liffy", "user"), ("knox", "authtoken"), ("axes", "accessattempt")}
GROUPS = {
    "Support (read-only)": lambda app, model, action: app in APPS and action == "view",
    "Editors": lambda app, model, action: (
        app in APPS and (action == "view" or (model in EDITED.get(app, ()) and action in ("add", "change", "delete")))
    ),
    "User managers": lambda app, model, action: (
        (app, model) in USER_MANAGERS_MODELS and action in ("view", "add", "change", "delete")
    ),
}


def sync_admin_groups(app_label=None, apps=global_apps):
    """Create the groups and set their permissions for `app_label`'s models (every app's when None).
    `apps`: the registry of the schema being migrated (a post_migrate signal's) or the project's."""
    try:
        Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    except LookupError:  # auth is not (or no longer) migrated
        return
    permissions = Permission.objects.select_related("content_type")
    if app_label is not None:
        permissions = permissions.filter(content_type__app_label=app_label)
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = {
            p
            for p in permissions
            if grants(p.content_type.app_label, p.content_type.model, p.codename.split("_", 1)[0])
        }
        current = set(group.permissions.filter(pk__in=[p.pk for p in permissions]))
        group.permissions.remove(*(current - wanted))
        group.permissions.add(*(wanted - current))


def sync_after_migrate(sender, apps=global_apps, **kwargs):
    """post_migrate receiver: runs after Django has created the permissions of `sender`'s models."""
    sync_admin_groups(sender.label, apps)

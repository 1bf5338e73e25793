"""Who may do what inside an organizer. The organizer itself always comes from the authenticated user."""

from rest_framework.permissions import BasePermission

from liffy.models import Role


class IsOrganizerMember(BasePermission):
    """Authenticated, active, and attached to an organizer (the default for every API view)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.organizer_id)


class HasRole(IsOrganizerMember):
    """Member whose role is one of `roles`. Use `HasRole.of("owner", "admin")` in `permission_classes`."""

    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, *roles):
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.role in self.roles


IsOwner = HasRole.of(Role.OWNER)
IsOwnerOrAdmin = HasRole.of(Role.OWNER, Role.ADMIN)

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from campaigns.unsubscribe_views import UnsubscribeView
from campaigns.webhook_views import SendGridWebhookView
from liffy.api import LogoutView, MeView, OrganizerSettingsView, TokenView

api_patterns = [
    path("auth/token", TokenView.as_view(), name="auth-token"),
    path("auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("me", MeView.as_view(), name="me"),
    path("organizer/settings", OrganizerSettingsView.as_view(), name="organizer-settings"),
    path("webhooks/sendgrid", SendGridWebhookView.as_view(), name="sendgrid-webhook"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("persons.urls")),
    path("", include("mining.urls")),
    path("", include("campaigns.urls")),
    path("", include("legacy.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("unsubscribe/<str:token>", UnsubscribeView.as_view(), name="unsubscribe"),
]

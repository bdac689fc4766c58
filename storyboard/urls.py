from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from storyboard import views
from storyboard.teams.decorators import personal

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", personal(auth_views.LogoutView.as_view()), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("library/", include("storyboard.library.urls")),
    path("storyboards/", include("storyboard.boards.urls")),
    path("gallery/", include("storyboard.gallery.urls")),
    path("review/", include("storyboard.review.urls")),
    path("sequences/", include("storyboard.sequences.urls")),
    path("team/webhooks/", include("storyboard.webhooks.urls")),
    path("team/share-links/", include("storyboard.shares.team_urls")),
    path("s/", include("storyboard.shares.guest_urls")),
    path("team/api-tokens/", include("storyboard.api.page_urls")),
    path("team/usage/", include("storyboard.usage.urls")),
    path("team/audit/", include("storyboard.audit.urls")),
    path("team/", include("storyboard.teams.urls")),
    path("jobs/", include("storyboard.jobs.urls")),
    path("api/v1/", include("storyboard.api.urls")),
    # Operators only (superusers; storyboard/admin_site.py, docs/deployment.md).
    path("admin/", admin.site.urls),
]

handler400 = "storyboard.views.bad_request"

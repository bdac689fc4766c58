from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from storyboard.teams.decorators import personal


@require_GET
@personal
def home(request):
    if request.team is None:
        return redirect("teams:none")
    return redirect("boards:index")


login_view = login_not_required(
    personal(
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        )
    )
)


@login_not_required
@never_cache
@require_GET
@personal
def healthz(request):
    """For load balancers and the studio launcher: answers 200 once the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)

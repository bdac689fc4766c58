from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from storyboard.operations import health
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
    """For monitors and load balancers: 200 when the database, the poll sweep, the broker and
    the job queue are all well, else 503 naming what is wrong (storyboard/operations/health.py).
    JSON, public, and free of secrets and team data."""
    answer = health.report()
    return JsonResponse(answer, status=200 if answer["status"] == "ok" else 503)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def _limit_refusal(exception) -> tuple[int, str] | None:
    """The request broke one of Django's size limits: say which, with the number."""
    if isinstance(exception, TooManyFilesSent):
        return 400, (f"Too many files in one request: at most "
                     f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES}. Send them in smaller groups.")
    if isinstance(exception, TooManyFieldsSent):
        return 400, (f"Too many form fields in one request: at most "
                     f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}.")
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
        return 413, (f"The request is too large: at most {limit:g} MB of form text (files "
                     f"not counted). Send long text as a file instead.")
    return None


@login_not_required
def bad_request(request, exception=None):
    refusal = _limit_refusal(exception)
    status, message = refusal or (400, "")
    if request.path.startswith("/api/"):  # the API answers JSON, even before its own code runs
        from storyboard.api.errors import UNPARSABLE_BODY, error_response

        return error_response(status, message or UNPARSABLE_BODY, "body")
    if request.headers.get("X-Requested-With") == "XMLHttpRequest" or "HX-Request" in \
            request.headers:
        text = message or "The request could not be understood. Reload the page and try again."
        return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    return render(request, "400.html", {"message": message}, status=status)

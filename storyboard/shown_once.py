"""Something shown only once: an API token, a webhook's signing secret, an invitation or share
link. The POST that makes it keeps it in the session and redirects (post/redirect/get); the page
it lands on takes it out, so a reload shows it no more and it never goes into a URL. It is kept
for the team it was made in only, and the page that shows it is never cached, so the browser's
back button cannot bring it back either."""

from django.utils.cache import add_never_cache_headers


def keep(request, key: str, **values) -> None:
    request.session[key] = {"team": request.team.id, **values}


def take(request, key: str) -> dict | None:
    kept = request.session.pop(key, None)
    if isinstance(kept, dict) and kept.get("team") == request.team.id:
        return kept
    return None


def never_cached_if_shown(response, shown):
    if shown:
        add_never_cache_headers(response)
    return response

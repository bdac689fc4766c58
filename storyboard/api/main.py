"""The versioned JSON API (docs/api.md): one NinjaAPI, its routers by resource, its errors.
The operations call the same actions the pages call (architecture §8): nothing here decides a
rule of its own."""

from __future__ import annotations

from ninja import NinjaAPI

from storyboard.api import errors

api = NinjaAPI(
    title="storyboard API",
    version="1",
    description=(
        "Storyboards, checks, jobs, clips and the library of one team, with a Bearer token "
        "made in Team settings → API tokens. Errors are JSON {\"detail\", \"field\"}. "
        "See docs/api.md."),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

from storyboard.api import clips, jobs, library, sequences, storyboards  # noqa: E402 - they need `api`

api.add_router("/storyboards", storyboards.router)
api.add_router("/jobs", jobs.router)
api.add_router("/clips", clips.router)
api.add_router("/library", library.router)
api.add_router("/sequences", sequences.router)

# Share links live under two prefixes (/clips/{id}/share-links, /share-links/{id}): one router
# of their own, mounted at the root.
from storyboard.api import shares  # noqa: E402

api.add_router("", shares.router)

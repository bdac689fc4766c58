from audit.conftest import kling, rate_card  # noqa: F401  (shared fixtures)
from clip_fixtures import board, make_clip, queue  # noqa: F401  (shared fixtures)

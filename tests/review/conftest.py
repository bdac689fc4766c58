from clip_fixtures import board, make_clip, queue, shots_snapshot  # noqa: F401  (shared fixtures)

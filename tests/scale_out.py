"""The scale-out shape for process tests: a fresh PostgreSQL database of its own and Redis as
the django-q2 broker under its own queue name. Available when the suite itself runs with
DATABASE_URL=postgres://… and REDIS_URL (the second pass of .ci/run)."""

from __future__ import annotations

import contextlib
import os
import uuid

SCALE_OUT = os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(
    os.environ.get("REDIS_URL"))


@contextlib.contextmanager
def scale_out_environment():
    """Yields the environment variables that point processes at the fresh database."""
    import psycopg

    name = f"scale_{uuid.uuid4().hex[:10]}"
    server = os.environ["DATABASE_URL"]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": server.rsplit("/", 1)[0] + f"/{name}",
               "REDIS_URL": os.environ["REDIS_URL"], "Q_NAME": name}
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""The fixed cast every test uses: team A with an owner, editor, reviewer and viewer; team B
with its own owner, the outsider. Tests read as sentences about these people."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from storyboard.providers.sandbox import RunningSandbox
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role


@dataclass
class Cast:
    team_a: Team
    team_b: Team
    owner: object
    editor: object
    reviewer: object
    viewer: object
    outsider: object

    def member(self, user, team=None) -> Membership:
        return Membership.objects.get(user=user, team=team or self.team_a)

    @property
    def by_role(self) -> dict[str, object]:
        return {
            Role.OWNER: self.owner,
            Role.EDITOR: self.editor,
            Role.REVIEWER: self.reviewer,
            Role.VIEWER: self.viewer,
        }


PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # The real hasher is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files straight from static/, whatever a local `collectstatic` left in var/.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def name_sandbox(settings, monkeypatch):
    """Names `url` as the sandbox this test server runs, as `studio` names its own: in the
    settings, and in the environment that process tests pass on to their children."""

    def name(url: str) -> None:
        settings.STORYBOARD_SANDBOX_URL = url
        monkeypatch.setenv("STORYBOARD_SANDBOX_URL", url)

    return name


@pytest.fixture(autouse=True)
def _outbound_rule(settings, monkeypatch, name_sandbox):
    """The real rule in every test: no sandbox and no override until a test starts one. A
    sandbox a test starts in-process is the sandbox this test server runs, so sandbox accounts
    reach its port and no other."""
    settings.STORYBOARD_SANDBOX_URL = ""
    settings.STORYBOARD_ALLOW_ANY_SANDBOX = False
    monkeypatch.delenv("STORYBOARD_SANDBOX_URL", raising=False)
    monkeypatch.delenv("STORYBOARD_ALLOW_ANY_SANDBOX", raising=False)
    started = RunningSandbox.__init__

    def starting(self, *args, **kwargs):
        started(self, *args, **kwargs)
        name_sandbox(self.url)

    monkeypatch.setattr(RunningSandbox, "__init__", starting)


@pytest.fixture
def cast(db, django_user_model) -> Cast:
    team_a = Team.objects.create(name="Team A")
    team_b = Team.objects.create(name="Team B")

    def person(username, team, role):
        user = django_user_model.objects.create_user(username=username, password=PASSWORD)
        Membership.objects.create(user=user, team=team, role=role)
        return user

    return Cast(
        team_a=team_a,
        team_b=team_b,
        owner=person("olivia", team_a, Role.OWNER),
        editor=person("eddie", team_a, Role.EDITOR),
        reviewer=person("rita", team_a, Role.REVIEWER),
        viewer=person("victor", team_a, Role.VIEWER),
        outsider=person("oscar", team_b, Role.OWNER),
    )


@pytest.fixture
def client_for():
    """A signed-in client for `user`; `csrf=True` gives one that enforces CSRF like a browser."""

    def make(user, *, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        client.force_login(user)
        return client

    return make


def pytest_collection_modifyitems(config, items):
    """Tests marked `s3` run only where an S3 server is named (tests/s3_store.py)."""
    import s3_store

    s3_store.deselect_without_server(config, items)

"""Team settings → Audit log: owners read their team's log, newest first, filter it by person,
kind and dates (a bad date is named), and page through it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from storyboard.audit import actions as audit
from storyboard.audit.models import AuditEvent
from storyboard.audit.views import PAGE_SIZE
from storyboard.teams import actions as teams

URL = reverse("audit:index")
Kind = AuditEvent.Kind


def at(day: str, row: AuditEvent) -> None:
    when = datetime.fromisoformat(day).replace(tzinfo=timezone.get_current_timezone())
    AuditEvent.objects.filter(pk=row.pk).update(created_at=when)


@pytest.fixture
def log(cast, client_for):
    """Three changes by two people in team A, one in team B."""
    owner = client_for(cast.owner)
    owner.post(reverse("teams:change_role", args=[cast.member(cast.editor).pk]),
               {"role": "reviewer"}, REMOTE_ADDR="203.0.113.7")
    owner.post(reverse("teams:invite"), {"role": "viewer", "note": "for Sam"})
    client_for(cast.reviewer).post(reverse("teams:leave"))
    teams.create_invitation(cast.team_b, cast.outsider, "editor", "team B's secret plans")
    role, invite, left = AuditEvent.objects.filter(team=cast.team_a).order_by("created_at")
    at("2025-03-01T10:00", role)
    at("2025-03-10T10:00", invite)
    at("2025-03-20T23:30", left)
    return owner


def test_the_settings_page_links_to_the_log_for_owners(cast, client_for):
    page = client_for(cast.owner).get(reverse("teams:settings")).content.decode()
    assert f'href="{URL}"' in page
    assert f'href="{URL}"' not in client_for(cast.editor).get(
        reverse("teams:settings")).content.decode()


def test_owners_see_who_did_what_from_where_newest_first(log):
    response = log.get(URL)
    assert response.status_code == 200
    page = response.content.decode().split("<tbody>")[1]
    assert page.index("Member removed") < page.index("Invitation created") < page.index(
        "Role changed")
    assert "from: editor" in page and "to: reviewer" in page and "203.0.113.7" in page
    assert "olivia" in page and "rita" in page
    assert "team B&#x27;s secret plans" not in page and "secret plans" not in page


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_other_roles_may_not_read_it(cast, client_for, role):
    assert client_for(cast.by_role[role]).get(URL).status_code == 403


def test_filter_by_person(cast, log):
    page = log.get(URL, {"person": cast.reviewer.pk}).content.decode().split("<tbody>")[1]
    assert "Member removed" in page and "Role changed" not in page


def test_a_removed_member_can_still_be_chosen(cast, log):
    assert not cast.team_a.memberships.filter(user=cast.reviewer).exists()
    form = log.get(URL).context["form"]
    assert (cast.reviewer.pk, "rita") in form.fields["person"].choices
    assert (cast.outsider.pk, "oscar") not in form.fields["person"].choices


def test_filter_by_kind(log):
    page = log.get(URL, {"kind": Kind.INVITATION_CREATED}).content.decode()
    rows = page.split("<tbody>")[1]
    assert "Invitation created" in rows and "Role changed" not in rows


def test_filter_by_dates_takes_whole_days(log):
    rows = log.get(URL, {"start": "2025-03-10", "end": "2025-03-20"}).content.decode()
    rows = rows.split("<tbody>")[1]
    assert "Invitation created" in rows and "Member removed" in rows
    assert "Role changed" not in rows


@pytest.mark.parametrize(("params", "message"), [
    ({"start": "10/03/2025"}, "From: not a date; use the form 2025-03-14."),
    ({"end": "2025-02-30"}, "To: not a date; use the form 2025-03-14."),
    ({"start": "2025-03-20", "end": "2025-03-01"}, "Dates: “From” (2025-03-20) is after"),
    ({"kind": "everything"}, "What: choose one from the list."),
    ({"person": "abc"}, "Person: choose one from the list."),
])
def test_a_bad_filter_is_named_and_nothing_is_shown(log, params, message):
    response = log.get(URL, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "<tbody>" not in page


def test_another_teams_member_is_not_a_person_to_filter_by(cast, log):
    response = log.get(URL, {"person": cast.outsider.pk})
    assert response.status_code == 400
    assert "Person: choose one from the list." in response.content.decode()


def test_pages_go_back_in_time_without_repeats(cast, client_for):
    start = timezone.now() - timedelta(days=1)
    for n in range(PAGE_SIZE + 5):
        row = audit.record(Kind.ROLE_CHANGED, team=cast.team_a, target_text=f"member {n:03}")
        AuditEvent.objects.filter(pk=row.pk).update(created_at=start + timedelta(minutes=n))
    owner = client_for(cast.owner)
    first = owner.get(URL, {"kind": Kind.ROLE_CHANGED})
    assert len(first.context["events"]) == PAGE_SIZE
    more = first.context["more_url"]
    assert "kind=role_changed" in more
    second = owner.get(URL + more)
    shown = [e.target_text for e in first.context["events"] + second.context["events"]]
    assert shown == [f"member {n:03}" for n in reversed(range(PAGE_SIZE + 5))]
    assert second.context["more_url"] is None


def test_the_page_costs_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries):
    for n in range(30):
        audit.record(Kind.ROLE_CHANGED, team=cast.team_a, target_text=f"m{n}",
                     details={"from": "viewer", "to": "editor"})
    owner = client_for(cast.owner)
    with django_assert_max_num_queries(12):
        assert owner.get(URL).status_code == 200

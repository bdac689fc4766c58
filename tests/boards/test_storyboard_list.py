"""The storyboards list: search by title, sort by last change, create, duplicate, delete."""

from datetime import timedelta

from django.utils import timezone

from storyboard.boards.models import Shot, Slot, Storyboard


def titles(html: str, names) -> list[str]:
    return sorted((n for n in names if f">{n}</a>" in html), key=html.index)


def test_the_list_searches_titles_and_sorts_by_last_change(cast, client_for):
    now = timezone.now()
    for i, title in enumerate(["Kitchen chase", "Garden party", "Kitchen fire"]):
        Storyboard.objects.create(team=cast.team_a, title=title,
                                  updated_at=now - timedelta(hours=i))
    Storyboard.objects.create(team=cast.team_b, title="Kitchen of theirs")
    client = client_for(cast.viewer)
    names = ["Kitchen chase", "Garden party", "Kitchen fire", "Kitchen of theirs"]
    html = client.get("/storyboards/").content.decode()
    assert titles(html, names) == ["Kitchen chase", "Garden party", "Kitchen fire"]
    html = client.get("/storyboards/?q=kitchen").content.decode()
    assert titles(html, names) == ["Kitchen chase", "Kitchen fire"]
    html = client.get("/storyboards/?q=kitchen&sort=oldest").content.decode()
    assert titles(html, names) == ["Kitchen fire", "Kitchen chase"]
    html = client.get("/storyboards/?q=nothing").content.decode()
    assert "No storyboard title contains “nothing”." in html


def test_the_search_answers_htmx_with_the_list_only(cast, client_for, board):
    response = client_for(cast.viewer).get("/storyboards/?q=kit", HTTP_HX_REQUEST="true",
                                           HTTP_HX_TARGET="board-list")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board-list">') and ">Kitchen</a>" in html


def test_viewers_see_no_create_duplicate_or_delete(cast, client_for, board):
    html = client_for(cast.viewer).get("/storyboards/").content.decode()
    assert "New storyboard" not in html and "Duplicate" not in html and "Delete" not in html


def test_an_editor_creates_a_storyboard_with_two_empty_shots(cast, client_for):
    response = client_for(cast.editor, csrf=False).post("/storyboards/new/",
                                                        {"title": "  Fresh   start "})
    board = Storyboard.objects.get(title="Fresh start")
    assert response.status_code == 302 and response["Location"] == f"/storyboards/{board.pk}/"
    assert board.account is None and board.multi_shot and board.created_by == cast.editor
    assert [(s.prompt, s.duration) for s in board.shots.all()] == [("", "3"), ("", "3")]


def test_a_storyboard_without_a_title_is_not_created(cast, client_for):
    response = client_for(cast.editor).post("/storyboards/new/", {"title": "  "})
    assert response.status_code == 422
    assert "Give the storyboard a title." in response.content.decode()
    assert not Storyboard.objects.exists()


def test_duplicating_copies_settings_shots_and_slots(cast, client_for, board, stove):
    Slot.objects.create(storyboard=board, name="image_1", image=stove, role="first_frame")
    response = client_for(cast.editor).post(f"/storyboards/{board.pk}/duplicate/")
    copy = Storyboard.objects.get(title="Copy of Kitchen")
    assert response["Location"] == f"/storyboards/{copy.pk}/"
    assert [(s.prompt, s.duration) for s in copy.shots.all()] == [
        (s.prompt, s.duration) for s in board.shots.all()]
    assert copy.slots.get().image == stove and copy.slots.get().role == "first_frame"
    assert copy.version == 1


def test_deleting_removes_the_storyboard_its_shots_and_slots(cast, client_for, board, stove):
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    response = client_for(cast.editor).post(f"/storyboards/{board.pk}/delete/", follow=True)
    assert "Deleted “Kitchen”." in response.content.decode()
    assert not Storyboard.objects.exists() and not Shot.objects.exists()
    assert not Slot.objects.exists()
    stove.refresh_from_db()  # the library item stays


def test_deleting_is_refused_while_jobs_are_running(cast, client_for, board):
    from storyboard.jobs.models import Job, State

    for key, state in (("a", State.QUEUED), ("b", State.PROCESSING), ("c", State.SUCCEEDED)):
        Job.objects.create(team=board.team, storyboard=board, submit_key=key, state=state,
                           dialect="animatic", model="o1", title="t", snapshot={})
    response = client_for(cast.editor).post(f"/storyboards/{board.pk}/delete/", follow=True)
    assert "“Kitchen” has 2 jobs still running" in response.content.decode()
    assert Storyboard.objects.filter(pk=board.pk).exists()
    Job.objects.exclude(state=State.SUCCEEDED).update(state=State.CANCELLED)
    client_for(cast.editor).post(f"/storyboards/{board.pk}/delete/")
    assert not Storyboard.objects.filter(pk=board.pk).exists()
    assert Job.objects.count() == 3  # the history stays, without its storyboard


def test_outsiders_cannot_duplicate_or_delete(cast, client_for, board):
    client = client_for(cast.outsider)
    assert client.post(f"/storyboards/{board.pk}/duplicate/").status_code == 404
    assert client.post(f"/storyboards/{board.pk}/delete/").status_code == 404
    assert Storyboard.objects.count() == 1


def test_a_storyboard_another_app_protects_is_refused_with_a_message(cast, client_for, board,
                                                                      monkeypatch):
    from django.db.models import ProtectedError

    def protected(self, *args, **kwargs):
        raise ProtectedError("held", {cast.team_a})

    monkeypatch.setattr(Storyboard, "delete", protected)
    response = client_for(cast.editor).post(f"/storyboards/{board.pk}/delete/", follow=True)
    assert response.status_code == 200
    assert "“Kitchen” is still used (team): it cannot be deleted." in response.content.decode()

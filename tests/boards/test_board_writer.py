"""One writer of board rows: create, save, duplicate, import and remix bring a storyboard to an
EditorState the same way, so the same state gives the same rows whichever way it came in, and
none of them writes a slot pointing at a library item the team may not use."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from library.media_factory import make_image, make_image_element, make_video, share

from storyboard.boards import actions, importing
from storyboard.boards.convert import slot_sources, to_value, with_related
from storyboard.boards.models import Shot, Slot, Storyboard
from storyboard.boards.state import Refused, SlotState, load_board, state_from_board
from storyboard.boards.writing import create_board
from storyboard.rules import Storyboard as Value

BOARD_FIELDS = ("account_id", "model", "mode", "aspect_ratio", "multi_shot", "prompt",
                "duration", "count", "audio", "negative_prompt", "team_id")


def rows(board: Storyboard) -> dict:
    """Everything stored of a storyboard but its identity (id, title, version, dates)."""
    board = Storyboard.objects.get(pk=board.pk)
    return {
        "board": {f: getattr(board, f) for f in BOARD_FIELDS},
        "shots": list(Shot.objects.filter(storyboard=board).order_by("position").values_list(
            "position", "prompt", "duration")),
        "slots": list(Slot.objects.filter(storyboard=board).order_by("name").values_list(
            "name", "image_id", "video_id", "element_version_id", "role", "refer_type",
            "keep_original_sound")),
    }


@pytest.fixture
def full(cast, board, stove, chef):
    """The Kitchen board with every kind of setting and slot filled."""
    clip = make_video(cast.team_a, cast.editor, name="pan.mp4")
    Storyboard.objects.filter(pk=board.pk).update(
        mode="pro", aspect_ratio="9:16", count="2", audio=True, negative_prompt="no smoke")
    Shot.objects.create(storyboard=board, position=2, prompt="@image_1 at @element_1",
                        duration="4")
    Slot.objects.create(storyboard=board, name="image_1", image=stove, role="first_frame")
    Slot.objects.create(storyboard=board, name="element_1", element_version=chef.current_version)
    Slot.objects.create(storyboard=board, name="video_1", video=clip, refer_type="base",
                        keep_original_sound=True)
    return load_board(cast.team_a, board.pk)


def test_duplicate_import_save_and_remix_of_one_state_write_the_same_rows(cast, full):
    expected = rows(full)
    assert len(expected["shots"]) == 3 and len(expected["slots"]) == 3

    duplicated = actions.duplicate_storyboard(full, cast.editor)

    text = importing.export_batch([with_related(Storyboard.objects).get(pk=full.pk)])
    [imported] = importing.import_batch(cast.team_a, cast.editor, text)

    created = actions.create_storyboard(cast.team_a, cast.editor, "Blank")
    mine = load_board(cast.team_a, created.pk)
    saved = actions.save_storyboard(mine, replace(state_from_board(full), title="Blank",
                                                  version=mine.version))

    snapshot = Value.from_dict(to_value(full).to_dict())  # as a job freezes it
    remixed = actions.remix_storyboard(cast.team_a, cast.editor, "Kitchen (remix)", snapshot,
                                       slot_sources(full), parent=full)

    for board in (duplicated, imported, saved.board, remixed):
        assert rows(board) == expected, board.title
    assert (duplicated.title, duplicated.version) == ("Copy of Kitchen", 1)
    assert (imported.title, imported.version) == ("Kitchen", 1)
    assert saved.changed and Storyboard.objects.get(pk=created.pk).version == 2
    assert (remixed.title, remixed.parent_id, remixed.version) == ("Kitchen (remix)", full.pk, 1)


def test_a_save_that_changes_nothing_runs_no_query_and_keeps_the_version(cast, full):
    with CaptureQueriesContext(connection) as queries:
        saved = actions.save_storyboard(full, state_from_board(full))
    assert not saved.changed and len(queries) == 0
    assert Storyboard.objects.get(pk=full.pk).version == 1


def test_a_changed_shot_writes_the_board_and_that_shot_only(cast, full):
    state = state_from_board(full)
    shots = list(state.shots)
    shots[1] = ("The chef flips a pancake high", shots[1][1])
    with CaptureQueriesContext(connection) as queries:
        saved = actions.save_storyboard(full, replace(state, shots=tuple(shots)))
    writes = [q["sql"] for q in queries if not q["sql"].upper().startswith(
        ("SAVEPOINT", "RELEASE"))]
    assert len(writes) == 2, writes
    assert writes[0].startswith('UPDATE "boards_storyboard"')
    assert writes[1].startswith('UPDATE "boards_shot"') and "WHERE" in writes[1]
    assert saved.changed and saved.state.version == 2
    assert rows(full)["shots"][1] == (1, "The chef flips a pancake high", "3")


def test_a_save_drops_moves_and_refills_only_what_changed(cast, full, stove):
    other = make_image(cast.team_a, cast.editor, name="pan.png", color=(9, 9, 9))
    state = state_from_board(full)
    slots = [s for s in state.slots if s.name != "video_1"]
    slots = [replace(s, item_id=other.pk) if s.name == "image_1" else s for s in slots]
    slots.append(SlotState("image_2", stove.pk))
    actions.save_storyboard(full, replace(state, shots=state.shots[1:], slots=tuple(slots)))
    stored = rows(full)
    assert [s[:3] for s in stored["slots"]] == [
        ("element_1", None, None), ("image_1", other.pk, None), ("image_2", stove.pk, None)]
    assert stored["shots"] == [(0, "The chef flips a pancake", "3"),
                               (1, "@image_1 at @element_1", "4")]


def test_a_stale_save_raises_and_writes_nothing(cast, full):
    state = replace(state_from_board(full), title="Too late", version=7)
    with pytest.raises(actions.StaleVersion):
        actions.save_storyboard(full, state)
    assert Storyboard.objects.get(pk=full.pk).title == "Kitchen"


def test_no_path_writes_a_slot_holding_another_teams_image(cast, full):
    theirs = make_image(cast.team_b, name="secret.png", color=(5, 5, 5))
    foreign = SlotState("image_2", theirs.pk)
    state = state_from_board(full)
    with pytest.raises(Refused) as refused:
        actions.save_storyboard(full, replace(state, slots=state.slots + (foreign,)))
    assert list(refused.value.messages) == ["image_2"]
    # handing the writer the object itself does not vouch for it either
    with pytest.raises(Refused):
        actions.save_storyboard(full, replace(state, slots=state.slots + (foreign,)),
                                {"image_2": theirs})
    with pytest.raises(Refused):
        create_board(cast.team_a, cast.editor, replace(state, slots=(foreign,)))
    assert Storyboard.objects.count() == 1 and not Slot.objects.filter(image=theirs).exists()
    remixed = actions.remix_storyboard(cast.team_a, cast.editor, "Remix", state,
                                       {"image_1": {"image": theirs.pk}})
    assert not remixed.slots.exists()  # left empty: the check then asks for an image


def test_a_shared_element_passes_and_a_revoked_one_stays_but_is_not_copied(cast, full):
    guest = make_image_element(cast.team_b, name="Guest")
    grant = share(cast.team_b, cast.team_a)
    state = state_from_board(full)
    actions.save_storyboard(full, replace(state, slots=state.slots + (
        SlotState("element_2", guest.current_version_id),)), {"element_2": guest.current_version})
    assert full.slots.filter(name="element_2").exists()

    from django.utils import timezone

    from storyboard.library.models import LibraryShare

    # revoked as library.actions.revoke_share does it (that action also fails jobs)
    LibraryShare.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    board = load_board(cast.team_a, full.pk)
    renamed = replace(state_from_board(board), title="Kitchen, later")
    assert actions.save_storyboard(board, renamed).changed  # what it holds is not lost
    assert board.slots.filter(name="element_2").exists()
    copy = actions.duplicate_storyboard(load_board(cast.team_a, full.pk), cast.editor)
    assert sorted(copy.slots.values_list("name", flat=True)) == [
        "element_1", "image_1", "video_1"]


def test_remix_from_a_snapshot_leaves_out_what_is_gone_and_other_teams_accounts(cast, full):
    from storyboard.teams.accounts import AccountInput, add_account

    theirs = add_account(cast.team_b, AccountInput("kling", "Theirs", {
        "access_key": "a", "secret_key": "b"}))
    snapshot = Value.from_dict(to_value(full).to_dict())
    sources = {**slot_sources(full), "image_2": {"path": "/tmp/local.png"},
               "image_3": {"image": 10 ** 9}, "element_2": {"image": full.slots.get(
                   name="image_1").image_id}}
    remixed = actions.remix_storyboard(cast.team_a, cast.editor, "  A  remix  ", snapshot,
                                       sources, account=theirs)
    assert remixed.title == "A remix" and remixed.account_id is None
    assert rows(remixed)["slots"] == rows(full)["slots"]


def test_what_no_storyboard_can_hold_is_refused_naming_the_field(cast, full):
    state = state_from_board(full)
    with pytest.raises(Refused) as refused:
        create_board(cast.team_a, cast.editor, replace(
            state, shots=state.shots * 3, mode="8k", title=" "))
    assert set(refused.value.messages) == {"shots", "mode", "title"}
    with pytest.raises(actions.BoardError, match="timeline holds 2–6 shots"):
        actions.remix_storyboard(cast.team_a, cast.editor, "Remix",
                                 replace(state, shots=state.shots[:1]))
    assert Storyboard.objects.count() == 1


def test_another_teams_account_is_refused_by_the_writer(cast, full):
    from storyboard.teams.accounts import AccountInput, add_account

    theirs = add_account(cast.team_b, AccountInput("kling", "Theirs", {
        "access_key": "a", "secret_key": "b"}))
    with pytest.raises(Refused) as refused:
        actions.save_storyboard(full, replace(state_from_board(full), account_id=theirs.pk))
    assert list(refused.value.messages) == ["target"]


def test_an_import_whose_reference_resolves_elsewhere_is_refused_whole(cast, monkeypatch):
    """The import finds references in the team's library, and the writer checks again: an item
    that is not the team's (found by a finder gone wrong, or unshared since) refuses the whole
    file naming the item and slot."""
    import json

    make_image(cast.team_a, name="stove.png", color=(7, 7, 7))
    theirs = make_image(cast.team_b, name="secret.png", color=(8, 8, 8))
    finders = importing.finders_for

    def wrong(team):
        found = finders(team)
        found["image"].by_key["stove.png"] = {theirs.pk}
        return found

    monkeypatch.setattr(importing, "finders_for", wrong)
    text = json.dumps([{"prompt": "fine", "duration": "5"},
                       {"prompt": "@image_1", "duration": "5", "image_1": "stove.png"}])
    with pytest.raises(importing.ImportRefused) as refused:
        importing.import_batch(cast.team_a, cast.editor, text)
    assert [p.where for p in refused.value.problems] == ["item 2, image_1"]
    assert not Storyboard.objects.exists() and not Slot.objects.exists()  # item 1 neither

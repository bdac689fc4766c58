"""Sequence actions: order, refusals naming the field, pins scoped to the storyboard's takes,
and the pages that call them."""

from __future__ import annotations

import clip_fixtures
import pytest
from django.urls import reverse

from storyboard.boards.models import Storyboard
from storyboard.sequences import actions
from storyboard.sequences.actions import SequenceRefused
from storyboard.sequences.models import Sequence

make_clip = clip_fixtures.make_clip  # the shared fixture: clip rows without a video file


def _boards(cast, *titles, team=None):
    return [Storyboard.objects.create(team=team or cast.team_a, title=t, created_by=cast.editor)
            for t in titles]


def _titles(sequence):
    return list(sequence.entries.order_by("position").values_list("storyboard__title",
                                                                  flat=True))


def test_storyboards_are_added_in_order_and_each_change_bumps_the_version(cast):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "  Scene   one ")
    assert sequence.title == "Scene one"
    for board in _boards(cast, "A", "B", "C"):
        actions.add_storyboard(sequence, board)
    assert _titles(sequence) == ["A", "B", "C"]
    assert list(sequence.entries.values_list("position", flat=True)) == [1, 2, 3]
    sequence.refresh_from_db()
    assert sequence.version == 4


def test_reorder_takes_a_permutation_and_refuses_anything_else(cast):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Scene")
    a, b, c = _boards(cast, "A", "B", "C")
    for board in (a, b, c):
        actions.add_storyboard(sequence, board)
    actions.reorder(sequence, [c.pk, a.pk, b.pk])
    assert _titles(sequence) == ["C", "A", "B"]
    for bad in ([c.pk, a.pk], [c.pk, a.pk, a.pk], [c.pk, a.pk, b.pk, 999_999]):
        with pytest.raises(SequenceRefused, match="exactly once") as refused:
            actions.reorder(sequence, bad)
        assert refused.value.field == "order"
    assert _titles(sequence) == ["C", "A", "B"]


def test_move_and_remove_keep_positions_without_gaps(cast):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Scene")
    for board in _boards(cast, "A", "B", "C"):
        actions.add_storyboard(sequence, board)
    middle = sequence.entries.get(position=2)
    actions.move(middle, -1)
    assert _titles(sequence) == ["B", "A", "C"]
    actions.remove_entry(sequence.entries.get(storyboard__title="A"))
    assert _titles(sequence) == ["B", "C"]
    assert list(sequence.entries.values_list("position", flat=True)) == [1, 2]
    assert Storyboard.objects.filter(title="A").exists()  # the storyboard itself stays


def test_a_storyboard_in_another_sequence_is_refused_naming_it(cast):
    first = actions.create_sequence(cast.team_a, cast.editor, "Opening")
    second = actions.create_sequence(cast.team_a, cast.editor, "Finale")
    (board,) = _boards(cast, "Harbour")
    actions.add_storyboard(first, board)
    with pytest.raises(SequenceRefused, match="already in the sequence “Opening”"):
        actions.add_storyboard(second, board)


def test_another_teams_storyboard_is_refused(cast):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Scene")
    (theirs,) = _boards(cast, "Theirs", team=cast.team_b)
    with pytest.raises(SequenceRefused, match="not one of this team's"):
        actions.add_storyboard(sequence, theirs)


def test_titles_are_unique_per_team_and_limited(cast):
    actions.create_sequence(cast.team_a, cast.editor, "Scene")
    actions.create_sequence(cast.team_b, cast.outsider, "Scene")  # another team: fine
    with pytest.raises(SequenceRefused, match="already has a sequence called “Scene”"):
        actions.create_sequence(cast.team_a, cast.editor, "Scene")
    with pytest.raises(SequenceRefused, match="at most 200 characters"):
        actions.create_sequence(cast.team_a, cast.editor, "x" * 201)
    with pytest.raises(SequenceRefused, match="give the sequence a title"):
        actions.create_sequence(cast.team_a, cast.editor, "   ")


def test_a_pin_must_be_a_finished_take_of_that_storyboard(cast, make_clip):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Scene")
    a, b = _boards(cast, "A", "B")
    entry = actions.add_storyboard(sequence, a)
    own = make_clip(storyboard=a)
    other = make_clip(storyboard=b)
    failed = make_clip(storyboard=a, state="failed")
    actions.pin_take(entry, own.pk)
    entry.refresh_from_db()
    assert entry.pinned_clip_id == own.pk
    for bad in (other.pk, failed.pk):
        with pytest.raises(SequenceRefused, match="not a finished take of this storyboard"):
            actions.pin_take(entry, bad)
    actions.pin_take(entry, None)
    entry.refresh_from_db()
    assert entry.pinned_clip_id is None


def test_the_page_shows_the_strip_with_takes_seconds_review_state_and_total(
        cast, client_for, make_clip):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Scene")
    a, b = _boards(cast, "Arrival", "Departure")
    actions.add_storyboard(sequence, a)
    actions.add_storyboard(sequence, b)
    make_clip(storyboard=a, seconds=(3, 2))
    page = client_for(cast.viewer).get(reverse("sequences:detail", args=[sequence.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Arrival") < text.index("Departure")
    assert "5.0 s · <span class=\"badge\">Awaiting review</span>" in text
    assert "No take yet" in text and "no animatic yet" in text
    assert "Move earlier" not in text  # a viewer cannot edit
    editor_page = client_for(cast.editor).get(reverse("sequences:detail", args=[sequence.pk]))
    assert "Move earlier" in editor_page.content.decode()


def test_bad_input_gets_a_message_naming_the_field_not_a_500(cast, client_for):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Scene")
    client = client_for(cast.editor)
    for name, data, words in (
            ("sequences:add", {"storyboard": "abc"}, "Storyboard: choose one from the list."),
            ("sequences:order", {"order": "1,x"}, "Order: a comma-separated list"),
            ("sequences:rename", {"title": "y" * 300}, "Title: at most 200 characters")):
        response = client.post(reverse(name, args=[sequence.pk]), data, follow=True)
        assert response.status_code == 200
        assert words in response.content.decode()


def test_another_teams_sequence_is_a_404(cast, client_for):
    theirs = Sequence.objects.create(team=cast.team_b, title="Theirs")
    assert client_for(cast.editor).get(
        reverse("sequences:detail", args=[theirs.pk])).status_code == 404

"""The take a sequence plays for each storyboard: pinned, else approved, else newest."""

from __future__ import annotations

from datetime import timedelta

import clip_fixtures

from storyboard.boards.models import Storyboard
from storyboard.review.actions import approve_clip
from storyboard.sequences.models import Sequence, SequenceEntry
from storyboard.sequences.takes import chosen_take, chosen_takes

make_clip = clip_fixtures.make_clip  # the shared fixture: clip rows without a video file


def _entry(cast, board, position=1, sequence=None):
    sequence = sequence or Sequence.objects.create(team=cast.team_a, title="Scene 1")
    return SequenceEntry.objects.create(sequence=sequence, storyboard=board, position=position)


def _board(cast, title="Coast"):
    return Storyboard.objects.create(team=cast.team_a, title=title, created_by=cast.editor)


def test_a_storyboard_without_clips_has_no_take(cast):
    assert chosen_take(_entry(cast, _board(cast))) is None


def test_the_newest_succeeded_clip_is_chosen_when_nothing_is_approved(cast, make_clip):
    board = _board(cast)
    make_clip(storyboard=board, age=timedelta(hours=2))
    newest = make_clip(storyboard=board, age=timedelta(hours=1))
    make_clip(storyboard=board, state="failed")  # a failed job's clip row never counts
    assert chosen_take(_entry(cast, board)) == newest


def test_the_approved_take_wins_over_a_newer_one(cast, make_clip):
    board = _board(cast)
    approved = make_clip(storyboard=board, age=timedelta(hours=2))
    make_clip(storyboard=board, age=timedelta(hours=1))
    approve_clip(approved, cast.reviewer)
    assert chosen_take(_entry(cast, board)) == approved


def test_a_pinned_take_wins_over_the_approved_one(cast, make_clip):
    board = _board(cast)
    approved = make_clip(storyboard=board, age=timedelta(hours=2))
    pinned = make_clip(storyboard=board, age=timedelta(hours=3))
    approve_clip(approved, cast.reviewer)
    entry = _entry(cast, board)
    entry.pinned_clip = pinned
    entry.save()
    assert chosen_take(entry) == pinned


def test_a_pin_on_another_storyboards_clip_is_ignored(cast, make_clip):
    board = _board(cast)
    own = make_clip(storyboard=board)
    foreign = make_clip(team=cast.team_b, title="Elsewhere")
    entry = _entry(cast, board)
    entry.pinned_clip = foreign
    entry.save()
    assert chosen_take(entry) == own


def test_chosen_takes_follow_the_order_in_a_fixed_number_of_queries(
        cast, make_clip, django_assert_num_queries):
    sequence = Sequence.objects.create(team=cast.team_a, title="Short")
    boards = [_board(cast, f"Board {n}") for n in range(4)]
    clips = {}
    for position, board in zip((3, 1, 4, 2), boards, strict=True):
        _entry(cast, board, position, sequence)
        clips[board.pk] = make_clip(storyboard=board) if position != 4 else None
    with django_assert_num_queries(2):
        rows = chosen_takes(sequence)
    assert [entry.storyboard.title for entry, _ in rows] == [
        "Board 1", "Board 3", "Board 0", "Board 2"]
    assert [take for _, take in rows] == [
        clips[boards[1].pk], clips[boards[3].pk], clips[boards[0].pk], None]

"""Export notes: a clip's review as CSV for a spreadsheet (comments and decisions, formula-safe
cells) and as a CMX3600 EDL with a marker per time-coded comment, downloaded by any member of
the clip's team."""

import csv
import io
from datetime import UTC, datetime

import pytest

from storyboard.review.actions import add_comment, approve_clip, request_retake
from storyboard.review.exports import (
    CSV_COLUMNS,
    Note,
    clip_notes,
    notes_csv,
    notes_edl,
    safe_cell,
    shot_name,
)
from storyboard.review.timing import frame_rate, shot_plan

AT_24 = frame_rate(24)
WHEN = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
COAST = {"title": "Coast", "prompts": ("Gulls over the harbour", "A slow pan to the lighthouse",
                                       "Waves on the rocks"), "seconds": (3, 3, 3)}


def comment(seconds, text, shot=2, author="rita"):
    return Note("Comment", text, author, WHEN, seconds, shot, f"Shot {shot}: A slow pan")


def rows(text):
    return list(csv.reader(io.StringIO(text)))


# The CSV builder

def test_a_comment_is_one_row_with_its_time_code_shot_author_and_text():
    table = rows(notes_csv([comment(4.2, "The pan starts late")], AT_24))
    assert table[0] == list(CSV_COLUMNS) == ["Time code", "Seconds", "Shot", "Shot name",
                                              "Author", "Kind", "Text", "Created at"]
    assert table[1] == ["00:00:04:04", "4.20", "2", "Shot 2: A slow pan", "rita", "Comment",
                        "The pan starts late", "2025-03-04T10:30:00+00:00"]


def test_a_decision_has_no_time_in_the_clip():
    note = Note("Retake requested", "Slower, please", "rita", WHEN)
    assert rows(notes_csv([note], AT_24))[1] == [
        "", "", "", "", "rita", "Retake requested", "Slower, please",
        "2025-03-04T10:30:00+00:00"]


@pytest.mark.parametrize(("seconds", "code"), [(0, "00:00:00:00"), (1 / 24, "00:00:00:01"),
                                               (0.99, "00:00:00:23"), (1.0, "00:00:01:00")])
def test_csv_time_codes_fall_on_frame_boundaries(seconds, code):
    assert rows(notes_csv([comment(seconds, "x")], AT_24))[1][0] == code


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3",
                                       "@SUM(A1)", "\t=1", "\r=1"])
def test_cells_a_spreadsheet_would_run_as_formulas_start_with_a_quote(dangerous):
    note = comment(1, dangerous, author=dangerous)
    row = rows(notes_csv([note], AT_24))[1]
    assert row[4] == row[6] == "'" + dangerous
    assert safe_cell("fine = fine") == "fine = fine" and safe_cell(None) == ""


def test_unicode_commas_quotes_and_line_breaks_come_back_as_written():
    text = 'Très bien — 海の色 🌊, "warmer"\nsecond line'
    assert rows(notes_csv([comment(2, text)], AT_24))[1][6] == text


def test_an_empty_review_is_the_header_alone():
    assert notes_csv([], AT_24) == ",".join(CSV_COLUMNS) + "\r\n"


# The EDL builder

def test_each_comment_is_a_one_frame_event_with_a_locator():
    edl = notes_edl("Coast", [comment(4.2, "The pan starts late")], AT_24)
    assert edl.split("\r\n") == [
        "TITLE: Coast",
        "FCM: NON-DROP FRAME",
        "",
        "001  AX       V     C        00:00:04:04 00:00:04:05 00:00:04:04 00:00:04:05",
        "* FROM CLIP NAME: Coast",
        "* LOC: 00:00:04:04 YELLOW  The pan starts late | Shot 2: A slow pan | rita",
        "",
        "",
    ]


def test_edl_events_at_frame_boundaries_end_one_frame_later_rolling_over_the_second():
    edl = notes_edl("Coast", [comment(23 / 24, "a"), comment(1.0, "b")], AT_24)
    assert "001  AX       V     C        00:00:00:23 00:00:01:00" in edl
    assert "002  AX       V     C        00:00:01:00 00:00:01:01" in edl
    assert "* LOC: 00:00:00:23 YELLOW  a" in edl and "* LOC: 00:00:01:00 YELLOW  b" in edl


def test_edl_time_codes_count_at_the_clips_frame_rate():
    edl = notes_edl("Coast", [comment(2.0, "x")], frame_rate(25))
    assert "00:00:02:00 00:00:02:01" in edl
    assert "* LOC: 00:00:01:29" in notes_edl("Coast", [comment(2.0, "x")], frame_rate(29.97))


def test_an_edl_marker_is_one_line_whatever_the_comment_holds():
    edl = notes_edl("Côte\nd’Azur", [comment(1, "Trop sombre\r\nici — 海 🌊\x00!")], AT_24)
    lines = edl.split("\r\n")
    assert lines[0] == "TITLE: Côte d’Azur"
    assert "* LOC: 00:00:01:00 YELLOW  Trop sombre ici — 海 🌊 ! | Shot 2: A slow pan | rita" \
        in lines


def test_decisions_stay_out_of_the_edl_and_an_empty_review_is_its_header():
    decision = Note("Approved", "", "rita", WHEN)
    assert notes_edl("Coast", [decision], AT_24) == notes_edl("Coast", [], AT_24) == (
        "TITLE: Coast\r\nFCM: NON-DROP FRAME\r\n\r\n")


# Gathering a clip's notes

def test_a_shot_is_named_by_its_prompt_cut_short():
    plan = shot_plan({"shots": [{"prompt": "Gulls\nover   the harbour", "duration": 3},
                                {"prompt": "x" * 100, "duration": 3},
                                {"prompt": "", "duration": 3}]})
    assert shot_name(plan, 1) == "Shot 1: Gulls over the harbour"
    assert shot_name(plan, 2) == "Shot 2: " + "x" * 59 + "…"
    assert shot_name(plan, 3) == "Shot 3"


def test_a_clips_notes_are_its_comments_in_time_order_then_its_decisions(
        cast, make_clip):
    clip = make_clip(**COAST)
    add_comment(clip, cast.reviewer, 7.5, "Too dark")
    add_comment(clip, cast.editor, 4.2, "The pan starts late")
    request_retake(clip, cast.reviewer, "Slower pan in shot 2")
    notes = clip_notes(clip)
    assert [(n.kind, n.seconds, n.shot, n.shot_name, n.author, n.text) for n in notes] == [
        ("Comment", 4.2, 2, "Shot 2: A slow pan to the lighthouse", "eddie",
         "The pan starts late"),
        ("Comment", 7.5, 3, "Shot 3: Waves on the rocks", "rita", "Too dark"),
        ("Retake requested", None, None, "", "rita", "Slower pan in shot 2"),
    ]


# Downloading

def test_any_member_downloads_the_notes_as_csv(cast, client_for, make_clip):
    clip = make_clip(**COAST)
    add_comment(clip, cast.reviewer, 4.2, "The pan starts late")
    approve_clip(clip, cast.reviewer)
    response = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/notes.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="coast-clip-{clip.pk}-notes.csv"')
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # so a spreadsheet reads it as UTF-8
    table = rows(body[1:])
    assert [row[0] for row in table] == ["Time code", "00:00:04:04", ""]
    assert table[1][3:7] == ["Shot 2: A slow pan to the lighthouse", "rita", "Comment",
                             "The pan starts late"]
    assert table[2][5] == "Approved"


def test_any_member_downloads_the_markers_as_an_edl(cast, client_for, make_clip):
    clip = make_clip(**COAST)
    add_comment(clip, cast.reviewer, 4.2, "The pan starts late")
    response = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/notes.edl")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="coast-clip-{clip.pk}-notes.edl"')
    edl = response.content.decode("utf-8")
    assert edl.startswith("TITLE: Coast\r\nFCM: NON-DROP FRAME\r\n")
    assert ("* LOC: 00:00:04:04 YELLOW  The pan starts late | Shot 2: A slow pan to the "
            "lighthouse | rita") in edl


def test_the_edl_counts_at_the_clips_recorded_frame_rate(cast, client_for, make_clip):
    clip = make_clip(**COAST)
    clip.fps = 30
    clip.save(update_fields=["fps"])
    add_comment(clip, cast.reviewer, 4.2, "Late")
    edl = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/notes.edl").content.decode()
    assert "* LOC: 00:00:04:06 YELLOW  Late" in edl  # frame 126 at 30 fps, not 100 at 24


def test_a_comment_on_the_last_instant_is_on_the_last_frame(cast, client_for, make_clip):
    clip = make_clip(**COAST)
    add_comment(clip, cast.reviewer, 9.0, "Ends too soon")
    client = client_for(cast.viewer)
    table = rows(client.get(f"/review/clips/{clip.pk}/notes.csv").content.decode()[1:])
    assert table[1][:2] == ["00:00:08:23", "9.00"]
    edl = client.get(f"/review/clips/{clip.pk}/notes.edl").content.decode()
    assert "00:00:08:23 00:00:09:00 00:00:08:23 00:00:09:00" in edl


@pytest.mark.parametrize(("title", "name"), [
    ("Côte d’Azur: take 2!", "cote-dazur-take-2"), ("海の色", "clip"),
    ("=cmd|' /C calc'!A0", "cmd-c-calca0"), ('a"b\r\nContent-Type: x', "ab-content-type-x")])
def test_the_file_name_is_plain_ascii_from_the_title(cast, client_for, make_clip, title, name):
    clip = make_clip(title=title)
    response = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/notes.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{name}-clip-{clip.pk}-notes.csv"')


def test_an_empty_review_downloads_as_headers(cast, client_for, make_clip):
    clip = make_clip(**COAST)
    client = client_for(cast.viewer)
    csv_body = client.get(f"/review/clips/{clip.pk}/notes.csv").content.decode()
    assert rows(csv_body[1:]) == [list(CSV_COLUMNS)]
    edl = client.get(f"/review/clips/{clip.pk}/notes.edl").content.decode()
    assert edl == "TITLE: Coast\r\nFCM: NON-DROP FRAME\r\n\r\n"


@pytest.mark.parametrize("kind", ["csv", "edl"])
def test_another_teams_clip_is_not_found_and_nothing_else_answers(cast, client_for, client,
                                                                  make_clip, kind):
    theirs = make_clip(team=cast.team_b, **COAST)
    add_comment(theirs, cast.outsider, 1, "Secret plans")
    ours = make_clip(**COAST)
    member = client_for(cast.viewer)
    response = member.get(f"/review/clips/{theirs.pk}/notes.{kind}")
    assert response.status_code == 404 and b"Secret plans" not in response.content
    assert member.post(f"/review/clips/{ours.pk}/notes.{kind}").status_code == 405
    signed_out = client.get(f"/review/clips/{ours.pk}/notes.{kind}")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/login/")


def test_the_review_page_offers_the_exports_shortcuts_and_frame_rate(cast, client_for,
                                                                     make_clip):
    clip = make_clip(**COAST)
    add_comment(clip, cast.reviewer, 4.2, "Late")
    html = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/").content.decode()
    assert f'href="/review/clips/{clip.pk}/notes.csv" download>Notes as CSV</a>' in html
    assert f'href="/review/clips/{clip.pk}/notes.edl" download>Markers as EDL</a>' in html
    assert "<summary>Keyboard shortcuts</summary>" in html
    assert 'data-fps="24.0" data-fps-base="24"' in html
    assert "24 fps, the clip’s frame rate" in html
    assert '<label for="speed">Playback speed</label>' in html
    assert 'title="Timecode at 24 fps">00:00:04:04</span>' in html  # beside the comment


def test_a_clip_without_a_recorded_frame_rate_says_24_fps_is_assumed(cast, client_for,
                                                                     make_clip):
    clip = make_clip(**COAST)
    clip.fps = None
    clip.save(update_fields=["fps"])
    html = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/").content.decode()
    assert "24 fps assumed: this clip’s frame rate is not recorded" in html
    assert 'data-fps="24.0"' in html

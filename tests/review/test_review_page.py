"""The review page: the player with the planned shot boundaries, comments pinned to a time
code naming their shot, approve or request a retake, and the history of decisions."""

import re

import pytest
from django.template import Context, Template

from storyboard.boards.models import Storyboard
from storyboard.review.actions import ReviewRefused, add_comment, approve_clip, request_retake
from storyboard.review.models import ClipReview, Comment, Decision

NINE = {"prompts": ("Gulls", "A lighthouse", "Waves"), "seconds": (3, 3, 3)}


def csrf_client(client_for, user, clip):
    client = client_for(user, csrf=True)
    client.get(f"/review/clips/{clip.pk}/")
    return client, {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def test_the_scrubber_marks_the_planned_shot_boundaries(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    html = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/").content.decode()
    assert 'aria-label="Shot boundaries at 0:03.0, 0:06.0"' in html
    assert re.findall(r'class="mark" data-at="([\d.]+)"', html) == ["3.0", "6.0"]
    assert 'aria-label="Go to shot 2 at 0:03.0"' in html
    assert "review/review.js" in html and "<script>" not in html


def test_a_comment_at_4_2_seconds_names_shot_2_of_3(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    client, csrf = csrf_client(client_for, cast.reviewer, clip)
    response = client.post(f"/review/clips/{clip.pk}/comment/",
                           {"seconds": "4.2", "text": "The pan starts late"},
                           HTTP_HX_REQUEST="true", **csrf)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="comments"')
    assert 'data-seek="4.2" aria-label="Play from 0:04.2">0:04.2</button>' in html
    assert "Shot 2 of 3" in html and "The pan starts late" in html
    assert '<span id="pins" hx-swap-oob="true"><span class="pin" data-at="4.2"' in html
    comment = Comment.objects.get()
    assert (comment.seconds, comment.shot, comment.author) == (4.2, 2, cast.reviewer)


def test_editors_comment_too_and_see_the_comments_and_state(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    add_comment(clip, cast.reviewer, 7.5, "Too dark")
    client = client_for(cast.editor)
    client.post(f"/review/clips/{clip.pk}/comment/", {"seconds": "0:01.0", "text": "Noted"})
    html = client.get(f"/review/clips/{clip.pk}/").content.decode()
    assert "Too dark" in html and "Shot 3 of 3" in html and "Noted" in html
    assert "Awaiting review" in html and "Approve this take" not in html
    assert "Request retake" not in html


def test_viewers_only_read(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    add_comment(clip, cast.reviewer, 1, "Nice light")
    client = client_for(cast.viewer)
    html = client.get(f"/review/clips/{clip.pk}/").content.decode()
    assert "Nice light" in html
    assert 'name="text"' not in html and "Approve this take" not in html
    response = client.post(f"/review/clips/{clip.pk}/comment/", {"seconds": "1", "text": "x"})
    assert response.status_code == 403 and Comment.objects.count() == 1


@pytest.mark.parametrize(("seconds", "text", "message"), [
    ("9.5", "late", "Time: 0:09.5 is past the end of the clip (0:09.0)."),
    ("-1", "early", "Time: must be 0 s or later."),
    ("abc", "what", "is not a time code"),
    ("", "no time", "Time: give the time in the clip"),
    ("4.2", "   ", "Comment: write something before posting."),
    ("4.2", "x" * 10_000, "Comment: at most 2,000 characters (this one has 10,000)."),
])
def test_bad_comments_are_refused_with_a_message_and_nothing_saved(
        cast, client_for, make_clip, seconds, text, message):
    clip = make_clip(**NINE)
    client = client_for(cast.reviewer)
    response = client.post(f"/review/clips/{clip.pk}/comment/",
                           {"seconds": seconds, "text": text}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html and message in html
    assert 'aria-invalid="true"' in html
    assert not Comment.objects.exists()
    # Without htmx: the same message on the page it comes back to.
    page = client.post(f"/review/clips/{clip.pk}/comment/", {"seconds": seconds, "text": text},
                       follow=True).content.decode()
    assert message.replace("“", "&ldquo;") in page or message in page
    assert not Comment.objects.exists()


def test_markup_in_a_comment_is_shown_as_text(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    client = client_for(cast.reviewer)
    client.post(f"/review/clips/{clip.pk}/comment/",
                {"seconds": "1", "text": "<img src=x onerror=alert(1)> '; DROP TABLE x; --\x00"})
    html = client.get(f"/review/clips/{clip.pk}/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\x00" not in Comment.objects.get().text


def test_a_comment_without_the_csrf_token_is_refused(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    client = client_for(cast.reviewer, csrf=True)
    response = client.post(f"/review/clips/{clip.pk}/comment/", {"seconds": "1", "text": "x"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and not Comment.objects.exists()


def test_a_reviewer_approves_and_a_second_approval_changes_nothing(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    client, csrf = csrf_client(client_for, cast.reviewer, clip)
    response = client.post(f"/review/clips/{clip.pk}/approve/", follow=True, **csrf)
    html = response.content.decode()
    assert "is the approved take" in html and "✓ Approved" in html
    assert ClipReview.objects.get(clip=clip).state == "approved"
    response = client.post(f"/review/clips/{clip.pk}/approve/", follow=True, **csrf)
    assert "This take is already approved (by rita" in response.content.decode()
    assert "nothing changed" in response.content.decode()
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_cannot_approve_or_ask_for_a_retake(cast, client_for, make_clip,
                                                                 role):
    clip = make_clip(**NINE)
    client = client_for(getattr(cast, role))
    assert client.post(f"/review/clips/{clip.pk}/approve/").status_code == 403
    assert client.post(f"/review/clips/{clip.pk}/retake/", {"note": "x"}).status_code == 403
    assert not Decision.objects.exists() and Storyboard.objects.count() == 1


def test_a_retake_opens_a_new_revision_prefilled_from_the_snapshot_with_the_note(
        cast, client_for, make_clip):
    clip = make_clip(title="Coast", **NINE)
    client = client_for(cast.reviewer)
    response = client.post(f"/review/clips/{clip.pk}/retake/",
                           {"note": "Slower pan in shot 2"}, follow=True)
    html = response.content.decode()
    revision = Storyboard.objects.get(parent=clip.job.storyboard)
    assert revision.title == "Coast (retake)"
    assert [(s.prompt, s.duration) for s in revision.shots.all()] == [
        ("Gulls", "3"), ("A lighthouse", "3"), ("Waves", "3")]
    assert "Retake requested: the new revision “Coast (retake)”" in html
    assert "Slower pan in shot 2" in html and f'href="/storyboards/{revision.pk}/"' in html
    decision = Decision.objects.get()
    assert (decision.kind, decision.note, decision.revision) == ("retake", "Slower pan in shot 2",
                                                                 revision)
    # A second request for the same take changes nothing.
    again = client.post(f"/review/clips/{clip.pk}/retake/", {"note": "Again"}, follow=True)
    assert "A retake of this take was already requested" in again.content.decode()
    assert Storyboard.objects.count() == 2 and Decision.objects.count() == 1


def test_a_retake_needs_a_note(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    response = client_for(cast.reviewer).post(f"/review/clips/{clip.pk}/retake/", {"note": " "},
                                              follow=True)
    assert "Note: say what the retake should change." in response.content.decode()
    assert Storyboard.objects.count() == 1 and not Decision.objects.exists()


def test_a_retake_of_another_teams_clip_is_not_found(cast, client_for, make_clip):
    theirs = make_clip(team=cast.team_b, **NINE)
    for user in (cast.reviewer, cast.owner):
        client = client_for(user)
        assert client.post(f"/review/clips/{theirs.pk}/retake/",
                           {"note": "x"}).status_code == 404
        assert client.post(f"/review/clips/{theirs.pk}/approve/").status_code == 404
        assert client.get(f"/review/clips/{theirs.pk}/").status_code == 404
    assert not Decision.objects.exists() and Storyboard.objects.count() == 1


def test_the_history_of_decisions_stays_visible(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    request_retake(clip, cast.reviewer, "Darker sky")
    approve_clip(clip, cast.owner)  # changed their mind: the retake stays in the history
    html = client_for(cast.viewer).get(f"/review/clips/{clip.pk}/").content.decode()
    history = html[html.index('aria-label="Decisions"'):]
    assert history.index("Retake requested") < history.index("✓ Approved")
    assert "Darker sky" in history and "by olivia" in history and "by rita" in history
    assert ClipReview.objects.get(clip=clip).state == "approved"


def test_only_clips_of_finished_jobs_are_decided(cast, make_clip):
    clip = make_clip(state="downloading")
    with pytest.raises(ReviewRefused, match="finished"):
        approve_clip(clip, cast.reviewer)


def test_the_editor_of_the_revision_reads_the_note_and_the_time_coded_comments(
        cast, make_clip, django_assert_num_queries):
    clip = make_clip(**NINE)
    add_comment(clip, cast.reviewer, 4.2, "The pan starts late")
    revision = request_retake(clip, cast.reviewer, "Slower pan in shot 2").revision
    template = Template("{% load review_tags %}{% review_notes board %}")
    html = template.render(Context({"board": revision}))
    assert "Retake requested" in html and "Slower pan in shot 2" in html
    assert "0:04.2</a> · shot 2 · The pan starts late" in html
    assert f'href="/review/clips/{clip.pk}/"' in html
    original = Storyboard.objects.get(pk=clip.job.storyboard_id)
    with django_assert_num_queries(0):  # nobody's revision: no query on the editor page
        html = template.render(Context({"board": original}))
    assert "Retake requested" not in html


def test_deleting_a_clip_takes_its_review_comments_and_stars_with_it(cast, make_clip):
    from storyboard.review.actions import toggle_favourite

    clip = make_clip(**NINE)
    add_comment(clip, cast.reviewer, 1, "Nice")
    request_retake(clip, cast.reviewer, "Darker")
    approve_clip(clip, cast.owner)
    toggle_favourite(clip, cast.viewer)
    clip.job.delete()
    assert not (ClipReview.objects.exists() or Decision.objects.exists()
                or Comment.objects.exists())
    assert Storyboard.objects.filter(title__endswith="(retake)").exists()  # the revision stays

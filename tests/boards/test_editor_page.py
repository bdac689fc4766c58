"""The editor page: every field with a label, the report beside the fields, a read-only page
for people who may not edit, and a fixed number of queries however big the storyboard."""

from library.media_factory import make_image, make_image_element

from storyboard.boards.models import Preview, RateCard, Shot, Slot
from storyboard.boards.state import _FACTS


def page(client, board):
    response = client.get(f"/storyboards/{board.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_editor_shows_settings_tray_timeline_and_checks(cast, client_for, board, stove,
                                                            chef):
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    Slot.objects.create(storyboard=board, name="element_1", element_version=chef.current_version)
    html = page(client_for(cast.editor), board)
    for label in ('<label for="title">Title</label>', '<label for="target">Target</label>',
                  '<label for="mode">Mode</label>', '<label for="aspect_ratio">Aspect ratio',
                  '<label for="audio">Audio</label>', "Negative prompt"):
        assert label in html
    assert 'aria-label="Insert @image_1 into the prompt">@image_1</button>' in html
    assert 'alt="stove"' in html and 'alt="Chef"' in html
    assert "2 / 7 slots" in html
    assert html.count('name="shot_prompt"') == 2
    assert "6 s of 3–15 s" in html
    assert 'aria-label="Add stove to the tray"' in html  # keyboard picking
    assert '<option value="animatic/v3" selected>Local preview (animatic)' in html
    assert "image 1 is attached but not used" in html  # beside the slot
    assert 'hx-trigger="input delay:400ms, change, editor:changed, job-submitted from:body"' in html
    assert 'hx-sync="this:queue last"' in html


def test_the_target_list_offers_the_teams_accounts_only(cast, client_for, board):
    from storyboard.teams.accounts import AccountInput, add_account

    add_account(cast.team_a, AccountInput("kling", "Kling main", {"access_key": "a",
                                                                   "secret_key": "b"}))
    add_account(cast.team_b, AccountInput("kling", "Not ours", {"access_key": "a",
                                                                 "secret_key": "b"}))
    html = page(client_for(cast.editor), board)
    assert "Kling main · Kling 3.0 Omni (v3)" in html
    assert "Not ours" not in html


def test_reviewers_and_viewers_see_a_read_only_editor(cast, client_for, board):
    for user in (cast.reviewer, cast.viewer):
        html = page(client_for(user), board)
        assert "Read only · version 1" in html
        assert "hx-post" not in html.split('id="editor"')[1].split(">")[0]
        assert "Add shot" not in html and "Add stove" not in html
        assert 'id="submit-button" disabled' in html
        assert ">Preview</button>" not in html  # rendering is for editors


def test_outsiders_get_404(cast, client_for, board):
    assert client_for(cast.outsider).get(f"/storyboards/{board.pk}/").status_code == 404


def test_the_last_preview_is_shown_again(cast, client_for, board):
    shown = Preview.objects.create(storyboard=board, key="k", file="previews/x.mp4", seconds=6,
                                   width=1280, height=720)
    html = page(client_for(cast.viewer), board)
    assert f'src="/storyboards/previews/{shown.pk}/"' in html


def test_the_cost_estimate_says_when_the_rate_card_is_empty(cast, client_for, board):
    from storyboard.teams.accounts import AccountInput, add_account

    account = add_account(cast.team_a, AccountInput("kling", "K", {"access_key": "a",
                                                                    "secret_key": "b"}))
    board.account = account
    board.save()
    html = page(client_for(cast.editor), board)
    assert "No estimate: the team&#x27;s rate card is empty" in html
    RateCard.objects.create(team=cast.team_a, unit="USD", prices={"kling:v3:std": "0.084"})
    html = page(client_for(cast.editor), board)
    assert "≈ 0.504 USD (6 s × 0.084 USD per second, kling v3 std)" in html
    board.mode = "pro"
    board.save()
    assert "the rate card has no price for kling v3 pro" in page(client_for(cast.editor), board)


def test_the_animatic_is_free(cast, client_for, board):
    assert "Free: the animatic is rendered on this machine." in page(client_for(cast.editor),
                                                                     board)


def test_the_page_costs_the_same_queries_for_2_shots_or_6_shots_and_7_references(
        cast, client_for, board):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.editor)
    Slot.objects.create(storyboard=board, name="image_1",
                        image=make_image(cast.team_a, name="i1.png", color=(1, 1, 1)))
    element = make_image_element(cast.team_a, name="Hero1", extras=1)
    Slot.objects.create(storyboard=board, name="element_1",
                        element_version=element.current_version)
    page(client, board)
    _FACTS.clear()  # element pictures are read once per process: count that read too
    with CaptureQueriesContext(connection) as small:
        page(client, board)
    for i in range(2, 6):
        Shot.objects.create(storyboard=board, position=i, prompt=f"Shot {i}", duration="2")
    for i in range(2, 5):
        Slot.objects.create(storyboard=board, name=f"image_{i}",
                            image=make_image(cast.team_a, name=f"i{i}.png", color=(i, 1, 1)))
    for i in range(2, 4):
        element = make_image_element(cast.team_a, name=f"Hero{i}", extras=1)
        Slot.objects.create(storyboard=board, name=f"element_{i}",
                            element_version=element.current_version)
    _FACTS.clear()
    with CaptureQueriesContext(connection) as big:
        html = page(client, board)
    assert html.count('name="shot_prompt"') == 6 and "7 / 7 slots" in html
    assert len(big) == len(small), [q["sql"][:90] for q in big.captured_queries]
    assert len(big) == PAGE_QUERIES


# Session, user, memberships; board, shots, slots with their items; element pictures (once per
# process, the library's too); accounts; last preview; library: images, elements, videos;
PAGE_QUERIES = 14  # + the storyboard's latest jobs, + its first take


def test_a_save_costs_the_same_queries_for_2_shots_or_6_shots_and_7_references(
        cast, client_for, board, django_assert_num_queries):
    from boards.editor_form import form_of

    from storyboard.boards.models import Storyboard

    client = client_for(cast.editor)
    client.get(f"/storyboards/{board.pk}/")
    images = [make_image(cast.team_a, name=f"i{i}.png", color=(i, 2, 2)) for i in range(1, 5)]
    heroes = [make_image_element(cast.team_a, name=f"Hero{i}") for i in range(1, 4)]
    big = Storyboard.objects.create(team=cast.team_a, title="Big")
    Shot.objects.bulk_create([Shot(storyboard=big, position=i, prompt="x", duration="2")
                              for i in range(6)])
    cases = [
        (board, [("A", "3")] * 2, {"image_1": f"image:{images[0].pk}",
                                   "element_1": f"version:{heroes[0].current_version_id}"}),
        (big, [("B", "2")] * 6, {**{f"image_{i + 1}": f"image:{img.pk}"
                                    for i, img in enumerate(images)},
                                 **{f"element_{i + 1}": f"version:{h.current_version_id}"
                                    for i, h in enumerate(heroes)}}),
    ]
    for b, shots, slots in cases:
        data = form_of(b, title="Renamed", shots=shots, slots=slots)
        _FACTS.clear()
        with django_assert_num_queries(SAVE_QUERIES):
            response = client.post(f"/storyboards/{b.pk}/save/", data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200


# Session, user, memberships; board, shots, slots (with items); new items: images, element
# versions, their pictures (once per process); savepoint, board update, shots update, slots
# insert, release; the team's accounts (the strip of other targets names them). (No rate card:
# the animatic is free.)
SAVE_QUERIES = 16  # + the first take of the version (what Submit offers)

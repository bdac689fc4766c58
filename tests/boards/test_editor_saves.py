"""Every change in the editor is posted whole to boards:save, which checks it, saves it (if it
starts from the stored version) and answers with the report only."""

import re

from boards.editor_form import form_of

from storyboard.boards.models import Slot


def save(client, board, **changes):
    return client.post(f"/storyboards/{board.pk}/save/", form_of(board, **changes),
                       HTTP_HX_REQUEST="true")


def test_an_editor_saves_a_prompt_and_the_version_goes_up(cast, client_for, board):
    response = save(client_for(cast.editor), board,
                    shot_prompt=["A chef at the stove", "The chef flips a pancake high"])
    assert response.status_code == 200
    board.refresh_from_db()
    assert board.version == 2
    assert [s.prompt for s in board.shots.all()][1] == "The chef flips a pancake high"
    html = response.content.decode()
    assert 'id="board-version" value="2" hx-swap-oob="true"' in html
    assert "Saved · version 2" in html
    assert "6 s of 3–15 s" in html


def box(html: str, dom_id: str) -> str:
    """The inner HTML of the problem box `p-<dom_id>` in an answer."""
    m = re.search(rf'<ul class="problems" id="p-{re.escape(dom_id)}"[^>]*>(.*?)</ul>', html, re.S)
    assert m, f"no box p-{dom_id}"
    return m.group(1)


def test_a_save_answers_with_the_report_only_never_the_inputs(cast, client_for, board):
    html = save(client_for(cast.editor), board, shot_duration=["3", "13"]).content.decode()
    assert "<textarea" not in html and 'name="title"' not in html
    assert "Shots add up to 16 s; animatic v3 takes 3–15 s." in box(html, "shots")
    assert box(html, "shots-0-prompt") == ""  # cleared, so old messages go away
    assert 'id="submit-button" disabled' in html
    assert 'id="timeline-total" class="total over"' in html


def test_an_unchanged_form_saves_nothing_and_keeps_the_version(cast, client_for, board):
    client = client_for(cast.editor)
    assert save(client, board).status_code == 200
    board.refresh_from_db()
    assert board.version == 1


def test_a_save_from_a_stale_tab_is_refused_and_shows_the_newer_state(cast, client_for, board):
    client = client_for(cast.editor)
    stale = form_of(board, shot_prompt=["Second tab's words", "The chef flips a pancake"])
    save(client, board, shot_prompt=["First tab's words", "The chef flips a pancake"])
    response = client.post(f"/storyboards/{board.pk}/save/", stale, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "This storyboard was changed elsewhere" in html
    assert "First tab&#x27;s words" in html  # the newer state is shown
    assert "Version 2 was saved" in html and "loaded version 1" in html
    board.refresh_from_db()
    assert board.version == 2
    assert board.shots.first().prompt == "First tab's words"  # never silently overwritten


def test_a_version_from_the_future_is_refused_too(cast, client_for, board):
    response = save(client_for(cast.editor), board, version="7", title="Sneaky")
    assert response.status_code == 409
    board.refresh_from_db()
    assert board.title == "Kitchen"


def test_an_empty_title_is_refused_beside_the_title_and_nothing_is_saved(cast, client_for,
                                                                         board):
    response = save(client_for(cast.editor), board, title="   ",
                    shot_prompt=["Changed too", "The chef flips a pancake"])
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the storyboard a title" in box(html, "title")
    assert "Not saved: Give the storyboard a title" in html
    board.refresh_from_db()
    assert (board.title, board.version, board.shots.first().prompt) == (
        "Kitchen", 1, "A chef at the stove")


def test_zero_or_seven_shots_from_a_crafted_request_are_refused(cast, client_for, board):
    client = client_for(cast.editor)
    for shots in ([], [("Shot", "2")] * 7):
        response = save(client, board, shots=shots)
        assert response.status_code == 422
        assert "The timeline holds 2–6 shots; this change had" in box(
            response.content.decode(), "shots")
    board.refresh_from_db()
    assert board.version == 1 and board.shots.count() == 2


def test_six_shots_are_saved_in_order(cast, client_for, board):
    shots = [(f"Shot {i}", "2") for i in range(1, 7)]
    assert save(client_for(cast.editor), board, shots=shots).status_code == 200
    assert [(s.prompt, s.duration, s.position) for s in board.shots.all()] == [
        (f"Shot {i}", "2", i - 1) for i in range(1, 7)]
    save(client_for(cast.editor), board, shots=shots[:2][::-1])
    assert [s.prompt for s in board.shots.all()] == ["Shot 2", "Shot 1"]


def test_a_shot_prompt_at_the_limit_passes_and_one_past_it_is_an_error_beside_it(
        cast, client_for, board):
    client = client_for(cast.editor)
    html = save(client, board, shot_prompt=["x" * 512, "ok"]).content.decode()
    assert box(html, "shots-0-prompt") == ""
    assert '<span id="c-shots-0-prompt" class="counter" hx-swap-oob="true">512 / 512' in html
    html = save(client, board, shot_prompt=["x" * 513, "ok"]).content.decode()
    assert "Shot 1&#x27;s prompt is 513 characters as sent; animatic v3 takes at most 512" in box(
        html, "shots-0-prompt")
    assert 'class="counter over" hx-swap-oob="true">513 / 512' in html
    board.refresh_from_db()
    assert len(board.shots.first().prompt) == 513  # saved: the rules report, they don't refuse


def test_a_single_prompt_is_counted_against_the_single_limit(cast, client_for, board):
    board.multi_shot = False
    board.prompt, board.duration = "A chef", "5"
    board.save()
    client = client_for(cast.editor)
    html = save(client, board, prompt="y" * 2500).content.decode()
    assert box(html, "prompt") == ""
    html = save(client, board, prompt="y" * 2501).content.decode()
    assert "The prompt is 2501 characters as sent; animatic v3 takes at most 2500." in box(
        html, "prompt")


def test_a_prompt_past_what_can_be_stored_is_refused(cast, client_for, board):
    response = save(client_for(cast.editor), board, shot_prompt=["z" * 20_001, "ok"])
    assert response.status_code == 422
    assert "at most 20,000 can be saved" in box(response.content.decode(), "shots-0-prompt")
    board.refresh_from_db()
    assert board.version == 1


def test_tokens_pasted_in_the_vendor_form_are_stored_neutral(cast, client_for, board, stove):
    save(client_for(cast.editor), board, slots={"image_1": f"image:{stove.pk}"},
         shot_prompt=["The stove<<<image_1>>>glows", "ok"])
    assert board.shots.first().prompt == "The stove @image_1 glows"


def test_slots_are_filled_with_the_teams_images_and_elements(cast, client_for, board, stove,
                                                             chef):
    html = save(client_for(cast.editor), board,
                slots={"image_1": f"image:{stove.pk}",
                       "element_1": f"version:{chef.current_version_id}"},
                shot_prompt=["@element_1 at @image_1", "ok"], role_image_1="first_frame"
                ).content.decode()
    slots = {s.name: s for s in Slot.objects.filter(storyboard=board)}
    assert slots["image_1"].image == stove and slots["image_1"].role == "first_frame"
    assert slots["element_1"].element_version == chef.current_version
    assert 'id="slot-meter" class="meter" aria-label="Slots used" hx-swap-oob="true">2 / 7' in html
    # Removing one removes its row.
    save(client_for(cast.editor), board, slots={"image_1": f"image:{stove.pk}"})
    assert list(Slot.objects.filter(storyboard=board).values_list("name", flat=True)) == [
        "image_1"]


def test_an_unused_reference_is_a_warning_beside_its_slot(cast, client_for, board, stove):
    html = save(client_for(cast.editor), board, slots={"image_1": f"image:{stove.pk}"}
                ).content.decode()
    assert "attached but not used" in box(html, "image_1")
    assert '<li class="warning">' in box(html, "image_1")


def test_the_meter_turns_red_past_the_slot_limit(cast, client_for, board):
    from library.media_factory import make_image

    images = [make_image(cast.team_a, name=f"p{i}.png", color=(i, 9, 9)) for i in range(8)]
    slots = {f"image_{i + 1}": f"image:{img.pk}" for i, img in enumerate(images[:7])}
    html = save(client_for(cast.editor), board, slots=slots).content.decode()
    assert 'class="meter" aria-label="Slots used" hx-swap-oob="true">7 / 7' in html
    from library.media_factory import make_image_element

    hero = make_image_element(cast.team_a, name="Hero")
    slots["element_1"] = f"version:{hero.current_version_id}"
    html = save(client_for(cast.editor), board, slots=slots).content.decode()
    assert 'class="meter over" aria-label="Slots used" hx-swap-oob="true">8 / 7' in html
    assert "slots" in html and '<li class="error">' in box(html, "slots")


def test_a_slot_pointing_at_another_teams_image_is_refused(cast, client_for, board):
    from library.media_factory import make_image

    theirs = make_image(cast.team_b, name="secret.png")
    response = save(client_for(cast.editor), board, slots={"image_1": f"image:{theirs.pk}"},
                    title="Renamed")
    assert response.status_code == 422
    assert "that image is not in this team&#x27;s library" in box(
        response.content.decode(), "image_1")
    board.refresh_from_db()
    assert board.title == "Kitchen" and not board.slots.exists()


def test_a_shared_element_may_be_used(cast, client_for, board):
    from library.media_factory import make_image_element, share

    theirs = make_image_element(cast.team_b, name="Guest")
    share(cast.team_b, cast.team_a)
    response = save(client_for(cast.editor), board,
                    slots={"element_1": f"version:{theirs.current_version_id}"})
    assert response.status_code == 200
    assert board.slots.get().element_version_id == theirs.current_version_id


def test_a_deleted_element_is_refused_with_a_clear_message(cast, client_for, board, chef):
    from storyboard.library.actions import delete_element

    version_id = chef.current_version_id
    delete_element(chef)
    response = save(client_for(cast.editor), board, slots={"element_1": f"version:{version_id}"})
    assert response.status_code == 422
    assert "that element is not in this team&#x27;s library (it may have been deleted" in box(
        response.content.decode(), "element_1")


def test_a_slot_holding_the_wrong_kind_or_an_unknown_slot_is_refused(cast, client_for, board,
                                                                    stove):
    client = client_for(cast.editor)
    response = save(client, board, slots={"element_1": f"image:{stove.pk}"})
    assert response.status_code == 422
    assert "@element_1 holds no element" in response.content.decode()
    response = save(client, board, slots={"image_9": f"image:{stove.pk}"})
    assert response.status_code == 422
    assert "not a reference slot" in response.content.decode()


def test_another_teams_account_is_not_a_target(cast, client_for, board):
    from storyboard.teams.accounts import AccountInput, add_account

    theirs = add_account(cast.team_b, AccountInput("kling", "Theirs", {
        "access_key": "a", "secret_key": "b"}))
    response = save(client_for(cast.editor), board, target=f"{theirs.pk}/v3")
    assert response.status_code == 422
    assert "not one of this team&#x27;s" in box(response.content.decode(), "target")


def test_switching_target_rechecks_at_once(cast, client_for, board):
    from storyboard.teams.accounts import AccountInput, add_account

    account = add_account(cast.team_a, AccountInput("useapi", "Use", {"token": "t"}))
    html = save(client_for(cast.editor), board, target=f"{account.pk}/o1").content.decode()
    assert "useapi o1 has no multi-shot" in box(html, "multi_shot")
    assert "Checks <span class=\"muted small\">for useapi o1" in html
    board.refresh_from_db()
    assert board.account == account and board.model == "o1"
    html = save(client_for(cast.editor), board, target="animatic/v3").content.decode()
    assert box(html, "multi_shot") == ""
    board.refresh_from_db()
    assert board.account is None


def test_switching_to_single_shot_carries_the_text_over(cast, client_for, board):
    html = save(client_for(cast.editor), board, multi_shot="0").content.decode()
    board.refresh_from_db()
    assert not board.multi_shot and not board.shots.exists()
    assert board.prompt == "A chef at the stove\n\nThe chef flips a pancake"
    assert board.duration == "6"
    # The answer redraws the shots area in its new shape (the only input area it redraws).
    assert ('id="composition" class="composition" aria-labelledby="comp-h" '
            'hx-swap-oob="true"') in html
    assert 'name="shown_multi_shot" value="0"' in html


def test_switching_to_multi_shot_splits_the_seconds_over_two_shots(cast, client_for, board):
    board.multi_shot, board.prompt, board.duration = False, "One long take", "7"
    board.save()
    board.shots.all().delete()
    save(client_for(cast.editor), board, multi_shot="1", shown_multi_shot="0", shots=[])
    board.refresh_from_db()
    assert board.multi_shot and board.prompt == ""
    assert [(s.prompt, s.duration) for s in board.shots.all()] == [("One long take", "4"),
                                                                 ("", "3")]


def test_a_duration_that_is_not_a_number_is_reported_beside_its_shot(cast, client_for, board):
    html = save(client_for(cast.editor), board, shot_duration=["3", "2.5"]).content.decode()
    assert '<li class="error">' in box(html, "shots-1-duration")
    assert "? s of 3–15 s" in html


def test_roles_without_edit_cannot_save(cast, client_for, board):
    for user in (cast.reviewer, cast.viewer):
        assert save(client_for(user), board, title="Nope").status_code == 403
    assert save(client_for(cast.outsider), board, title="Nope").status_code == 404
    board.refresh_from_db()
    assert board.title == "Kitchen"


def test_htmx_saves_need_the_csrf_header(cast, client_for, board):
    client = client_for(cast.editor, csrf=True)
    page = client.get(f"/storyboards/{board.pk}/").content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    data = form_of(board, title="Via htmx")
    url = f"/storyboards/{board.pk}/save/"
    assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 403
    assert client.post(url, data, HTTP_HX_REQUEST="true",
                       HTTP_X_CSRFTOKEN=token).status_code == 200
    board.refresh_from_db()
    assert board.title == "Via htmx"


def test_each_targets_own_limits_apply_at_and_past_them(cast, client_for, board):
    from storyboard.teams.accounts import AccountInput, add_account

    useapi = add_account(cast.team_a, AccountInput("useapi", "Use", {"token": "t"}))
    apimart = add_account(cast.team_a, AccountInput("apimart", "Mart", {"api_key": "k"}))
    board.multi_shot, board.prompt, board.duration, board.account = False, "x", "5", useapi
    board.model = "o1"
    board.save()
    board.shots.all().delete()
    client = client_for(cast.editor)
    html = save(client, board, prompt="p" * 1700).content.decode()
    assert box(html, "prompt") == "" and ">1,700 / 1,700<" in html
    html = save(client, board, prompt="p" * 1701).content.decode()
    assert "1701 characters as sent; useapi o1 takes at most 1700" in box(html, "prompt")
    board.refresh_from_db()
    html = save(client, board, target=f"{apimart.pk}/v3", prompt="p",
                negative_prompt="n" * 2500).content.decode()
    assert box(html, "negative_prompt") == "" and ">2,500 / 2,500<" in html
    html = save(client, board, negative_prompt="n" * 2501).content.decode()
    assert '<li class="error">' in box(html, "negative_prompt")
    board.refresh_from_db()
    html = save(client, board, target=f"{useapi.pk}/v3").content.decode()
    assert "negative" in box(html, "negative_prompt")  # useapi has none: said beside it

"""The editor gives the rules an element's tag and voice, so the voice rules of a target show in
the live check (and the submit check, which builds the element the same way)."""

from boards.editor_form import form_of
from library.media_factory import make_video_element

from storyboard.boards.convert import to_value
from storyboard.boards.models import Slot
from storyboard.library.models import ElementVersion
from storyboard.rules import check
from storyboard.teams.accounts import AccountInput, add_account


def _voiced_prop_on_useapi(cast, board):
    element = make_video_element(cast.team_a, cast.editor, name="Lamp")
    ElementVersion.objects.filter(pk=element.current_version_id).update(tag="prop",
                                                                         voice_id="v1")
    useapi = add_account(cast.team_a, AccountInput("useapi", "Use", {"token": "t"}))
    board.account, board.model = useapi, "v3"
    board.save()
    Slot.objects.create(storyboard=board, name="element_1",
                        element_version=element.current_version)
    board.shots.filter(position=0).update(prompt="A chef at the stove @element_1")
    return board


def test_the_live_check_refuses_a_voice_on_a_prop_for_useapi(cast, client_for, board):
    board = _voiced_prop_on_useapi(cast, board)
    client = client_for(cast.editor)
    data = form_of(board)
    html = client.post(f"/storyboards/{board.pk}/save/", data,
                       HTTP_HX_REQUEST="true").content.decode()
    assert "element 1 has a voice, but its tag is prop" in html


def test_the_submit_check_reads_the_same_tag_and_voice(cast, board):
    board = _voiced_prop_on_useapi(cast, board)
    value = to_value(board)
    assert (value.attachments["element_1"].tag, value.attachments["element_1"].voice) == \
        ("prop", "id")
    codes = [p.code for p in check(value, value.target).problems]
    assert "voice_needs_character_tag" in codes

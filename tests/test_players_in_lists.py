"""Lists of clips must not cost one request per clip when they open: every <video> in a list
template waits for Play (preload="none") and shows a poster frame meanwhile. Pages about one
clip (or one element, or one storyboard's own preview) may load their player at once."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# One clip, one element's versions, two takes played in sync, the editor's own preview: a
# handful of players at most, each the point of its page; a sequence's reel is one player that
# switches its source from take to take; the review player (review/_player.html) is the one clip
# of the team's review page and of a guest's shared page; a guest's shared reel
# (shares/takes.html) is the sequence's one reel player again.
SINGLE_CLIP_PAGES = {"gallery/clip.html", "gallery/compare.html", "review/_player.html",
                     "library/element_detail.html", "boards/editor.html",
                     "sequences/detail.html", "shares/takes.html"}


def players() -> dict[str, list[str]]:
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        tags = re.findall(r"<video\b[^>]*>", path.read_text(), flags=re.S)
        if tags:
            found[path.relative_to(TEMPLATES).as_posix()] = tags
    return found


def test_the_walk_finds_the_list_players():
    lists = set(players()) - SINGLE_CLIP_PAGES
    assert {"jobs/_card.html", "gallery/_clip_card.html", "library/index.html"} <= lists


def test_every_player_in_a_list_waits_for_play_and_shows_a_poster():
    for name, tags in players().items():
        if name in SINGLE_CLIP_PAGES:
            continue
        for tag in tags:
            assert 'preload="none"' in tag, f"{name}: {tag}"
            assert re.search(r'\sposter="[^"]+"', tag), f"{name}: {tag}"

"""The gallery's filter bar: every value arrives as text in the query string and is checked
here; a bad one gets a message naming the field and the limit, and is not applied."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from storyboard.gallery.cards import options
from storyboard.gallery.queries import Filters, family_ids
from storyboard.review.models import ReviewState

SEARCH_MAX = 200
SEARCH_WORDS_MAX = 8
MODELS = ("o1", "v3")


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


def _date(text: str, field: str, errors: list[str]):
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = datetime.strptime(text[:10], "%Y-%m-%d").date() if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors.append(f"{field}: “{text[:20]}” is not a date; use the form 2025-03-14.")
    return day


class GalleryFilters:
    """Parsed filters plus what the filter bar needs to show them again."""

    def __init__(self, params, team, *, boards, accounts, elements):
        self.errors: list[str] = []
        self.values = {k: params.get(k, "") for k in
                       ("q", "board", "target", "review", "element", "from", "to", "fav")}
        self.board_choices = boards
        self.account_choices = accounts
        self.element_choices = elements
        f = {}
        board = _int(self.values["board"])
        if self.values["board"]:
            if board is None or board not in {pk for pk, _ in boards}:
                self.errors.append("Storyboard: choose one from the list.")
            else:
                f["boards"] = family_ids(board, team)
        target = self.values["target"]
        if target == "animatic":
            f["dialect"] = "animatic"
        elif target:
            account, _, model = target.partition(":")
            account_id = _int(account)
            if account_id not in {pk for pk, _ in accounts} or model not in MODELS:
                self.errors.append("Target: choose one from the list.")
            else:
                f["account_id"], f["model"] = account_id, model
        review = self.values["review"]
        if review:
            if review not in ReviewState.values:
                self.errors.append("Review: choose awaiting, approved or retake requested.")
            else:
                f["review"] = review
        element = _int(self.values["element"])
        if self.values["element"]:
            if element is None or element not in {pk for pk, _ in elements}:
                self.errors.append("Element: choose one from the list.")
            else:
                f["element_id"] = element
        start = _date(self.values["from"], "From", self.errors)
        end = _date(self.values["to"], "To", self.errors)
        if start and end and start > end:
            self.errors.append("Dates: “From” is after “To”.")
        zone = timezone.get_current_timezone()
        if start:
            f["date_from"] = datetime.combine(start, time.min, zone)
        if end:
            f["date_before"] = datetime.combine(end + timedelta(days=1), time.min, zone)
        q = self.values["q"]
        if len(q) > SEARCH_MAX:
            self.errors.append(f"Search: at most {SEARCH_MAX} characters (this one has "
                               f"{len(q):,}).")
            self.values["q"] = ""  # not shown back: it could be anything, of any size
        else:
            words = q.split()
            if len(words) > SEARCH_WORDS_MAX:
                self.errors.append(f"Search: at most {SEARCH_WORDS_MAX} words.")
            else:
                f["words"] = tuple(words)
        f["favourites"] = self.values["fav"] == "1"
        self.filters = Filters(**f)

    @property
    def board_options(self):
        return options(((str(pk), title[:60]) for pk, title in self.board_choices),
                       self.values["board"])

    @property
    def target_options(self):
        targets = [("animatic", "Local preview (animatic)")] + [
            (f"{pk}:{m}", f"{label} · {m}") for pk, label in self.account_choices
            for m in MODELS]
        return options(targets, self.values["target"])

    @property
    def element_options(self):
        return options(((str(pk), name) for pk, name in self.element_choices),
                       self.values["element"])

    @property
    def active(self) -> bool:
        return any(v for k, v in self.values.items())

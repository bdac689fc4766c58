import uuid

from django import template

from storyboard.jobs.takes import first_take, first_take_key

register = template.Library()


@register.simple_tag
def submit_take(board) -> dict:
    """What the editor's Submit button sends: the version's first take (a key that finds the
    job it made), or, once that exists, another take (a fresh key: a new job)."""
    taken = first_take(board)
    if taken is None:
        return {"key": first_take_key(board), "first": None}
    return {"key": f"take:{uuid.uuid4().hex}", "first": taken}

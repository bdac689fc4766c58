"""Small lookups the editor template needs: problems and counters by field name."""

from django import template

from storyboard.boards.editing import dom_id as _dom_id

register = template.Library()


@register.filter
def problems(checked, field_name: str):
    return checked.problems_of(field_name) if checked is not None else []


@register.filter
def counter(counters: dict, field_name: str):
    return counters.get(_dom_id(field_name))


@register.filter
def dom_id(field_name: str) -> str:
    return _dom_id(field_name)

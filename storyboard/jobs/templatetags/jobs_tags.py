import uuid

from django import template

register = template.Library()


@register.simple_tag
def new_submit_key() -> str:
    """A fresh key per rendered Submit form: a double click or a resent POST makes one job."""
    return uuid.uuid4().hex

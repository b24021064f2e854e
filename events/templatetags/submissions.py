"""A create form's one-time key (events.submissions), inside its <form>:

    {% load submissions %}
    <form method="post" …>{% csrf_token %}{% submission_key %} …

A new key each time the form is rendered: a form shown again with errors has made nothing,
and its next post is a first one.
"""

from django import template
from django.utils.html import format_html

from events.submissions import FIELD, new_key

register = template.Library()


@register.simple_tag
def submission_key():
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())

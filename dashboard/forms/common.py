"""Small pieces the dashboard's forms share."""

import html

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from booking.bounds import DATE_RANGE_MESSAGE, FIRST_DATE, LAST_DATE
from booking.models import timezone_names


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(timezone_names())]


def bounded_int(
    label: str, low: int, high: int, unit: str, *, help_text: str = ""
) -> forms.IntegerField:
    """An integer field whose every refusal says the allowed range."""
    message = f"Enter a whole number of {unit} from {low} to {high}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


# The templates that write nothing but ``input.html`` (``PlainInput``).
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in ("input", "text", "date")
)


class PlainInput:
    """An ``<input>`` widget written in Python, byte for byte what Django's
    ``input.html`` writes from the same context (``get_context``); a subclass that
    names another template renders through it. See ``Select``."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.template_name not in _INPUT_TEMPLATES:
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        out = [
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"'
        ]
        if widget["value"] is not None:
            out.append(f' value="{conditional_escape(str(widget["value"]))}"')
        out.append(f"{_attrs_html(widget['attrs'])}>")
        return SafeString("".join(out))


class TextInput(PlainInput, forms.TextInput):
    pass


class DateInput(PlainInput, forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class BoundedDateField(forms.DateField):
    """A date from 1900-01-01 to 9998-12-31 (``booking.bounds``), else a message."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", DateInput)
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(FIRST_DATE, message=DATE_RANGE_MESSAGE),
            MaxValueValidator(LAST_DATE, message=DATE_RANGE_MESSAGE),
        ]


def _attrs_html(attrs: dict) -> str:
    """What Django's ``django/forms/widgets/attrs.html`` writes for ``attrs``."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """``forms.Select`` written in Python, byte for byte what its templates
    (``select.html``, ``select_option.html``) write, from the same context
    (``get_context``: the options, which is selected, the attributes): the
    templates cost an include per option, most of the requests filter form's
    time (docs/PERFORMANCE.md, "The requests table"). A subclass that names other
    templates renders through them."""

    def render(self, name, value, attrs=None, renderer=None):
        if (
            self.template_name != forms.Select.template_name
            or self.option_template_name != forms.Select.option_template_name
        ):
            return super().render(name, value, attrs, renderer)
        choices = list(self.choices)
        if self._plain(choices):
            return self._render_plain(name, value, attrs, choices)
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"']
        out.append(f"{_attrs_html(widget['attrs'])}>")
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                value = conditional_escape(str(option["value"]))
                out.append(
                    f'\n  <option value="{value}"{_attrs_html(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return SafeString("".join(out))

    def _plain(self, choices: list) -> bool:
        """One value, no groups, options with no attributes of their own: what
        ``_render_plain`` writes."""
        return (
            not self.allow_multiple_selected
            and not self.option_inherits_attrs
            and type(self).create_option is forms.Select.create_option
            and not any(isinstance(label, list | tuple) for _, label in choices)
        )

    def _render_plain(self, name, value, attrs, choices: list) -> SafeString:
        """The options straight from the choices, as ``optgroups`` and
        ``create_option`` would make them (the first option matching the value
        selected), without a dictionary of some twenty calls for each option."""
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        values = widget["value"]  # the value as ``format_value`` gives it: strings
        out = [f'<select name="{_escape(widget["name"])}"']
        out.append(f"{_attrs_html(widget['attrs'])}>")
        found = False
        for option, label in choices:
            option = "" if option is None else option
            selected = not found and str(option) in values
            found = found or selected
            out.append(
                f'\n  <option value="{_escape(str(option))}"'
                f"{' selected' if selected else ''}>{_escape(label)}</option>\n"
            )
        out.append("\n</select>")
        return SafeString("".join(out))


def _escape(value) -> str:
    """``conditional_escape(value)`` in fewer calls: HTML as it is, anything else
    (lazy text too) as text, escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))

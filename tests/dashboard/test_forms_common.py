"""The dashboard's ``Select`` and inputs write what Django's templates write."""

import re
from datetime import date

import pytest
from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from dashboard.forms.common import DateInput, Select, TextInput
from dashboard.forms.requests import RequestFilterForm

CHOICES = [
    ("", "Any"),
    (1, 'Lesson <1> & "more"'),
    ("two", gettext_lazy("Pending")),
    ("Group & co", [(3, "Three"), (4, mark_safe("<b>Four</b>"))]),
    ("x'y", "quote"),
]
ATTRS = [
    None,
    {"class": "form-select a&b", "data-x": 1, "hidden": False, "disabled": True},
    {"aria-invalid": "true", "aria-describedby": "id_x_error", "id": "id_x"},
]


def _through_templates(widget, name, value, attrs):
    return forms.Widget.render(widget, name, value, attrs)  # Django's templates


PLAIN = [  # no groups: written straight from the choices (``Select._render_plain``)
    ("", "Any"),
    (None, "None"),
    (1, 'Lesson <1> & "more"'),
    ("1", "One again"),  # the first option matching is the one selected
    ("two", gettext_lazy("Pending")),
    (4, mark_safe("<b>Four</b>")),
    ("x'y", "quote"),
]


@pytest.mark.parametrize("choices", [CHOICES, PLAIN])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", ["", "1", 1, "two", 3, "4", "x'y", "gone", None])
def test_select_is_written_as_django_writes_it(value, attrs, choices):
    widget = Select(attrs={"class": "form-select"}, choices=choices)
    expected = _through_templates(widget, "sel&ect", value, attrs)
    assert widget.render("sel&ect", value, attrs) == expected
    assert widget._plain(list(widget.choices)) == (choices is PLAIN)


def test_a_multiple_select_is_written_as_django_writes_it():
    class Multiple(Select):
        allow_multiple_selected = True

    widget = Multiple(choices=PLAIN)
    assert not widget._plain(list(widget.choices))
    value = ["1", "x'y"]
    assert widget.render("m", value) == _through_templates(widget, "m", value, None)


def test_the_filter_forms_selects_are_written_as_django_writes_them(business):
    form = RequestFilterForm({"status": "bogus", "service": "3"}, business=business)
    assert not form.is_valid()  # errors: aria-invalid on both selects
    for name in ("status", "service"):
        field = form[name]
        assert 'aria-invalid="true"' in str(field)
        widget = field.field.widget
        attrs = field.build_widget_attrs(
            {"id": field.auto_id, "aria-invalid": "true"}, widget
        )
        value = field.value()
        assert widget.render(name, value, attrs) == _through_templates(
            widget, name, value, attrs
        )


def test_a_select_naming_other_templates_renders_through_them():
    class Custom(Select):
        template_name = "django/forms/widgets/radio.html"

    html = Custom(choices=[("a", "A")]).render("n", "a")
    assert html.startswith("<div>")


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", ["", 'a <b> & "c"', 0, None, mark_safe("<i>")])
def test_a_text_input_is_written_as_django_writes_it(value, attrs):
    widget = TextInput(attrs={"type": "search", "placeholder": "Name & email"})
    expected = _through_templates(widget, "q&", value, attrs)
    assert widget.render("q&", value, attrs) == expected
    assert 'type="search"' in expected


@pytest.mark.parametrize("value", [None, "", date(2026, 3, 30), "2026-13-45", "x<"])
def test_a_date_input_is_written_as_django_writes_it(value):
    widget = DateInput(attrs={"class": "form-control"})
    attrs = {"id": "id_d", "required": True}
    assert widget.render("d", value, attrs) == _through_templates(
        widget, "d", value, attrs
    )


def test_an_input_naming_another_template_renders_through_it():
    class Custom(TextInput):
        template_name = "django/forms/widgets/textarea.html"

    assert TextInput().render("n", "v").startswith("<input")
    assert Custom().render("n", "v").startswith("<textarea")


# The filter form's fields as the requests page's template wrote them before
# ``RequestFilterForm.fields_html``: its reference.
TEMPLATE_FIELDS = """{% for field in form %}
<div class="{% if field.name == 'q' %}col-12 col-xl-4{% else %}col-6 col-md-3 col-xl-2{% endif %}">
<label class="form-label small mb-1" for="{{ field.id_for_label }}">{{ field.label }}</label>
{{ field }}
{% if field.errors %}<div id="{{ field.auto_id }}_error" class="invalid-feedback d-block">{{ field.errors|join:" " }}</div>{% endif %}
</div>
{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"status": "pending", "q": 'O\'Brien & "<b>"'},
        {"status": "bogus", "service": "x", "date_from": "2026-13-01"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01", "q": "a" * 201},
    ],
)
def test_the_filter_forms_fields_are_written_as_the_template_wrote_them(business, data):
    form = RequestFilterForm(data, business=business)
    form.is_valid()
    expected = Template(TEMPLATE_FIELDS).render(Context({"form": form}))
    squeeze = lambda html: re.sub(r"\s*\n\s*", "", html)  # noqa: E731
    assert squeeze(form.fields_html()) == squeeze(expected)
    if data and "bogus" in data.values():
        assert 'class="invalid-feedback d-block">Pick a status' in form.fields_html()

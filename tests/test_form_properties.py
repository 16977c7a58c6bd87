"""Every form of the app, given any text in any of its fields, validates to
True or False with messages, never an exception (issue 10.5).

The route-level property test (tests/test_hostile_property.py) posts arbitrary
text through the pages that take free text; this one reaches every form,
including those behind moderator and facilitator pages, by validating each
form class directly the way its view does.
"""

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields import SelectField, SelectMultipleField

from casebook.forms import BaseForm

TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=200),
    st.sampled_from(["", " ", "0", "-1", str(2**63), "9999-12-31T23:59", "0001-01-01T00:00",
                     "2026-13-45T25:61", "on", "true", "x" * 5000, "\x00", "Europe/London"]),
)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _forms(app) -> list[type[FlaskForm]]:
    # create_app imported every view module, and with them every form.
    return sorted({f for f in _subclasses(BaseForm) if f.__module__.startswith("casebook.")},
                  key=lambda f: f"{f.__module__}.{f.__qualname__}")


def test_the_forms_are_found(app):
    assert len(_forms(app)) > 20


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_form_validates_without_an_exception(app, data):
    form_class = data.draw(st.sampled_from(_forms(app)), label="form")
    with app.test_request_context(method="POST"):
        names = list(form_class(meta={"csrf": False})._fields)
    values = data.draw(st.fixed_dictionaries({}, optional={n: TEXT for n in names}),
                       label="values")

    with app.test_request_context(method="POST", data=values):
        form = form_class(meta={"csrf": False})
        for field in form:
            # Views set choices that depend on the group; none is a valid stand-in.
            if isinstance(field, (SelectField, SelectMultipleField)) and field.choices is None:
                field.choices = []
        try:
            valid = form.validate()
        except Exception as error:  # any exception at all is the finding
            pytest.fail(f"{form_class.__qualname__} raised {error!r} for {values!r}")

    if not valid:
        assert all(isinstance(m, str) and m.strip()
                   for messages in form.errors.values() for m in messages
                   if isinstance(m, str)), form.errors

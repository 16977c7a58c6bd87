"""The base of every form in the app: input a browser would never send is refused
with a message on the form, not a 500.

- A file part (multipart/form-data with a filename) where text is expected:
  WTForms would hand the field a FileStorage and the code after it expects a
  string. The app has no file fields, so file parts are dropped and the field
  they were sent as gets an error.
- NUL characters: PostgreSQL refuses to store them in text columns.
- Dates in datetime-local fields outside 2000..2099: far dates overflow when
  converted between timezones, and no seminar is scheduled that far out.
"""

from datetime import datetime

from flask import request
from flask_wtf import FlaskForm
from wtforms.fields import DateTimeField

FILE_PART_MESSAGE = "Send the text in the form, not as a file."
NUL_MESSAGE = "This contains characters that cannot be stored. Remove them and try again."
DATE_MESSAGE = "Choose a date between 2000 and 2099."
EARLIEST = datetime(2000, 1, 1)
LATEST = datetime(2099, 12, 31, 23, 59, 59)


class BaseForm(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            wrapped = super().wrap_formdata(form, formdata)
            form.file_parts = set()
            if wrapped is None or wrapped is formdata:
                return wrapped  # not submitted, or data the view passed in
            # The app's pages send their forms as text only: file parts are
            # remembered for the error and dropped, and a JSON body (whose
            # values could be numbers, lists or objects) is not read.
            form.file_parts = set(request.files)
            return request.form

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name, field in self._fields.items():
            message = None
            if name in getattr(self, "file_parts", ()):
                message = FILE_PART_MESSAGE
            elif isinstance(field.data, str) and "\x00" in field.data:
                message = NUL_MESSAGE
            elif (isinstance(field, DateTimeField) and isinstance(field.data, datetime)
                  and not EARLIEST <= field.data <= LATEST):
                message = DATE_MESSAGE
            if message:
                # Replaces what the field's own validators said: an empty body
                # "is required" would hide the real problem.
                field.errors = [message]
                ok = False
        return ok

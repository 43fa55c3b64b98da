"""jsonschema-rs loaded without ``email.utils`` (badgekit._schema_startup, ADR 10): the extension
reads the same build date, validates the same, and the real module comes afterwards."""

from __future__ import annotations

import subprocess
import sys

import pytest

from badgekit import _schema_startup


@pytest.mark.parametrize("text", [
    "Thu, 12 Nov 2026 07:50:16 +0000", "Mon, 01 Jan 2024 23:59:59 -0130", "Tue, 29 Feb 2000 00:00:00 +1400",
    "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 -0000", "6 Nov 1994 08:49:37 +0200",
])
def test_parsedate_to_datetime_equals_the_email_module(text):
    import email.utils

    ours, theirs = _schema_startup.parsedate_to_datetime(text), email.utils.parsedate_to_datetime(text)
    assert (ours, ours.utcoffset(), ours.tzinfo is None) == (theirs, theirs.utcoffset(), theirs.tzinfo is None)


def _extension_state(lean: bool) -> str:
    code = (
        "import sys\n"
        "from badgekit import _schema_startup\n"
        + ("_schema_startup.import_jsonschema_rs_without_email()\n" if lean else "")
        + "import jsonschema_rs\n"
        "from jsonschema_rs import jsonschema_rs as ext\n"
        "print(repr(ext.__build__))\n"
        "print('email.utils' in sys.modules, 'socket' in sys.modules)\n"
        "print(jsonschema_rs.Draft201909Validator({'format': 'date-time'}, validate_formats=True).is_valid('2020-01-01'))\n"
        "import email.utils\n"
        "print(email.utils.parsedate_to_datetime is not _schema_startup.parsedate_to_datetime, hasattr(email.utils, 'formataddr'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout


def test_jsonschema_rs_loads_without_email_utils_and_the_same():
    lean, plain = _extension_state(True).splitlines(), _extension_state(False).splitlines()
    assert lean[0] == plain[0]  # the extension read its build date the same
    assert lean[1] == "False False"  # neither loaded by it
    assert lean[2:] == plain[2:] == ["False", "True True"]  # validates; the real email.utils afterwards

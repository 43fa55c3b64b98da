"""jsonschema-rs without ``email.utils``, for a short-lived process that owns ``sys.modules``
(the command line): the schema engine's counterpart of :mod:`badgekit.jsonld._pyld_startup`."""

from __future__ import annotations

import datetime
import re


def import_jsonschema_rs_without_email() -> None:
    """Import ``jsonschema_rs`` without ``email.utils`` (and with it ``socket``, ``email.charset``,
    ``random``: ~5 ms of a cold ``badgekit verify``).

    The extension takes ``email.utils.parsedate_to_datetime`` when it loads, to read its own build
    date, and for HTTP dates of its schema retriever, which badgekit never runs (the schemas are
    bundled; ``offline=True``). A stand-in module gives it :func:`parsedate_to_datetime`; the
    stand-in leaves ``sys.modules`` once the extension is loaded. Only a program that owns its
    process may call this (the command line does), as with
    :func:`badgekit.jsonld.import_pyld_without_http` (docs/adr/0010-start-up-budget.md).
    """
    import sys

    if "jsonschema_rs" in sys.modules or "email.utils" in sys.modules:
        return
    import types

    stand_in = types.ModuleType("email.utils", "stand-in while jsonschema_rs loads (see badgekit._schema_startup)")
    stand_in.parsedate_to_datetime = parsedate_to_datetime  # type: ignore[attr-defined]
    sys.modules["email.utils"] = stand_in
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency; a real error surfaces at the first check
        pass
    finally:
        if sys.modules.get("email.utils") is stand_in:
            del sys.modules["email.utils"]


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC2822_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})", re.ASCII)


def parsedate_to_datetime(data: str) -> datetime.datetime:
    """``email.utils.parsedate_to_datetime(data)``, read here for the one form jsonschema-rs
    passes (``Thu, 12 Nov 2026 07:50:16 +0000``), by the real function for anything else."""
    match = _RFC2822_DATE.fullmatch(data)
    if match is None or match[2] not in _MONTHS or data.endswith("-0000"):  # -0000: a naive time there
        import sys

        if getattr(sys.modules.get("email.utils"), "parsedate_to_datetime", None) is parsedate_to_datetime:
            del sys.modules["email.utils"]  # the stand-in: load the real module in its place
        from email.utils import parsedate_to_datetime as real

        return real(data)
    day, month, year, hour, minute, second = (int(match[1]), _MONTHS.index(match[2]) + 1, int(match[3]),
                                              int(match[4]), int(match[5]), int(match[6]))
    offset = datetime.timedelta(hours=int(match[8]), minutes=int(match[9])) * (-1 if match[7] == "-" else 1)
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.timezone(offset))

"""The template environment (badgekit/_html.py): every value in an HTML template is escaped, plain
text templates are not, a missing value is an error, and the templates ship inside the package."""

from __future__ import annotations

import dataclasses
import html
import subprocess
import sys
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import jinja2
import pytest

from badgekit import _html, delivery, report

EVIL = "<img src=x onerror=alert(1)>\"'& {{ 7*7 }} \u202eRTL \u674e\u5c0f\u9f99"
TEMPLATES = ("bundle_index.html", "email.html", "email.txt", "email_subject.txt", "reminder.html", "reminder.txt",
             "reminder_subject.txt", "report.html", "report_charts.html", "report_pathways.html")


def hostile_facts() -> delivery.Facts:
    """Facts whose every string carries ``EVIL`` (tagged with the field name, to tell them apart)."""
    values = {}
    for f in dataclasses.fields(delivery.Facts):
        tagged = f"{f.name}:{EVIL}"
        if f.name in ("issuer_url", "criteria_url", "status_url"):
            values[f.name] = f"https://example.edu/{tagged}"
        elif f.name in ("results", "alignments", "evidence"):
            values[f.name] = ((f"{f.name}-text:{EVIL}", f"https://example.edu/{f.name}:{EVIL}"),)
            if f.name == "results":
                values[f.name] = ((f"results-what:{EVIL}", f"results-value:{EVIL}"),)
        elif f.name in ("valid_from", "valid_until", "awarded"):
            values[f.name] = datetime(2026, 1, 15, tzinfo=UTC)
        elif f.name == "status_purpose":
            values[f.name] = "revocation"
        else:
            values[f.name] = tagged
    return delivery.Facts(**values)


def untrusted(facts: delivery.Facts) -> list[str]:
    found = []
    for f in dataclasses.fields(facts):
        value = getattr(facts, f.name)
        if isinstance(value, str) and EVIL in value:
            found.append(value)
        elif isinstance(value, tuple):
            found += [v for pair in value for v in pair if isinstance(v, str) and EVIL in v]
    return found


def assert_only_escaped(page: str, texts: list[str]) -> None:
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page
    for text in texts:
        assert text not in page, text
        assert html.escape(text, quote=True) in page, text  # shown, escaped, and "{{ 7*7 }}" not evaluated


def test_every_credential_and_roster_string_is_escaped_in_the_page_and_the_email() -> None:
    facts = hostile_facts()
    name = f"recipient:{EVIL}"
    texts = [*untrusted(facts), name]
    page = delivery.index_html(facts, badge_image=b"png", badge_image_type="image/png", qr_markup="<svg></svg>",
                               linkedin_url=f"https://www.linkedin.com/profile/add?name={EVIL}", recipient_name=name,
                               cert_url=f"https://example.edu/cert:{EVIL}", files=[f"file:{EVIL}"])
    shown = [t for t in texts if not t.startswith("issuer_email:")]  # the page does not show the address
    assert_only_escaped(page, shown + [f"file:{EVIL}", f"https://example.edu/cert:{EVIL}"])
    assert "<svg></svg>" in page  # the trusted QR markup, as given

    mail = delivery.email_bodies(facts, recipient_name=name, linkedin_url=f"https://example.edu/in:{EVIL}",
                                 cert_url=f"https://example.edu/cert:{EVIL}", credential_file=f"cred:{EVIL}")
    in_mail = [name, facts.issuer_name, facts.badge_name, facts.description, facts.credential_id]
    assert_only_escaped(mail.html, in_mail + [f"cred:{EVIL}", f"https://example.edu/cert:{EVIL}"])
    for text in (*in_mail, facts.issuer_email, f"https://example.edu/cert:{EVIL}"):  # plain text: as is
        assert text in mail.text, text
    assert "&lt;" not in mail.text and "&amp;" not in mail.text

    from datetime import UTC, datetime

    reminder = delivery.reminder_bodies(facts, recipient_name=name, now=datetime(2026, 1, 1, tzinfo=UTC), window="P30D",
                                        cert_url=f"https://example.edu/cert:{EVIL}")
    in_reminder = [name, facts.issuer_name, facts.badge_name, facts.credential_id]
    assert_only_escaped(reminder.html, in_reminder + [f"https://example.edu/cert:{EVIL}"])
    assert all(text in reminder.text for text in in_reminder) and "&lt;" not in reminder.text
    assert "\n" not in reminder.subject and facts.badge_name.split()[0] in reminder.subject


def test_every_ledger_and_roster_string_is_escaped_in_the_report() -> None:
    counts = report.StateCounts(issued=3, active=1, expired=1, revoked=1)
    lead = report.LeadTime.of([0, 3, 40])
    badge = report.BadgeFigures("urn:b", f"badge:{EVIL}", counts, 3, lead, 1)
    overall = dataclasses.replace(badge, badge_id="*", name="All badge classes")
    other = dataclasses.replace(badge, badge_id="urn:c", name=f"other:{EVIL}")
    timeline = (report.Period(f"period:{EVIL}", date(2026, 1, 5), 3, 1),)
    rejections = (report.RejectionReason("urn:b", f"column:{EVIL}", f"reason:{EVIL}", 1),)
    figures = report.ProgramReport(datetime(2026, 3, 1, tzinfo=UTC), "week", overall, (badge, other), timeline, rejections,
                                   {"urn:b": f"badge:{EVIL}"})
    page = report.report_html(figures, title=f"title:{EVIL}", subtitle=f"subtitle:{EVIL}")
    assert page.count("<svg") == 4
    assert_only_escaped(page, [f"title:{EVIL}", f"subtitle:{EVIL}", f"badge:{EVIL}", f"other:{EVIL}",
                               f"period:{EVIL}", f"column:{EVIL}", f"reason:{EVIL}"])


def test_a_value_the_template_needs_but_was_not_given_is_an_error() -> None:
    facts = hostile_facts()
    values = dict(facts=facts, name="", what="", dates="", credential_file="credential.json", cert_url=None,
                  linkedin_url="https://www.linkedin.com/", validator_name="v", validator_url="https://v.example/")
    _html.render("email.txt", subject="s", **values)  # complete: renders
    with pytest.raises(jinja2.UndefinedError, match="subject"):
        _html.render("email.html", **values)
    with pytest.raises(jinja2.UndefinedError, match="nope"):
        _html.environment().from_string("{{ facts.nope }}").render(facts=facts)


def test_html_templates_escape_and_text_templates_do_not() -> None:
    env = _html.environment()
    assert env is _html.environment()  # built once
    assert env.get_template("email.html").render(
        **{k: "" for k in ("name", "what", "dates", "credential_file", "cert_url", "linkedin_url", "validator_name",
                           "validator_url")}, subject="<b>&", facts=hostile_facts()).count("<title>&lt;b&gt;&amp;</title>") == 1
    assert env.from_string("{{ x }}").render(x="<b>'\"") == "&lt;b&gt;&#x27;&quot;"  # as html.escape spells it
    assert env.from_string("{{ x }}").render(x=_html.markup("<b>")) == "<b>"
    assert "<b>" in env.get_template("email.txt").render(
        subject="", name="<b>", what="", dates="", credential_file="", cert_url=None, linkedin_url="",
        validator_name="", validator_url="", facts=hostile_facts())


def test_templates_ship_in_the_package_and_never_turn_escaping_off() -> None:
    folder = resources.files("badgekit") / "data" / "html"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith((".html", ".txt"))) == sorted(TEMPLATES)
    for name in TEMPLATES:
        source = (folder / name).read_text(encoding="utf-8")
        for needle in ("|safe", "| safe", "autoescape", "Markup"):
            assert needle not in source, (name, needle)


def test_jinja2_is_imported_only_when_a_page_is_rendered() -> None:
    code = (
        "import sys\n"
        "import badgekit.delivery, badgekit.report, badgekit._html\n"
        "assert 'jinja2' not in sys.modules and 'markupsafe' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])

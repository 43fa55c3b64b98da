"""Recipient bundles: files, byte-exact baking, no email address anywhere, a page that loads
nothing, escaping of every roster and credential string, the LinkedIn URL and the email texts."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest

from badgekit import baking, delivery
from badgekit.errors import InputError
from badgekit.issuing import IssueOptions, issue_roster
from badgekit.ledger import Ledger
from badgekit.verify import VerifyOptions, verify_path
from tests.unit.test_issuing import ACHIEVEMENT, ISSUER, KEY, NOW

EMAIL = "Ada.Lovelace@Example.org"


def issue_one(tmp_path: Path, *, fmt: str = "ldp", achievement: dict | None = None, name: str = "Ada Lovelace") -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"email,name,score,earned\n{EMAIL},{name},87,2026-01-10\n", encoding="utf-8")
    badge = SimpleNamespace(id=ACHIEVEMENT["id"], achievement=achievement or ACHIEVEMENT,
                            policy=SimpleNamespace(validity="P2Y", requirements=(), status_purpose="revocation"))
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        report = issue_roster(roster_path=roster, badge=badge, issuer=ISSUER, key=KEY, ledger=ledger,
                              options=IssueOptions(out_dir=tmp_path / "out", now=NOW, format=fmt, revocable=False))  # type: ignore[arg-type]
    (outcome,) = report.outcomes
    assert outcome.status == "issued"
    return Path(outcome.path)  # type: ignore[arg-type]


def write(tmp_path: Path, path: Path, **kwargs: object) -> delivery.Bundle:
    credential, text = delivery.read_credential(path)
    facts = delivery.credential_facts(credential)
    svg = delivery.render_badge_image(facts, recipient_name=str(kwargs.get("recipient_name") or ""))
    return delivery.write_bundle(credential, text, tmp_path / "bundles", badge_image_svg=svg, **kwargs)  # type: ignore[arg-type]


class Page(HTMLParser):
    """Every tag and the URLs each tag would load or link."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[tuple[str, str]] = []  # (tag, url) for src/href/srcset/poster/data/action
        self.text: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = {k: v or "" for k, v in attrs}
        for key in ("src", "href", "srcset", "poster", "data", "action", "xlink:href"):
            if a.get(key):
                self.loads.append((tag, a[key]))
        if tag == "meta" and a.get("http-equiv"):
            self.meta[a["http-equiv"].lower()] = a.get("content", "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html_text: str) -> Page:
    page = Page()
    page.feed(html_text)
    return page


def test_bundle_files_and_byte_exact_bakes(tmp_path: Path) -> None:
    path = issue_one(tmp_path)
    b = write(tmp_path, path, recipient_name="Ada Lovelace")
    text = path.read_text(encoding="utf-8")
    cid = json.loads(text)["id"]
    assert b.path == tmp_path / "bundles" / cid.removeprefix("urn:uuid:")
    assert sorted(p.name for p in b.path.iterdir()) == sorted(b.files) == sorted(
        ["index.html", "credential.json", "badge.png", "badge.svg", "qr.png", "qr.svg", "email.txt", "email.html"])
    assert (b.path / "credential.json").read_text(encoding="utf-8") == text
    for image in ("badge.png", "badge.svg"):
        assert baking.extract((b.path / image).read_bytes(), source=image).payload == text
    assert baking.detect((b.path / "qr.png").read_bytes()) == "png"
    report = verify_path(b.path / "badge.png", VerifyOptions(at=NOW))
    assert report.verdict == "valid", report.to_dict()


def test_no_email_address_anywhere_in_a_bundle(tmp_path: Path) -> None:
    b = write(tmp_path, issue_one(tmp_path), recipient_name="Ada Lovelace")
    for f in b.path.iterdir():
        data = f.read_bytes().lower()
        assert EMAIL.lower().encode() not in data, f.name
        assert b"lovelace@" not in data, f.name


def test_page_is_self_contained_and_says_how_to_verify(tmp_path: Path) -> None:
    b = write(tmp_path, issue_one(tmp_path), recipient_name="Ada Lovelace")
    page_text = (b.path / "index.html").read_text(encoding="utf-8")
    page = parse(page_text)
    assert "script" not in page.tags and "iframe" not in page.tags and "object" not in page.tags
    for tag, url in page.loads:
        if tag != "a":  # nothing is fetched: images are data: URIs, no stylesheet links
            assert url.startswith("data:"), (tag, url[:60])
    external = sorted({url for tag, url in page.loads if tag == "a" and "://" in url})
    assert all(u.startswith("https://") for u in external)
    hosts = {urlsplit(u).hostname for u in external}
    assert hosts == {"www.linkedin.com", "example.edu", "vc.1ed.tech"}  # LinkedIn, the issuer, the validator
    assert page.meta["content-security-policy"].startswith("default-src 'none'")
    visible = " ".join(" ".join(page.text).split())
    for expected in ("Python Basics", "Awarded to Ada Lovelace", "Issued by Example University",
                     "Issued 15 January 2026", "Valid until 15 January 2028", "Earned 10 January 2026",
                     "Completed the Python Basics course.", "Pass the final project with at least 60%.",
                     "Final score 87 %", "How to verify", "badgekit verify badge.png", "the 1EdTech validator",
                     json.loads((b.path / "credential.json").read_text())["id"]):
        assert expected in visible, expected


def test_page_of_a_did_web_issuer_says_where_its_did_document_is(tmp_path: Path) -> None:
    # Offline, a did:web issuer's key is only in the DID document the verifier is given.
    path = issue_one(tmp_path)
    credential = json.loads(path.read_text(encoding="utf-8"))
    credential["issuer"]["id"] = "did:web:example.edu:issuers:cs"
    path.write_text(json.dumps(credential), encoding="utf-8")
    visible = " ".join(" ".join(parse((write(tmp_path, path).path / "index.html").read_text(encoding="utf-8")).text).split())
    assert ("the issuer’s DID document, published at https://example.edu/issuers/cs/did.json ; offline, pass a copy: "
            "badgekit verify badge.png --did-doc did.json") in visible
    (tmp_path / "plain").mkdir()
    email = (tmp_path / "bundles" / path.stem / "email.txt").read_text(encoding="utf-8")
    assert ("the issuer’s DID document, published at https://example.edu/issuers/cs/did.json: "
            "'badgekit verify badge.png --did-doc did.json'") in " ".join(email.split())
    plain = write(tmp_path / "plain", issue_one(tmp_path / "plain")).path
    for name in ("index.html", "email.txt", "email.html"):  # a did:key issuer's key is in its id
        assert "--did-doc" not in (plain / name).read_text(encoding="utf-8")


def test_every_string_is_escaped(tmp_path: Path) -> None:
    evil = dict(ACHIEVEMENT, name='<img src=x onerror="alert(1)">Basics', description="<script>alert(2)</script>",
                criteria={"narrative": "- one <b>\n- two & three", "id": "javascript:alert(3)"})
    path = issue_one(tmp_path, achievement=evil, name='Ada <script>alert("x")</script>')
    b = write(tmp_path, path, recipient_name='Ada <script>alert("x")</script>')
    for name in ("index.html", "email.html"):
        page_text = (b.path / name).read_text(encoding="utf-8")
        page = parse(page_text)
        assert "script" not in page.tags and "b" not in page.tags, name
        assert "img" not in page.tags or all(u.startswith("data:") for t, u in page.loads if t == "img"), name
        assert "javascript:" not in page_text, name
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page_text, name
    index = (b.path / "index.html").read_text(encoding="utf-8")
    assert "<li>one &lt;b&gt;</li><li>two &amp; three</li>" in index  # Markdown bullets, text escaped


def test_linkedin_url() -> None:
    url = delivery.linkedin_add_to_profile_url(
        name="Data & Society: Level 1", organization_name="École Polytechnique",
        issued=NOW, expires=NOW.replace(year=2028, month=3),
        cert_url="https://example.edu/badges/abc/", cert_id="urn:uuid:0f3c2d1e-0000-4000-8000-000000000001",
    )
    assert url == (
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Data%20%26%20Society%3A%20Level%201"
        "&organizationName=%C3%89cole%20Polytechnique&issueYear=2026&issueMonth=1&expirationYear=2028&expirationMonth=3"
        "&certUrl=https%3A%2F%2Fexample.edu%2Fbadges%2Fabc%2F&certId=urn%3Auuid%3A0f3c2d1e-0000-4000-8000-000000000001"
    )
    assert dict(parse_qsl(urlsplit(url).query))["name"] == "Data & Society: Level 1"
    bare = delivery.linkedin_add_to_profile_url(name="X", organization_name="Y", organization_id="1337")
    assert bare == "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=X&organizationId=1337&organizationName=Y"


def test_url_base_goes_to_qr_linkedin_and_email(tmp_path: Path) -> None:
    path = issue_one(tmp_path)
    cid = json.loads(path.read_text())["id"]
    url = delivery.bundle_url("https://example.edu/badges", cid)
    assert url == f"https://example.edu/badges/{cid.removeprefix('urn:uuid:')}/"
    b = write(tmp_path, path, recipient_name="Ada Lovelace", cert_url=url)
    assert b.cert_url == url and dict(parse_qsl(urlsplit(b.linkedin_url).query))["certUrl"] == url
    text = (b.path / "email.txt").read_text(encoding="utf-8")
    assert text.startswith("Subject: Your badge from Example University: Python Basics\n\nDear Ada Lovelace,\n")
    assert url in text and b.linkedin_url in text and "badgekit verify badge.png" in text
    assert "Scan for the badge page" in (b.path / "index.html").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="not an https URL"):
        write(tmp_path, path, cert_url="http://example.edu/x/")


def test_email_html_and_no_name(tmp_path: Path) -> None:
    b = write(tmp_path, issue_one(tmp_path))
    text = (b.path / "email.txt").read_text(encoding="utf-8")
    assert "\n\nHello,\n" in text and "Dear" not in text
    page = parse((b.path / "email.html").read_text(encoding="utf-8"))
    assert any(u.startswith("https://www.linkedin.com/profile/add?") for t, u in page.loads if t == "a")
    assert "Awarded to" not in (b.path / "index.html").read_text(encoding="utf-8")


def test_vc_jwt_bundle(tmp_path: Path) -> None:
    path = issue_one(tmp_path, fmt="jwt")
    assert path.suffix == ".jwt"
    b = write(tmp_path, path, recipient_name="Ada Lovelace")
    token = path.read_text(encoding="utf-8").strip()
    assert "credential.jwt" in b.files and (b.path / "credential.jwt").read_text() == token
    assert baking.extract((b.path / "badge.svg").read_bytes(), source="svg").payload == token
    assert "badgekit verify credential.jwt" in (b.path / "index.html").read_text(encoding="utf-8")
    assert verify_path(b.path / "badge.png", VerifyOptions(at=NOW)).verdict == "valid"


def test_match_recipient_by_identity_hash(tmp_path: Path) -> None:
    credential, _ = delivery.read_credential(issue_one(tmp_path))
    rows = [({"email": "someone@example.org"}, "Someone"), ({"email": "  ADA.lovelace@example.ORG "}, "Ada")]
    assert delivery.match_recipient(credential, rows) == "Ada"
    assert delivery.match_recipient(credential, rows[:1]) is None


def test_bundle_name_is_safe() -> None:
    assert delivery.bundle_name("urn:uuid:0F3C2D1E-0000-4000-8000-000000000001") == "0f3c2d1e-0000-4000-8000-000000000001"
    name = delivery.bundle_name("https://example.edu/credentials/../../etc/passwd")
    assert "/" not in name and not name.startswith(".") and name.startswith("https-example.edu-credentials")


def test_not_a_badge(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="credentialSubject.achievement is missing"):
        delivery.credential_facts({"id": "urn:uuid:x", "credentialSubject": {"id": "did:example:1"}})
    with pytest.raises(InputError, match="has no id"):
        delivery.credential_facts({"credentialSubject": {}})


def test_page_dates_are_read_like_verify_reads_them() -> None:
    achievement = {"id": "urn:uuid:a", "type": ["Achievement"], "name": "A"}
    base = {"id": "urn:uuid:x", "credentialSubject": {"achievement": achievement}}
    # The day as the issuer wrote it (its own offset), not moved to UTC.
    facts = delivery.credential_facts({**base, "validFrom": "2026-01-16T00:30:00+14:00"})
    assert delivery.long_date(facts.valid_from) == "16 January 2026"
    # A naive time is no date (it was shown as if it had one).
    assert delivery.credential_facts({**base, "validFrom": "2026-01-16T00:30:00"}).valid_from is None


def test_library_modules_stay_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import badgekit.delivery, badgekit.report\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    for module in (delivery, __import__("badgekit.report", fromlist=["x"])):
        for file in Path(module.__file__).parent.glob("*.py"):  # type: ignore[arg-type]  # the packages' modules
            source = file.read_text(encoding="utf-8")
            for needle in ("print(", "sys.exit", "input(", "import typer", "import rich"):
                assert needle not in source, (file, needle)


def test_qr_png_is_a_valid_png_of_the_code() -> None:
    import zlib

    from badgekit.baking import png as png_mod
    from badgekit.baking.render import qr_matrix

    data = "https://example.edu/badges/0f3c2d1e-0000-4000-8000-000000000001/"
    image = delivery.qr_png(data, scale=4, quiet=2)
    chunks = png_mod.read_chunks(image, source="qr.png")
    assert [c.type for c in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    side = (len(qr_matrix(data)) + 4) * 4
    raw = zlib.decompress(chunks[1].data(image))
    rows = [raw[i * (side + 1) + 1:(i + 1) * (side + 1)] for i in range(side)]
    # module (0, 0) is the dark corner of a finder pattern; the quiet zone is white
    assert rows[8][8] == 0x16 and rows[0][0] == 0xFF and len(rows[-1]) == side


def test_collect_credentials_takes_badges_and_skips_other_files_of_a_folder(tmp_path: Path) -> None:
    path = issue_one(tmp_path)
    other = path.parent / "other.json"
    other.write_text('{"id": "urn:uuid:1", "type": ["VerifiableCredential"]}', encoding="utf-8")
    (path.parent / "broken.jwt").write_text("not a token", encoding="utf-8")
    found, problems, skipped = delivery.collect_credentials([path.parent])
    assert [(source, text) for source, _credential, text in found] == [(str(path), path.read_text(encoding="utf-8"))]
    assert problems == [] and len(skipped) == 2
    found, problems, skipped = delivery.collect_credentials([other])  # named, so a problem rather than skipped
    assert found == [] and skipped == []
    assert problems == [f"{other}: not an Open Badges credential (type has no OpenBadgeCredential)"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no \.json, \.jwt, \.sd-jwt or \.jsonl credentials"):
        delivery.collect_credentials([tmp_path / "empty"])


def test_bundle_issued_is_a_library_call_that_records_each_export_once(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"email,name\n{EMAIL},Ada Lovelace\n", encoding="utf-8")
    badge = SimpleNamespace(id=ACHIEVEMENT["id"], achievement=ACHIEVEMENT,
                            policy=SimpleNamespace(validity="P2Y", requirements=(), status_purpose="revocation"))
    ledger_path = tmp_path / "ledger.sqlite3"
    with Ledger.open(ledger_path) as ledger:
        report = issue_roster(roster_path=roster, badge=badge, issuer=ISSUER, key=KEY, ledger=ledger,
                              options=IssueOptions(out_dir=tmp_path / "out", now=NOW, revocable=False))  # type: ignore[arg-type]
    for _ in range(2):  # bundling the same run again keeps one exported event per bundle
        run = delivery.bundle_issued(report, project=None, roster_file=roster, out_dir=tmp_path / "bundles",
                                     ledger=ledger_path, actor="registrar", workers=1)
        assert run.ok and len(run.bundles) == 1
    (bundle,) = run.bundles
    assert "Ada Lovelace" in (bundle.path / "index.html").read_text(encoding="utf-8")
    assert run.to_json() == {"folder": str(tmp_path / "bundles"), "written": [bundle.to_json()], "problems": []}
    with Ledger.open(ledger_path) as ledger:
        exported = [(e.credential_id, e.actor, e.detail) for e in ledger.events(kinds=("exported",))]
    assert exported == [(bundle.credential_id, "registrar", {"as": "bundle", "path": str(bundle.path.resolve())})]

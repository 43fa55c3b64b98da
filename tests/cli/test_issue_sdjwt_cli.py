"""``badgekit issue --format sd-jwt`` (issue 16): <id>.sd-jwt files and baked images that
``badgekit verify`` accepts, with the status list published; the badge class's
``badgekit.disclose`` chooses what is selectively disclosable; revocation reaches them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import yaml

from badgekit import baking, sdjwt
from badgekit.badgeclass import parse_policy
from badgekit.delivery import compose
from tests.conftest import course_project, run_cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = course_project(tmp_path / "proj", monkeypatch)
    Path("roster.csv").write_text("email,completed_on,evidence_url\nada@example.org,2026-01-10,https://x.example/e/1\n"
                                  "bob@example.org,2026-01-11,\n", encoding="utf-8")
    return root


def _claims(path: str) -> dict[str, Any]:
    return sdjwt.process(sdjwt.parse(Path(path).read_text(encoding="ascii"))).payload


def test_issue_sd_jwt_bake_verify_and_revoke(project: Path) -> None:
    result = run_cli("issue", "--badge", "y", "roster.csv", "--format", "sd-jwt", "--bake", "png,svg", "--workers", "1",
                     "--bundle", "--json")
    rows = json.loads(result.stdout)["rows"]
    assert [r["status"] for r in rows] == ["issued", "issued"]
    [bundled] = Path("out/bundles").glob(f"*{rows[0]['credentialId'].rsplit(':', 1)[-1]}*/credential.sd-jwt")
    assert bundled.read_text(encoding="ascii") == Path(rows[0]["path"]).read_text(encoding="ascii")
    letter = compose(sdjwt.credential_from_payload(_claims(rows[0]["path"])),
                     Path(rows[0]["path"]).read_text(encoding="ascii"), Path(rows[0]["path"]).with_suffix(".png").read_bytes(),
                     sender="badges@x.example", recipient="ada@example.org", recipient_name=None, sequence=1,
                     now=datetime(2026, 1, 15, tzinfo=UTC))
    attached = [p for p in message_from_bytes(letter.data).walk() if p.get_filename() == "credential.sd-jwt"]
    assert [p.get_content_type() for p in attached] == ["application/dc+sd-jwt"]
    first = sdjwt.process(sdjwt.parse(Path(rows[0]["path"]).read_text(encoding="ascii")))
    assert rows[0]["path"].endswith(".sd-jwt")
    assert first.disclosed == ("credentialSubject.identifier[0]", "evidence[0]")  # the defaults the credential has
    assert "credentialStatus" in first.payload  # never disclosable: revocation is always checkable
    for fmt in ("png", "svg"):
        image = Path(rows[0]["path"]).with_suffix("." + fmt).read_bytes()
        assert baking.extract(image, source=fmt).payload == Path(rows[0]["path"]).read_text(encoding="ascii")
    run_cli("status", "publish")
    reports = json.loads(run_cli("verify", "out", "--status-list", "out/status", "--json").stdout)
    assert len(reports) == 6 and {r["verdict"] for r in reports} == {"valid"}, reports
    assert {r["summary"]["securing"] for r in reports} == {"sd-jwt-vc"}
    human = run_cli("verify", rows[0]["path"], "--status-list", "out/status").stdout
    assert "disclosed    credentialSubject.identifier[0], evidence[0]" in human
    assert "2 already issued" in run_cli("issue", "--badge", "y", "roster.csv", "--format", "sd-jwt", "--workers", "1").stdout
    # revoke names the credentials by their files: the .sd-jwt itself, or the badge it is baked in
    run_cli("revoke", rows[0]["path"], Path(rows[1]["path"]).with_suffix(".png"), "--reason", "test")
    run_cli("status", "publish")
    revoked = json.loads(run_cli("verify", "out", "--status-list", "out/status", "--json", ok=1).stdout)
    assert {r["verdict"] for r in revoked} == {"invalid"}
    assert {next(c for c in r["checks"] if c["id"] == "status")["status"] for r in revoked} == {"failed"}


def test_the_badge_class_chooses_what_is_disclosable(project: Path) -> None:
    badge = yaml.safe_load(Path("badges/y.yaml").read_text(encoding="utf-8"))
    badge.setdefault("badgekit", {})["disclose"] = ["awardedDate"]
    Path("badges/y.yaml").write_text(yaml.safe_dump(badge), encoding="utf-8")
    result = run_cli("issue", "--badge", "y", "roster.csv", "--format", "sd-jwt", "--workers", "1", "--no-revocation", "--json")
    path = json.loads(result.stdout)["rows"][0]["path"]
    shown = sdjwt.process(sdjwt.parse(Path(path).read_text(encoding="ascii")))
    assert shown.disclosed == ("awardedDate",) and "evidence" in shown.payload
    badge["badgekit"]["disclose"] = ["issuer", "evidence", "evidence"]
    Path("badges/y.yaml").write_text(yaml.safe_dump(badge), encoding="utf-8")
    refused = run_cli("issue", "--badge", "y", "roster.csv", "--format", "sd-jwt", "--workers", "1", ok=2)
    assert "$.badgekit.disclose[0]" in refused.stderr and "cannot be selectively disclosable" in refused.stderr


def test_policy_disclose_round_trips_and_is_checked() -> None:
    policy, problems = parse_policy({"disclose": ["evidence", "credentialSubject.result"]})
    assert not problems and policy.disclose == ("evidence", "credentialSubject.result")
    assert policy.to_json() == {"disclose": ["evidence", "credentialSubject.result"]}
    assert parse_policy({"disclose": []})[0].disclose == ()
    assert parse_policy({})[0].disclose is None
    _, problems = parse_policy({"disclose": ["evidence", "evidence", 3, "name"]})
    assert [p.path for p in problems] == ["$.badgekit.disclose[1]", "$.badgekit.disclose[2]", "$.badgekit.disclose[3]"]
    assert parse_policy({"disclose": "evidence"})[1][0].path == "$.badgekit.disclose"


def test_a_p384_key_signs_no_sd_jwt(project: Path) -> None:
    # P-256 (ES256) SD-JWT VCs: tests/cli/test_issue_jose_cli.py
    run_cli("key", "generate", "p384.pem", "--type", "p384")
    refused = run_cli("issue", "--badge", "y", "roster.csv", "--key", "p384.pem", "--format", "sd-jwt", ok=2)
    assert "P-384 key signs Data Integrity proofs" in refused.stderr and "not ES384" in refused.stderr
    unknown = run_cli("issue", "--badge", "y", "roster.csv", "--format", "sd", ok=2)
    assert "--format takes ldp, jwt, vc+jwt, sd-jwt" in unknown.stderr

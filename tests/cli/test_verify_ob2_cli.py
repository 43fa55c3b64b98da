"""``badgekit verify`` on Open Badges 2.0 assertions: signed (JWS), hosted (JSON, a URL), baked
in PNG and SVG, against supplied copies of their documents; every file in tests/invalid/ob2/
fails the check it is named after; real samples from the OB 2.0 specification and the 1EdTech
openbadges-validator-core (tests/vectors/ob2/, sources in tests/vectors/SOURCES.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badgekit.cli import app
from tests.conftest import VECTORS
from tests.invalid._regenerate import differing
from tests.invalid.ob2 import make_invalid_ob2 as MI

INVALID = Path(__file__).resolve().parent.parent / "invalid" / "ob2"
SPEC = VECTORS / "ob2" / "spec-examples"
CORE = VECTORS / "ob2" / "validator-core"
FILES = sorted(p for p in INVALID.iterdir() if p.is_file() and "--" in p.name)
runner = CliRunner()


def verify(*args: str, base: bool = True):
    return runner.invoke(app, ["verify", *args, *(MI.VERIFY_ARGS if base else []), "--json"])


def checks(result) -> dict[str, tuple[str, str]]:
    report = json.loads(result.stdout)
    return {c["id"]: (c["status"], c["reason"]) for c in report["checks"]}


def test_fixtures_are_reproducible():
    wanted = MI.wanted_files()
    differs = differing(INVALID, wanted)
    assert not differs, f"regenerate with: python3 tests/invalid/ob2/make_invalid_ob2.py ({differs})"
    assert {p.name for p in FILES} == {n for n in wanted if "/" not in n}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_invalid_assertion_fails_the_check_it_is_named_after(path):
    result = verify(str(path))
    assert result.exit_code == 1, result.output
    found = checks(result)
    named = path.name.split("--")[0]
    failed = [cid for cid, (status, _) in found.items() if status == "failed"]
    assert failed[0] == named, found
    assert json.loads(result.stdout)["summary"]["obVersion"] == "2.0"


@pytest.mark.parametrize("name, data", [
    ("signed.jws", lambda: MI.valid_signed()),
    ("hosted.json", lambda: MI.valid_hosted()),
    ("signed.png", lambda: MI.baked_png(MI.valid_signed().decode())),
    ("hosted.png", lambda: MI.baked_png(MI.valid_hosted().decode())),
    ("signed.svg", lambda: MI.baked_svg(verify=MI.valid_signed().decode())),
    ("hosted.svg", lambda: MI.baked_svg(verify=MI.HOSTED_1, body=MI.valid_hosted().decode())),
    ("hosted-url.svg", lambda: MI.baked_svg(verify=MI.HOSTED_1)),
])
def test_valid_signed_and_hosted_assertions_in_every_form(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data())
    result = verify(str(path))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "valid"
    assert report["summary"]["format"] == {"jws": "jwt"}.get(name.rsplit(".")[1], name.rsplit(".")[1])
    assert report["summary"]["achievementName"] == "Teamwork"
    assert checks(result)["recipient"][0] == "passed"  # the IdentityObject's hash, recomputed with its salt


def test_a_baked_ob2_badge_was_needs_the_network_and_now_names_what_to_supply(tmp_path):
    # Before: "an Open Badges 2.0 badge (PNG); ... OB 2.0 verification needs the network" (exit 3).
    path = tmp_path / "badge.png"
    path.write_bytes(MI.baked_png(MI.valid_signed().decode()))
    result = verify(str(path), "--at", MI.FIXED_NOW, "--no-cache", base=False)
    assert result.exit_code == 3, result.output
    found = checks(result)
    assert found["parse"][0] == "passed" and "signed assertion (compact JWS, alg RS256)" in found["parse"][1]
    assert found["issuer-key"] == ("indeterminate", f"needs the BadgeClass {MI.BADGE_ID} and the CryptographicKey "
                                   f"{MI.KEY_1}: supply copies (verify --ob2-doc FILE, or badgekit cache add FILE)")
    # With the key and the BadgeClass, the next link is named: the issuer Profile.
    docs = MI.DOCS
    result = verify(str(path), "--at", MI.FIXED_NOW, "--no-cache", "--ob2-doc", str(docs / "key-1.json"),
                    "--ob2-doc", str(docs / "badge-teamwork.json"), base=False)
    found = checks(result)
    assert found["signature"][0] == "passed"
    assert found["issuer-key"][1].startswith(f"needs the issuer Profile {MI.ISSUER_ID}")
    assert json.loads(result.stdout)["summary"]["notChecked"] == [f"{MI.ISSUER_ID} (not supplied)"]


def test_ob2_json_was_a_list_of_ob3_schema_failures(tmp_path):
    # Before: exit 1 with "schema: ... 'credentialSubject' is a required property ...".
    path = tmp_path / "hosted.json"
    path.write_bytes(MI.valid_hosted())
    result = verify(str(path), "--no-cache", base=False)
    assert result.exit_code == 3, result.output
    found = checks(result)
    assert found["schema"][0] == "passed" and "credentialSubject" not in result.stdout
    assert found["signature"] == ("indeterminate", f"needs the hosted assertion {MI.HOSTED_1}: supply a copy "
                                  "(verify --ob2-doc FILE, or badgekit cache add FILE)")


def test_documents_from_the_cache(tmp_path):
    path = tmp_path / "signed.jws"
    path.write_bytes(MI.valid_signed())
    added = runner.invoke(app, ["cache", "add", *(str(p) for p in sorted(MI.DOCS.glob("*.json")))])
    assert added.exit_code == 0, added.output
    result = runner.invoke(app, ["verify", str(path), "--at", MI.FIXED_NOW, "--json"])
    assert result.exit_code == 0, result.output
    assert "cached" in checks(result)["issuer-key"][1]


def test_a_copy_with_another_id_is_not_used(tmp_path):
    copy = tmp_path / "key.json"
    copy.write_text(json.dumps({**json.loads((MI.DOCS / "key-1.json").read_text()), "id": MI.KEY_2}))
    path = tmp_path / "signed.jws"
    path.write_bytes(MI.valid_signed())
    result = verify(str(path), "--at", MI.FIXED_NOW, "--no-cache", "--ob2-doc", f"{MI.KEY_1}={copy}", base=False)
    assert result.exit_code == 1
    assert checks(result)["issuer-key"] == ("failed", f"the copy of CryptographicKey {MI.KEY_1} (file {copy}) has id "
                                            f"'{MI.KEY_2}': a copy must be the document published at that URL")


def test_human_report_and_one_line_per_file(tmp_path):
    path = tmp_path / "signed.jws"
    path.write_bytes(MI.valid_signed())
    result = runner.invoke(app, ["verify", str(path), *MI.VERIFY_ARGS])
    assert result.exit_code == 0, result.output
    assert "✓ VALID" in result.stdout and "Open Badges 2.0, signed (JWS)" in result.stdout
    assert "Example Issuer (https://issuer.example.org/profile.json)" in result.stdout
    many = runner.invoke(app, ["verify", str(path), str(INVALID / "validity--expired.jws"), *MI.VERIFY_ARGS])
    assert many.exit_code == 1
    assert "✗ INVALID" in many.stdout and "7 validity: expired on 2025-06-01T00:00:00Z" in many.stdout


# -- real samples ----------------------------------------------------------------------------


def test_validator_core_hosted_assertion_with_its_documents():
    docs = [f"--ob2-doc={CORE / n}" for n in ("2_0_basic_assertion.json", "2_0_basic_badgeclass.json", "2_0_basic_issuer.json")]
    result = verify(str(CORE / "2_0_basic_assertion.json"), *docs, "--recipient", "nobody@example.org", "--no-cache",
                    base=False)
    assert result.exit_code == 0, result.output
    found = checks(result)
    assert found["recipient"] == ("passed", "issued to nobody@example.org: recipient (emailAddress, hashed) matches")
    assert "the issuer Profile's own origin: example.org" in found["issuer-key"][1]
    other = verify(str(CORE / "2_0_basic_assertion.json"), *docs, "--recipient", "somebody@example.org", "--no-cache",
                   base=False)
    assert other.exit_code == 1 and checks(other)["recipient"][0] == "failed"


def test_validator_core_ob_1_1_reads_as_ob_2_and_1_0_is_refused_by_name():
    docs = [f"--ob2-doc={CORE / n}" for n in ("1_1_basic_assertion.json", "1_1_basic_badgeclass.json", "1_1_basic_issuer.json")]
    result = verify(str(CORE / "1_1_basic_assertion.json"), *docs, "--no-cache", base=False)
    assert result.exit_code == 0, result.output
    assert "Open Badges 1.1 context" in checks(result)["contexts"][1]
    old = verify(str(CORE / "1_0_basic_assertion.json"), "--no-cache", base=False)
    assert old.exit_code == 1
    assert checks(old)["schema"][1].startswith("no @context: an Open Badges 1.0 (or older) assertion")


def test_spec_hosted_example_is_valid_before_it_expires_and_revoked_when_the_issuer_says_so():
    docs = [f"--ob2-doc={SPEC / n}" for n in ("badgeclass.json", "issuer.json")]
    example = str(SPEC / "assertion-hosted.json")
    result = verify(example, f"--ob2-doc={example}", *docs, "--at", "2017-01-15T00:00:00Z", "--no-cache", base=False)
    assert result.exit_code == 0, result.output
    expired = verify(example, f"--ob2-doc={example}", *docs, "--at", "2018-01-01T00:00:00Z", "--no-cache", base=False)
    assert expired.exit_code == 1 and checks(expired)["validity"][1].startswith("expired on 2017-06-30T23:59:59Z")
    revoked = verify(example, f"--ob2-doc={SPEC / 'revoked-hosted-assertion.json'}", *docs, "--at",
                     "2017-01-15T00:00:00Z", "--no-cache", base=False)
    assert revoked.exit_code == 1
    assert checks(revoked)["status"][1].startswith("revoked: the hosted copy of https://example.org/beths-robotics-badge.json")


def test_spec_signed_example_names_its_key_and_refuses_the_abbreviated_one():
    example = str(SPEC / "signed-assertion.jws")
    docs = [f"--ob2-doc={SPEC / n}" for n in ("badgeclass.json", "issuer.json")]
    result = verify(example, *docs, "--no-cache", base=False)
    assert result.exit_code == 3, result.output
    found = checks(result)
    assert found["parse"][1].startswith("Open Badges 2.0 signed assertion (compact JWS, alg RS256)")
    # The example's payload uses the "verify" alias and names its key https://example.org/publicKey.
    assert found["signature"][1].startswith("needs the CryptographicKey https://example.org/publicKey:")
    # The spec's CryptographicKey example abbreviates its PEM ("MIIBG0BA...OClDQAB") and has another id.
    key = verify(example, *docs, f"--ob2-doc=https://example.org/publicKey={SPEC / 'cryptographic-key.json'}",
                 "--no-cache", base=False)
    assert key.exit_code == 1 and checks(key)["signature"][0] == "failed"


def test_a_folder_of_ob2_badges_picks_up_jws_files(tmp_path):
    (tmp_path / "a.jws").write_bytes(MI.valid_signed())
    (tmp_path / "b.json").write_bytes(MI.valid_hosted())
    result = verify(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert [r["source"].rsplit("/", 1)[1] for r in json.loads(result.stdout)] == ["a.jws", "b.json"]

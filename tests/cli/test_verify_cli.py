"""``badgekit verify`` through the CLI: human report, --json / --jsonl, exit codes, options, safety."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badgekit import jsonld, proof
from badgekit.cli import app
from badgekit.cli.verify import clean
from badgekit.keys import Ed25519Key
from badgekit.verify import PARALLEL_MIN_FILES
from tests.conftest import FIXED_NOW, TEST_SEED, VECTORS

OB = VECTORS / "1edtech-validator-ob30"
TRUST = str(VECTORS / "1edtech-trust.json")
runner = CliRunner()
KEY = Ed25519Key.from_seed(TEST_SEED)


def run(*args: str):
    return runner.invoke(app, ["verify", *args])


def own_credential(name: str = "Teamwork") -> dict:
    cred = {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": "urn:uuid:1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": KEY.did_key, "type": ["Profile"], "name": name},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://example.edu/a/1", "type": ["Achievement"], "name": name,
                            "description": "d", "criteria": {"narrative": "n"}},
        },
    }
    return proof.add_proof(cred, KEY.signer(), created="2025-01-01T00:00:00Z")


def test_human_report_valid():
    result = run(str(OB / "simple-json.png"), "--trust", TRUST, "--at", FIXED_NOW)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "✓ VALID" in out and "simple-json.png" in out
    assert "Example Corp (https://example.com/issuers/876543)" in out
    assert "recipient" in out and "achievement" in out and "Teamwork" in out
    for number, check in enumerate(["parse", "schema", "contexts", "proof-structure", "issuer-key", "signature",
                                    "validity", "status", "trust"], start=1):
        assert f"{number}  " in out and check in out
    assert "✓" in out and "–" in out  # status is skipped (no credentialStatus)


def test_human_report_invalid_and_indeterminate():
    bad = run(str(OB / "simple-err-expired.json"), "--trust", TRUST)
    assert bad.exit_code == 1 and "✗ INVALID" in bad.stdout and "expired" in bad.stdout
    unsure = run(str(OB / "simple.json"))
    assert unsure.exit_code == 3 and "? INDETERMINATE" in unsure.stdout and "--trust" in unsure.stdout


def test_json_one_file_is_an_object_several_an_array():
    one = run(str(OB / "simple.json"), "--json", "--trust", TRUST)
    assert one.exit_code == 0
    report = json.loads(one.stdout)
    assert report["verdict"] == "valid" and report["exitCode"] == 0
    assert [c["id"] for c in report["checks"]][:3] == ["parse", "schema", "contexts"]
    assert set(report["summary"]) >= {"format", "issuerId", "issuerName", "recipient", "achievementName",
                                      "achievementType", "validFrom", "validUntil"}
    several = run(str(OB / "simple.json"), str(OB / "simple-err-proof-value.json"), "--json", "--trust", TRUST)
    assert several.exit_code == 1
    reports = json.loads(several.stdout)
    assert [r["verdict"] for r in reports] == ["valid", "invalid"]
    assert several.stderr == ""  # machine output only


def test_jsonl_one_report_per_line():
    result = run(str(OB / "simple.json"), str(OB / "simple.json"), "--jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(json.loads(line)["verdict"] == "indeterminate" for line in lines)
    assert result.exit_code == 3


def test_folder_is_expanded_and_exit_code_is_the_worst(tmp_path):
    for name in ("simple.json", "simple-json.svg", "simple-jwt.png"):
        shutil.copy(OB / name, tmp_path / name)
    (tmp_path / "README.txt").write_text("not a badge")
    result = run(str(tmp_path), "--json", "--trust", TRUST)
    assert result.exit_code == 0, result.stdout
    assert [Path(r["source"]).name for r in json.loads(result.stdout)] == ["simple-json.svg", "simple-jwt.png", "simple.json"]
    shutil.copy(OB / "simple-err-expired.json", tmp_path / "z-expired.json")
    shutil.copy(OB / "credential-status-revoked.json", tmp_path / "revocation-list.json")  # needs the network
    mixed = run(str(tmp_path), "--trust", TRUST)
    assert mixed.exit_code == 1  # invalid beats indeterminate beats valid
    assert "5 files: 3 valid, 1 invalid, 1 indeterminate" in mixed.stderr
    tmp_path.joinpath("z-expired.json").unlink()
    assert run(str(tmp_path), "--trust", TRUST).exit_code == 3


@pytest.mark.parametrize(
    "args",
    [
        ["{missing}"],
        ["{ok}", "--json", "--jsonl"],
        ["{ok}", "--at", "2026-01-15"],
        ["{ok}", "--at", "tomorrow"],
        ["{ok}", "--trust", "{missing}"],
        ["{ok}", "--trust", "{ok}"],  # a credential is not a trust list
        ["{ok}", "--did-doc", "{missing}"],
        ["{ok}", "--status-list", "{missing}"],
        ["{empty_dir}"],
        [],
        ["{ok}", "--no-such-option"],
    ],
)
def test_usage_errors_exit_2(tmp_path, args):
    (tmp_path / "empty").mkdir()
    values = {"missing": str(tmp_path / "nope.json"), "ok": str(OB / "simple.json"), "empty_dir": str(tmp_path / "empty")}
    result = run(*[a.format(**values) for a in args])
    assert result.exit_code == 2, result.output


def test_status_list_url_mapping_and_folder(tmp_path):
    cred = OB / "bit-string-list/credential-status-revoked.json"
    url = json.loads(cred.read_text())["credentialStatus"]["statusListCredential"]
    without = run(str(cred), "--trust", TRUST, "--json")
    assert without.exit_code == 3
    mapped = run(str(cred), "--trust", TRUST, "--json", "--status-list", f"{url}={OB / 'bit-string-list/testlist'}")
    assert mapped.exit_code == 1
    status = next(c for c in json.loads(mapped.stdout)["checks"] if c["id"] == "status")
    # The fixture's list names another URL as its id: it cannot stand for this one.
    assert status["status"] == "failed" and "'https://example.com/credentials/status/3' (its id)" in status["reason"]


def test_did_doc_option(tmp_path):
    from badgekit import did

    web = "did:web:example.edu"
    doc_path = tmp_path / "did.json"
    doc_path.write_text(json.dumps(did.did_web_document(web, [KEY.public_key])))
    cred = own_credential()
    cred.pop("proof")
    cred["issuer"]["id"] = web
    signed = proof.add_proof(cred, KEY.signer(f"{web}#key-1"), created="2025-01-01T00:00:00Z")
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(signed))
    assert run(str(path)).exit_code == 3
    assert run(str(path), "--did-doc", str(doc_path)).exit_code == 0


def test_untrusted_text_cannot_drive_the_terminal(tmp_path):
    # An issuer name with ANSI escapes, a carriage return and a bidi override: printed inert.
    nasty = "Evil\x1b[2J\x1b[31mCorp\r\u202eexe.gnp"
    path = tmp_path / "nasty.json"
    path.write_text(json.dumps(own_credential(nasty)))
    result = run(str(path))
    assert result.exit_code == 0, result.stdout
    assert "\x1b[2J" not in result.stdout and "\u202e" not in result.stdout and "\r" not in result.stdout
    assert "\\u001b[2J" in result.stdout and "\\u202e" in result.stdout
    # Rich markup in text is printed, not interpreted.
    path.write_text(json.dumps(own_credential("[bold red]VALID[/]")))
    assert "[bold red]VALID[/]" in run(str(path)).stdout
    assert clean("ok\tstill\x07") == "ok\\u0009still\\u0007"


def test_help_documents_exit_codes():
    result = runner.invoke(app, ["verify", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "0 all valid, 1 any invalid, 3 indeterminate, 2 usage" in text


def test_verify_is_registered_once_and_sign_still_works():
    names = [c.name for c in app.registered_commands]
    assert names.count("verify") == 1 and "sign" in names


def test_cli_verify_does_not_import_requests_or_jsonschema(tmp_path):
    """Cold start: the CLI imports PyLD without its HTTP client and never the pure-Python validator."""
    code = (
        "import sys\n"
        "from badgekit.cli import main\n"
        f"sys.argv = ['badgekit', 'verify', {str(OB / 'simple-json.png')!r}, '--trust', {TRUST!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "bad = [m for m in ('requests', 'aiohttp', 'jsonschema', 'urllib3', 'lxml.etree', 'jinja2') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "assert code == 0, code\n"
        # The stand-in for lxml.html still does what PyLD needs when it is used.
        "import lxml.html, pyld.jsonld\n"
        "assert pyld.jsonld.lxml.html.fromstring('<p>x</p>').text_content() == 'x'\n"
        "assert 'lxml.etree' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2],
                   capture_output=True, text=True)


# ---------------------------------------------------------------------------------------------
# check 10 (--recipient) and check 11 (embedded endorsements)


def test_recipient_option(tmp_path):
    from tests.invalid import make_invalid as mi

    path = tmp_path / "badge.json"
    path.write_bytes(mi.valid_control())  # issued to a@example.com (hashed, salt "Kosher")
    ok = run(str(path), "--at", FIXED_NOW, "--recipient", " A@Example.com", "--json")
    assert ok.exit_code == 0, ok.stdout
    check = next(c for c in json.loads(ok.stdout)["checks"] if c["id"] == "recipient")
    assert check["number"] == 10 and check["status"] == "passed"
    other = run(str(path), "--at", FIXED_NOW, "--recipient", "bob@example.org")
    assert other.exit_code == 1
    assert "✗ INVALID" in other.stdout and "the credential was not issued to bob@example.org" in other.stdout
    assert "10  ✗  recipient" in other.stdout
    skipped = run(str(path), "--at", FIXED_NOW, "--json")
    assert next(c for c in json.loads(skipped.stdout)["checks"] if c["id"] == "recipient")["status"] == "skipped"
    assert run(str(path), "--recipient", "  ").exit_code == 2


def test_endorsements_exit_codes(tmp_path):
    from badgekit import did
    from tests.invalid import make_invalid as mi

    good = tmp_path / "endorsed.json"
    good.write_text(json.dumps(mi.valid_endorsed()))
    ok = run(str(good), "--at", FIXED_NOW)
    assert ok.exit_code == 0, ok.stdout
    assert "11  ✓  endorsements" in ok.stdout and "3 endorsement(s) verified" in ok.stdout
    report = json.loads(run(str(good), "--at", FIXED_NOW, "--json").stdout)
    assert [c["number"] for c in report["checks"]] == list(range(1, 12))
    assert [e["status"] for e in report["summary"]["endorsements"]] == ["passed"] * 3
    # A tampered endorsement: invalid (exit 1), the endorsement named.
    bad = run(str(Path(__file__).resolve().parent.parent / "invalid" / "endorsements--tampered-comment.json"), "--at", FIXED_NOW)
    assert bad.exit_code == 1 and "$.credentialSubject.achievement.endorsement[0]" in bad.stdout
    # A did:web endorser: indeterminate (exit 3) until its DID document is supplied.
    web = "did:web:accreditor.example"
    e = mi.endorsement(mi.ACHIEVEMENT_ID)
    e["issuer"]["id"] = web
    cred = mi.base_credential()
    cred["credentialSubject"]["achievement"]["endorsement"] = [mi.sign(e, mi.OTHER, vm=f"{web}#key-1")]
    path = tmp_path / "web-endorser.json"
    path.write_text(json.dumps(mi.sign(cred)))
    unsure = run(str(path), "--at", FIXED_NOW)
    assert unsure.exit_code == 3 and "cannot be decided offline" in unsure.stdout
    doc = tmp_path / "did.json"
    doc.write_text(json.dumps(did.did_web_document(web, [mi.OTHER.public_key])))
    assert run(str(path), "--at", FIXED_NOW, "--did-doc", str(doc)).exit_code == 0


def test_help_lists_the_new_checks_and_option():
    text = " ".join(runner.invoke(app, ["verify", "--help"]).stdout.split())
    assert "10 recipient, 11 endorsements" in text and "--recipient" in text


def _did_web_badge(tmp_path, web="did:web:example.edu"):
    from badgekit import did

    doc_path = tmp_path / "did.json"
    doc_path.write_text(json.dumps(did.did_web_document(web, [KEY.public_key])))
    cred = own_credential()
    cred.pop("proof")
    cred["issuer"]["id"] = web
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(proof.add_proof(cred, KEY.signer(f"{web}#key-1"), created="2025-01-01T00:00:00Z")))
    return path, doc_path


def test_cached_did_document_is_used_and_named_and_no_cache_ignores_it(tmp_path):
    badge, doc_path = _did_web_badge(tmp_path)
    assert run(str(badge)).exit_code == 3
    assert run(str(badge), "--did-doc", str(doc_path)).exit_code == 0
    cache_dir = Path(os.environ["BADGEKIT_CACHE_DIR"])
    assert not cache_dir.exists() or not any(cache_dir.rglob("*.json"))  # verify never writes to the cache
    added = runner.invoke(app, ["cache", "add", str(doc_path)])
    assert added.exit_code == 0 and "cached did-document did:web:example.edu" in added.stderr
    result = run(str(badge), "--json")
    assert result.exit_code == 0, result.stdout
    key = next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "issuer-key")
    assert key["status"] == "passed" and "(cached 20" in key["reason"]
    assert run(str(badge), "--no-cache").exit_code == 3
    # A document given on the command line wins over the cached one, and is named as supplied.
    given = json.loads(run(str(badge), "--json", "--did-doc", str(doc_path)).stdout)
    assert "(supplied)" in next(c for c in given["checks"] if c["id"] == "issuer-key")["reason"]


def test_cache_commands(tmp_path):
    _, doc_path = _did_web_badge(tmp_path)
    assert runner.invoke(app, ["cache", "list"]).stderr.startswith("the cache is empty")
    assert runner.invoke(app, ["cache", "add", str(doc_path), "--json"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["cache", "list", "--json"]).stdout)
    assert [(e["kind"], e["id"]) for e in listed] == [("did-document", "did:web:example.edu")]
    shown = " ".join(runner.invoke(app, ["cache", "list"]).stdout.split())  # kind, id, when, and the file it came from
    assert shown.startswith("did-document did:web:example.edu added 20") and shown.endswith(f"from {doc_path}")
    bad = runner.invoke(app, ["cache", "add", str(OB / "simple.json")])
    assert bad.exit_code == 2 and "nothing to cache" in bad.stderr
    assert runner.invoke(app, ["cache", "remove", "did:web:nobody.example"]).exit_code == 2
    assert runner.invoke(app, ["cache", "remove", "did:web:example.edu"]).exit_code == 0
    assert runner.invoke(app, ["cache", "clear"]).exit_code == 0
    assert runner.invoke(app, ["cache", "path"]).stdout.strip() == os.environ["BADGEKIT_CACHE_DIR"]


def test_a_downloaded_document_cannot_drive_the_terminal(tmp_path):
    """A did.json is someone else's file: its id, echoed by `cache add` and `cache list`, shows its
    escape sequences inert (every message and result line goes through _output.printable)."""
    _, doc_path = _did_web_badge(tmp_path)
    doc = json.loads(doc_path.read_text())
    doc["id"] = "did:web:example.edu\x1b[2J\x1b]0;owned\x07\u202e"
    doc_path.write_text(json.dumps(doc))
    added = runner.invoke(app, ["cache", "add", str(doc_path)])
    listed = runner.invoke(app, ["cache", "list"])
    for output in (added.stderr, listed.stdout):
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
        assert "did:web:example.edu\\u001b[2J\\u001b]0;owned\\u0007\\u202e" in output


def test_many_files_json_array_is_identical_whatever_the_workers(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    good = own_credential()
    n = PARALLEL_MIN_FILES + 3  # enough for worker processes
    for i in range(n):
        doc = good if i % 7 else {**good, "validFrom": "2099-01-01T00:00:00Z"}  # every 7th: tampered
        (folder / f"{i:03}.json").write_text(json.dumps(doc))
    outputs = {}
    for workers in ("1", "2"):
        result = run(str(folder), "--json", "--workers", workers, "--at", FIXED_NOW)
        assert result.exit_code == 1
        outputs[workers] = json.loads(result.stdout)
    assert outputs["1"] == outputs["2"]
    # Without --at, one run has one clock: every "not yet valid" reason names the same time.
    now_run = json.loads(run(str(folder), "--json", "--workers", "2").stdout)
    times = {c["reason"].rsplit(" ", 1)[1] for r in now_run for c in r["checks"]
             if c["id"] == "validity" and c["status"] == "failed"}
    assert len(times) == 1
    assert [r["source"].rsplit("/", 1)[1] for r in outputs["1"]] == [f"{i:03}.json" for i in range(n)]
    assert [r["verdict"] for r in outputs["1"]].count("invalid") == len(range(0, n, 7))


def test_a_bug_exits_70_with_one_line_never_1(monkeypatch):
    from badgekit import verify as core

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(core, "verify_paths", broken)
    result = run(str(OB / "simple.json"))
    assert result.exit_code == 70
    assert "internal error (ZeroDivisionError: division by zero)" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    monkeypatch.setenv("BADGEKIT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        runner.invoke(app, ["verify", str(OB / "simple.json")], catch_exceptions=False)


# ---------------------------------------------------------------------------------------------
# several files: one line each, then a summary


def _three_files(tmp_path: Path) -> list[str]:
    good = tmp_path / "a-good.json"
    good.write_text(json.dumps(own_credential()))
    tampered = own_credential()
    tampered["credentialSubject"]["achievement"]["name"] = "Leadership"
    (tmp_path / "b-tampered.json").write_text(json.dumps(tampered))
    shutil.copy(OB / "simple.json", tmp_path / "c-simple.json")  # indeterminate without --trust
    return [str(tmp_path / n) for n in ("a-good.json", "b-tampered.json", "c-simple.json")]


def test_several_files_print_one_line_each_then_a_summary(tmp_path):
    files = _three_files(tmp_path)
    result = run(*files)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    assert lines[0] == f"✓ VALID          {files[0]}  Teamwork  id (did:example)"
    assert lines[1].startswith(f"✗ INVALID        {files[1]}  Leadership  id (did:example)  6 signature: signature does not match")
    assert lines[2].startswith(f"? INDETERMINATE  {files[2]}  ") and "  5 issuer-key: " in lines[2]
    assert result.stderr.strip() == ("3 files: 1 valid, 1 invalid, 1 indeterminate; exit code 1 "
                                     "(0 all valid, 1 any invalid, 3 none invalid but some indeterminate)")
    # The earner is the --recipient value when check 10 matched it.
    matched = run(files[0], files[0], "--recipient", "did:example:learner")
    assert matched.exit_code == 0 and matched.stdout.splitlines()[0].endswith("  Teamwork  did:example:learner")


def test_verbose_prints_the_full_report_of_every_file(tmp_path):
    result = run(*_three_files(tmp_path), "--verbose")
    assert result.exit_code == 1
    assert result.stdout.count("11  –  endorsements") == 3 and result.stdout.count("  ✓  parse") == 3
    assert "3 files: 1 valid, 1 invalid, 1 indeterminate; exit code 1" in result.stderr
    one = run(_three_files(tmp_path)[0])  # one file: the full report, no summary
    assert "  ✓  parse" in one.stdout and one.stderr == ""


def test_one_line_output_escapes_untrusted_text(tmp_path):
    for name in ("a.json", "b.json"):
        cred = own_credential()
        cred.pop("proof")
        cred["credentialSubject"]["achievement"]["name"] = "Evil\x1b[2J\x1b[31mBadge\r\u202eexe.gnp [bold]x[/]"
        (tmp_path / name).write_text(json.dumps(proof.add_proof(cred, KEY.signer(), created="2025-01-01T00:00:00Z")))
    result = run(str(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert len(result.stdout.splitlines()) == 2
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\r" not in result.stdout
    assert "Evil\\u001b[2J\\u001b[31mBadge\\u000d\\u202eexe.gnp [bold]x[/]" in result.stdout


def test_one_line_colour_only_on_a_terminal_without_no_color(monkeypatch):
    from badgekit.cli.verify import _color, report_line
    from badgekit.verify import VerifyOptions, parse_timestamp, verify_credential

    report = verify_credential(own_credential(), options=VerifyOptions(at=parse_timestamp(FIXED_NOW)))
    assert report_line(report, color=True).startswith("\x1b[1;32m✓ VALID        \x1b[0m  ")
    assert "\x1b" not in report_line(report)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    leader, follower = os.openpty()
    with os.fdopen(follower, "w") as tty, os.fdopen(leader, "rb"):
        assert _color(tty)
        monkeypatch.setenv("NO_COLOR", "1")
        assert not _color(tty)
        monkeypatch.delenv("NO_COLOR")
        monkeypatch.setenv("TERM", "dumb")
        assert not _color(tty)
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe, os.fdopen(read_end, "rb"):
        monkeypatch.setenv("TERM", "xterm")
        assert not _color(pipe)


#: An OB 3.0 badge signed in ecdsa-sd-2023 by the Digital Bazaar suite (tests/interop/dbsuites.mjs,
#: W3C vector P-256 key): the base proof (the holder's copy) and a disclosure derived from it
#: (name, description, result, evidence … withheld; tests/interop/README.md).
SD_BASE = Path(__file__).resolve().parent.parent / "interop" / "fixtures" / "db-ecdsa-sd-2023-base.json"
SD_DERIVED = SD_BASE.with_name("db-ecdsa-sd-2023-derived.json")


def test_an_ecdsa_sd_2023_derived_badge_is_valid_and_a_tampered_one_invalid(tmp_path):
    result = run(str(SD_DERIVED), "--at", FIXED_NOW, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "valid"
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["signature"]["reason"] == "ecdsa-sd-2023 signature verified"
    assert checks["proof-structure"]["reason"].startswith("1 proof(s): DataIntegrityProof ecdsa-sd-2023")
    doc = json.loads(SD_DERIVED.read_text(encoding="utf-8"))
    assert "name" not in doc and "result" not in doc["credentialSubject"]  # withheld by the holder
    for edit in (lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Forged"),  # mandatory
                 lambda d: d["credentialSubject"]["identifier"][0].__setitem__("salt", "other"),  # disclosed
                 lambda d: d.__setitem__("name", "Forged")):  # added
        tampered = json.loads(SD_DERIVED.read_text(encoding="utf-8"))
        edit(tampered)
        path = tmp_path / "tampered.json"
        path.write_text(json.dumps(tampered), encoding="utf-8")
        result = run(str(path), "--at", FIXED_NOW, "--json")
        assert result.exit_code == 1, result.output
        failed = [c["id"] for c in json.loads(result.stdout)["checks"] if c["status"] == "failed"]
        assert failed == ["signature"]


def test_an_ecdsa_sd_2023_base_proof_the_holders_copy_is_checked_whole(tmp_path):
    result = run(str(SD_BASE), "--at", FIXED_NOW, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    check = next(c for c in report["checks"] if c["id"] == "proof-structure")
    assert "proof 1 is an ecdsa-sd-2023 base proof: the holder's copy" in check["reason"]
    tampered = json.loads(SD_BASE.read_text(encoding="utf-8"))
    tampered["credentialSubject"]["result"][0]["value"] = "100"  # selectively disclosable, signed on its own
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(tampered), encoding="utf-8")
    result = run(str(path), "--at", FIXED_NOW, "--json")
    assert result.exit_code == 1, result.output
    assert [c["id"] for c in json.loads(result.stdout)["checks"] if c["status"] == "failed"] == ["signature"]

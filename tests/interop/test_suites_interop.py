"""badgekit verifies what the Digital Bazaar cryptosuites sign: ``ecdsa-rdfc-2019`` and
``ecdsa-jcs-2019`` (P-256 and P-384) and ``eddsa-jcs-2022``, signed by ``dbsuites.mjs`` with the
W3C vector keys and did:key, and the ``ecdsa-sd-2023`` disclosures it derives from its base
proofs; a changed value must fail. And the other direction: what badgekit
signs in these suites (``badgekit sign --cryptosuite``, new P-256 / P-384 / Ed25519 keys) verifies
in the Digital Bazaar suites (``dbsuites.mjs verify``), and a changed copy does not. Proof sets
and chains (VC Data Integrity 1.0) in mixed suites, both ways: the pinned jsonld-signatures has no
proof chains, so ``dbsuites.mjs`` runs the spec's set/chain algorithms over the suites' own
``createProof`` / ``verifyProof``.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from badgekit import proof
from badgekit.verify import VerifyOptions, verify_paths
from tests.cli.test_issue_cryptosuite_cli import ecdsa_project
from tests.conftest import FIXED_NOW, VECTORS, run_cli
from tests.interop import dbstack

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
KEYS = {
    "P-256": VECTORS / "w3c-vc-di-ecdsa/p256KeyPair.json",
    "P-384": VECTORS / "w3c-vc-di-ecdsa/p384KeyPair.json",
    "Ed25519": VECTORS / "w3c-vc-di-eddsa/keyPair.json",
}
CASES = [("ecdsa-rdfc-2019", "P-256"), ("ecdsa-rdfc-2019", "P-384"), ("ecdsa-jcs-2019", "P-256"),
         ("ecdsa-jcs-2019", "P-384"), ("eddsa-jcs-2022", "Ed25519")]


def _did_key(curve: str) -> str:
    return "did:key:" + json.loads(KEYS[curve].read_text(encoding="utf-8"))["publicKeyMultibase"]


def db_sign(unsigned: list[dict[str, Any]], cryptosuite: str, curve: str, tmp: Path, *,
            mandatory: tuple[str, ...] = (), proof_id: str | None = None, previous: tuple[str, ...] = (),
            created: str = FIXED_NOW) -> list[dict[str, Any]]:
    """The credentials signed by the Digital Bazaar suite (one node process); ``ecdsa-sd-2023``:
    base proofs with these ``mandatory`` pointers. A signed credential gets one more proof, with
    ``proof_id``, chained after the ``previous`` proof ids."""
    files = _write_all(unsigned, tmp, "unsigned")
    pointers = [arg for p in mandatory for arg in ("--mandatory", p)]
    chain = [*(["--proof-id", proof_id] if proof_id else []), *[a for p in previous for a in ("--previous-proof", p)]]
    return _dbsuites("sign", "--cryptosuite", cryptosuite, "--key", str(KEYS[curve]), "--created", created,
                     *pointers, *chain, *map(str, files))


def db_derive(base: list[dict[str, Any]], selective: tuple[str, ...], tmp: Path) -> list[dict[str, Any]]:
    """What a holder presents: the ``ecdsa-sd-2023`` disclosures the Digital Bazaar suite derives
    from ``base`` credentials, revealing the mandatory pointers and ``selective``."""
    files = _write_all(base, tmp, "base")
    return _dbsuites("derive", *[arg for p in selective for arg in ("--selective", p)], *map(str, files))


def _write_all(docs: list[dict[str, Any]], tmp: Path, stem: str) -> list[Path]:
    files = []
    for n, doc in enumerate(docs):
        files.append(tmp / f"{stem}-{n}.json")
        files[-1].write_text(json.dumps(doc), encoding="utf-8")
    return files


def _dbsuites(*args: str) -> Any:
    dbstack.require()
    for name in ("ecdsa-rdfc-2019-cryptosuite", "ecdsa-jcs-2019-cryptosuite", "eddsa-jcs-2022-cryptosuite",
                 "ecdsa-sd-2023-cryptosuite"):
        if not (HERE / "node_modules/@digitalbazaar" / name).is_dir():
            pytest.fail(f"@digitalbazaar/{name} missing: run (cd tests/interop && npm ci)")
    proc = subprocess.run(["node", str(HERE / "dbsuites.mjs"), *args],
                          capture_output=True, text=True, timeout=dbstack.TIMEOUT_SECONDS, cwd=HERE, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def ob_unsigned(issuer: str) -> dict[str, Any]:
    doc = json.loads((HERE / "fixtures/ob3-unsigned.json").read_text(encoding="utf-8"))
    doc["issuer"]["id"] = issuer
    return doc


@pytest.mark.parametrize(("cryptosuite", "curve"), CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_badgekit_verifies_what_the_digital_bazaar_suite_signs(cryptosuite: str, curve: str, tmp_path: Path) -> None:
    issuer = _did_key(curve)
    w3c = json.loads((VECTORS / "w3c-vc-di-ecdsa/unsigned.json").read_text(encoding="utf-8"))
    [ob, alumni] = db_sign([ob_unsigned(issuer), w3c], cryptosuite, curve, tmp_path)
    assert ob["proof"]["cryptosuite"] == cryptosuite

    # The whole verification of an OB 3.0 badge: every check passes, verdict valid.
    path = tmp_path / "signed.json"
    path.write_text(json.dumps(ob), encoding="utf-8")
    [report] = verify_paths([path], VerifyOptions(at=_at()))
    checks = {c.id: c for c in report.checks}
    assert report.verdict == "valid", [(c.id, c.status, c.reason) for c in report.checks]
    assert checks["signature"].reason == f"{cryptosuite} signature verified"
    assert proof.verify(alumni).verified

    for forged in (_with(ob, "name", "Forged Badge"), _with(alumni, "validFrom", "2020-01-01T00:00:00Z")):
        assert not proof.verify(forged).verified
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(_with(ob, "name", "Forged Badge")), encoding="utf-8")
    [report] = verify_paths([tampered], VerifyOptions(at=_at()))
    assert report.verdict == "invalid"
    assert [c.id for c in report.checks if c.status == "failed"] == ["signature"]


def db_verify(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """The Digital Bazaar suites' verdict on each file (one node process), by file name."""
    dbstack.require()
    proc = subprocess.run(["node", str(HERE / "dbsuites.mjs"), "verify", *map(str, paths)],
                          capture_output=True, text=True, timeout=dbstack.TIMEOUT_SECONDS, cwd=HERE, check=False)
    assert proc.returncode == 0, proc.stderr
    return {Path(r["file"]).name: r for r in json.loads(proc.stdout)}


def test_the_digital_bazaar_suites_verify_what_badgekit_signs(tmp_path: Path) -> None:
    paths = []
    for cryptosuite, curve in CASES:
        key_path = tmp_path / f"{cryptosuite}-{curve}.pem"
        kind = curve.lower().replace("-", "")
        issuer = json.loads(run_cli("key", "generate", key_path, "--type", kind, "--json").stdout)["did"]
        unsigned = tmp_path / f"{cryptosuite}-{curve}-unsigned.json"
        unsigned.write_text(json.dumps(ob_unsigned(issuer)), encoding="utf-8")
        signed = tmp_path / f"{cryptosuite}-{curve}.json"
        run_cli("sign", unsigned, "--key", key_path, "--cryptosuite", cryptosuite, "--created", FIXED_NOW, "--out", signed)
        doc = json.loads(signed.read_text(encoding="utf-8"))
        assert doc["proof"][0]["cryptosuite"] == cryptosuite
        tampered = tmp_path / f"tampered-{cryptosuite}-{curve}.json"
        tampered.write_text(json.dumps(_with(doc, "name", "Forged Badge")), encoding="utf-8")
        paths += [signed, tampered]
    verdicts = db_verify(paths)
    for cryptosuite, curve in CASES:
        ok, bad = verdicts[f"{cryptosuite}-{curve}.json"], verdicts[f"tampered-{cryptosuite}-{curve}.json"]
        assert ok["verified"] is True, (cryptosuite, curve, ok["error"])
        assert bad["verified"] is False and "signature" in bad["error"].lower(), (cryptosuite, curve, bad["error"])


def _with(doc: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out[key] = value
    return out


def _at():
    from badgekit._time import parse_datetime_stamp

    return parse_datetime_stamp(FIXED_NOW, field="at")


def test_the_digital_bazaar_suite_verifies_what_badgekit_issues_in_ecdsa_rdfc_2019(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = ecdsa_project(tmp_path, monkeypatch, "p256")
    run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--workers", "1")  # revocable: with a status entry
    files = sorted(p.out.glob("*.json"))
    assert len(files) == 2 and all(json.loads(f.read_text())["proof"][0]["cryptosuite"] == "ecdsa-rdfc-2019" for f in files)
    verdicts = db_verify(files)
    assert all(v["verified"] for v in verdicts.values()), verdicts


#: What an issuer makes mandatory in an ecdsa-sd-2023 badge: everything a verifier needs to judge it,
#: so the holder can withhold only the rest (the badge's name and description, results, evidence …).
SD_MANDATORY = ("/id", "/issuer", "/type", "/validFrom", "/validUntil", "/credentialSubject/achievement")


def test_badgekit_verifies_the_ecdsa_sd_2023_disclosures_the_digital_bazaar_suite_derives(tmp_path: Path) -> None:
    issuer = _did_key("P-256")
    [base] = db_sign([ob_unsigned(issuer)], "ecdsa-sd-2023", "P-256", tmp_path, mandatory=SD_MANDATORY)
    assert base["proof"]["proofValue"].startswith("u2V0A")  # a base proof (header 0xd9 0x5d 0x00)
    [minimal] = db_derive([base], ("/credentialSubject/identifier",), tmp_path)
    [fuller] = db_derive([base], ("/credentialSubject/identifier", "/name", "/credentialSubject/result",
                                  "/awardedDate"), tmp_path)
    assert "name" not in minimal and "result" not in minimal["credentialSubject"]
    assert fuller["name"] == base["name"] and fuller["credentialSubject"]["result"]

    for derived in (minimal, fuller):
        path = tmp_path / "derived.json"
        path.write_text(json.dumps(derived), encoding="utf-8")
        [report] = verify_paths([path], VerifyOptions(at=_at()))
        assert report.verdict == "valid", [(c.id, c.status, c.reason) for c in report.checks]
        assert {c.id: c for c in report.checks}["signature"].reason == "ecdsa-sd-2023 signature verified"

    # Tampered disclosures: a mandatory value, a disclosed value, a statement added or removed.
    for forged in (_with(minimal, "validUntil", "2099-01-01T00:00:00Z"), _with(fuller, "name", "Forged Badge"),
                   _with(minimal, "name", "Forged Badge"), _without(fuller, "awardedDate"),
                   _with(minimal, "proof", {**minimal["proof"], "proofValue": fuller["proof"]["proofValue"]})):
        path = tmp_path / "tampered.json"
        path.write_text(json.dumps(forged), encoding="utf-8")
        [report] = verify_paths([path], VerifyOptions(at=_at()))
        assert report.verdict == "invalid"
        assert [c.id for c in report.checks if c.status == "failed"] == ["signature"]
    # The base proof is the holder's: badgekit checks it whole; the Digital Bazaar verifier refuses it.
    path = tmp_path / "base.json"
    path.write_text(json.dumps(base), encoding="utf-8")
    [report] = verify_paths([path], VerifyOptions(at=_at()))
    assert report.verdict == "valid", [(c.id, c.status, c.reason) for c in report.checks]
    assert db_verify([path])["base.json"]["verified"] is False


def test_the_digital_bazaar_suite_derives_and_verifies_what_badgekit_signs_and_issues_in_ecdsa_sd_2023(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_path = tmp_path / "p256.pem"
    issuer = json.loads(run_cli("key", "generate", key_path, "--type", "p256", "--json").stdout)["did"]
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(ob_unsigned(issuer)), encoding="utf-8")
    signed = tmp_path / "signed.json"
    run_cli("sign", unsigned, "--key", key_path, "--cryptosuite", "ecdsa-sd-2023", "--created", FIXED_NOW, "--out", signed)
    p = ecdsa_project(tmp_path / "project", monkeypatch, "p256")
    run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--workers", "1", "--no-revocation",
            "--cryptosuite", "ecdsa-sd-2023")
    bases = [json.loads(f.read_text(encoding="utf-8")) for f in [signed, *sorted(p.out.glob("*.json"))]]
    assert len(bases) == 3 and all(b["proof"][0]["proofValue"].startswith("u2V0A") for b in bases)
    # What a holder presents: only the identifier disclosed beyond what badgekit made mandatory
    # (everything but results and evidence), then results too.
    derived = [*db_derive(bases, ("/credentialSubject/identifier",), tmp_path),
               *db_derive(bases[:1], ("/credentialSubject/identifier", "/credentialSubject/result"), tmp_path)]
    assert "result" not in derived[0]["credentialSubject"] and "evidence" not in derived[0]
    assert derived[3]["credentialSubject"]["result"] == bases[0]["credentialSubject"]["result"]
    paths = []
    for n, doc in enumerate(derived):
        paths.append(tmp_path / f"derived-{n}.json")
        paths[-1].write_text(json.dumps(doc), encoding="utf-8")
        paths.append(tmp_path / f"tampered-{n}.json")
        paths[-1].write_text(json.dumps(_with(doc, "validFrom", "2020-01-01T00:00:00Z")), encoding="utf-8")
    verdicts = db_verify(paths)
    for n in range(len(derived)):
        assert verdicts[f"derived-{n}.json"]["verified"] is True, verdicts[f"derived-{n}.json"]["error"]
        assert verdicts[f"tampered-{n}.json"]["verified"] is False
    verdict = {Path(r.source).name: r for r in verify_paths(paths, VerifyOptions())}  # issued now: the real clock
    for n in range(len(derived)):
        ok, bad = verdict[f"derived-{n}.json"], verdict[f"tampered-{n}.json"]
        assert ok.verdict == "valid", [(c.id, c.status, c.reason) for c in ok.checks]
        assert bad.verdict == "invalid" and [c.id for c in bad.checks if c.status == "failed"] == ["signature"]


def test_the_committed_ecdsa_sd_2023_fixtures_are_what_the_digital_bazaar_suite_makes() -> None:
    """tests/cli uses these two files without node: the derived one verifies in the Digital Bazaar
    suite and is a disclosure of the base one (same base signature and proof-scoped key)."""
    base, derived = HERE / "fixtures/db-ecdsa-sd-2023-base.json", HERE / "fixtures/db-ecdsa-sd-2023-derived.json"
    verdicts = db_verify([derived, base])
    assert verdicts[derived.name]["verified"] is True, verdicts[derived.name]["error"]
    assert verdicts[base.name]["verified"] is False
    base_value = json.loads(base.read_text(encoding="utf-8"))["proof"]["proofValue"]
    derived_value = json.loads(derived.read_text(encoding="utf-8"))["proof"]["proofValue"]
    from badgekit import ecdsa_sd

    b, d = ecdsa_sd.parse_base_proof_value(base_value), ecdsa_sd.parse_derived_proof_value(derived_value)
    assert (b.base_signature, b.public_key) == (d.base_signature, d.public_key)
    assert list(b.mandatory_pointers) == list(SD_MANDATORY)


def _without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out.pop(key)
    return out


# -- proof sets and chains ---------------------------------------------------------------------


def _report(doc: dict[str, Any], tmp: Path, name: str):
    path = tmp / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    [report] = verify_paths([path], VerifyOptions(at=_at()))
    return report, {c.id: c for c in report.checks}


def test_badgekit_verifies_the_proof_sets_and_chains_the_digital_bazaar_suites_make(tmp_path: Path) -> None:
    [issued] = db_sign([ob_unsigned(_did_key("P-256"))], "ecdsa-rdfc-2019", "P-256", tmp_path, proof_id="urn:uuid:issuer")
    [in_set] = db_sign([issued], "eddsa-rdfc-2022", "Ed25519", tmp_path)
    [notarised] = db_sign([issued], "eddsa-jcs-2022", "Ed25519", tmp_path, proof_id="urn:uuid:notary",
                          previous=("urn:uuid:issuer",))
    [chain] = db_sign([notarised], "ecdsa-jcs-2019", "P-384", tmp_path, previous=("urn:uuid:issuer", "urn:uuid:notary"))
    assert chain["proof"][2]["previousProof"] == ["urn:uuid:issuer", "urn:uuid:notary"]

    report, checks = _report(in_set, tmp_path, "set.json")
    assert report.verdict == "valid", [(c.id, c.status, c.reason) for c in report.checks]
    assert "a proof set of 2" in checks["proof-structure"].reason
    report, checks = _report(chain, tmp_path, "chain.json")
    assert report.verdict == "valid", [(c.id, c.status, c.reason) for c in report.checks]
    assert "a proof chain: proof 2 follows proof 1, proof 3 follows proof 1 and 2" in checks["proof-structure"].reason
    assert "proof 3: ecdsa-jcs-2019 signature verified over the credential and proof 1 and 2 (an extra signature)" \
        in checks["signature"].reason

    # The issuer's proof swapped for another of the issuer's (signed later): the chain breaks.
    [again] = db_sign([ob_unsigned(_did_key("P-256"))], "ecdsa-rdfc-2019", "P-256", tmp_path, proof_id="urn:uuid:issuer",
                      created="2026-01-15T12:00:01Z")
    swapped = {**chain, "proof": [again["proof"], *chain["proof"][1:]]}
    report, checks = _report(swapped, tmp_path, "swapped.json")
    assert report.verdict == "invalid" and checks["signature"].reason.startswith("proof 2: signature does not match")
    verdicts = db_verify([tmp_path / "set.json", tmp_path / "chain.json", tmp_path / "swapped.json"])
    assert verdicts["set.json"]["verified"] and verdicts["chain.json"]["verified"], verdicts
    assert [p["verified"] for p in verdicts["swapped.json"]["proofs"]] == [True, False, False]


def test_the_digital_bazaar_suites_verify_the_proof_sets_and_chains_badgekit_makes(tmp_path: Path) -> None:
    keys = {}
    for name, kind in (("issuer", "p256"), ("notary", "ed25519"), ("endorser", "p384")):
        keys[name] = tmp_path / f"{name}.pem"
        did = json.loads(run_cli("key", "generate", keys[name], "--type", kind, "--json").stdout)["did"]
        if name == "issuer":
            unsigned = tmp_path / "unsigned.json"
            unsigned.write_text(json.dumps(ob_unsigned(did)), encoding="utf-8")
    signed, in_set, chain, swapped = (tmp_path / f"{n}.json" for n in ("signed", "set", "chain", "swapped"))

    def sign(src: Path, key: str, out: Path, *args: str) -> None:
        run_cli("sign", src, "--key", keys[key], "--created", FIXED_NOW, "--out", out, *args)

    sign(unsigned, "issuer", signed, "--proof-id", "urn:uuid:issuer")
    sign(signed, "notary", in_set, "--add-proof", "--cryptosuite", "eddsa-jcs-2022")
    notarised = tmp_path / "notarised.json"
    sign(signed, "notary", notarised, "--previous-proof", "urn:uuid:issuer", "--proof-id", "urn:uuid:notary")
    sign(notarised, "endorser", chain, "--previous-proof", "urn:uuid:issuer", "--previous-proof", "urn:uuid:notary",
         "--cryptosuite", "ecdsa-jcs-2019")
    other = tmp_path / "other.json"
    run_cli("sign", unsigned, "--key", keys["issuer"], "--created", "2026-01-15T12:00:01Z", "--out", other,
            "--proof-id", "urn:uuid:issuer")
    doc = json.loads(chain.read_text(encoding="utf-8"))
    swapped.write_text(json.dumps({**doc, "proof": [json.loads(other.read_text())["proof"][0], *doc["proof"][1:]]}))
    verdicts = db_verify([in_set, chain, swapped])
    assert verdicts["set.json"]["verified"] is True, verdicts["set.json"]["error"]
    assert verdicts["chain.json"]["verified"] is True, verdicts["chain.json"]["error"]
    assert len(verdicts["chain.json"]["proofs"]) == 3
    assert [p["verified"] for p in verdicts["swapped.json"]["proofs"]] == [True, False, False]
    for path in (in_set, chain):
        [report] = verify_paths([path], VerifyOptions(at=_at()))
        assert report.verdict == "valid", [(c.id, c.status, c.reason) for c in report.checks]

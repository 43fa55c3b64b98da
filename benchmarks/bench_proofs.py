#!/usr/bin/env python3
"""Sign and verify throughput for one OB 3.0 credential, one core, in one run:

* bare Ed25519 sign / verify over 64 bytes (the ceiling: what the crypto alone costs);
* the reference path: PyLD expansion + URDNA2015 for every document (``jsonld.canonize_reference``);
* the fast path badgekit uses (``jsonld.canonize``: bundled contexts processed once per process);
* the whole verifier (``verify.verify_bytes``: parse, schema, contexts, proof, key, signature, dates).

Each figure is the median of several timed rounds. Usage: python benchmarks/bench_proofs.py [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import base58  # noqa: E402

from badgekit import did, jsonld, proof, verify  # noqa: E402
from badgekit.keys import Ed25519Key, verify_signature  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "credential.json"


def rate(fn, seconds: float, rounds: int = 5) -> float:
    """Operations per second: median over ``rounds`` rounds of about ``seconds / rounds`` each."""
    fn()  # warm up (context processing, caches)
    results = []
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        deadline = start + seconds / rounds
        while True:
            for _ in range(20):
                fn()
            n += 20
            now = time.perf_counter()
            if now >= deadline:
                break
        results.append(n / (now - start))
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0, help="time per measurement (default 4)")
    parser.add_argument("--credential", type=Path, default=EXAMPLE, help="unsigned credential to sign (default: examples/credential.json)")
    args = parser.parse_args()

    unsigned = json.loads(args.credential.read_text())
    unsigned.pop("proof", None)
    key = Ed25519Key.from_seed(bytes(range(32)))
    signer = key.signer()
    unsigned["issuer"] = {**unsigned["issuer"], "id": key.did_key} if isinstance(unsigned.get("issuer"), dict) else key.did_key
    created = "2026-01-15T12:00:00Z"
    signed = proof.add_proof(unsigned, signer, created=created)
    assert proof.verify(signed), "example credential must verify"
    assert proof.add_proof(unsigned, signer, created=created, canonize=jsonld.canonize_reference) == signed, "paths differ"

    signed_bytes = json.dumps(signed).encode("utf-8")
    options = verify.VerifyOptions()
    assert verify.verify_bytes(signed_bytes, source="c.json", options=options).verdict != "invalid"
    msg = bytes(64)
    sig = key.sign(msg)
    figures = {
        "ed25519 sign (bare)": rate(lambda: key.sign(msg), args.seconds),
        "ed25519 verify (bare)": rate(lambda: verify_signature(key.public_key, sig, msg), args.seconds),
        "reference sign": rate(lambda: proof.add_proof(unsigned, signer, created=created, canonize=jsonld.canonize_reference), args.seconds),
        "reference verify": rate(lambda: proof.verify(signed, canonize=jsonld.canonize_reference), args.seconds),
        "fast sign": rate(lambda: proof.add_proof(unsigned, signer, created=created), args.seconds),
        "fast verify": rate(lambda: proof.verify(signed), args.seconds),
        "proofValue base58 (ours)": rate(lambda: did.b58encode(sig), args.seconds),
        "proofValue base58 (pkg)": rate(lambda: base58.b58encode(sig), args.seconds),
        "full verify (checks 1-11)": rate(lambda: verify.verify_bytes(signed_bytes, source="c.json", options=options), args.seconds),
    }
    print(f"credential: {args.credential.name} ({len(json.dumps(unsigned))} bytes), one core, median of 5 rounds")
    for name, value in figures.items():
        print(f"  {name:24s} {value:10,.0f} /s")
    print("ratios")
    print(f"  fast / reference sign    {figures['fast sign'] / figures['reference sign']:6.1f}x")
    print(f"  fast / reference verify  {figures['fast verify'] / figures['reference verify']:6.1f}x")
    print(f"  fast sign / bare ed25519 sign      {figures['fast sign'] / figures['ed25519 sign (bare)']:6.3f}")
    print(f"  fast verify / bare ed25519 verify  {figures['fast verify'] / figures['ed25519 verify (bare)']:6.3f}")
    print(f"  base58 ours / base58 package       {figures['proofValue base58 (ours)'] / figures['proofValue base58 (pkg)']:6.1f}x")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Mutation fuzzing of badgekit's readers and verifier (slow, opt-in QA tool; not run by pytest).

    nice -n 10 python3 scripts/fuzz_verify.py --make-seeds /tmp/fuzz-seeds        # once: seeds from the CLI
    nice -n 10 python3 scripts/fuzz_verify.py --seeds /tmp/fuzz-seeds --minutes 20 --out /tmp/fuzz-out
    python3 scripts/fuzz_verify.py --seeds /tmp/fuzz-seeds --replay /tmp/fuzz-out/finding-3.record.json

Seeds (``--make-seeds``) are made with the ``badgekit`` CLI itself: an Ed25519 project and a P-256
one, each issuing credentials in every form badgekit writes (eddsa-rdfc-2022 / eddsa-jcs-2022 /
ecdsa-rdfc-2019 / ecdsa-jcs-2019 / ecdsa-sd-2023 JSON, VC-JWT EdDSA and ES256, vc+jwt and its
``EnvelopedVerifiableCredential`` JSON, SD-JWT VC, baked PNG and SVG, a ``--output-mode jsonl``
run file), their signed status lists (one credential revoked), and Open Badges 2.0 assertions
from ``tests/invalid/ob2`` when run from a checkout.

Each round picks a seed and applies 1-3 mutations of its format: byte flips, inserts, deletes,
duplications and truncation; JSON structure (values changed, keys deleted, duplicated, renamed
or added, JSON-LD keywords, type swaps, deep nesting, huge numbers, unicode look-alikes,
``proofValue`` changes, subtrees spliced from another seed); JWS segments (swapped, re-encoded
claims, base64 garbage, ``alg`` none / HS256 keyed with public values, signature bits);
SD-JWT disclosures (dropped, repeated, forged, altered); PNG chunks (repeated, reordered,
dropped, CRC, compression flag, the baked text mutated) and SVG markup (DOCTYPE, entities,
CDATA, comments, namespaces, two credentials). It then runs, in this process:
``verify.verify_bytes`` (and ``verify_paths`` for run files), ``_envelope.read`` with the
bundle page writer on what it reads, ``baking.extract``, ``status.load_status_lists`` (a
mutated status list, then verifying the seed credentials against it), ``TrustList.load`` and
``load_did_documents`` (a mutated did:web ``did.json``, then the did:web seeds verified with it).

A finding is recorded (``--out``: ``findings.jsonl`` plus each input as a file) when:
  crash      an exception that is not a ``BadgekitError`` (or, from ``verify_bytes``, any
             exception), or a check that failed with "could not process the credential (…)"
             (the verifier's guard caught an unexpected exception)
  slow       one input took more than ``--slow`` seconds of CPU (default 2.5; wall-clock limit
             ``--timeout``, default 30, stops it)
  valid      the verdict is valid although the signed content changed: for JSON the parsed
             value (key order, white space and string escapes are not changes; ``1.0`` is ``1``),
             for a JWS its signing input (``header.payload`` exactly), for an SD-JWT the JWS and
             a subset of its disclosures (a holder may leave disclosures out); for a mutated
             status list, any change to it
  report     a report that breaks its contract (exit code not 0/1/3, a reason of several lines,
             a check missing, ``to_dict`` not JSON)
  cli        (``--cli-every N``) ``badgekit verify`` on every Nth input exits with a code other
             than 0/1/2/3, or prints a traceback

The random generator is seeded (``--seed``): the same seeds and arguments repeat the same inputs.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import dataclasses
import hashlib
import hmac
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from badgekit import _envelope, baking, status  # noqa: E402
from badgekit.errors import BadgekitError  # noqa: E402
from badgekit.verify import VerifyOptions, verify_bytes, verify_paths  # noqa: E402

PY = sys.executable


# ---------------------------------------------------------------------------------------------
# seeds


def _cli(*args: str, cwd: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="200")
    done = subprocess.run([PY, "-m", "badgekit", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"badgekit {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _roster(path: Path, tag: str) -> None:
    path.write_text("email,name,completed_on,score,evidence_url\n"
                    f"{tag}1@example.org,Ana Lima,2026-01-12,92,https://portfolio.example.org/ana\n"
                    f"{tag}2@example.org,Björn Nilsson,2026-01-12,88,\n", encoding="utf-8")


def make_seeds(out: Path) -> None:
    """Seeds in every form, made with the CLI, under ``out`` (``seeds/<kind>/…``, ``status/``)."""
    if out.exists():
        shutil.rmtree(out)
    work = out / "work"
    work.mkdir(parents=True)
    ed, p = work / "ed", work / "p256"
    _cli("init", str(ed), "--name", "Example University", "--url", "https://example.edu", "--no-input", cwd=work)
    _cli("init", str(p), "--name", "P University", "--url", "https://p.example.edu", "--no-input", cwd=work)
    web = work / "web"  # a did:web issuer: its did.json is supplied (--did-doc) and fuzzed too
    _cli("init", str(web), "--name", "Web University", "--did-web", "example.org", "--no-input", cwd=work)
    did = _cli("key", "generate", str(p / "p256.pem"), "--type", "p256", cwd=work).strip().split()[0]
    toml = (p / "badgekit.toml").read_text(encoding="utf-8")
    toml = re.sub(r'(?m)^id = .*$', f'id = "{did}"', toml)
    toml = re.sub(r'(?m)^key_path = .*$', 'key_path = "p256.pem"', toml)
    (p / "badgekit.toml").write_text(toml, encoding="utf-8")
    runs = {
        ed: [("ldp", ["--bake", "png,svg"]), ("edjcs", ["--cryptosuite", "eddsa-jcs-2022"]),
             ("edjwt", ["--format", "jwt", "--bake", "png,svg"]), ("edvcjwt", ["--format", "vc+jwt"]),
             ("edsdjwt", ["--format", "sd-jwt"]), ("jsonl", ["--output-mode", "jsonl"])],
        p: [("ecrdfc", ["--bake", "png"]), ("ecjcs", ["--cryptosuite", "ecdsa-jcs-2019"]),
            ("ecsd", ["--cryptosuite", "ecdsa-sd-2023"]), ("esjwt", ["--format", "jwt"]),
            ("esvcjwt", ["--format", "vc+jwt", "--bake", "svg"]), ("essdjwt", ["--format", "sd-jwt"])],
        web: [("webldp", []), ("webjwt", ["--format", "jwt"])],
    }
    for project, items in runs.items():
        _cli("badge", "new", "--template", "course-completion", "--set", "course_name=Python Basics",
             "--out", "badges/python.yaml", cwd=project)
        for tag, extra in items:
            _roster(project / f"{tag}.csv", tag)
            _cli("issue", f"{tag}.csv", "--badge", "badges/python.yaml", "--out", f"out/{tag}", *extra, cwd=project)
    (out / "diddoc").mkdir(parents=True)
    shutil.copyfile(web / "did.json", out / "diddoc" / "did.json")
    revoked = sorted((ed / "out" / "edjcs").glob("*.json"))[0].stem
    _cli("revoke", f"urn:uuid:{revoked}", "--reason", "fuzz seed", cwd=ed)
    for project in runs:
        _cli("status", "publish", cwd=project)
    seeds = out / "seeds"
    for project in runs:
        for f in sorted((project / "out").rglob("*")):
            kind = _kind_of(f)
            if kind is None or f.parent.name == "status":
                continue
            dest = seeds / kind / f"{f.parent.name}-{f.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
        for f in sorted((project / "out" / "status").glob("*.json")):
            dest = out / "status" / f"{project.name}-{f.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
    for f in sorted((seeds / "vcjwt").glob("*")):  # the same JWS as a JSON EnvelopedVerifiableCredential
        if json.loads(base64.urlsafe_b64decode(f.read_text().split(".")[0] + "==")).get("typ") != "vc+jwt":
            continue
        env = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
               "id": "data:application/vc+jwt," + f.read_text().strip()}
        dest = seeds / "json" / f"enveloped-{f.stem}.json"
        dest.write_text(json.dumps(env, indent=2), encoding="utf-8")
    try:
        from tests.invalid.ob2 import make_invalid_ob2 as ob2
    except ImportError:  # not a checkout
        ob2 = None
    if ob2 is not None:
        (seeds / "ob2").mkdir(parents=True, exist_ok=True)
        (seeds / "ob2" / "signed.jws").write_bytes(ob2.valid_signed())
        (seeds / "ob2" / "hosted.json").write_bytes(ob2.valid_hosted())
        (seeds / "png" / "ob2-signed.png").write_bytes(ob2.baked_png(ob2.valid_signed().decode()))
        (seeds / "svg" / "ob2-hosted.svg").write_bytes(ob2.baked_svg(body=ob2.valid_hosted().decode()))
        shutil.copytree(ob2.DOCS, out / "ob2-docs")
    issuers = sorted(_issuers(seeds))
    if ob2 is not None:  # the OB 2.0 issuer profile(s)
        issuers += sorted(d["id"] for d in ob2.documents().values() if d.get("type") in ("Profile", "Issuer"))
    (out / "trust.json").write_text(json.dumps({"issuers": [{"id": d} for d in issuers]}, indent=2),
                                    encoding="utf-8")
    counts = {d.name: len(list(d.iterdir())) for d in sorted(seeds.iterdir())}
    print(f"seeds in {seeds}: {counts}; status lists in {out / 'status'}")


def make_fixture_seeds(out: Path) -> None:
    """Seeds from ``tests/invalid/make_invalid.py`` (a checkout only): fixed keys and clock, with
    what the CLI does not write (embedded endorsements, a proof chain, a recipient to match, a
    revoked and a suspended credential); verified at its fixed time against its support files."""
    from tests.invalid import make_invalid as mi

    if out.exists():
        shutil.rmtree(out)
    json_seeds = {"control.json": mi.valid_control(), "endorsed.json": mi._json(mi.valid_endorsed()),
                  "chain.json": mi.valid_proof_chain(), "jcs.json": mi.valid_eddsa_jcs_2022(),
                  "enveloped.json": mi.valid_vc_jose(wrapped=True),
                  "revoked.json": (mi.HERE / "status--revoked.json").read_bytes(),
                  "suspended.json": (mi.HERE / "status--suspended.json").read_bytes()}
    other = {"vcjwt": {"jose.jwt": mi.valid_vc_jose(wrapped=False), "jwk.jwt": mi.valid_jwk_only_jwt()},
             "sdjwt": {"sd.sd-jwt": mi.valid_sd_jwt()}}
    for kind, files in {"json": json_seeds, **other}.items():
        (out / "seeds" / kind).mkdir(parents=True)
        for name, data in files.items():
            (out / "seeds" / kind / name).write_bytes(data)
    shutil.copytree(mi.SUPPORT / "lists", out / "status")
    shutil.copyfile(mi.SUPPORT / "trust.json", out / "trust.json")
    (out / "at.txt").write_text(mi.FIXED_NOW)
    (out / "recipient.txt").write_text(mi.RECIPIENT)
    print(f"seeds in {out / 'seeds'}: verified at {mi.FIXED_NOW} for {mi.RECIPIENT}")


def _issuers(seeds: Path) -> set[str]:
    found = set()
    for f in seeds.rglob("*"):
        if not f.is_file():
            continue
        data = f.read_bytes()
        for segment in re.findall(rb"eyJ[A-Za-z0-9_-]+", data):  # JWS claims hold the issuer
            with contextlib.suppress(ValueError):
                data += base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
        found.update(m.decode() for m in re.findall(rb"did:key:z[1-9A-HJ-NP-Za-km-z]+|did:web:[A-Za-z0-9.%-]+", data))
    return found


def _kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".sd-jwt"):
        return "sdjwt"
    if name.endswith(".jwt"):
        return "vcjwt"
    return {".json": "json", ".png": "png", ".svg": "svg", ".jsonl": "jsonl"}.get(path.suffix.lower())


# ---------------------------------------------------------------------------------------------
# JSON as a tree that keeps duplicate keys, key order and raw number spellings


class Obj(list):  # type: ignore[type-arg]
    """A JSON object as [(key, value), …] (duplicates and order kept)."""


class Raw(str):
    """A JSON token written as is (``1e400``, ``-0``, ``"\\ud800"``)."""

    __slots__ = ()


def parse_tree(text: str) -> Any:
    return json.loads(text, object_pairs_hook=Obj, parse_float=Raw, parse_int=Raw)


def dump_tree(node: Any, *, ascii_escape: bool = False, indent: bool = False, depth: int = 0) -> str:
    sep = "\n" + "  " * (depth + 1) if indent else ""
    end = "\n" + "  " * depth if indent else ""
    if isinstance(node, Raw):
        return str(node)
    if isinstance(node, Obj):
        if not node:
            return "{}"
        inner = ("," + sep).join(
            json.dumps(k, ensure_ascii=ascii_escape) + ":" + dump_tree(v, ascii_escape=ascii_escape, indent=indent, depth=depth + 1)
            for k, v in node)
        return "{" + sep + inner + end + "}"
    if isinstance(node, list):
        if not node:
            return "[]"
        inner = ("," + sep).join(dump_tree(v, ascii_escape=ascii_escape, indent=indent, depth=depth + 1) for v in node)
        return "[" + sep + inner + end + "]"
    return json.dumps(node, ensure_ascii=ascii_escape)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, node
    if isinstance(node, Obj):
        for i, (_, v) in enumerate(node):
            yield from _paths(v, (*path, i))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for i in path:
        node = node[i][1] if isinstance(node, Obj) else node[i]
    return node


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = _get(root, path[:-1])
    i = path[-1]
    if isinstance(parent, Obj):
        parent[i] = (parent[i][0], value)
    else:
        parent[i] = value
    return root


def _key_of(root: Any, path: tuple[Any, ...]) -> str | None:
    if not path:
        return None
    parent = _get(root, path[:-1])
    return parent[path[-1]][0] if isinstance(parent, Obj) else None


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
STRINGS = ["", "x", " ", "null", "0", "A" * 70_000, "https://example.edu/x", "urn:uuid:00000000-0000-0000-0000-000000000000",
           "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "did:web:example.edu",
           "2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2026-01-15T12:00:00+14:01", "2026-01-15t12:00:00z",
           "eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-sd-2023", "Ed25519Signature2020",
           "DataIntegrityProof", "assertionMethod", "authentication", "OpenBadgeCredential", "VerifiableCredential",
           "EndorsementCredential", "BitstringStatusListEntry", "revocation", "suspension", "@id", "@vocab",
           "https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
           "z" + "1" * 90, "u" + "A" * 40, "\u202egnp.exe", "a\u0000b", "\ufeff", "ｄｉｄ", "\U0001F600" * 3]
RAWS = ["1e400", "-1e400", "-0", "1.0", "1E2", "123456789012345678901234567890", "0.1e-400", "9007199254740993",
        '"\\ud800"', '"\\udc00x"', '"\\u0000"', "NaN", "Infinity", "-Infinity", "0x10", "01", "1.", ".5",
        "9" * 5000, "1" + "0" * 400 + ".5", "-" + "9" * 400 + "e-400"]
KEYS = ["@id", "@type", "@graph", "@nest", "@context", "@included", "@reverse", "@value", "@list", "@set",
        "@language", "@direction", "@index", "@json", "foo", "name", "id", "type", "proof", "credentialStatus",
        "validFrom", "validUntil", "issuanceDate", "expirationDate", "evidence", "endorsement", "endorsementJwt",
        "previousProof", "https://www.w3.org/2018/credentials#validUntil", "https://schema.org/name", "cred:issuer",
        "__proto__", "", " id", "ID", "Id", "proofValue", "verificationMethod", "cryptosuite", "created", "expires"]


def _random_value(rng: random.Random, other: Any) -> Any:
    r = rng.random()
    if r < 0.35:
        return rng.choice(STRINGS)
    if r < 0.55:
        return Raw(rng.choice(RAWS))
    if r < 0.65:
        return rng.choice([True, False, None, Raw("0"), Raw("-1"), Raw("92")])
    if r < 0.75:
        return rng.choice([[], Obj(), [Obj()], Obj([("@value", "x")]), Obj([("id", "x")])])
    if r < 0.9 and other is not None:
        return copy.deepcopy(rng.choice([v for _, v in _paths(other)]))
    return copy.deepcopy(rng.choice([Obj([("@list", ["a", "b"])]), Obj([("@graph", [Obj()])]), ["x", "x"]]))


def _tweak_string(rng: random.Random, s: str) -> str:
    if not s:
        return "x"
    i = rng.randrange(len(s))
    op = rng.randrange(12)
    if op == 0:
        return s + "x"
    if op == 1:
        return s[:i] + s[i].swapcase() + s[i + 1:] if s[i].swapcase() != s[i] else s[:i] + "\u200b" + s[i:]
    if op == 2:
        return s[:i] + "\u200b" + s[i:]
    if op == 3:  # Latin to Cyrillic look-alike
        table = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
        return s.translate(table) if s.translate(table) != s else s + "\u0301"
    if op == 4:
        return unicodedata.normalize("NFD", s) if unicodedata.normalize("NFD", s) != s else s + "\u0301"
    if op == 5:
        return "\u202e" + s
    if op == 6:
        return s[:-1]
    if op == 7:
        return " " + s if rng.random() < 0.5 else s + "\n"
    if op == 8:  # one character of a base58/base64 alphabet changed
        alphabet = B58 if s[:1] == "z" else "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        j = rng.randrange(1, len(s)) if len(s) > 1 else 0
        c = rng.choice([a for a in alphabet if a != s[j]])
        return s[:j] + c + s[j + 1:]
    if op == 9:
        return s * 2
    if op == 10:
        return s.upper() if s.upper() != s else s.lower() + "X"
    return s[:i] + rng.choice(["\ud800", "\x00", "\\", '"', "\u2028", "�"]) + s[i:]


def mutate_tree(rng: random.Random, root: Any, other: Any) -> tuple[Any, str]:
    """One structural mutation of a parsed JSON tree (in place where it can); returns (tree, name)."""
    nodes = list(_paths(root))
    path, node = rng.choice(nodes)
    op = rng.randrange(16)
    if op == 0 and isinstance(node, str) and not isinstance(node, Raw):
        return _set(root, path, _tweak_string(rng, node)), "string"
    if op == 1 and path:
        return _set(root, path, _random_value(rng, other)), "value"
    if op == 2 and path:  # delete the key or entry
        parent = _get(root, path[:-1])
        del parent[path[-1]]
        return root, "delete"
    if op == 3 and isinstance(node, Obj) and node:  # duplicate a key
        k, v = rng.choice(node)
        node.append((k, copy.deepcopy(v) if rng.random() < 0.5 else _random_value(rng, other)))
        return root, "duplicate-key"
    if op == 4 and isinstance(node, Obj) and node:  # rename a key
        i = rng.randrange(len(node))
        k, v = node[i]
        node[i] = (rng.choice([k.upper(), k + " ", "@" + k, rng.choice(KEYS), _tweak_string(rng, k)]), v)
        return root, "rename-key"
    if op == 5 and isinstance(node, Obj):
        node.insert(rng.randrange(len(node) + 1), (rng.choice(KEYS), _random_value(rng, other)))
        return root, "add-key"
    if op == 6 and path:  # type swap
        if isinstance(node, list) and len(node) == 1:
            new = node[0]
        elif isinstance(node, str):
            new = rng.choice([[node], Obj([("@value", node)]), Obj([("id", node)]), Raw("7")])
        else:
            new = [node]
        return _set(root, path, new), "type-swap"
    if op == 7 and isinstance(node, list) and node:
        node.insert(rng.randrange(len(node) + 1), copy.deepcopy(rng.choice(node)))
        return root, "duplicate-entry"
    if op == 8 and isinstance(node, list) and len(node) > 1:
        rng.shuffle(node)
        return root, "shuffle-array"
    if op == 9 and isinstance(node, Obj) and len(node) > 1:
        rng.shuffle(node)
        return root, "shuffle-keys"
    if op == 10:
        depth = rng.choice([63, 64, 65, 200, 3000, 100_000])
        opener, closer = ("[", "]") if rng.random() < 0.5 else ('{"a":', "}")
        return _set(root, path, Raw(opener * depth + dump_tree(node) + closer * depth)), f"nest-{depth}"
    if op == 11:  # a proof value, signature or JWS-ish string changed by one character
        targets = [p for p, n in nodes if isinstance(n, str) and _key_of(root, p) in ("proofValue", "jws", "id", "verificationMethod")]
        if targets:
            p = rng.choice(targets)
            return _set(root, p, _tweak_string(rng, _get(root, p))), "proof-string"
    if op == 12 and other is not None and path:  # splice the same path from another seed
        try:
            return _set(root, path, copy.deepcopy(_get(other, path))), "splice"
        except (IndexError, KeyError, TypeError):
            pass
    if op == 13 and isinstance(node, Obj):  # the whole proof from another seed
        for i, (k, _) in enumerate(node):
            if k == "proof" and other is not None and isinstance(other, Obj):
                for k2, v2 in other:
                    if k2 == "proof":
                        node[i] = ("proof", copy.deepcopy(v2))
                        return root, "swap-proof"
    if op == 14 and path and isinstance(node, (str, Raw)):
        return _set(root, path, Raw(rng.choice(RAWS))), "raw-number"
    if op == 15 and isinstance(node, Obj):  # a context entry, or a keyword-laden object
        node.append((rng.choice(["@context", "@nest", "@graph", "@included", "@reverse"]),
                     rng.choice([Obj([("name", "https://schema.org/name")]), Obj([("@vocab", "https://evil.example/")]),
                                 "https://evil.example/ctx", Obj(), [Obj([("name", "x")])]])))
        return root, "keyword"
    return root, "noop"


def mutate_json_text(rng: random.Random, text: str, other_text: str | None) -> tuple[str, list[str]]:
    try:
        root = parse_tree(text)
    except (ValueError, RecursionError):
        return text, ["unparsable"]
    other = None
    if other_text is not None:
        try:
            other = parse_tree(other_text)
        except (ValueError, RecursionError):
            other = None
    ops = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        root, name = mutate_tree(rng, root, other)
        ops.append(name)
    return dump_tree(root, ascii_escape=rng.random() < 0.2, indent=rng.random() < 0.5), ops


# ---------------------------------------------------------------------------------------------
# byte, JWS, SD-JWT, PNG, SVG mutations


def mutate_bytes(rng: random.Random, data: bytes, other: bytes | None) -> tuple[bytes, list[str]]:
    b = bytearray(data)
    ops = []
    for _ in range(rng.choice([1, 1, 2, 3, 4])):
        if not b:
            b += b"{"
        i = rng.randrange(len(b))
        op = rng.randrange(9)
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
            ops.append("bitflip")
        elif op == 1:
            b[i] = rng.choice(b'\x00\xff"{}[]\\~.<>&=,:0 \n\x80')
            ops.append("byte")
        elif op == 2:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
            ops.append("insert")
        elif op == 3:
            del b[i:i + rng.randrange(1, 64)]
            ops.append("delete")
        elif op == 4:
            n = rng.randrange(1, 256)
            b[i:i] = b[i:i + n]
            ops.append("duplicate-range")
        elif op == 5:
            del b[rng.randrange(len(b) + 1):]
            ops.append("truncate")
        elif op == 6:
            b += rng.choice([b"\n", b"\x00", b"garbage", b"}", b"~", b"." + b"A" * 20, b"\xef\xbb\xbf"])
            ops.append("append")
        elif op == 7 and other:
            j = rng.randrange(len(other))
            b[i:] = other[j:]
            ops.append("splice")
        else:
            b[0:0] = rng.choice([b"\xef\xbb\xbf", b" ", b"\n", b"\xff\xfe"])
            ops.append("prefix")
    return bytes(b), ops


def b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def mutate_jws(rng: random.Random, jws: str, other: str | None) -> tuple[str, list[str]]:
    parts = jws.split(".")
    if len(parts) != 3:
        return jws, ["not-a-jws"]
    h, p, s = parts
    op = rng.randrange(13)
    if op == 0:
        return f"{p}.{h}.{s}", ["swap-segments"]
    if op in (1, 2):  # re-encoded header or claims, mutated
        i = op - 1
        try:
            seg = b64d(parts[i]).decode()
        except (ValueError, UnicodeDecodeError):
            return jws, ["undecodable"]
        new, ops = mutate_json_text(rng, seg, b64d(other.split(".")[i]).decode() if other and other.count(".") >= 2 else None)
        parts[i] = b64e(new.encode())
        return ".".join(parts), [f"{'header' if i == 0 else 'claims'}-" + o for o in ops]
    if op == 3:
        sig = bytearray(b64d(s))
        if sig:
            sig[rng.randrange(len(sig))] ^= 1 << rng.randrange(8)
        return f"{h}.{p}.{b64e(bytes(sig))}", ["signature-bit"]
    if op == 4:
        return f"{h}.{p}." if rng.random() < 0.5 else f"{h}.{p}", ["drop-signature"]
    if op == 5 and other and other.count(".") >= 2:
        o = other.split("~")[0].split(".")
        return rng.choice([f"{h}.{o[1]}.{s}", f"{o[0]}.{p}.{s}", f"{h}.{p}.{o[2]}"]), ["splice-segment"]
    if op in (6, 7):  # alg none / HS256 keyed with a public value (algorithm confusion)
        try:
            header = json.loads(b64d(h))
        except ValueError:
            return jws, ["undecodable"]
        alg = "none" if op == 6 else rng.choice(["HS256", "HS384", "HS512"])
        header["alg"] = alg
        h2 = b64e(json.dumps(header).encode())
        if alg == "none":
            return f"{h2}.{p}.", ["alg-none"]
        secret = rng.choice([str(header.get("kid", "")), str(header.get("kid", "")).split("#")[0],
                             json.dumps(header.get("jwk", {})), ""]).encode()
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
        mac = hmac.new(secret, f"{h2}.{p}".encode(), digest).digest()
        return f"{h2}.{p}.{b64e(mac)}", ["alg-hmac"]
    if op == 8:  # base64 garbage: padding, standard alphabet, white space
        i = rng.randrange(3)
        seg = parts[i]
        k = rng.randrange(len(seg) + 1)
        parts[i] = seg[:k] + rng.choice(["=", "==", "+", "/", " ", "\n", "%3D", "\t", "*"]) + seg[k:]
        return ".".join(parts), ["base64-garbage"]
    if op == 9:  # non-canonical last character (low bits that decoding ignores)
        i = rng.randrange(3)
        seg = parts[i]
        if seg:
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            c = alphabet.index(seg[-1])
            parts[i] = seg[:-1] + alphabet[c ^ rng.choice([1, 2, 3])]
        return ".".join(parts), [f"non-canonical-base64-{i}"]
    if op == 10:
        return jws + rng.choice([".", ".x", "..", "." + s]), ["extra-segment"]
    if op == 11:  # padded segments
        return ".".join(x + "=" * (-len(x) % 4) for x in parts), ["padded"]
    data, ops = mutate_bytes(rng, jws.encode(), other.encode() if other else None)
    return data.decode("utf-8", "replace"), ops


def mutate_sdjwt(rng: random.Random, text: str, other: str | None) -> tuple[str, list[str]]:
    parts = text.split("~")
    jws, disclosures, kb = parts[0], parts[1:-1], parts[-1]
    op = rng.randrange(9)
    if op == 0 and disclosures:
        del disclosures[rng.randrange(len(disclosures))]
        name = "drop-disclosure"
    elif op == 1 and disclosures:
        disclosures.insert(rng.randrange(len(disclosures) + 1), rng.choice(disclosures))
        name = "repeat-disclosure"
    elif op == 2 and len(disclosures) > 1:
        rng.shuffle(disclosures)
        name = "reorder-disclosures"
    elif op == 3 and disclosures:
        i = rng.randrange(len(disclosures))
        try:
            new, ops = mutate_json_text(rng, b64d(disclosures[i]).decode(), None)
            disclosures[i] = b64e(new.encode())
            name = "disclosure-" + "+".join(ops)
        except (ValueError, UnicodeDecodeError):
            name = "undecodable"
    elif op == 4:
        forged = [b64e(os.urandom(16)), rng.choice(["name", "id", "validUntil", "_sd", "...", "credentialSubject"]),
                  rng.choice(["x", 1, None, {"id": "did:example:x"}])]
        disclosures.append(b64e(json.dumps(forged).encode()))
        name = "forged-disclosure"
    elif op == 5:
        kb = rng.choice([jws, jws.rsplit(".", 1)[0] + ".", "e30.e30.", "x.y.z"])
        name = "key-binding"
    elif op == 6:
        return parts[0], ["no-tilde"]
    elif op == 7 and other:
        o = other.split("~")
        disclosures += o[1:-1]
        name = "foreign-disclosures"
    else:
        new_jws, ops = mutate_jws(rng, jws, other.split("~")[0] if other else None)
        jws = new_jws
        name = "jws-" + "+".join(ops)
    return "~".join([jws, *disclosures, kb]), [name]


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]] | None:
    if not data.startswith(PNG_MAGIC):
        return None
    out, pos = [], 8
    while pos + 12 <= len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        out.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def png_build(chunks: list[tuple[bytes, bytes]], *, bad_crc: int = -1) -> bytes:
    out = [PNG_MAGIC]
    for i, (t, d) in enumerate(chunks):
        crc = zlib.crc32(t + d) & 0xFFFFFFFF
        if i == bad_crc:
            crc ^= 1
        out.append(struct.pack(">I", len(d)) + t + d + struct.pack(">I", crc))
    return b"".join(out)


def _itxt_split(d: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(keyword, header bytes up to the text, text) of an iTXt chunk."""
    k = d.find(b"\x00")
    if k < 0 or k + 3 > len(d):
        return None
    rest = d[k + 3:]
    a = rest.find(b"\x00")
    b = rest.find(b"\x00", a + 1) if a >= 0 else -1
    if b < 0:
        return None
    head = d[:k + 3 + b + 1]
    return d[:k], head, d[len(head):]


def mutate_payload_text(rng: random.Random, text: str, other: str | None) -> tuple[str, list[str]]:
    t = text.strip()
    if t.startswith("{"):
        return mutate_json_text(rng, text, other)
    if "~" in t:
        return mutate_sdjwt(rng, t, other)
    return mutate_jws(rng, t, other)


def mutate_png(rng: random.Random, data: bytes, other: bytes | None) -> tuple[bytes, list[str]]:
    chunks = png_chunks(data)
    if not chunks:
        return mutate_bytes(rng, data, other)
    cred = [i for i, (t, _) in enumerate(chunks) if t == b"iTXt"]
    op = rng.randrange(12)
    if op in (0, 1, 2) and cred:  # the baked text mutated, CRC and length fixed
        i = cred[0]
        split = _itxt_split(chunks[i][1])
        if split:
            _, head, text = split
            new, ops = mutate_payload_text(rng, text.decode("utf-8", "replace"), None)
            chunks[i] = (b"iTXt", head + new.encode("utf-8", "surrogatepass"))
            return png_build(chunks), ["itxt-" + "+".join(ops)]
    if op == 3:
        i = rng.randrange(len(chunks))
        chunks.insert(rng.randrange(len(chunks) + 1), chunks[i])
        return png_build(chunks), [f"repeat-{chunks[i][0].decode('latin-1')}"]
    if op == 4 and len(chunks) > 1:
        i = rng.randrange(len(chunks) - 1)
        chunks[i], chunks[i + 1] = chunks[i + 1], chunks[i]
        return png_build(chunks), ["swap-chunks"]
    if op == 5:
        i = rng.randrange(len(chunks))
        t = chunks.pop(i)[0]
        return png_build(chunks), [f"drop-{t.decode('latin-1')}"]
    if op == 6 and cred:
        c = chunks.pop(cred[0])
        chunks.append(c)
        return png_build(chunks), ["itxt-after-iend"]
    if op == 7 and cred:  # compression flag set (with or without compressing)
        split = _itxt_split(chunks[cred[0]][1])
        if split:
            kw, head, text = split
            rest = head[len(kw) + 3:]
            body = zlib.compress(text) if rng.random() < 0.5 else text
            chunks[cred[0]] = (b"iTXt", kw + b"\x00\x01\x00" + rest + body)
            return png_build(chunks), ["itxt-compressed"]
    if op == 8 and cred:  # the same text also as tEXt / zTXt, or another keyword
        split = _itxt_split(chunks[cred[0]][1])
        if split:
            kw, head, text = split
            kind = rng.choice([b"tEXt", b"zTXt", b"iTXt"])
            if kind == b"tEXt":
                extra = kw + b"\x00" + text
            elif kind == b"zTXt":
                extra = kw + b"\x00\x00" + zlib.compress(text)
            else:
                extra = rng.choice([b"openbadges", b"OpenBadgeCredential", b"openbadgecredential "]) + head[len(kw):] + text
            chunks.insert(rng.randrange(1, len(chunks)), (kind, extra))
            return png_build(chunks), [f"extra-{kind.decode()}"]
    if op == 9:
        return png_build(chunks, bad_crc=rng.randrange(len(chunks))), ["bad-crc"]
    if op == 10:  # a chunk type's case bits
        i = rng.randrange(len(chunks))
        t = bytearray(chunks[i][0])
        t[rng.randrange(4)] ^= 0x20
        chunks[i] = (bytes(t), chunks[i][1])
        return png_build(chunks), ["chunk-type-case"]
    return mutate_bytes(rng, data, other)


SVG_CRED = re.compile(rb"(<openbadges:(?:credential|assertion)\b[^>]*>)(.*?)(</openbadges:(?:credential|assertion)>)", re.S)


def mutate_svg(rng: random.Random, data: bytes, other: bytes | None) -> tuple[bytes, list[str]]:
    m = SVG_CRED.search(data)
    op = rng.randrange(13)
    if op in (0, 1, 2) and m:
        inner = m.group(2)
        cdata = inner.strip().startswith(b"<![CDATA[")
        text = inner.strip()[9:-3] if cdata else inner
        raw = text.decode("utf-8", "replace")
        if not cdata:
            raw = raw.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        new, ops = mutate_payload_text(rng, raw, None)
        body = ("<![CDATA[" + new.replace("]]>", "]]]]><![CDATA[>") + "]]>") if rng.random() < 0.5 else (
            new.replace("&", "&amp;").replace("<", "&lt;"))
        return data[:m.start(2)] + body.encode("utf-8", "surrogatepass") + data[m.end(2):], ["payload-" + "+".join(ops)]
    if op == 3:
        doctype = rng.choice([b'<!DOCTYPE svg [<!ENTITY e "x">]>', b'<!DOCTYPE svg SYSTEM "file:///etc/passwd">',
                              b'<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://x/">%p;]>', b"<!DOCTYPE svg>"])
        i = data.find(b"<svg")
        return data[:max(i, 0)] + doctype + data[max(i, 0):], ["doctype"]
    if op == 4 and m:
        return data[:m.end()] + m.group(0) + data[m.end():], ["two-credentials"]
    if op == 5 and m:  # the payload wrapped in (or split by) CDATA / a comment / an entity reference
        inner = m.group(2)
        k = rng.randrange(len(inner) + 1)
        piece = rng.choice([b"<!-- c -->", b"<![CDATA[]]>", b"&#x20;", b"&amp;", b"<?pi x?>", b"<x/>"])
        return data[:m.start(2) + k] + piece + data[m.start(2) + k:], ["payload-markup"]
    if op == 6:
        return data.replace(b"xmlns:openbadges=", b"xmlns:ob=", 1) if rng.random() < 0.5 else \
            data.replace(b"https://purl.imsglobal.org/ob/v3p0", b"https://purl.imsglobal.org/ob/v2p0", 1), ["namespace"]
    if op == 7:
        return rng.choice([b"\xef\xbb\xbf", b'<?xml version="1.0" encoding="UTF-16"?>',
                           b'<?xml version="1.0" encoding="ISO-8859-1"?>', b"  \n"]) + data, ["prolog"]
    if op == 8:
        n = rng.choice([100, 1000, 10_000])
        i = data.rfind(b"</svg>")
        return data[:i] + b"<g>" * n + b"</g>" * n + data[i:], [f"nest-{n}"]
    if op == 9 and m:
        return data.replace(m.group(1), m.group(1).replace(b">", b' verify="https://evil.example/x">', 1), 1), ["attribute"]
    if op == 10 and m:
        return data[:m.start()] + data[m.end():], ["no-credential"]
    if op == 11:
        return data.replace(b"openbadges:credential", b"openbadges:assertion"), ["legacy-element"]
    return mutate_bytes(rng, data, other)


def mutate_jsonl(rng: random.Random, data: bytes, other: bytes | None) -> tuple[bytes, list[str]]:
    lines = data.split(b"\n")
    real = [i for i, x in enumerate(lines) if x.strip()]
    op = rng.randrange(7)
    if op in (0, 1) and real:
        i = rng.choice(real)
        new, ops = mutate_json_text(rng, lines[i].decode("utf-8", "replace"), None)
        lines[i] = new.replace("\n", "").encode("utf-8", "surrogatepass")
        return b"\n".join(lines), ["line-" + "+".join(ops)]
    if op == 2 and real:
        i = rng.choice(real)
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
        return b"\n".join(lines), ["repeat-line"]
    if op == 3 and len(real) > 1:
        rng.shuffle(lines)
        return b"\n".join(lines), ["shuffle-lines"]
    if op == 4:
        return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n", b"\x85", b"\u2028"])), ["line-ends"]
    if op == 5 and real:
        return b"\n".join(lines[:real[0]] + [b"  " + lines[real[0]] + b"  "] + lines[real[0] + 1:]), ["padded-line"]
    return mutate_bytes(rng, data, other)


# ---------------------------------------------------------------------------------------------
# the oracle: what a valid verdict may be for


def _norm(node: Any) -> Any:
    if isinstance(node, dict):
        return ("o", tuple(sorted((k, _norm(v)) for k, v in node.items())))
    if isinstance(node, list):
        return ("a", tuple(_norm(v) for v in node))
    if isinstance(node, bool) or node is None:
        return ("c", node)
    if isinstance(node, (int, Decimal)):
        return ("n", Decimal(node).normalize() if Decimal(node).is_finite() else str(node))
    return ("s", node)


#: Arrays whose order is meaning: the contexts, and OB 3.0's one @list term.
ORDERED = frozenset({"@context", "allowedValue"})


def _norm_sets(node: Any, key: str = "") -> Any:
    """Like :func:`_norm` with arrays as multisets (order-insensitive), but for :data:`ORDERED`."""
    if node[0] == "o":
        return ("o", tuple((k, _norm_sets(v, k)) for k, v in node[1]))
    if node[0] == "a":
        items = [_norm_sets(v) for v in node[1]]
        return ("a", tuple(items if key in ORDERED else sorted(items, key=repr)))
    return node


def _known_proofs(node: Any) -> Any:
    """A normalised credential with only the proofs of a suite badgekit implements."""
    from badgekit import cryptosuites

    if node[0] != "o":
        return node
    out = []
    for k, v in node[1]:
        if k == "proof":
            entries = v[1] if v[0] == "a" else (v,)
            kept = tuple(e for e in entries if e[0] == "o" and cryptosuites.suite_of(_plain(e)) is not None)
            v = ("a", kept)
        out.append((k, v))
    return ("o", tuple(out))


def _fewer_known_proofs(key: Any, seed: Any) -> bool:
    """``key`` is ``seed`` with some of its proofs turned into ones badgekit ignores, or one
    repeated (a proof set holding the same proof twice verifies, as VC Data Integrity says), or
    one changed while another stays (an extra signature badgekit cannot check is reported, and
    the issuer's proof decides)."""
    if key[0] != "o" or seed[0] != "o":
        return False
    a, b = _known_proofs(key), _known_proofs(seed)
    rest_a = tuple(kv for kv in a[1] if kv[0] != "proof")
    rest_b = tuple(kv for kv in b[1] if kv[0] != "proof")
    pa = next((v[1] for k, v in a[1] if k == "proof"), ())
    pb = next((v[1] for k, v in b[1] if k == "proof"), ())
    if rest_a != rest_b or not pa:
        return False
    if pa == pb:
        return True  # the same proofs: one spelt as an object rather than a one-entry array
    # a proof repeated, made unknown, or (an extra signature) changed while one of the seed's stays
    return set(pa) <= set(pb) or bool(set(_known_proofs_all(key)) & set(_known_proofs_all(seed)))


def _known_proofs_all(node: Any) -> tuple[Any, ...]:
    proofs = next((v for k, v in node[1] if k == "proof"), ("a", ()))
    return proofs[1] if proofs[0] == "a" else (proofs,)


def _plain(node: Any) -> Any:
    """A normalised JSON value back as Python (numbers as Decimal)."""
    tag, value = node
    if tag == "o":
        return {k: _plain(v) for k, v in value}
    if tag == "a":
        return [_plain(v) for v in value]
    return value


def _norm_loose(node: Any, key: str = "") -> Any:
    """Like :func:`_norm_sets` with a one-entry array the same as its entry (JSON-LD reads both alike)."""
    if node[0] == "o":
        return ("o", tuple((k, _norm_loose(v, k)) for k, v in node[1]))
    if node[0] == "a":
        items = [_norm_loose(v) for v in node[1]]
        items = items if key in ORDERED else sorted(items, key=repr)
        return items[0] if len(items) == 1 else ("a", tuple(items))
    return node


def _strict_json(text: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(items)
        if len(d) != len(items):
            raise ValueError("duplicate key")
        return d

    def const(name: str) -> Any:
        raise ValueError(name)

    return json.loads(text, object_pairs_hook=pairs, parse_float=Decimal, parse_constant=const)


def _lower_url_hosts(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _lower_url_hosts(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_lower_url_hosts(v) for v in node]
    if isinstance(node, str):
        m = re.match(r"(?i)(https?://[^/?#]*)(.*)$", node, re.S)
        return m.group(1).lower() + m.group(2) if m else node
    return node


def signed_key(text: str) -> tuple[Any, ...] | None:
    """What a valid verdict vouches for in a stored credential's text (see the module doc)."""
    t = text.strip().lstrip("\ufeff")
    if t.startswith("{"):
        try:
            doc = _strict_json(t)
        except (ValueError, InvalidOperation, RecursionError):
            return ("unparsable", t)
        types = doc.get("type") if isinstance(doc, dict) else None
        if "EnvelopedVerifiableCredential" in (types if isinstance(types, list) else [types]) and isinstance(doc.get("id"), str):
            # the envelope's @context is checked by badgekit (VCDM 2.0's first) and says nothing more
            rest = {k: v for k, v in doc.items() if k not in ("id", "@context")}
            return ("enveloped", doc["id"].partition(",")[2].rsplit(".", 1)[0], _norm_loose(_norm(rest)))
        if isinstance(doc, dict) and doc.get("@context") == "https://w3id.org/openbadges/v2":
            doc = _lower_url_hosts(doc)  # a hosted OB 2.0 assertion is compared as URLs are (RFC 3986 §6.2.2.1)
        return ("json", _norm(doc))
    parts = t.split("~")
    return ("jws", parts[0].rsplit(".", 1)[0], tuple(parts[1:-1]))


def legit(key: tuple[Any, ...] | None, seeds: list[tuple[Any, ...]]) -> str | None:
    """None when ``key`` is a seed's signed content (a legitimate re-spelling), else why not."""
    if key is None:
        return "no payload"
    for s in seeds:
        if key == s:
            return None
        if key[0] == "jws" == s[0] and key[1] == s[1] and len(set(key[2])) == len(key[2]) and set(key[2]) <= set(s[2]):
            return None  # an SD-JWT presenting fewer disclosures (each once): the holder's choice
    # JCS suites sign the JSON itself: there a re-spelling JSON-LD reads alike is still a change.
    if key[0] == "json" and "-jcs-" not in repr(key[1]):
        for s in seeds:
            if s[0] == "json" and _norm_sets(key[1]) == _norm_sets(s[1]):
                return "array order changed"
        for s in seeds:
            if s[0] == "json" and _norm_loose(key[1]) == _norm_loose(s[1]):
                return "one-entry array spelt as its entry"
    if key[0] == "json":
        for s in seeds:  # badgekit's policy: a proof of a suite it does not know is ignored (and reported)
            if s[0] == "json" and _fewer_known_proofs(key[1], s[1]):
                return "a proof ignored or repeated (policy)"
    return "signed content changed"


# ---------------------------------------------------------------------------------------------
# running one input


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout()


@dataclasses.dataclass
class Finding:
    kind: str
    target: str
    seed: str
    ops: list[str]
    detail: str


@dataclasses.dataclass
class Ctx:
    options: VerifyOptions
    seed_keys: list[tuple[Any, ...]]
    tmp: Path
    status_seeds: dict[str, Any]
    args: argparse.Namespace
    bundle_svg: bytes = b""
    bundle_png: bytes = b""


GUARD = re.compile(r"could not process the credential \(|nested too deeply to process")


def check_report(report: Any) -> list[str]:
    problems = []
    if int(report.exit_code) not in (0, 1, 3):
        problems.append(f"exit code {int(report.exit_code)}")
    for c in report.checks:
        if "\n" in c.reason:
            problems.append(f"{c.id}: reason of several lines")
    if len(report.checks) != 11 and not any(c.status == "skipped" for c in report.checks):
        problems.append(f"{len(report.checks)} checks reported")
    try:
        json.dumps(report.to_dict())
    except (TypeError, ValueError) as exc:
        problems.append(f"to_dict: {exc}")
    return problems


def _payload_of(data: bytes) -> str | None:
    try:
        return _envelope.find(data, source="<fuzz>", legacy_ok=True).text
    except BadgekitError:
        return None


def run_verify(ctx: Ctx, data: bytes, kind: str) -> list[tuple[str, str]]:
    """(finding kind, detail) for one input through every reader it reaches."""
    out: list[tuple[str, str]] = []
    if kind == "jsonl":
        path = ctx.tmp / "input.jsonl"
        path.write_bytes(data)
        from badgekit import _jsonl

        for report in verify_paths([path], ctx.options):
            out += _judge(ctx, report, lambda src=report.source: _jsonl.read_ref(src))
        for _, item in _jsonl.each_ref(str(path)):
            if isinstance(item, bytes):
                out += _readers(ctx, item)
        return out
    report = verify_bytes(data, source=f"input.{kind}", options=ctx.options)
    out += _judge(ctx, report, lambda: data)
    out += _readers(ctx, data)
    return out


def _judge(ctx: Ctx, report: Any, data: Callable[[], bytes]) -> list[tuple[str, str]]:
    out = [("report", p) for p in check_report(report)]
    for c in report.checks:
        if GUARD.search(c.reason):
            out.append(("crash", f"{c.id}: {c.reason[:300]}"))
    if report.verdict == "valid":
        payload = _payload_of(data())
        why = legit(signed_key(payload) if payload is not None else None, ctx.seed_keys)
        if why in ("array order changed", "one-entry array spelt as its entry", "a proof ignored or repeated (policy)"):
            out.append(("note-valid-respelt", why))
        elif why is not None:
            out.append(("valid", why))
    return out


def _readers(ctx: Ctx, data: bytes) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if data[:8] == PNG_MAGIC or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        with contextlib.suppress(BadgekitError):
            baking.extract(data, source="input")
    try:
        env = _envelope.read(data, source="input")
    except BadgekitError:
        return out
    from badgekit.delivery._facts import is_badge_credential

    if ctx.args.bundle_every and random.random() < 1 / ctx.args.bundle_every and is_badge_credential(env.credential):
        from badgekit.delivery import write_bundle

        with contextlib.suppress(BadgekitError):
            write_bundle(env.credential, env.text, ctx.tmp / "bundle", badge_image_svg=ctx.bundle_svg,
                         badge_image_png=ctx.bundle_png)
    return out


def _list_view(doc: Any) -> Any:
    """What a verifier reads from a status list credential (the rest is JSON-LD spelling)."""
    if not isinstance(doc, dict):
        return None
    subject = doc.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and len(subject) == 1 else subject
    subject = subject if isinstance(subject, dict) else {}
    issuer = doc.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    picked = {k: subject.get(k) for k in ("id", "type", "encodedList", "statusPurpose", "statusSize", "statusMessage", "ttl")}
    return _norm_loose(_norm({"id": doc.get("id"), "issuer": issuer, "validFrom": doc.get("validFrom"),
                              "validUntil": doc.get("validUntil"), "subject": picked}))


def run_status(ctx: Ctx, data: bytes, kind: str) -> list[tuple[str, str]]:
    path = ctx.tmp / "list.json"
    path.write_bytes(data)
    try:
        lists = status.load_status_lists([path])
    except BadgekitError:
        return []
    out: list[tuple[str, str]] = []
    changed = {lid: doc for lid, doc in lists.items() if _norm(ctx.status_seeds.get(lid)) != _norm(doc)}
    if not changed:
        return out
    merged = {**ctx.status_seeds, **lists}
    options = dataclasses.replace(ctx.options, status_lists=merged, memo={}, key_memo={})
    for cred in ctx.args.status_credentials:
        wanted = {m.decode() for m in re.findall(rb'"statusListCredential":\s*"([^"]*)"', cred)}
        if not wanted & set(changed):
            continue  # this credential's list was not changed
        report = verify_bytes(cred, source="cred.json", options=options)
        out += [("report", p) for p in check_report(report)]
        st = report.check("status")
        if GUARD.search(st.reason):
            out.append(("crash", f"status: {st.reason[:300]}"))
        if st.status != "passed":
            continue
        seed_status = verify_bytes(cred, source="cred.json", options=ctx.options).check("status").status
        if seed_status != "passed":
            out.append(("valid", f"a changed status list passed a credential the seed list {seed_status} (revoked)"))
        elif any(_list_view(changed[lid]) != _list_view(ctx.status_seeds.get(lid)) for lid in wanted & set(changed)):
            out.append(("valid", "a status list whose bits, purpose, id, issuer or dates changed passed the status check"))
        else:
            out.append(("note-status-respelt", "a status list re-spelt (no value a verifier reads changed) passed"))
    return out


def run_trust(ctx: Ctx, data: bytes, kind: str) -> list[tuple[str, str]]:
    from badgekit.verify import TrustList

    path = ctx.tmp / "trust.json"
    path.write_bytes(data)
    with contextlib.suppress(BadgekitError):
        TrustList.load(path)
    return []


# ---------------------------------------------------------------------------------------------
# the loop


MUTATORS: dict[str, Callable[[random.Random, bytes, bytes | None], tuple[bytes, list[str]]]] = {}


def _text_mutator(fn: Callable[[random.Random, str, str | None], tuple[str, list[str]]]) -> Callable[..., tuple[bytes, list[str]]]:
    def go(rng: random.Random, data: bytes, other: bytes | None) -> tuple[bytes, list[str]]:
        if rng.random() < 0.25:
            return mutate_bytes(rng, data, other)
        new, ops = fn(rng, data.decode("utf-8", "replace"), other.decode("utf-8", "replace") if other else None)
        return new.encode("utf-8", "surrogatepass"), ops
    return go


def _jwt_any(rng: random.Random, text: str, other: str | None) -> tuple[str, list[str]]:
    return (mutate_sdjwt if "~" in text else mutate_jws)(rng, text.strip(), other.strip() if other else None)


MUTATORS.update(json=_text_mutator(mutate_json_text), vcjwt=_text_mutator(_jwt_any), sdjwt=_text_mutator(_jwt_any),
                diddoc=_text_mutator(mutate_json_text),
                ob2=_text_mutator(mutate_payload_text), png=mutate_png, svg=mutate_svg, jsonl=mutate_jsonl,
                status=_text_mutator(mutate_json_text), trust=_text_mutator(mutate_json_text))


def load_ctx(seeds_dir: Path, args: argparse.Namespace, tmp: Path) -> tuple[Ctx, dict[str, list[tuple[str, bytes]]]]:
    from badgekit.ob2 import load_documents

    seeds: dict[str, list[tuple[str, bytes]]] = {}
    for d in sorted((seeds_dir / "seeds").iterdir()):
        seeds[d.name] = [(f.name, f.read_bytes()) for f in sorted(d.iterdir())]
    seeds["status"] = [(f.name, f.read_bytes()) for f in sorted((seeds_dir / "status").glob("*.json"))]
    seeds["trust"] = [("trust.json", (seeds_dir / "trust.json").read_bytes())]
    did_files = sorted((seeds_dir / "diddoc").glob("*.json")) if (seeds_dir / "diddoc").is_dir() else []
    if did_files:
        seeds["diddoc"] = [(f.name, f.read_bytes()) for f in did_files]
    status_seeds = status.load_status_lists(sorted((seeds_dir / "status").glob("*.json")))
    ob2_docs: dict[str, Any] = {}
    if (seeds_dir / "ob2-docs").is_dir():
        ob2_docs, _ = load_documents([str(seeds_dir / "ob2-docs")])
    from badgekit.verify import TrustList

    at = args.at or ((seeds_dir / "at.txt").read_text().strip() if (seeds_dir / "at.txt").exists() else "")
    recipient = (seeds_dir / "recipient.txt").read_text().strip() if (seeds_dir / "recipient.txt").exists() else None
    from badgekit.verify import load_did_documents

    options = VerifyOptions(status_lists=status_seeds, ob2_documents=ob2_docs, did_documents=load_did_documents(did_files),
                            trust=TrustList.load(seeds_dir / "trust.json"), at=_at(at) if at else None,
                            recipient=recipient)
    args.cli_extra = (["--at", at] if at else []) + (["--recipient", recipient] if recipient else []) + [
        "--trust", str(seeds_dir / "trust.json")] + [a for f in did_files for a in ("--did-doc", str(f))]
    args.did_credentials = [data for kind in ("json", "vcjwt") for name, data in seeds.get(kind, []) if name.startswith("web")]
    keys = []
    for kind, items in seeds.items():
        if kind in ("status", "trust", "diddoc"):
            continue
        for _, data in items:
            if kind == "jsonl":
                keys += [signed_key(line.decode()) for line in data.split(b"\n") if line.strip()]
            else:
                payload = _payload_of(data)
                if payload is not None:
                    keys.append(signed_key(payload))
    with_status = [data for name, data in seeds.get("json", []) if b"statusListCredential" in data]
    args.status_credentials = with_status[:6]  # the CLI seeds: edjcs first, one of them revoked
    from badgekit.baking.render import render_badge, render_png

    svg = render_badge("default", badge_name="Fuzz", issuer_name="Fuzz")
    ctx = Ctx(options, keys, tmp, status_seeds, args, svg.encode() if isinstance(svg, str) else svg,
              render_png(svg, width=64))
    return ctx, seeds


def _at(text: str) -> Any:
    from badgekit.verify import parse_timestamp

    return parse_timestamp(text)


def run_diddoc(ctx: Ctx, data: bytes, kind: str) -> list[tuple[str, str]]:
    """A hostile DID document: read as --did-doc reads it, then the did:web seeds verified with it."""
    from badgekit.verify import load_did_documents

    path = ctx.tmp / "did.json"
    path.write_bytes(data)
    try:
        docs = load_did_documents([path])
    except BadgekitError:
        return []
    options = dataclasses.replace(ctx.options, did_documents={**ctx.options.did_documents, **docs}, memo={}, key_memo={})
    out: list[tuple[str, str]] = []
    for cred in ctx.args.did_credentials:
        report = verify_bytes(cred, source="cred", options=options)
        out += [("report", p) for p in check_report(report)]
        out += [("crash", f"{c.id}: {c.reason[:300]}") for c in report.checks if GUARD.search(c.reason)]
    return out


TARGETS = {"status": run_status, "trust": run_trust, "diddoc": run_diddoc}


def one(ctx: Ctx, kind: str, data: bytes) -> tuple[list[tuple[str, str]], float, float]:
    fn = TARGETS.get(kind, run_verify)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, ctx.args.timeout)
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        found = fn(ctx, data, kind)
    except Timeout:
        found = [("hang", f"stopped after {ctx.args.timeout} s")]
    except BadgekitError as exc:
        found = [("crash", f"{'verify raised' if fn is run_verify else 'raised'} {type(exc).__name__}: {exc.message}")] \
            if fn is run_verify else []
    except Exception as exc:  # noqa: BLE001 - what the fuzzer is for
        tb = traceback.format_exc(limit=-4)
        found = [("crash", f"{type(exc).__name__}: {exc}"[:300] + "\n" + tb)]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if cpu > ctx.args.slow:
        found.append(("slow", f"{cpu:.2f} s CPU, {wall:.2f} s wall"))
    return found, wall, cpu


SUFFIX = {"json": ".json", "vcjwt": ".jwt", "sdjwt": ".sd-jwt", "png": ".png", "svg": ".svg", "jsonl": ".jsonl",
          "ob2": ".json", "status": ".json", "trust": ".json", "diddoc": ".json"}


def cli_check(ctx: Ctx, kind: str, data: bytes, seeds_dir: Path) -> list[tuple[str, str]]:
    if kind in ("status", "trust", "diddoc"):
        path = ctx.tmp / f"cli{SUFFIX[kind]}"
        path.write_bytes(data)
        flag = {"status": "--status-list", "trust": "--trust", "diddoc": "--did-doc"}[kind]
        flag = [flag, str(path)]
        creds = sorted((seeds_dir / "seeds" / "json").glob("web*.json" if kind == "diddoc" else "*.json"))
        cred = creds[0] if creds else sorted((seeds_dir / "seeds" / "json").glob("*.json"))[0]
        cmd = ["verify", str(cred), *flag, "--no-cache"]
        allowed = (0, 1, 2, 3)
    else:
        name = "cli.jws" if kind == "ob2" and not data.lstrip().startswith(b"{") else f"cli{SUFFIX[kind]}"
        path = ctx.tmp / name
        path.write_bytes(data)
        cmd = ["verify", str(path), "--status-list", str(seeds_dir / "status"), "--no-cache", "--json", *ctx.args.cli_extra]
        if (seeds_dir / "ob2-docs").is_dir():
            cmd += ["--ob2-doc", str(seeds_dir / "ob2-docs")]
        allowed = (0, 1, 3)
    out = _cli_run(ctx, cmd, allowed)
    if kind not in ("status", "trust", "ob2", "diddoc"):  # what else reads a credential file: extract, bundle
        other = ["extract", str(path), "-o", str(ctx.tmp / "extracted")] if kind in ("png", "svg") else [
            "bundle", str(path), "-o", str(ctx.tmp / "bundles")]
        out += _cli_run(ctx, other, (0, 1, 2))
    return out


def _cli_run(ctx: Ctx, cmd: list[str], allowed: tuple[int, ...]) -> list[tuple[str, str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    try:
        done = subprocess.run([PY, "-m", "badgekit", *cmd], env=env, capture_output=True, timeout=60, check=False,
                              cwd=ctx.tmp)
    except subprocess.TimeoutExpired:
        return [("cli", f"badgekit {cmd[0]} ran over 60 s")]
    out = []
    if done.returncode not in allowed:
        out.append(("cli", f"badgekit {cmd[0]}: exit {done.returncode}: {done.stderr.decode('utf-8', 'replace')[-400:]}"))
    if b"Traceback" in done.stderr:
        out.append(("cli", f"badgekit {cmd[0]}: traceback on stderr"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--make-seeds", type=Path, metavar="DIR", help="make seeds with the CLI into DIR, then stop")
    ap.add_argument("--make-fixture-seeds", type=Path, metavar="DIR",
                    help="make seeds from tests/invalid/make_invalid.py (fixed keys and clock) into DIR, then stop")
    ap.add_argument("--seeds", type=Path, metavar="DIR", help="seeds made by --make-seeds or --make-fixture-seeds")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--iterations", type=int, default=0, help="stop after N inputs")
    ap.add_argument("--minutes", type=float, default=0, help="stop after M minutes")
    ap.add_argument("--only", default="", help="comma-separated kinds: json,vcjwt,sdjwt,png,svg,jsonl,ob2,status,trust,diddoc")
    ap.add_argument("--timeout", type=float, default=30.0, help="wall-clock seconds before one input is stopped")
    ap.add_argument("--slow", type=float, default=2.5, help="CPU seconds over which an input is a finding")
    ap.add_argument("--at", default="", help="verification time (default: now)")
    ap.add_argument("--cli-every", type=int, default=0, help="also run badgekit verify on every Nth input")
    ap.add_argument("--bundle-every", type=int, default=10, help="write a bundle page for 1 in N readable inputs")
    ap.add_argument("--out", type=Path, default=Path("fuzz-out"), help="findings go here (default ./fuzz-out)")
    ap.add_argument("--replay", type=Path, help="run saved inputs again: a finding's .record.json, or a --out folder")
    args = ap.parse_args(argv)
    if args.make_seeds:
        make_seeds(args.make_seeds)
        return 0
    if args.make_fixture_seeds:
        make_fixture_seeds(args.make_fixture_seeds)
        return 0
    if not args.seeds:
        ap.error("--seeds DIR (or --make-seeds DIR)")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    tmp = Path(tempfile.mkdtemp(prefix="badgekit-fuzz-"))
    try:
        ctx, seeds = load_ctx(args.seeds, args, tmp)
        if args.replay:
            return _replay(ctx, args.replay)
        return _loop(ctx, seeds, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replay(ctx: Ctx, where: Path) -> int:
    """Run saved inputs again (a finding's record, or every record in a folder): what they find now."""
    records = sorted(where.glob("*.record.json")) if where.is_dir() else [where]
    still = 0
    for rec in records:
        record = json.loads(rec.read_text())
        data = (rec.parent / record["file"]).read_bytes()
        found, wall, cpu = one(ctx, record["target"], data)
        found = [f for f in found if not f[0].startswith("note")]
        still += bool(found)
        if found or not where.is_dir():
            print(f"{rec.name} ({record['kind']} {record['target']} {record['ops']}): "
                  + ("; ".join(f"{k}: {d.splitlines()[0][:160]}" for k, d in found) or "nothing now")
                  + f" [{cpu:.2f} s CPU]")
    print(f"{still} of {len(records)} inputs still find something")
    return 1 if still else 0


def _loop(ctx: Ctx, seeds: dict[str, list[tuple[str, bytes]]], args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    random.seed(args.seed)
    kinds = [k for k in seeds if not args.only or k in args.only.split(",")]
    weights = {"json": 6, "vcjwt": 3, "sdjwt": 3, "png": 3, "svg": 3, "jsonl": 1, "ob2": 2, "status": 2, "trust": 1,
               "diddoc": 2}
    args.out.mkdir(parents=True, exist_ok=True)
    log = (args.out / "findings.jsonl").open("a", encoding="utf-8")
    counts: dict[str, int] = {}
    found_counts: dict[str, int] = {}
    seen: set[tuple[str, str, str]] = set()
    start = time.monotonic()
    n = 0
    try:
        while True:
            if args.iterations and n >= args.iterations:
                break
            if args.minutes and time.monotonic() - start > args.minutes * 60:
                break
            n += 1
            kind = rng.choices(kinds, [weights.get(k, 1) for k in kinds])[0]
            name, data = rng.choice(seeds[kind])
            other = rng.choice(seeds[kind])[1]
            try:
                mutated, ops = MUTATORS[kind](rng, data, other)
            except (ValueError, UnicodeError, IndexError, RecursionError):  # the mutator's own limits
                mutated, ops = mutate_bytes(rng, data, other)
            counts[kind] = counts.get(kind, 0) + 1
            found, wall, cpu = one(ctx, kind, mutated)
            if args.cli_every and n % args.cli_every == 0:
                found += cli_check(ctx, kind, mutated, args.seeds)
            for fkind, detail in found:
                found_counts[fkind] = found_counts.get(fkind, 0) + 1
                sig = (fkind, kind, re.sub(r"\d+", "N", detail.splitlines()[0])[:120] + (repr(ops) if fkind == "valid" else ""))
                if sig in seen:
                    continue
                seen.add(sig)
                fname = f"finding-{n}{SUFFIX[kind]}"
                (args.out / fname).write_bytes(mutated)
                record = {"n": n, "kind": fkind, "target": kind, "seed": name, "ops": ops, "detail": detail,
                          "file": fname, "wall": round(wall, 3), "cpu": round(cpu, 3)}
                (args.out / f"finding-{n}.record.json").write_text(json.dumps(record, indent=2))
                log.write(json.dumps(record) + "\n")
                log.flush()
                print(f"[{n}] {fkind} {kind} {ops}: {detail.splitlines()[0][:200]}", flush=True)
            if n % 500 == 0:
                print(f"... {n} inputs in {time.monotonic() - start:.0f} s: {counts} findings {found_counts}", flush=True)
    finally:
        log.close()
    print(f"done: {n} inputs in {time.monotonic() - start:.0f} s: {counts}; findings {found_counts}")
    return 1 if any(not k.startswith("note") for k in found_counts) else 0


if __name__ == "__main__":
    sys.exit(main())

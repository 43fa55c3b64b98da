"""What runs where credentials are signed: each job signed (:mod:`._signing`) into its files (the
credential and its baked images), by worker processes of this machine (:func:`_sign_chunk`, which
writes them) or by Dask workers (:func:`remote_sign_chunk`, which returns them for the client to
write); plus the badge images made once before the run."""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from badgekit import baking, keys
from badgekit._io import write_atomically
from badgekit.badgeclass import BadgeClass
from badgekit.errors import KeyFileError
from badgekit.issuing._options import credential_filename
from badgekit.issuing._signing import KeyIdentity, _Job, _parse_ts, _Signing
from badgekit.keys import PrivateKey
from badgekit.roster import RosterRow, Row

STAGING = ".partial"
#: Where a Dask worker finds its signing key and passphrase: the variables the CLI reads
#: (badgekit.cli._options.KEY_ENV, PASSPHRASE_ENV).
KEY_ENV = "BADGEKIT_KEY"
PASSPHRASE_ENV = "BADGEKIT_KEY_PASSPHRASE"

_WORKER: dict[str, Any] = {}


@dataclass(frozen=True)
class SigningSetup:
    """What every signer of a run needs besides the private key (never in here: it stays where
    it is loaded): issuer, achievement, method, format, the images to bake, and the public key
    the run checked against the issuer (a Dask worker with another key refuses to sign)."""

    run_id: str
    method: str | None
    issuer: Mapping[str, Any]
    achievement: Mapping[str, Any]
    images: Mapping[str, Any] | None
    fmt: str
    public_jwk: Mapping[str, str]
    cryptosuite: str | None = None  # Data Integrity: the proof's suite (see proof_suite)
    #: True: credentials come back as text for the run's JSON Lines file (badgekit._jsonl), unwritten
    jsonl: bool = False
    disclose: tuple[str, ...] | None = None  # the badge class's selectively disclosable members (SD-JWT VC, ecdsa-sd-2023)

    def signing(self, key: PrivateKey) -> _Signing:
        return _Signing.make(key, self.method, dict(self.issuer), dict(self.achievement), self.fmt, self.cryptosuite,
                             self.disclose)


#: One signed credential: its id, its file's path, and every file to write (path, bytes).
Signed = tuple[str, str, list[tuple[str, bytes]]]


def _staging(path: str) -> str:
    """Where a bulk output's temp file is made before the atomic rename (see _io.atomic_write)."""
    return _staging_in(os.path.dirname(path))


@functools.lru_cache(maxsize=16)
def _staging_in(folder: str) -> str:
    """The staging folder of ``folder`` (a run writes every file into one or two folders)."""
    return os.path.join(folder, STAGING)


def _init_worker(key: PrivateKey, setup: SigningSetup) -> None:
    _WORKER.update(signing=setup.signing(key), images=setup.images or {}, jsonl=setup.jsonl)


def _sign_chunk(jobs: Sequence[_Job]) -> list[tuple[str, str]]:
    """A worker process of this machine: sign and deliver each job (see :func:`deliver`)."""
    jsonl = _WORKER["jsonl"]
    return [deliver(s, jsonl) for s in sign_jobs(_WORKER["signing"], _WORKER["images"], jobs)]


def deliver(signed: Signed, jsonl: bool) -> tuple[str, str]:
    """One signed credential handed on: its files written, (credential id, path); or, for a JSON
    Lines run, its baked images written and (credential id, credential text) for the run's writer
    (in the parent process)."""
    if jsonl:
        credential_id, _, files = signed
        for file_path, data in files[1:]:
            write_atomically(file_path, data, durable=False, staging=_staging(file_path))
        return credential_id, files[0][1].decode("utf-8")
    return write_signed(signed)


def sign_jobs(signing: _Signing, images: Mapping[str, Any], jobs: Sequence[_Job]) -> list[Signed]:
    """Each job signed, with the files to write: the credential first, then its baked images."""
    done: list[Signed] = []
    for job in jobs:
        signed, text = signing.sign(job)
        files = [(job.path, text.encode("utf-8"))]
        if images:
            files += _bake_images(job, signed, text, images, is_jwt=signing.signer is None)
        done.append((job.credential_id, job.path, files))
    return done


def write_signed(signed: Signed) -> tuple[str, str]:
    """Write one credential's files atomically (the credential first: ``_usable()``: empty ⇒ rewritten)."""
    credential_id, path, files = signed
    for file_path, data in files:
        write_atomically(file_path, data, durable=False, staging=_staging(file_path))
    return credential_id, path


def _bake_images(job: _Job, signed: Mapping[str, Any], text: str, images: Mapping[str, Any],
                 *, is_jwt: bool) -> list[tuple[str, bytes]]:
    """``<id>.png`` / ``<id>.svg`` holding exactly the credential file's text (which this worker
    has just made, so it is not parsed again: ``is_jwt`` says what it is)."""
    spec = images.get("recipient")
    out = []
    # <id>.json → <id>.png beside it; a JSON Lines run has no such file: <out>/<id>.png all the same
    folder = images.get("dir")
    stem = os.path.splitext(os.path.join(folder, credential_filename(job.credential_id)) if folder else job.path)[0]
    for fmt in images["formats"]:
        if spec is not None:
            svg = _render(spec, recipient_name=job.row.name, qr_data=str(signed["id"]),
                          valid_from=signed.get("validFrom"), valid_until=signed.get("validUntil"))
            baker = baking.Baker(svg.encode("utf-8") if fmt == "svg" else _raster(svg, images.get("fonts")), source=job.path)
        else:
            baker = images[fmt]  # made once for the run (badge_images)
        out.append((f"{stem}.{fmt}", baker.bake(text, source=job.path, is_jwt=is_jwt)))
    return out


# ---------------------------------------------------------------------------------------------
# on a Dask worker: the key from the worker's own environment, loaded once per process

_REMOTE_LOCK = threading.Lock()
_REMOTE: dict[str, Any] = {}


def env_key() -> PrivateKey:
    """This process's signing key: the file named by ``BADGEKIT_KEY``, decrypted with
    ``BADGEKIT_KEY_PASSPHRASE`` if it is encrypted; loaded once.

    Raises:
        KeyFileError: the variable is unset, the file unreadable or insecure, the passphrase missing or wrong.
    """
    path = os.environ.get(KEY_ENV, "").strip()
    if not path:
        raise KeyFileError(f"{KEY_ENV} is not set", hint=f"start each Dask worker with {KEY_ENV}=<the issuer's key file>")
    with _REMOTE_LOCK:
        cached = _REMOTE.get("key")
        if cached is not None and cached[0] == path:
            return cached[1]  # type: ignore[no-any-return]
        passphrase = os.environ.get(PASSPHRASE_ENV)
        encrypted = Path(path).is_file() and keys.is_encrypted(path)
        key = keys.load_any_key(path, passphrase=passphrase.encode("utf-8") if encrypted and passphrase else None)
        _REMOTE["key"] = (path, key)
        return key


def worker_key_identity() -> dict[str, Any]:
    """This worker's public key (``{"jwk": …}``), or why it has none (``{"error": …}``): asked of
    every Dask worker before a run reserves anything."""
    try:
        return {"jwk": dict(KeyIdentity.of(env_key()).public_jwk)}
    except KeyFileError as exc:
        return {"error": exc.message}


def remote_sign_chunk(setup: SigningSetup, jobs: Sequence[_Job]) -> list[Signed]:
    """A Dask task: sign ``jobs`` with this worker's key and return the files (the client writes them).

    Raises:
        KeyFileError: the worker's key is not the one the run checked against the issuer.
    """
    with _REMOTE_LOCK:
        signing = _REMOTE.get(setup.run_id)
    if signing is None:
        key = env_key()
        if dict(KeyIdentity.of(key).public_jwk) != dict(setup.public_jwk):
            raise KeyFileError(f"a Dask worker's key ({KEY_ENV}) is not the key the run was checked with",
                               hint=f"give every worker the issuer's key in {KEY_ENV}")
        signing = setup.signing(key)
        with _REMOTE_LOCK:
            _REMOTE.clear()  # one run's signer at a time (the key stays)
            _REMOTE["key"] = (os.environ.get(KEY_ENV, "").strip(), key)
            _REMOTE[setup.run_id] = signing
    return sign_jobs(signing, setup.images or {}, jobs)


def _render(spec: Mapping[str, Any], **overrides: Any) -> str:
    # start-up: the renderer (~30 ms of imports) is needed only when images are baked
    from badgekit.baking import render

    args = dict(spec)
    args.update(overrides)
    for key in ("valid_from", "valid_until"):
        if isinstance(args.get(key), str):
            args[key] = _parse_ts(args[key]).date()
    return render.render_badge(**args)


def _raster(svg: str, fonts: Sequence[str] | None = None) -> bytes:
    # start-up: the renderer (~30 ms of imports) is needed only when images are baked
    from badgekit.baking import render

    return render.render_png(svg, width=400, fonts=fonts)


def recipient_image_fonts(spec: Mapping[str, Any], rows: Iterable[RosterRow | Row], roster_name: str,
                          fonts: Sequence[str] | None) -> tuple[str, ...]:
    """The fonts per-recipient PNGs need beside the bundled ones, found before anything is reserved:
    the template's own text and every roster name must be drawable.

    Raises:
        InputError: a name (or template text) with a character no font covers; names its line.
    """
    # start-up: the renderer (~30 ms of imports) is needed only when images are baked
    from badgekit.baking import render

    template_text = (("badge image text", t) for t in render.drawn_text(_render(spec, recipient_name="")))
    names = ((f"{roster_name}: line {row.line}, column name", row.values.get("name", "")) for row in rows)
    return render.fonts_for(itertools.chain(template_text, names), fonts=fonts)


def badge_images(badge: BadgeClass, issuer: Mapping[str, Any], formats: Sequence[str], *, valid_from: datetime,
                 valid_until: datetime | None, per_recipient: bool, fonts: Sequence[str] | None = None) -> dict[str, Any]:
    """Images to bake: rendered once for the badge class (fast; each a :class:`badgekit.baking.Baker`
    under its format), or a spec each worker renders per recipient (recipient name, QR code of the
    credential id; about 10 ms more per image).
    ``fonts``: see :func:`badgekit.baking.render.fonts_for`."""
    policy = badge.policy
    achievement = badge.achievement
    criteria: Mapping[str, Any] = found if isinstance(found := achievement.get("criteria"), Mapping) else {}
    link = next((u for u in (achievement.get("id"), criteria.get("id")) if isinstance(u, str) and u.startswith("https://")), None)
    spec: dict[str, Any] = {
        "template": getattr(policy, "image_template", None) or "default",
        "badge_name": str(achievement.get("name", "")),
        "issuer_name": str(issuer.get("name", "")),
        "colour": getattr(policy, "colour", None),
        "level_label": getattr(policy, "level_label", None) or str(achievement.get("achievementType", "")).removeprefix("ext:"),
        "family_label": getattr(policy, "family", None) or "",
        "valid_from": valid_from.date(),
        "valid_until": valid_until.date() if valid_until else None,
        "qr_data": link,
    }
    out: dict[str, Any] = {"formats": tuple(formats), "fonts": fonts}
    if per_recipient:
        out["recipient"] = spec
        return out
    svg = _render(spec)
    # Each image read, checked and split once for the run (and pickled so to the workers):
    # baking a credential is then a concatenation (baking.Baker).
    if "svg" in formats:
        out["svg"] = baking.Baker(svg.encode("utf-8"), source="the badge class's SVG image")
    if "png" in formats:
        out["png"] = baking.Baker(_raster(svg, fonts), source="the badge class's PNG image")
    return out

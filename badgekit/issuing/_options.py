"""What a bulk run is given (:class:`IssueOptions`) and what it reports (:class:`IssueReport`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from badgekit.roster import RowError

CHUNK = 256
#: Signing chunks (64 rows) below which no worker pool is started: a pool takes ~0.2 s to start
#: (badgekit._parallel), so two processes win only on more than ~0.4 s of work (~1 ms a row).
PARALLEL_MIN_CHUNKS = 6
#: Output formats: Data Integrity proof in JSON, a compact JWS: OB 3.0 VC-JWT (``jwt``) or W3C
#: VC-JOSE-COSE ``application/vc+jwt`` (``vc+jwt``), or an SD-JWT VC (``sd-jwt``).
FORMATS = ("ldp", "jwt", "vc+jwt", "sd-jwt")
#: The formats signed as a JWS (EdDSA, ES256 or RS256 by the key's type), named by a kid (see :func:`jwt_kid`).
JWS_FORMATS = ("jwt", "vc+jwt", "sd-jwt")
#: Output modes: one file per credential, or one JSON Lines file per run (badgekit._jsonl).
OUTPUT_MODES = ("files", "jsonl")
_SUFFIX = {"ldp": ".json", "jwt": ".jwt", "vc+jwt": ".jwt", "sd-jwt": ".sd-jwt"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IssueOptions:
    """How to issue a roster: where to write, how many workers, which format, what to bake."""

    out_dir: Path
    workers: int = 1
    dry_run: bool = False
    strict: bool = False
    reissue: bool = False
    #: issue a new credential, linked to the old one (evidence), to each recipient whose latest
    #: credential of this badge class has expired or expires within ``renew_within``
    renew: bool = False
    renew_within: str = "P60D"  # an ISO 8601 duration
    now: datetime | None = None  # injected clock (tests, golden files)
    rng_seed: int | None = None  # deterministic status-index allocation (tests)
    verification_method: str | None = None
    #: kid of RS256 VC-JWTs (RSA key); None → ``<issuer id>#<JWK thumbprint>`` (see :func:`jwt_kid`)
    jwt_verification_method: str | None = None
    bake: tuple[str, ...] = ()  # "png" and/or "svg": a baked image beside each credential
    recipient_images: bool = False  # render each image for its recipient (name, QR of the id): slower
    #: ldp: <id>.json with a Data Integrity proof; jwt, vc+jwt: <id>.jwt; sd-jwt: <id>.sd-jwt (SD-JWT VC)
    format: Literal["ldp", "jwt", "vc+jwt", "sd-jwt"] = "ldp"
    #: ldp: the proof's cryptosuite (badgekit.cryptosuites.SIGNING_SUITES); None → eddsa-rdfc-2022
    #: for an Ed25519 key, ecdsa-rdfc-2019 for a P-256 / P-384 key
    cryptosuite: str | None = None
    actor: str = "badgekit"  # who issues: recorded with the ledger's issued/reissued events
    date_order: str | None = None  # "DMY" / "MDY": how the roster writes numeric dates like 04/03/2026
    fonts: tuple[str, ...] | None = None  # baked PNGs: fonts for characters DejaVu Sans lacks; None → installed ones
    #: False: issue credentials without a status entry, on purpose (they can never be revoked);
    #: without it, issuing needs a status_base_url (or the badge class's ``revocable: false``)
    revocable: bool = True
    #: the DID document (or issuer profile) the issuer hosts, which must list the signing key;
    #: not needed for a did:key issuer (see :func:`check_signing_setup`)
    issuer_document: Mapping[str, Any] | None = None
    #: "files": one <id>.json per credential; "jsonl": one <out_dir>/runs/<run>.jsonl per run, a
    #: credential per line (ldp only, no baking), the ledger naming ``<file>#<line>``
    output_mode: Literal["files", "jsonl"] = "files"


@dataclass(frozen=True)
class RowOutcome:
    """What happened to one roster line."""

    line: int
    status: str  # issued | renewed | resumed | already-issued | would-issue | would-renew | rejected
    credential_id: str | None = None
    path: str | None = None
    errors: tuple[RowError, ...] = ()
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "status": self.status,
            "credentialId": self.credential_id,
            "path": self.path,
            "errors": [_err_json(e) for e in self.errors],
            **({"note": self.note} if self.note else {}),
        }


@dataclass(frozen=True)
class IssueReport:
    """What issuing a roster did: one outcome per row, the counts by status, the time taken."""

    roster: str
    badge_id: str
    outcomes: tuple[RowOutcome, ...]
    #: Unknown header columns (ignored): warnings, which never fail a run or block ``strict``.
    header_errors: tuple[RowError, ...] = ()
    elapsed_s: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    revocable: bool = True  # False: issued without a status entry, on purpose (never revocable)
    #: pathways requiring this badge class: [{badge, name, file, eligible}] (eligible, not yet awarded)
    pathways: tuple[dict[str, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return not any(o.status == "rejected" for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {
            "roster": self.roster,
            "badge": self.badge_id,
            "revocable": self.revocable,
            "counts": self.counts,
            "elapsedSeconds": round(self.elapsed_s, 3),
            "headerErrors": [_err_json(e) for e in self.header_errors],
            "rows": [o.to_json() for o in self.outcomes],
            **({"pathways": list(self.pathways)} if self.pathways else {}),
        }


def _err_json(e: RowError) -> dict[str, Any]:
    return {"line": e.line, "column": e.column, "reason": e.reason}


def credential_filename(credential_id: str, fmt: str = "ldp") -> str:
    """File name for a credential: its id without the scheme (never personal data), ``.json``
    (Data Integrity), ``.jwt`` (VC-JWT, vc+jwt) or ``.sd-jwt`` (SD-JWT VC)."""
    return credential_id.rsplit(":", 1)[-1] + _SUFFIX[fmt]

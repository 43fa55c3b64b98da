"""The exception tree. Every error carries a one-line message, a hint and an exit code.

Exceptions mean "could not run" (bad input, missing key, unreadable file). A credential that
fails verification is not an exception: it is a report with a failed check.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    FAILED = 1  # verification failed, or some roster rows failed
    USAGE = 2  # bad arguments, unreadable or malformed input
    INDETERMINATE = 3  # verification could not be decided offline
    INTERNAL = 70  # a bug: please report it
    OUTPUT_CLOSED = 141  # stdout closed early (| head): 128 + SIGPIPE, what a shell shows for a process SIGPIPE killed


class BadgekitError(Exception):
    """Base of every badgekit error."""

    exit_code: ExitCode = ExitCode.USAGE
    default_hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def diagnostics(self) -> str:
        """The message and, when there is one, the hint, for humans."""
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return self.message


class InputError(BadgekitError):
    """A file or value given by the user cannot be used (names the file, row, column or field)."""


class KeyFileError(BadgekitError):
    """A key cannot be created, read or used."""


class KeyExistsError(KeyFileError):
    """A key file already exists where a new key would be written (keys are never overwritten)."""

    default_hint = "badgekit never overwrites a key; choose another path or move the old key away"


class InsecureKeyFileError(KeyFileError):
    """A private key file that group or others may read (badgekit refuses to use it)."""

    default_hint = "restrict it with: chmod 600 <file>"


class PassphraseError(KeyFileError):
    """An encrypted key without its passphrase, a wrong one, or a new one that is too short."""

    default_hint = "give the passphrase with --passphrase-file, BADGEKIT_KEY_PASSPHRASE or the prompt"


class JwtError(InputError):
    """A compact JWS or a JWK is malformed, uses a header badgekit refuses, or its key is unusable."""


class DocumentLoaderError(BadgekitError):
    """A JSON-LD context was requested that is not bundled (badgekit never fetches)."""

    default_hint = "badgekit works offline; add the context file explicitly with --context URL=FILE"


class JsonLdError(BadgekitError):
    """A document cannot be processed as JSON-LD (dropped terms, relative IRIs, too much work)."""


class ProofError(BadgekitError):
    """A proof cannot be created."""


class LimitExceeded(InputError):
    """Input is larger or deeper than badgekit accepts (guards against hostile files)."""


class BakingError(InputError):
    """A badge image cannot be baked or its credential cannot be extracted."""


class NoBakedCredential(BakingError):
    """An image with no credential baked in at all: no Open Badges chunk (PNG) or element (SVG),
    as opposed to a damaged one. ``badgekit verify FOLDER`` skips such an image (a QR code, a logo)."""


class LedgerError(BadgekitError):
    """The issuing ledger cannot be read or updated."""


class ClusterError(BadgekitError):
    """A Dask cluster cannot run the work: its scheduler is unreachable, it has no workers, or a
    worker died too often; what was reserved stays reserved for the next run to resume."""


class OutputError(BadgekitError):
    """A file or folder cannot be written for a reason outside badgekit: a read-only folder, a full
    disk, a file-size limit (``ulimit -f``), a file where a folder should be. The message names the
    path and the cause (see :func:`badgekit._io.output_error`); what was being written is not there
    at all (writes are atomic), so running the command again once the cause is fixed is safe."""

    default_hint = "fix the cause (free space, a writable folder) and run the command again: nothing was half-written"

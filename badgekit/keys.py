"""Ed25519 signing keys: generate, store (PKCS#8 PEM, 0600, optional passphrase), load, sign.

Safe defaults, as in pyca/cryptography: a key file is created with mode 0600 and never overwritten;
a key file that group or others can read is refused; the secret never appears in a ``repr``.
Signing goes through the :class:`Signer` protocol so that a KMS-held key can replace a file key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from badgekit import did
from badgekit._io import is_private_to_owner, read_bounded, write_new_secret
from badgekit.errors import InsecureKeyFileError, KeyExistsError, KeyFileError, PassphraseError

MIN_PASSPHRASE_LENGTH = 8


@runtime_checkable
class Signer(Protocol):
    """Anything that signs bytes for a verification method (a file key today, a KMS tomorrow)."""

    @property
    def verification_method(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


class Ed25519Key:
    """An Ed25519 private key. The secret is held by ``cryptography`` and never shown."""

    __slots__ = ("_private", "_public")

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @classmethod
    def generate(cls) -> Ed25519Key:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Key:
        """Key from a 32-byte seed (RFC 8032 secret key), as test vectors give it."""
        if len(seed) != 32:
            raise KeyFileError("an Ed25519 seed has exactly 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_key(self) -> bytes:
        """Raw 32-byte public key."""
        return self._public

    @property
    def public_key_multibase(self) -> str:
        return did.encode_multikey_public(self._public)

    @property
    def did_key(self) -> str:
        return did.did_key(self._public)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def signer(self, verification_method: str | None = None) -> KeySigner:
        """A :class:`Signer` for this key; by default its did:key verification method."""
        return KeySigner(self, verification_method or did.did_key_verification_method(self._public))

    def to_pem(self, passphrase: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with ``passphrase`` when given (the best scheme available)."""
        if passphrase is not None and len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise PassphraseError(f"passphrase too short (at least {MIN_PASSPHRASE_LENGTH} characters)")
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase is not None
            else serialization.NoEncryption()
        )
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def __repr__(self) -> str:
        return f"Ed25519Key(public={self.public_key_multibase}, private=<hidden>)"

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling happens only to hand a key to a worker process of our own.
        return (_key_from_raw, (self._private.private_bytes_raw(),))


def _key_from_raw(seed: bytes) -> Ed25519Key:
    return Ed25519Key.from_seed(seed)


@dataclass(frozen=True)
class KeySigner:
    """A key bound to the verification method id that will appear in proofs."""

    key: Ed25519Key
    verification_method: str

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


@lru_cache(maxsize=1024)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_signature(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``data`` by ``public_key``."""
    try:
        _public_key(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def save_key(key: Ed25519Key, path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> Path:
    """Write ``key`` as PKCS#8 PEM with mode 0600.

    Raises:
        KeyExistsError: ``path`` exists (keys are never overwritten).
        PassphraseError: the passphrase is too short.
    """
    target = Path(path)
    if target.exists():
        raise KeyExistsError(f"{target}: a file already exists, refusing to overwrite it")
    try:
        return write_new_secret(target, key.to_pem(passphrase))
    except FileExistsError:
        raise KeyExistsError(f"{target}: a file already exists, refusing to overwrite it") from None


def is_encrypted(path: str | os.PathLike[str]) -> bool:
    """True when the PEM file at ``path`` is passphrase-protected."""
    return b"ENCRYPTED PRIVATE KEY" in read_bounded(path, limit=64 * 1024)


def load_key(path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> Ed25519Key:
    """Read an Ed25519 private key from a PKCS#8 PEM file.

    Raises:
        InsecureKeyFileError: group or others may read the file.
        PassphraseError: the key is encrypted and no or a wrong passphrase was given.
        KeyFileError: the file is missing or holds no Ed25519 private key.
    """
    p = Path(path)
    if not p.is_file():
        raise KeyFileError(f"{p}: no such key file", hint="create one with: badgekit key generate")
    if not is_private_to_owner(p):
        mode = oct(p.stat().st_mode & 0o777)
        raise InsecureKeyFileError(f"{p}: private key is readable by others (mode {mode}), refusing to use it")
    data = read_bounded(p, limit=64 * 1024)
    encrypted = b"ENCRYPTED PRIVATE KEY" in data
    if encrypted and passphrase is None:
        raise PassphraseError(f"{p}: key is encrypted and no passphrase was given")
    try:
        private = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except ValueError:
        if encrypted:
            raise PassphraseError(f"{p}: wrong passphrase", hint="") from None
        raise KeyFileError(f"{p}: not a PEM private key") from None
    except (TypeError, UnsupportedAlgorithm):
        raise KeyFileError(f"{p}: not a readable private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{p}: not an Ed25519 key (badgekit signs Data Integrity proofs with Ed25519)")
    return Ed25519Key(private)

"""Signing keys: generate, store (PKCS#8 PEM, 0600, optional passphrase), load, sign.

Ed25519 signs everything (Data Integrity proofs, status lists, VC-JWT ``EdDSA``); ECDSA P-256 /
P-384 keys sign Data Integrity proofs in the ``ecdsa-*`` cryptosuites (:mod:`badgekit.cryptosuites`);
RSA exists only for VC-JWT ``RS256``, the algorithm OB 3.0 requires JWT verifiers to support (3072
bits by default, at least 2048 accepted).

Safe defaults, as in pyca/cryptography: a key file is created with mode 0600 and never overwritten;
a key file that group or others can read is refused; the secret never appears in a ``repr``.
Signing goes through the :class:`Signer` protocol so that a KMS-held key can replace a file key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from badgekit import did
from badgekit._io import is_private_to_owner, read_bounded, write_new_secret
from badgekit.errors import InsecureKeyFileError, KeyExistsError, KeyFileError, PassphraseError
from badgekit.jwk import b64url_encode

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
    from cryptography.hazmat.primitives.serialization import KeySerializationEncryption

# `cryptography`'s serialization package (PEM, PKCS#8, and SSH keys with their ciphers: ~18 M
# instructions) is imported where a private key is read or written, and its RSA module (with
# `random`) where an RSA key is made, used or recognised: never by `badgekit verify` of a Data
# Integrity proof, which reads public keys from raw bytes (ADR 10).

MIN_PASSPHRASE_LENGTH = 8
#: RSA modulus size for new keys (NIST: 3072 bits ~ 128-bit security) and the least accepted.
RSA_DEFAULT_BITS = 3072
RSA_MIN_BITS = 2048


@runtime_checkable
class Signer(Protocol):
    """Anything that signs bytes for a verification method (a file key today, a KMS tomorrow)."""

    @property
    def verification_method(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


@runtime_checkable
class JwsSigner(Protocol):
    """Anything that signs a compact JWS: its JWS ``alg``, its public JWK, and ``sign(bytes)``
    (:class:`Ed25519Key` and :class:`RsaKey` today, a KMS-held key tomorrow)."""

    @property
    def jws_alg(self) -> str: ...

    @property
    def public_jwk(self) -> dict[str, str]: ...

    def sign(self, data: bytes) -> bytes: ...


class _Multikey:
    """What a Data Integrity key derives from its public key alone: its Multikey and did:key (one
    definition for Ed25519 and ECDSA keys)."""

    _public: bytes

    @property
    def public_key_multibase(self) -> str:
        return did.encode_multikey_public(self._public)

    @property
    def did_key(self) -> str:
        return did.did_key(self._public)


class Ed25519Key(_Multikey):
    """An Ed25519 private key. The secret is held by ``cryptography`` and never shown."""

    __slots__ = ("_private", "_public")

    #: The JWS algorithm this key signs with (RFC 8037).
    jws_alg = "EdDSA"

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        from cryptography.hazmat.primitives import serialization  # private keys only (module top)
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
    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 8037 ``OKP``/``Ed25519``); never the private part."""
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self._public)}

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def signer(self, verification_method: str | None = None) -> KeySigner:
        """A :class:`Signer` for this key; by default its did:key verification method."""
        return KeySigner(self, verification_method or did.did_key_verification_method(self._public))

    def to_pem(self, passphrase: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with ``passphrase`` when given (the best scheme available)."""
        return _pkcs8_pem(self._private, passphrase)

    def __repr__(self) -> str:
        return f"Ed25519Key(public={self.public_key_multibase}, private=<hidden>)"

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling happens only to hand a key to a worker process of our own.
        return (_key_from_raw, (self._private.private_bytes_raw(),))


def _key_from_raw(seed: bytes) -> Ed25519Key:
    return Ed25519Key.from_seed(seed)


class RsaKey:
    """An RSA private key for VC-JWT ``RS256`` (RSASSA-PKCS1-v1_5 with SHA-256). The secret is held
    by ``cryptography`` and never shown. RSA keys have no did:key in badgekit: the issuer publishes
    the public JWK (see ``docs/adr/0001-proof-suite.md``)."""

    __slots__ = ("_private",)

    jws_alg = "RS256"

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        if private_key.key_size < RSA_MIN_BITS:
            raise KeyFileError(f"RSA key has {private_key.key_size} bits; at least {RSA_MIN_BITS} are required")
        self._private = private_key

    @classmethod
    def generate(cls, bits: int = RSA_DEFAULT_BITS) -> RsaKey:
        """A new key with public exponent 65537.

        Raises:
            KeyFileError: ``bits`` below :data:`RSA_MIN_BITS`.
        """
        if bits < RSA_MIN_BITS:
            raise KeyFileError(f"an RSA key needs at least {RSA_MIN_BITS} bits, not {bits}")
        from cryptography.hazmat.primitives.asymmetric import rsa  # RSA only (module top)

        return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits))

    @property
    def key_size(self) -> int:
        return self._private.key_size

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (``kty``, ``n``, ``e``; RFC 7518 §6.3.1); never the private part."""
        numbers = self._private.public_key().public_numbers()
        return {"kty": "RSA", "n": _b64url_int(numbers.n), "e": _b64url_int(numbers.e)}

    def sign(self, data: bytes) -> bytes:
        """RS256: RSASSA-PKCS1-v1_5 over SHA-256 of ``data`` (RFC 7518 §3.3)."""
        from cryptography.hazmat.primitives.asymmetric import padding  # RSA only (module top)

        return self._private.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def to_pem(self, passphrase: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with ``passphrase`` when given (the best scheme available)."""
        return _pkcs8_pem(self._private, passphrase)

    def __repr__(self) -> str:
        return f"RsaKey(bits={self.key_size}, private=<hidden>)"

    def __reduce__(self) -> tuple[object, ...]:
        # As for Ed25519Key: only to hand the key to a worker process of our own.
        return (_key_from_der, (_pkcs8_der(self._private),))


class EcdsaKey(_Multikey):
    """An ECDSA private key on P-256 or P-384, for the ``ecdsa-rdfc-2019`` / ``ecdsa-jcs-2019``
    Data Integrity cryptosuites (VC-DI-ECDSA 1.0). Its public key is the SEC1 compressed point,
    named by did:key ``zDn…`` (P-256) or ``z82…`` (P-384). The secret is held by ``cryptography``
    and never shown."""

    __slots__ = ("_private", "_public")

    #: Curve name (as :func:`badgekit.did.key_type` says it) → (curve, hash, coordinate bytes).
    CURVES = {"P-256": (ec.SECP256R1, hashes.SHA256, 32), "P-384": (ec.SECP384R1, hashes.SHA384, 48)}

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if self._curve_name(private_key) is None:
            raise KeyFileError(f"ECDSA key on {private_key.curve.name}: badgekit signs with P-256 or P-384 only")
        from cryptography.hazmat.primitives import serialization  # private keys only (module top)
        self._private = private_key
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )

    @staticmethod
    def _curve_name(private_key: ec.EllipticCurvePrivateKey) -> str | None:
        return {"secp256r1": "P-256", "secp384r1": "P-384"}.get(private_key.curve.name)

    @classmethod
    def generate(cls, curve: str = "P-256") -> EcdsaKey:
        """A new key on ``curve`` (``"P-256"`` or ``"P-384"``).

        Raises:
            KeyFileError: another curve.
        """
        if curve not in cls.CURVES:
            raise KeyFileError(f"an ECDSA key is P-256 or P-384, not {curve!r}")
        return cls(ec.generate_private_key(cls.CURVES[curve][0]()))

    @property
    def curve(self) -> str:
        """``"P-256"`` or ``"P-384"``."""
        name = self._curve_name(self._private)
        assert name is not None  # __init__ refused any other curve
        return name

    @property
    def jws_alg(self) -> str:
        """The JWS algorithm of this key (RFC 7518 §3.4): ``ES256`` or ``ES384``."""
        return "ES256" if self.curve == "P-256" else "ES384"

    @property
    def public_key(self) -> bytes:
        """The SEC1 compressed public point (33 bytes for P-256, 49 for P-384)."""
        return self._public

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 7518 §6.2 ``EC``); never the private part."""
        numbers = self._private.public_key().public_numbers()
        size = self.CURVES[self.curve][2]
        return {"kty": "EC", "crv": self.curve, "x": b64url_encode(numbers.x.to_bytes(size, "big")),
                "y": b64url_encode(numbers.y.to_bytes(size, "big"))}

    def sign(self, data: bytes) -> bytes:
        """ECDSA over ``data`` with the curve's hash (SHA-256 / SHA-384), as ``r ‖ s`` (the form
        of Data Integrity ``proofValue`` and of JWS ES256 / ES384)."""
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature  # noqa: PLC0415 - start-up: signing only

        _, digest, size = self.CURVES[self.curve]
        r, s = decode_dss_signature(self._private.sign(data, ec.ECDSA(digest())))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def signer(self, verification_method: str | None = None) -> KeySigner:
        """A :class:`Signer` for this key; by default its did:key verification method."""
        return KeySigner(self, verification_method or did.did_key_verification_method(self._public))

    def to_pem(self, passphrase: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with ``passphrase`` when given (the best scheme available)."""
        return _pkcs8_pem(self._private, passphrase)

    def __repr__(self) -> str:
        return f"EcdsaKey({self.curve}, public={self.public_key_multibase}, private=<hidden>)"

    def __reduce__(self) -> tuple[object, ...]:
        # As for Ed25519Key: only to hand the key to a worker process of our own.
        return (_key_from_der, (_pkcs8_der(self._private),))


#: Any private key badgekit can store and load.
PrivateKey = Ed25519Key | RsaKey | EcdsaKey
#: A key that signs Data Integrity proofs (and has a did:key).
DataIntegrityKey = Ed25519Key | EcdsaKey


def _pkcs8_pem(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519PrivateKey, passphrase: bytes | None) -> bytes:
    """The one PKCS#8 PEM writer of every key type (encrypted when ``passphrase`` is given)."""
    from cryptography.hazmat.primitives import serialization  # private keys only (module top)
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _encryption(passphrase))


def _pkcs8_der(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    """Unencrypted PKCS#8 DER: only what pickling hands to a worker process of our own."""
    from cryptography.hazmat.primitives import serialization  # private keys only (module top)
    return private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _key_from_der(der: bytes) -> RsaKey | EcdsaKey:
    from cryptography.hazmat.primitives import serialization  # private keys only (module top)
    from cryptography.hazmat.primitives.asymmetric import rsa  # RSA only (module top)

    private = serialization.load_der_private_key(der, password=None)
    if isinstance(private, rsa.RSAPrivateKey):
        return RsaKey(private)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return EcdsaKey(private)


def _encryption(passphrase: bytes | None) -> KeySerializationEncryption:
    from cryptography.hazmat.primitives import serialization  # private keys only (module top)
    if passphrase is None:
        return serialization.NoEncryption()
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise PassphraseError(f"passphrase too short (at least {MIN_PASSPHRASE_LENGTH} characters)")
    return serialization.BestAvailableEncryption(passphrase)


def _b64url_int(n: int) -> str:
    return b64url_encode(n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big"))


@dataclass(frozen=True)
class KeySigner:
    """A key bound to the verification method id that will appear in proofs."""

    key: Ed25519Key | EcdsaKey
    verification_method: str

    @property
    def key_type(self) -> str:
        """``"Ed25519"``, ``"P-256"`` or ``"P-384"``: which cryptosuites this signer can sign in
        (a :class:`Signer` without this attribute is taken to be Ed25519)."""
        return self.key.curve if isinstance(self.key, EcdsaKey) else "Ed25519"

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


def save_key(key: PrivateKey, path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> Path:
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
    """Read an Ed25519 private key from a PKCS#8 PEM file (Data Integrity proofs need Ed25519).

    Raises:
        InsecureKeyFileError: group or others may read the file.
        PassphraseError: the key is encrypted and no or a wrong passphrase was given.
        KeyFileError: the file is missing or holds no Ed25519 private key.
    """
    p = Path(path)
    private = _load_private(p, passphrase)
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{p}: not an Ed25519 key (badgekit signs Data Integrity proofs with Ed25519)")
    return Ed25519Key(private)


def load_any_key(path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> PrivateKey:
    """Read an Ed25519, ECDSA P-256 / P-384 or RSA private key from a PKCS#8 PEM file.

    Raises:
        InsecureKeyFileError: group or others may read the file.
        PassphraseError: the key is encrypted and no or a wrong passphrase was given.
        KeyFileError: the file is missing, holds another kind of key, or an RSA key under 2048 bits.
    """
    p = Path(path)
    from cryptography.hazmat.primitives.asymmetric import rsa  # RSA only (module top)

    private = _load_private(p, passphrase)
    if isinstance(private, Ed25519PrivateKey):
        return Ed25519Key(private)
    if isinstance(private, rsa.RSAPrivateKey):
        if private.key_size < RSA_MIN_BITS:
            raise KeyFileError(f"{p}: RSA key has {private.key_size} bits; at least {RSA_MIN_BITS} are required")
        return RsaKey(private)
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return _ecdsa(p, private)
    raise KeyFileError(f"{p}: not an Ed25519, P-256, P-384 or RSA key")


def load_data_integrity_key(path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> DataIntegrityKey:
    """Read an Ed25519 or ECDSA P-256 / P-384 private key (what Data Integrity proofs sign with).

    Raises:
        InsecureKeyFileError: group or others may read the file.
        PassphraseError: the key is encrypted and no or a wrong passphrase was given.
        KeyFileError: the file is missing or holds another kind of key.
    """
    p = Path(path)
    private = _load_private(p, passphrase)
    if isinstance(private, Ed25519PrivateKey):
        return Ed25519Key(private)
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return _ecdsa(p, private)
    raise KeyFileError(f"{p}: not an Ed25519, P-256 or P-384 key (Data Integrity proofs sign with those)")


def _ecdsa(p: Path, private: ec.EllipticCurvePrivateKey) -> EcdsaKey:
    try:
        return EcdsaKey(private)
    except KeyFileError as exc:
        raise KeyFileError(f"{p}: {exc.message}") from None


def _load_private(p: Path, passphrase: bytes | None) -> PrivateKeyTypes:
    """The ``cryptography`` private key in ``p``, after the file-permission and passphrase rules."""
    from cryptography.hazmat.primitives import serialization  # private keys only (module top)
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
    return private

from __future__ import annotations

import os
import pickle

import pytest
from cryptography.hazmat.primitives import serialization

from badgekit import did, keys
from badgekit.errors import InsecureKeyFileError, KeyExistsError, KeyFileError, PassphraseError


def test_generate_save_load_roundtrip(tmp_path):
    key = keys.Ed25519Key.generate()
    path = keys.save_key(key, tmp_path / "k.pem")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert keys.load_key(path).public_key == key.public_key
    assert not list(tmp_path.glob(".*tmp"))  # no temp file left behind


def test_never_overwrites(tmp_path):
    path = tmp_path / "k.pem"
    keys.save_key(keys.Ed25519Key.generate(), path)
    before = path.read_bytes()
    with pytest.raises(KeyExistsError):
        keys.save_key(keys.Ed25519Key.generate(), path)
    assert path.read_bytes() == before


def test_encrypted_key_needs_the_passphrase(tmp_path):
    key = keys.Ed25519Key.generate()
    path = keys.save_key(key, tmp_path / "k.pem", passphrase=b"correct horse")
    assert keys.is_encrypted(path)
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    with pytest.raises(PassphraseError, match="no passphrase"):
        keys.load_key(path)
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        keys.load_key(path, passphrase=b"wrong passphrase")
    assert keys.load_key(path, passphrase=b"correct horse").public_key == key.public_key
    with pytest.raises(PassphraseError, match="too short"):
        keys.save_key(key, tmp_path / "short.pem", passphrase=b"abc")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_refuses_group_or_world_readable_keys(tmp_path, mode):
    path = keys.save_key(keys.Ed25519Key.generate(), tmp_path / "k.pem")
    os.chmod(path, mode)
    with pytest.raises(InsecureKeyFileError, match="readable by others"):
        keys.load_key(path)


def test_rejects_non_ed25519_and_garbage(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = tmp_path / "ec.pem"
    other.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    os.chmod(other, 0o600)
    with pytest.raises(KeyFileError, match="not an Ed25519 key"):
        keys.load_key(other)
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    os.chmod(junk, 0o600)
    with pytest.raises(KeyFileError, match="not a PEM"):
        keys.load_key(junk)
    with pytest.raises(KeyFileError, match="no such key file"):
        keys.load_key(tmp_path / "missing.pem")


def test_secret_never_in_repr_or_str():
    key = keys.Ed25519Key.from_seed(bytes(range(32)))
    seed_hex = bytes(range(32)).hex()
    for text in (repr(key), str(key), repr(key.signer())):
        assert "hidden" in text or "KeySigner" in text
        assert seed_hex not in text
        assert key.to_pem().decode() not in text


def test_pickle_for_worker_processes_roundtrips():
    key = keys.Ed25519Key.from_seed(bytes(range(32)))
    assert pickle.loads(pickle.dumps(key)).public_key == key.public_key


def test_signature_check():
    key = keys.Ed25519Key.from_seed(bytes(32))
    sig = key.sign(b"data")
    assert keys.verify_signature(key.public_key, sig, b"data")
    assert not keys.verify_signature(key.public_key, sig, b"date")
    assert not keys.verify_signature(key.public_key, b"\0" * 10, b"data")


@pytest.mark.parametrize(("curve", "size"), [("P-256", 33), ("P-384", 49)])
def test_ecdsa_keys_sign_r_s_store_0600_and_reload(tmp_path, curve, size):
    from badgekit import cryptosuites

    key = keys.EcdsaKey.generate(curve)
    assert len(key.public_key) == size and did.key_type(key.public_key) == curve
    assert did.decode_multikey_any(key.public_key_multibase) == key.public_key
    signature = key.sign(b"hash data")
    assert len(signature) == cryptosuites.SIGNATURE_BYTES[curve]
    assert cryptosuites.verify_signature(curve, key.public_key, signature, b"hash data")
    assert not cryptosuites.verify_signature(curve, key.public_key, signature, b"other data")
    assert "private=<hidden>" in repr(key) and pickle.loads(pickle.dumps(key)).did_key == key.did_key
    assert key.signer().key_type == curve and key.signer().verification_method.startswith(key.did_key + "#")
    path = keys.save_key(key, tmp_path / "k.pem")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert keys.load_data_integrity_key(path).did_key == key.did_key
    assert keys.load_any_key(path).did_key == key.did_key  # type: ignore[union-attr]
    with pytest.raises(KeyExistsError):
        keys.save_key(keys.EcdsaKey.generate(curve), path)
    with pytest.raises(KeyFileError, match="not an Ed25519 key"):
        keys.load_key(path)


def test_ecdsa_keys_on_other_curves_are_refused(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec

    with pytest.raises(KeyFileError, match="P-256 or P-384"):
        keys.EcdsaKey.generate("P-521")
    pem = ec.generate_private_key(ec.SECP521R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = tmp_path / "p521.pem"
    path.write_bytes(pem)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="P-256 or P-384 only"):
        keys.load_data_integrity_key(path)

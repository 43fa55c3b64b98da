"""A real SMTP server for the ``badgekit send`` tests: aiosmtpd on 127.0.0.1 (a free port), in a
thread of the test process, recording every message it accepts.

Faults are scripted per recipient address: each delivery attempt to that address takes the next
one from its list — an SMTP reply (``"451 4.7.1 try again later"``, ``"550 5.1.1 <x>: no such
user"``) given at RCPT (``rcpt:`` prefix) or after DATA, ``"drop"`` (the connection is closed
after the message was received, before any answer: the client cannot tell whether it was
accepted), ``"kill"`` (the message is recorded, then the process ``kill_pid`` names is sent
SIGKILL before the answer: a run killed between DATA and its ledger commit). Tests that use it need
``@pytest.mark.allow_hosts(["127.0.0.1"])`` (the suite forbids sockets otherwise).

TLS (:func:`running` with ``tls="smtps"`` or ``"starttls"``) uses a throwaway CA and a server
certificate for 127.0.0.1 made by :func:`make_certificates`; ``users`` turns AUTH on (required
before MAIL, except on smtps) and records each login.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class Recorder:
    """The aiosmtpd handler: accepts everything unless a fault is scripted."""

    messages: list[Received] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)
    kill_pid: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _fault(self, address: str, stage: str) -> str | None:
        with self.lock:
            pending = self.faults.get(address.lower())
            if not pending:
                return None
            at_rcpt = pending[0].startswith("rcpt:")
            if at_rcpt != (stage == "rcpt"):
                return None
            return pending.pop(0).removeprefix("rcpt:")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:  # noqa: N802
        fault = self._fault(address, "rcpt")
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        fault = self._fault(envelope.rcpt_tos[0], "data")
        if fault in (None, "drop", "kill"):
            with self.lock:
                self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
                n = len(self.messages)
        if fault == "drop":
            server.transport.close()
            return "250 2.0.0 never seen"
        if fault == "kill":
            assert self.kill_pid is not None
            os.kill(self.kill_pid, signal.SIGKILL)
            return "250 2.0.0 never seen"
        if fault:
            return fault
        return f"250 2.0.0 Ok: queued as Q{n}"

    logins: list[str] = field(default_factory=list)  # the users that logged in, in order

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Certificates:
    """PEM files: ``ca`` (what a client trusts), ``cert`` and ``key`` (what the server shows)."""

    ca: Path
    cert: Path
    key: Path


def make_certificates(folder: Path, *, host: str = "127.0.0.1", name: str = "test") -> Certificates:
    """A throwaway CA and a server certificate it signed for ``host`` (an IP address SAN), as PEM
    files in ``folder``: ``<name>-ca.pem``, ``<name>-cert.pem``, ``<name>-key.pem``."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"badgekit {name} CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    out = Certificates(folder / f"{name}-ca.pem", folder / f"{name}-cert.pem", folder / f"{name}-key.pem")
    out.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return out


def _authenticator(users: dict[str, str], recorder: Recorder) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if users.get(user) == password:
                recorder.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return check


@contextmanager
def running(*, tls: str | None = None, certificates: Certificates | None = None,
            users: dict[str, str] | None = None) -> Iterator[tuple[Recorder, str]]:
    """A started server: (its recorder, its URL): ``smtp://127.0.0.1:PORT``; with ``tls="smtps"``
    TLS from the first byte (``smtps://``), with ``tls="starttls"`` STARTTLS required before
    anything else (``smtp+starttls://``), both showing ``certificates``' server certificate."""
    import ssl

    from aiosmtpd.controller import Controller

    recorder = Recorder()
    port = _free_port()
    kwargs: dict[str, Any] = {}
    context = None
    if tls is not None:
        assert certificates is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificates.cert, certificates.key)
    if users is not None:
        # an smtps session is TLS from the start, which aiosmtpd does not count as TLS for AUTH:
        # AUTH is offered there but not required (aiosmtpd warns on each session otherwise)
        kwargs.update(authenticator=_authenticator(users, recorder), auth_required=tls != "smtps",
                      auth_require_tls=tls != "smtps")
    if tls == "smtps":
        kwargs["ssl_context"] = context
    elif tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False, **kwargs)
    controller.start()
    scheme = {None: "smtp", "smtps": "smtps", "starttls": "smtp+starttls"}[tls]
    try:
        yield recorder, f"{scheme}://127.0.0.1:{port}"
    finally:
        controller.stop()

"""The SMTP server ``badgekit send`` delivers through: named by one URL, spoken to with the standard
library's ``smtplib`` (no hand-written SMTP). The only badgekit module that opens a network
connection, and only to the server the user named.

URLs: ``smtp://host[:port]`` (plain, e.g. a local relay; port 25), ``smtp+starttls://user@host[:port]``
(STARTTLS, port 587), ``smtps://user@host[:port]`` (TLS from the start, port 465). The password
is never part of a URL badgekit keeps or shows (:func:`redact_url`); it comes separately.

TLS is always verified: the server's certificate must chain to the system's trusted CAs, or to the
CA file the user gave (:func:`tls_context`, for a relay with a private CA); a certificate that does
not stops the run with one line, before anything is sent or recorded.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from badgekit.errors import BadgekitError, InputError
from badgekit.ledger import redact_url

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class DeliveryError(BadgekitError):
    """The SMTP server cannot be used at all (refused login, no STARTTLS, unreachable after retries):
    the run stops; what was sent is recorded, the rest is sent by the next run."""

    default_hint = "check the SMTP URL, user and password, then run the command again: nothing is sent twice"


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect. ``password`` is never shown (``repr`` leaves it out)."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """``host:port``, for messages and the ledger's ``sent`` events."""
        return f"{self.host}:{self.port}"

    def display(self) -> str:
        """The URL as badgekit shows it: without any password."""
        user = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def url_password(url: str) -> str | None:
    """The password written into an SMTP URL (``smtps://user:secret@host``), if any."""
    try:
        secret = urlsplit(url.strip()).password
    except ValueError:
        return None
    return unquote(secret) if secret else None


def parse_url(url: str, *, password: str | None = None) -> SmtpServer:
    """The server a ``smtp://``, ``smtp+starttls://`` or ``smtps://`` URL names; ``password``, if
    given, wins over one in the URL.

    Raises:
        InputError: another scheme, no host, a bad port (the message shows the URL without its password).
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"SMTP URL {redact_url(text)!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InputError(f"SMTP URL {redact_url(text)!r}: expected smtp://, smtp+starttls:// or smtps://",
                         hint="e.g. smtp+starttls://badges@mail.example.edu:587")
    if not parts.hostname:
        raise InputError(f"SMTP URL {redact_url(text)!r} names no host")
    user = unquote(parts.username) if parts.username else None
    return SmtpServer(scheme, parts.hostname, port or SCHEMES[scheme], user, password or url_password(text))


def tls_context(ca_file: str | Path | None = None) -> ssl.SSLContext:
    """The TLS settings of every connection: certificates and host names verified, against the
    system's trusted CAs or, with ``ca_file`` (PEM), against the CAs in that file only.

    Raises:
        InputError: ``ca_file`` cannot be read or holds no PEM certificate.
    """
    if ca_file is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except FileNotFoundError:
        raise InputError(f"{ca_file}: no such CA file", hint="give a PEM file of the CA that signed the SMTP server's certificate") from None
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise InputError(f"{ca_file}: not a PEM CA certificate file ({getattr(exc, 'reason', None) or exc})",
                         hint="give a PEM file of the CA that signed the SMTP server's certificate") from None


def server_tls(server: SmtpServer, ca_file: str | Path | None, *, ca_from: str = "the CA file") -> ssl.SSLContext | None:
    """The TLS settings for ``server`` (:func:`tls_context`), None for a plain ``smtp://`` one.

    Raises:
        InputError: a CA file given (``ca_from`` says where: an option, a variable, a setting)
            for a plain ``smtp://`` server: nothing would be encrypted nor any certificate
            checked, which whoever gave a CA file does not expect; or see :func:`tls_context`.
    """
    if server.scheme != "smtp":
        return tls_context(ca_file)
    if ca_file is not None:
        raise InputError(f"{ca_from} {ca_file} is for TLS, but {server.display()} is plain smtp:// (no TLS: nothing "
                         "would be encrypted, no certificate checked)",
                         hint="use smtp+starttls:// (port 587) or smtps:// (port 465) to reach the server over TLS, "
                              "or give no CA file for a plain local relay")
    return None


def _tls_failure(exc: ssl.SSLError) -> str:
    """Why a TLS handshake failed, in one line (the verification message for a refused certificate)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's TLS certificate is not trusted (certificate verify failed: {exc.verify_message or exc.reason})"
    return f"TLS failed ({exc.reason or exc})"


class Refused(Exception):
    """The server answered with an error code: nothing was accepted for this message."""

    def __init__(self, code: int, answer: str, stage: str) -> None:
        super().__init__(f"{stage}: {answer}")
        self.code = code
        self.answer = answer
        self.stage = stage

    @property
    def permanent(self) -> bool:
        """5xx: the server will refuse it again (bad address, rejected message); 4xx: try later."""
        return self.code >= 500


class Lost(Exception):
    """The connection could not be opened, or was lost or timed out; ``during_data``: after the
    message was handed over and before the server answered (it may have been accepted)."""

    def __init__(self, reason: str, *, during_data: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.during_data = during_data


def _answer(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} " + " ".join(message.split())


class SmtpMailer:
    """One connection to the server, opened on first use and again after it was lost."""

    def __init__(self, server: SmtpServer, *, timeout: float = 30.0, local_hostname: str | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        if server.user and not server.password:
            raise InputError(f"SMTP user {server.user!r} needs a password",
                             hint="set BADGEKIT_SMTP_PASSWORD or pass --smtp-password-file")
        self.server = server
        self.timeout = timeout
        self.local_hostname = local_hostname
        self.tls = tls
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.server
        context = self.tls or tls_context()
        try:
            if s.scheme == "smtps":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, local_hostname=self.local_hostname,
                                                      timeout=self.timeout, context=context)
            else:
                conn = smtplib.SMTP(s.host, s.port, local_hostname=self.local_hostname, timeout=self.timeout)
            conn.ehlo_or_helo_if_needed()
            if s.scheme == "smtp+starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{s.display()}: login refused ({_answer(exc.smtp_code, exc.smtp_error)})") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"{s.display()}: {exc}",
                                hint="use smtps:// or a server that offers STARTTLS (never send a password in clear)") from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"{s.display()}: {_tls_failure(exc)}",
                                hint="if the server uses a private CA, give its certificate with --smtp-ca-file, "
                                     "BADGEKIT_SMTP_CA_FILE or [smtp] ca_file; verification is never turned off") from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise DeliveryError(f"{s.display()}: the server refused the session ({_answer(exc.smtp_code, exc.smtp_error)})") from None
            raise Lost(f"{s.display()}: {_answer(exc.smtp_code, exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise Lost(f"cannot connect to {s.name}: {getattr(exc, 'strerror', None) or exc}") from None
        self._conn = conn
        return conn

    def send(self, sender: str, recipient: str, message: bytes, before_data: Callable[[], None]) -> str:
        """Hand ``message`` to the server for ``recipient``; ``before_data`` runs once the server
        accepted sender and recipient, right before ``DATA``. Returns the server's answer to the
        message (``250 2.0.0 Ok: queued as …``).

        Raises:
            Refused: the server answered with an error (nothing was accepted).
            Lost: the connection failed; ``during_data`` when it failed after ``DATA`` began.
            DeliveryError: the server cannot be used (login, TLS).
        """
        conn = self._connect()
        during_data = False
        try:
            utf8 = not (sender + recipient).isascii()
            options = ["SMTPUTF8"] if utf8 and conn.has_extn("smtputf8") else []
            code, text = conn.mail(sender, options)
            if code != 250:
                self._refused(conn, code, text, "MAIL FROM")
            code, text = conn.rcpt(recipient)
            if code not in (250, 251):
                self._refused(conn, code, text, "RCPT TO")
            before_data()
            during_data = True
            code, text = conn.data(message)
            during_data = False
            if code != 250:
                self._refused(conn, code, text, "DATA")
            return _answer(code, text)
        except smtplib.SMTPDataError as exc:  # DATA itself refused (no 354): nothing was handed over
            self._refused(conn, exc.smtp_code, exc.smtp_error, "DATA")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise Lost(f"lost the connection to {self.server.name}: {getattr(exc, 'strerror', None) or exc or 'closed'}",
                       during_data=during_data) from None

    def _refused(self, conn: smtplib.SMTP, code: int, text: bytes | str, stage: str) -> NoReturn:
        if code == 421 or code == -1:  # the server is closing the session
            self.close()
        else:
            try:
                conn.rset()
            except (smtplib.SMTPException, OSError):
                self.close()
        raise Refused(code, _answer(code, text), stage)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

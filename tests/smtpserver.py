"""A real SMTP server for the ``badgekit send`` tests: aiosmtpd on 127.0.0.1 (a free port), in a
thread of the test process, recording every message it accepts.

Faults are scripted per recipient address: each delivery attempt to that address takes the next
one from its list — an SMTP reply (``"451 4.7.1 try again later"``, ``"550 5.1.1 <x>: no such
user"``) given at RCPT (``rcpt:`` prefix) or after DATA, ``"drop"`` (the connection is closed
after the message was received, before any answer: the client cannot tell whether it was
accepted), ``"kill"`` (the message is recorded, then the process ``kill_pid`` names is sent
SIGKILL before the answer: a run killed between DATA and its ledger commit). Tests that use it need
``@pytest.mark.allow_hosts(["127.0.0.1"])`` (the suite forbids sockets otherwise).
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

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running() -> Iterator[tuple[Recorder, str]]:
    """A started server: (its recorder, its ``smtp://127.0.0.1:PORT`` URL)."""
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield recorder, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()

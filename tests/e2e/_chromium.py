"""A tiny headless-Chromium driver over the DevTools pipe (``--remote-debugging-pipe``): no
sockets, no extra packages. Loads one page, records every network request it makes, reads its
visible text (``innerText`` leaves out what CSS hides) and takes a full-page screenshot."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Flags that keep Chromium quiet and offline (no update checks, sync, field trials or first run).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass(frozen=True)
class PageCapture:
    visible_text: str
    requests: tuple[str, ...]
    screenshot: bytes
    title: str
    boxes: dict[str, Any]
    #: what the caller's ``probe`` expression evaluated to on the page (None without one)
    probed: Any = None


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int, deadline: float) -> None:
        self.proc, self.write_fd, self.read_fd, self.deadline = proc, write_fd, read_fd, deadline
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"chromium closed the DevTools pipe (exit {self.proc.poll()})")
                self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self._read_message()
            if event.get("method") == method:
                return event
            self.events.append(event)


def capture(urls: list[str], user_data_dir: Path, *, width: int = 1000, timeout: float = 60.0,
            probe: str | None = None) -> list[PageCapture]:
    """Open each of ``urls`` in one headless Chromium, one after the other, and capture it
    (with ``probe``: a JavaScript expression evaluated on each page, its value returned)."""
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("chromium")
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()

    def wire() -> None:  # in the child: DevTools reads fd 3 and writes fd 4
        read_end, write_end = os.dup(to_child_r), os.dup(from_child_w)  # above 4: no clash while moving
        os.dup2(read_end, 3)
        os.dup2(write_end, 4)

    proc = subprocess.Popen(
        [binary, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={user_data_dir}", f"--window-size={width},900",
         "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        close_fds=False, preexec_fn=wire,  # close_fds would close 3 and 4 again after wire()
    )
    os.close(to_child_r)
    os.close(from_child_w)
    pipe = _Pipe(proc, to_child_w, from_child_r, time.monotonic() + timeout)
    try:
        targets = pipe.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        session = pipe.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]
        pipe.send("Network.enable", session=session)
        pipe.send("Page.enable", session=session)
        captures = [_capture_one(pipe, session, url, width, probe) for url in urls]
        with contextlib.suppress(RuntimeError, TimeoutError):
            pipe.send("Browser.close")
        return captures
    finally:
        os.close(to_child_w)
        os.close(from_child_r)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _capture_one(pipe: _Pipe, session: str, url: str, width: int, probe: str | None = None) -> PageCapture:
    pipe.events.clear()
    pipe.send("Emulation.setDeviceMetricsOverride",
              {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
    pipe.send("Page.navigate", {"url": url}, session=session)
    pipe.wait_for("Page.loadEventFired")

    def evaluate(expression: str) -> Any:
        result = pipe.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        return result["result"].get("value")

    text = evaluate("document.body.innerText")
    title = evaluate("document.title")
    # where the page's landmarks are drawn (a hidden or collapsed element has no box)
    boxes = evaluate(
        "Object.fromEntries(['h1', 'h2', '#verify', 'img'].filter(s => document.querySelector(s)).map(s => {"
        " const r = document.querySelector(s).getBoundingClientRect();"
        " return [s, {x: r.x, y: r.y, width: r.width, height: r.height}]; }))"
    )
    height = int(evaluate("Math.ceil(document.documentElement.scrollHeight)"))
    pipe.send("Emulation.setDeviceMetricsOverride",
              {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
    shot = pipe.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)
    requests = tuple(e["params"]["request"]["url"] for e in pipe.events if e.get("method") == "Network.requestWillBeSent")
    return PageCapture(text, requests, base64.b64decode(shot["data"]), title, boxes, evaluate(probe) if probe else None)

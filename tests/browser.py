"""Headless Chromium driven over the DevTools protocol, for tests of pages people open.

The protocol (not `--dump-dom` and stderr parsing) gives what a test needs reliably:
console errors and uncaught exceptions as events, every network request the page makes
(an offline page makes none but `file:` and `data:`), the rendered DOM after the charts
have drawn, and a PNG screenshot. Chromium picks a free port itself
(`--remote-debugging-port=0`) and reports it in `DevToolsActivePort`.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


@dataclass
class PageVisit:
    """What one page did while it loaded and rendered."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    loaded: bool = False


class Chromium:
    """One headless browser with one tab; use as a context manager."""

    def __init__(self, profile_dir: Path, width: int = 1400, height: int = 1000, timeout: float = 60) -> None:
        self._profile = profile_dir
        self._size = (width, height)
        self._timeout = timeout
        self._next_id = 0
        self._visit = PageVisit()

    def __enter__(self) -> Chromium:
        with ExitStack() as stack:
            self._process = subprocess.Popen(
                [str(CHROMIUM), *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(self._stop_process)
            port = self._wait_for_port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
                page = next(target for target in json.load(answer) if target["type"] == "page")
            self._socket: ClientConnection = stack.enter_context(
                connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
            )
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable")
            width, height = self._size
            self.call(
                "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False
            )
            self._cleanup = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._cleanup.close()

    def _stop_process(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _wait_for_port(self) -> int:
        marker = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            if self._process.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self._process.returncode} before it opened DevTools")
            time.sleep(0.1)
        raise TimeoutError("Chromium did not open its DevTools port")

    def _record(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self._visit.console_errors.append(
                " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self._visit.console_errors.append(details.get("exception", {}).get("description", details["text"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self._visit.console_errors.append(f"{params['entry']['source']}: {params['entry']['text']}")
        elif method == "Network.requestWillBeSent":
            self._visit.requests.append(params["request"]["url"])
        elif method == "Page.loadEventFired":
            self._visit.loaded = True

    def _receive(self, until: Any) -> dict[str, Any]:
        """Read messages, recording events, until `until(message)` holds; return that message."""
        deadline = time.monotonic() + self._timeout
        while True:
            message = json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            self._record(message)
            if until(message):
                return message

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        request_id = self._next_id
        self._socket.send(json.dumps({"id": request_id, "method": method, "params": params}))
        answer = self._receive(lambda message: message.get("id") == request_id)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']['text']}")
        return result["result"].get("value")

    def open(self, url: str, ready: str = "true") -> PageVisit:
        """Load `url`, wait for its load event and then for the JS condition `ready`."""
        self._visit = PageVisit()
        self.call("Page.navigate", url=url)
        while not self._visit.loaded:  # the event may already have come with the navigate answer
            self._receive(lambda message: True)
        deadline = time.monotonic() + self._timeout
        while not self.evaluate(f"Boolean({ready})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url}: never ready ({ready})")
            time.sleep(0.2)
        return self._visit

    def platform_fonts(self, selector: str) -> dict[str, int]:
        """The fonts the first node matching `selector` is drawn with, as the machine
        resolved them: glyphs drawn per font family (a missing font shows as another family)."""
        self.call("DOM.enable")
        self.call("CSS.enable")
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        fonts = self.call("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]
        return {font["familyName"]: font["glyphCount"] for font in fonts}

    def screenshot(self, path: Path, max_height: int = 3000) -> bytes:
        """A PNG of the page from the top, as tall as its content (up to max_height)."""
        width, _ = self._size
        content = self.call("Page.getLayoutMetrics")["cssContentSize"]
        height = min(int(content["height"]), max_height)
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        # optimizeForSpeed: Chromium then filters every row "Up", which numpy undoes at once.
        png = base64.b64decode(self.call("Page.captureScreenshot", format="png", optimizeForSpeed=True)["data"])
        path.write_bytes(png)
        return png

"""A real headless Chromium (Debian's `chromium`), driven over the Chrome DevTools Protocol.

Small on purpose: start the browser, open pages, evaluate JavaScript, wait for a
condition, record the requests a page makes, take a screenshot. One websocket to the
browser; each page is a target attached with a flat session.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import websocket  # websocket-client

BINARIES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    for name in BINARIES:
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(RuntimeError):
    pass


class Browser:
    """A headless Chromium with its own throw-away profile."""

    def __init__(self, binary: str | None = None, width: int = 1400, height: int = 1000, timeout: float = 30):
        binary = binary or find_chromium()
        if not binary:
            raise RuntimeError("chromium is not installed (`make install` installs it as root)")
        self.profile = tempfile.mkdtemp(prefix="cdp-chromium-")
        args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", f"--user-data-dir={self.profile}",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--metrics-recording-only", "--mute-audio", "--hide-scrollbars", f"--window-size={width},{height}",
                "about:blank"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.is_file() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"chromium did not start (exit code {self.process.returncode})")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=10) as r:
            ws_url = json.load(r)["webSocketDebuggerUrl"]
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True, enable_multithread=True)
        self.ws.settimeout(None)  # the reader waits for events as long as it takes; replies time out in send()
        self.width, self.height = width, height
        self._ids = itertools.count(1)
        self._pending: dict[int, queue.Queue] = {}
        self._sessions: dict[str, "Page"] = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="cdp-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                message = json.loads(self.ws.recv())
            except Exception:
                for q in list(self._pending.values()):
                    q.put({"error": {"message": "the browser connection closed"}})
                return
            if "id" in message:
                q = self._pending.pop(message["id"], None)
                if q:
                    q.put(message)
            else:
                page = self._sessions.get(message.get("sessionId"))
                if page is not None:
                    page._event(message["method"], message.get("params", {}))

    def send(self, method: str, session: str | None = None, timeout: float = 60, **params):
        n = next(self._ids)
        q: queue.Queue = queue.Queue()
        self._pending[n] = q
        message = {"id": n, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        with self._lock:
            self.ws.send(json.dumps(message))
        try:
            reply = q.get(timeout=timeout)
        except queue.Empty:
            raise CDPError(f"{method}: no answer in {timeout} s") from None
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def new_page(self, offline: bool = False) -> "Page":
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, target, session)
        self._sessions[session] = page
        page.setup(offline)
        return page

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Browser, target: str, session: str):
        self.browser, self.target, self.session = browser, target, session
        self.requests: list[str] = []      # every URL the page asked for
        self.failed: list[str] = []        # requests that failed (blocked, refused)
        self.console: list[str] = []       # console errors and uncaught exceptions
        self.loads = 0                     # load events: a reload would add one
        self._loaded = threading.Event()

    def _event(self, method: str, params: dict) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            self.failed.append(f"{params.get('errorText')} {params.get('blockedReason') or ''}".strip())
        elif method == "Page.loadEventFired":
            self.loads += 1
            self._loaded.set()
        elif method == "Runtime.exceptionThrown":
            self.console.append(json.dumps(params.get("exceptionDetails", {}))[:2000])
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.console.append(params["entry"].get("text", ""))

    def send(self, method: str, **params):
        return self.browser.send(method, session=self.session, **params)

    def setup(self, offline: bool) -> None:
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")
        if offline:  # no network at all: every request fails as if the cable were out
            self.send("Network.emulateNetworkConditions", offline=True, latency=0,
                      downloadThroughput=-1, uploadThroughput=-1)
        self.send("Emulation.setDeviceMetricsOverride", width=self.browser.width, height=self.browser.height,
                  deviceScaleFactor=1, mobile=False)

    def goto(self, url: str, timeout: float = 60) -> None:
        self._loaded.clear()
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise CDPError(f"cannot open {url}: {result['errorText']}")
        if not self._loaded.wait(timeout):
            raise CDPError(f"{url}: no load event in {timeout} s")

    def js(self, expression: str, await_promise: bool = False):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in result:
            raise CDPError(f"{expression[:200]}: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30, interval: float = 0.05):
        """Poll ``expression`` until it is truthy; return its value and the time it became so."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"not true within {timeout} s: {expression}")
            time.sleep(interval)

    def screenshot(self, path: str | os.PathLike, full_page: bool = True) -> None:
        if full_page:
            height = int(self.js("Math.ceil(document.documentElement.scrollHeight)"))
            self.send("Emulation.setDeviceMetricsOverride", width=self.browser.width, height=height,
                      deviceScaleFactor=1, mobile=False)
            time.sleep(0.5)  # responsive charts redraw at the new size
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)["data"]
        Path(path).write_bytes(base64.b64decode(data))
        if full_page:
            self.send("Emulation.setDeviceMetricsOverride", width=self.browser.width, height=self.browser.height,
                      deviceScaleFactor=1, mobile=False)

    def close(self) -> None:
        self.browser._sessions.pop(self.session, None)
        try:
            self.browser.send("Target.closeTarget", targetId=self.target)
        except CDPError:
            pass

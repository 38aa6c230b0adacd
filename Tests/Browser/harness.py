"""A real Usher and Redis on loopback, a demo website on another loopback origin, and headless Chromium.

Everything listens on 127.0.0.1 and stops when the run ends. Usher is the debug binary `scripts/test` built.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ADMIN = "browser-admin-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class Usher:
    """redis-server and `usher serve` on free loopback ports, in a temporary directory."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="usher-browser-")
        self.redis_port = free_port()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.redis = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "", "--appendonly", "no",
             "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.log = open(os.path.join(self.dir, "usher.log"), "w")
        env = dict(os.environ, USHER_REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0", USHER_ADMIN_TOKEN=ADMIN,
                   USHER_PORT=str(self.port), USHER_SAMPLE_INTERVAL_MS="500", USHER_CORS_CACHE_SECONDS="0",
                   USHER_LOG_LEVEL="warning")
        self.usher = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self.ready, 30, message="usher /readyz")

    def ready(self):
        try:
            return urllib.request.urlopen(self.base + "/readyz", timeout=1).status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def request(self, method, path, body=None, token=ADMIN):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, json.loads(text) if text else None

    def site(self, name, origin, **settings):
        status, _ = self.request("PUT", f"/v1/sites/{name}", dict(settings, allowedOrigins=[origin]))
        assert status in (200, 201), status
        tokens = {}
        for role, agent in (("website", None), ("ops", None), ("agent", "alice"), ("agent", "bob")):
            status, body = self.request("POST", f"/v1/sites/{name}/tokens", {"role": role, "agent": agent})
            assert status in (200, 201), (status, body)
            tokens[agent or role] = body["token"]
        return tokens

    def presence(self, site, agent, token, status="available", max_chats=1):
        code, body = self.request("PUT", f"/v1/sites/{site}/agents/{agent}/presence",
                                  {"status": status, "maxChats": max_chats, "queues": ["default"], "session": agent + "-s"},
                                  token=token)
        assert code == 200, (code, body)

    def stop(self):
        for process in (self.usher, self.redis):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        with open(os.path.join(self.dir, "usher.log")) as f:
            return f.read()


class DemoSite:
    """A website on its own origin (another loopback port) whose pages include the widget from Usher. The site's
    website token is set once the site exists, which needs the origin first."""

    def __init__(self, usher_base, site, queue="default"):
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.token = None
        demo = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                page = DEMO_PAGE.format(base=usher_base, site=site, token=demo.token, queue=queue).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# The page records every invitation poll the widget makes and every event it raises, for the tests to read.
DEMO_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo shop</title>
<script>
  window.polls = [];
  window.events = [];
  var realFetch = window.fetch;
  window.fetch = function (url, options) {{
    if (String(url).endsWith("/invitations")) window.polls.push(Date.now());
    return realFetch.apply(this, arguments);
  }};
  // Headless Chromium never hides its tab; the tests hide it this way, as the widget sees it.
  window.setHidden = function (hidden) {{
    Object.defineProperty(document, "hidden", {{ configurable: true, get: function () {{ return hidden; }} }});
    Object.defineProperty(document, "visibilityState", {{ configurable: true, get: function () {{ return hidden ? "hidden" : "visible"; }} }});
    document.dispatchEvent(new Event("visibilitychange"));
  }};
  ["usher:invite", "usher:accept", "usher:decline"].forEach(function (name) {{
    document.addEventListener(name, function (event) {{ window.events.push({{ name: name, detail: event.detail }}); }});
  }});
</script>
<script src="{base}/v1/widget.js" data-site="{site}" data-token="{token}" data-queue="{queue}" data-jitter="0.2"></script>
</head><body><h1>Demo shop</h1><p>Products.</p></body></html>
"""


def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                     "--no-first-run", "--disable-background-networking"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)

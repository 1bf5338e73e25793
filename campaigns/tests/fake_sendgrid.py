"""A local stand-in for SendGrid's v3 API, served from a thread on 127.0.0.1.

How it answers mail/send depends on the recipient address's local part:
`rate…` 429 on the first attempt, `boom…` 500 on the first attempt, `down…` 503 always, `bad…` 400,
`slow…` a short delay before accepting, `hang…` no answer within the client timeout on the first
attempt, `held…` no answer until `release` is set (then accepted: a message in flight while a test
stops its worker). Everything else is accepted (202 with an X-Message-Id) after `latency_seconds`.
"""

import json
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VALID_KEY = "SG.valid-key"


class FakeSendGrid:
    def __init__(self, *, slow_seconds=0.05, hang_seconds=1.0, latency_seconds=0.0):
        self.slow_seconds, self.hang_seconds, self.latency_seconds = slow_seconds, hang_seconds, latency_seconds
        self.attempts = Counter()  # recipient_id → requests seen
        self.accepted = Counter()  # recipient_id → messages accepted
        self.messages = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, message):
        """(status, body) for one mail/send payload; counts attempts and acceptances."""
        personalization = message["personalizations"][0]
        recipient_id = personalization["custom_args"]["recipient_id"]
        local = personalization["to"][0]["email"].split("@")[0]
        with self.lock:
            self.attempts[recipient_id] += 1
            attempt = self.attempts[recipient_id]
        if local.startswith("held"):
            self.release.wait(timeout=60)
        if local.startswith("hang") and attempt == 1:
            time.sleep(self.hang_seconds)
            return 500, {"errors": [{"message": "too late"}]}
        if local.startswith("rate") and attempt == 1:
            return 429, {"errors": [{"message": "too many requests"}]}
        if local.startswith("boom") and attempt == 1:
            return 500, {"errors": [{"message": "internal error"}]}
        if local.startswith("down"):
            return 503, {"errors": [{"message": "service unavailable"}]}
        if local.startswith("bad"):
            return 400, {"errors": [{"message": "Does not contain a valid address.", "field": "personalizations"}]}
        time.sleep(self.slow_seconds if local.startswith("slow") else self.latency_seconds)
        with self.lock:
            self.accepted[recipient_id] += 1
            self.messages.append(message)
        return 202, None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as SendGrid

            def log_message(self, *args):
                pass

            def _reply(self, status, body=None, headers=()):
                payload = json.dumps(body).encode() if body is not None else b""
                try:
                    self.send_response(status)
                    for name, value in headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def do_GET(self):
                if self.path == "/v3/scopes":
                    if self.headers.get("Authorization") == f"Bearer {VALID_KEY}":
                        return self._reply(200, {"scopes": ["mail.send"]})
                    return self._reply(401, {"errors": [{"message": "authorization required"}]})
                self._reply(404)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/v3/mail/send":
                    return self._reply(404)
                status, answer = fake.answer(body)
                headers = [("X-Message-Id", uuid.uuid4().hex)] if status == 202 else []
                self._reply(status, answer, headers)

        return Handler

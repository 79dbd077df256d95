"""A webhook receiver: a real local HTTP server that checks each POST's X-Scandy-Signature with the secret
it shares with Scandy, and can be told to fail (500) or to answer too late (a timeout)."""

import hashlib
import hmac

from .http import FakeServer, Reply


class WebhookReceiver(FakeServer):
    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret
        self.verified: list[bool] = []
        # Events answered 200, in arrival order (a POST that timed out on Scandy's side lands here too:
        # delivery is at least once, receivers deduplicate by event id).
        self.accepted: list[dict] = []

    def route(self, request):
        return "hook", None

    def signature_ok(self, request) -> bool:
        expected = "sha256=" + hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(request.headers.get("x-scandy-signature", ""), expected)

    def answer(self, request):
        ok = self.signature_ok(request)
        self.verified.append(ok)
        if not ok:
            return Reply(401, {"error": "bad signature"})
        self.accepted.append(request.json())
        return Reply(200, {"received": True})

# A stand-in for aiohttp that plays the offline mock API: sleeps ms, answers 200 or 500.
import asyncio, json
from urllib.parse import urlsplit, parse_qs

class ClientError(Exception): pass
class ClientResponseError(ClientError):
    def __init__(self, status, message, url):
        super().__init__(f"{status}, message='{message}', url='{url}'")
        self.status = status
        self.message = message
class ClientTimeout:
    def __init__(self, total=None): self.total = total

class _Resp:
    def __init__(self, status, body, url):
        self.status, self._body, self.url = status, body, url
    async def json(self): return json.loads(self._body)
    async def text(self): return self._body
    def raise_for_status(self):
        if self.status >= 400:
            raise ClientResponseError(self.status, "Internal Server Error", self.url)
    async def __aenter__(self): return self
    async def __aexit__(self, *a): return False

class _Req:
    def __init__(self, url): self.url = url; self.resp = None
    async def _go(self):
        q = parse_qs(urlsplit(self.url).query)
        ms = float(q.get("ms", ["0"])[0]); fail = q.get("fail", ["0"])[0] == "1"
        await asyncio.sleep(ms / 1000)
        i = urlsplit(self.url).path.rstrip("/").split("/")[-1]
        msn = int(ms) if ms == int(ms) else ms
        if fail:
            return _Resp(500, json.dumps({"error": f"simulated failure of item {i} after {msn} ms", "id": i, "ms": msn}), self.url)
        return _Resp(200, json.dumps({"id": i, "ms": msn, "name": f"item {i}", "served_by": "awaitlab offline mock API"}), self.url)
    def __await__(self): return self._go().__await__()
    async def __aenter__(self):
        self.resp = await self._go(); return self.resp
    async def __aexit__(self, *a): return False

class ClientSession:
    def __init__(self, *a, **k): pass
    def get(self, url, **k): return _Req(url)
    async def close(self): pass
    async def __aenter__(self): return self
    async def __aexit__(self, *a): return False

import asyncio
import aiohttp
import random
import time

BASE = "api/item"

async def fetch_url(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()
        return await resp.json()

async def crawl(n):
    async with aiohttp.ClientSession() as session:
        urls = [f"{BASE}/{i}?ms={50 + 10 * (i % 5)}" for i in range(n)]
        results = await asyncio.gather(*(fetch_url(session, u) for u in urls), return_exceptions=True)
    ok = [r for r in results if isinstance(r, dict)]
    print(f"crawled {len(ok)} of {n}, first {ok[0]['name']}, ms {ok[0]['ms']}")

async def safe_process(session, url):
    try:
        resp = await session.get(url)
        resp.raise_for_status()
        data = await resp.json()
        return data["id"]
    except aiohttp.ClientResponseError as e:
        print(f"failed {url}: status {e.status}")
        return None
    except aiohttp.ClientError as e:
        print("client error", e)
        return None

async def process_with_retry(session, url, retries=3):
    for attempt in range(1, retries + 1):
        try:
            async with session.get(url) as resp:
                resp.raise_for_status()
                return await resp.text()
        except aiohttp.ClientError as e:
            print(f"attempt {attempt} failed")
            if attempt == retries:
                raise
            await asyncio.sleep(0.1 * 2 ** (attempt - 1))

async def process_with_semaphore(session, sem, url):
    async with sem:
        async with session.get(url) as resp:
            return resp.status

class AsyncResource:
    def __init__(self, name):
        self.name = name
    async def __aenter__(self):
        await asyncio.sleep(0.05)
        print(f"{self.name} acquired")
        return self
    async def __aexit__(self, exc_type, exc, tb):
        await asyncio.sleep(0.02)
        print(f"{self.name} released")

class DataProcessor:
    def __init__(self, session):
        self.session = session
        self.saved = []
    async def fetch(self, i):
        async with self.session.get(f"{BASE}/{i}?ms=30") as resp:
            return await resp.json()
    async def process(self, data):
        await asyncio.sleep(0.02)
        return data["name"].upper()
    async def save(self, item):
        await asyncio.sleep(0.01)
        self.saved.append(item)
    async def run(self, i):
        data = await self.fetch(i)
        item = await self.process(data)
        await self.save(item)
        return item

async def main():
    t0 = time.perf_counter()
    await crawl(100)
    print(f"crawl took {(time.perf_counter() - t0) * 1000:.0f} ms")
    async with aiohttp.ClientSession() as session:
        print(await safe_process(session, f"{BASE}/7?ms=40"))
        print(await safe_process(session, f"{BASE}/8?ms=40&fail=1"))
        try:
            await process_with_retry(session, f"{BASE}/9?ms=10&fail=1")
        except aiohttp.ClientResponseError as e:
            print("gave up:", e.status)
        sem = asyncio.Semaphore(3)
        statuses = await asyncio.gather(*(process_with_semaphore(session, sem, f"{BASE}/{i}?ms=100") for i in range(9)))
        print(statuses)
        async with AsyncResource("db") as r:
            print("using", r.name)
        dp = DataProcessor(session)
        print(await asyncio.gather(*(dp.run(i) for i in range(3))), dp.saved)
    print(f"total {(time.perf_counter() - t0) * 1000:.0f} ms")

asyncio.run(main())

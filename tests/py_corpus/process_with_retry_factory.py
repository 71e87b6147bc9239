# The article's process_with_retry with its one-line fix: it takes a coroutine *function* and
# awaits a fresh coroutine each attempt (`await coro()`), so a retry really retries the request.
import asyncio
import aiohttp

async def process_with_retry(coro, max_retries=3, delay=1):
    for i in range(max_retries):
        try:
            return await coro()
        except Exception as e:
            if i == max_retries - 1:
                raise
            print(f"Retry {i+1}/{max_retries}...")
            await asyncio.sleep(delay)

attempts = 0

async def flaky(session):
    # Fails twice (HTTP 500), then succeeds: the third attempt is the charm.
    global attempts
    attempts += 1
    fail = 1 if attempts < 3 else 0
    async with session.get(f"api/item/7?ms=200&fail={fail}") as resp:
        resp.raise_for_status()
        return await resp.json()

async def main():
    async with aiohttp.ClientSession() as session:
        item = await process_with_retry(lambda: flaky(session), delay=0.5)
        print(f"item {item['id']} fetched after {attempts} attempts")
        try:
            await process_with_retry(lambda: flaky_forever(session), max_retries=2, delay=0.25)
        except aiohttp.ClientResponseError as e:
            print(f"gave up with status {e.status}")

async def flaky_forever(session):
    async with session.get("api/item/8?ms=100&fail=1") as resp:
        resp.raise_for_status()
        return await resp.json()

asyncio.run(main())

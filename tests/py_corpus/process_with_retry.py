# The article's process_with_retry, unchanged. It awaits the same coroutine object again after a
# failure, which CPython refuses ("cannot reuse already awaited coroutine"): a failing request is
# tried once, then each retry fails at once with that RuntimeError, and the last one is raised.
import asyncio
import aiohttp

async def process_with_retry(coro, max_retries=3, delay=1):
    for i in range(max_retries):
        try:
            return await coro
        except Exception as e:
            if i == max_retries - 1:
                raise
            print(f"Retry {i+1}/{max_retries}...")
            await asyncio.sleep(delay)

async def fetch(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()
        return await resp.json()

async def main():
    async with aiohttp.ClientSession() as session:
        ok = await process_with_retry(fetch(session, "api/item/1?ms=200&fail=0"))
        print(f"item {ok['id']} fetched")
        try:
            await process_with_retry(fetch(session, "api/item/2?ms=300&fail=1"), delay=0.5)
        except Exception as e:
            print(f"gave up: {type(e).__name__}: {e}")

asyncio.run(main())

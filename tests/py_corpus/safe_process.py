# The article's safe_process, unchanged, guarding six requests to the offline mock API (two fail).
import asyncio
import aiohttp

async def safe_process(coro, default=None):
    try:
        return await coro
    except Exception as e:
        print(f"Error occurred during processing: {e}")
        return default

async def fetch(session, item_id, ms, fail):
    async with session.get(f"api/item/{item_id}?ms={ms}&fail={fail}") as resp:
        resp.raise_for_status()
        return await resp.json()

async def main():
    async with aiohttp.ClientSession() as session:
        plan = [(0, 300, 0), (1, 100, 1), (2, 250, 0), (3, 400, 1), (4, 150, 0), (5, 200, 0)]
        results = await asyncio.gather(
            *(safe_process(fetch(session, i, ms, fail), default={}) for i, ms, fail in plan)
        )
        print(f"{sum(1 for r in results if r)} of {len(results)} items fetched")

asyncio.run(main())

# The article's process_with_semaphore, unchanged, on 30 items at most 10 at a time; actual_process
# (which the article leaves out) is a request to the offline mock API.
import asyncio
import aiohttp

async def process_with_semaphore(items, concurrency=10):
    sem = asyncio.Semaphore(concurrency)

    async def process_item(item):
        async with sem:
            return await actual_process(item)

    return await asyncio.gather(
        *(process_item(item) for item in items)
    )

session = None

async def actual_process(item):
    async with session.get(f"api/item/{item}?ms={100 + (item * 53) % 300}&fail=0") as resp:
        return await resp.json()

async def main():
    global session
    async with aiohttp.ClientSession() as s:
        session = s
        results = await process_with_semaphore(range(30))
        print(f"{len(results)} items processed, 10 at a time")

asyncio.run(main())

# The article's crawler on 100 URLs of the offline mock API (the urls list is built, not written
# out; each request's planned time is its ms=), with the asyncio.run(main()) the article leaves out.
import asyncio
import aiohttp
import time

async def fetch_data(session, url):
    async with session.get(url) as response:
        return await response.text()

async def process_urls(urls):
    async with aiohttp.ClientSession() as session:
        tasks = []
        for url in urls:
            tasks.append(fetch_data(session, url))
        results = await asyncio.gather(*tasks)
        return results

async def main():
    urls = [
        f"api/item/{i}?ms={100 + (i * 37) % 400}&fail=0"
        for i in range(100)
    ]

    start_time = time.time()
    results = await process_urls(urls)
    end_time = time.time()

    print(f"Processing {len(urls)} URLs took: {end_time - start_time:.2f} seconds")

asyncio.run(main())

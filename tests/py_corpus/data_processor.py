# The article's DataProcessor, fetch -> process -> save, on 10 items of the offline mock API.
# Changes: no aiofiles (the file write is a 50 ms sleep after json.dumps), time.time() instead of
# datetime.now() for the timestamp, 10 items instead of 1000, and the asyncio.run(main()) call.
import asyncio
import aiohttp
import json
import time

class DataProcessor:
    def __init__(self):
        self.data_cache = {}

    async def fetch_data(self, url):
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return await response.json()

    async def save_to_file(self, filename, data):
        text = json.dumps(data)
        await asyncio.sleep(0.05)  # Stand-in for writing `text` to `filename`

    async def process_item(self, item_id):
        # Simulate getting data from API
        url = f'api/item/{item_id}?ms={200 + 50 * item_id}&fail=0'
        data = await self.fetch_data(url)

        # Process data
        processed_data = {
            'id': item_id,
            'timestamp': time.time(),
            'content': data
        }

        # Save to file
        filename = f'data_{item_id}.json'
        await self.save_to_file(filename, processed_data)

        return processed_data

    async def process_batch(self, item_ids):
        tasks = [self.process_item(item_id) for item_id in item_ids]
        return await asyncio.gather(*tasks)


async def main():
    processor = DataProcessor()
    item_ids = range(10)  # Process 10 items
    results = await processor.process_batch(item_ids)
    print(f"Successfully processed {len(results)} items")

asyncio.run(main())

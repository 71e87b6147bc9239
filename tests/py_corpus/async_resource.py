# The article's AsyncResource, unchanged, used by two tasks at once (the article shows the class only).
import asyncio

class AsyncResource:
    async def __aenter__(self):
        print("Acquiring resource...")
        await asyncio.sleep(1)  # Simulate resource acquisition
        return self

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        print("Releasing resource...")
        await asyncio.sleep(0.5)  # Simulate resource release

async def use(name, seconds):
    async with AsyncResource() as resource:
        print(f"{name} is using the resource")
        await asyncio.sleep(seconds)
    print(f"{name} is done")

async def main():
    await asyncio.gather(use("first", 2), use("second", 1))

asyncio.run(main())

import asyncio

async def prepare_coffee():
    print("Starting to brew coffee...")
    await asyncio.sleep(3)  # Simulating coffee brewing time
    print("Coffee is ready!")

async def prepare_eggs():
    print("Starting to fry eggs...")
    await asyncio.sleep(2)  # Simulating egg frying time
    print("Eggs are ready!")

async def main():
    # Concurrent execution of two tasks
    await asyncio.gather(prepare_coffee(), prepare_eggs())

asyncio.run(main())

# The article's breakfast without gather: main's gather line is replaced by two awaits (5 s, not 3 s).
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
    # One after the other: no concurrency
    await prepare_coffee()
    await prepare_eggs()

asyncio.run(main())

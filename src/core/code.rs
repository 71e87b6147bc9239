//! The code panel: for the current scenario, the Python asyncio code of its pattern and the Rust
//! code awaitlab runs for it, with the scenario's values filled in (`asyncio.Semaphore(3)`).
//!
//! Both are written for this project; the seed article is the reference for the Python idioms
//! (`safe_process`, `async with sem`, the DataProcessor), not a source copied from. The Rust is a
//! condensed but faithful view of `src/core/patterns/*.rs`: same calls, same order, same spans.
//! The Python `work(i)` draws its durations and failures from Python's `random`, in the same ranges
//! as awaitlab's seeded plan but not the same values.

use super::patterns::fallback::DEFAULT_VALUE;
use super::scenario::{Backoff, ErrorMode, Pattern, Preset, Scenario};
use super::workload::BREAKFAST;

/// Milliseconds as Python seconds: `40` → `0.04`, `3000` → `3`.
fn secs(ms: u32) -> String {
    format!("{}", f64::from(ms) / 1000.0)
}

fn python_work(s: &Scenario) -> String {
    if s.preset == Preset::Breakfast {
        let rows: Vec<String> =
            BREAKFAST.iter().map(|t| format!("    ({:?}, {}),", t.label, secs(t.duration_ms))).collect();
        return format!(
            "JOBS = [\n{}\n]\nN = len(JOBS)\n\n\nasync def work(i: int) -> str:\n    label, seconds = JOBS[i]\n    \
             await asyncio.sleep(seconds)\n    return f\"{{label}}: done\"\n",
            rows.join("\n")
        );
    }
    let duration = if s.min == s.max {
        format!("    ms = {}\n", s.min)
    } else {
        format!("    ms = random.randint({}, {})\n", s.min, s.max)
    };
    let failure = if s.fail > 0.0 {
        format!(
            "    if random.random() < {}:\n        raise RuntimeError(f\"simulated error after {{ms}} ms\")\n",
            s.fail
        )
    } else {
        String::new()
    };
    format!(
        "N = {tasks}\nrandom.seed({seed})\n\n\nasync def work(i: int) -> str:\n    \
         \"\"\"One request: {min}–{max} ms, failing with probability {fail}.\"\"\"\n{duration}    \
         await asyncio.sleep(ms / 1000)\n{failure}    return f\"{{ms}} ms\"\n",
        tasks = s.tasks,
        seed = s.seed,
        min = s.min,
        max = s.max,
        fail = s.fail,
    )
}

fn python_pause(s: &Scenario) -> String {
    let mut lines = match s.backoff {
        Backoff::Constant => format!("            pause = {}\n", secs(s.delay)),
        Backoff::Exponential => {
            format!("            pause = min({} * {} ** (attempt - 1), 600)\n", secs(s.delay), s.factor)
        }
    };
    if s.jitter > 0.0 {
        lines.push_str(&format!("            pause *= 1 - {} * random.random()  # jitter\n", s.jitter));
    }
    lines
}

fn python_main(s: &Scenario) -> String {
    let limit = s.effective_limit();
    let sem_line = |l: u32| format!("sem = asyncio.Semaphore({l})\n\n\n");
    let gather = |f: &str| {
        format!(
            "async def main():\n    return await asyncio.gather(*({f}(i) for i in range(N)), return_exceptions=True)\n"
        )
    };
    match s.pattern {
        Pattern::Sequential => "async def main():\n    results = []\n    for i in range(N):  # one at a time\n        \
                                try:\n            results.append(await work(i))\n        except Exception as e:\n            \
                                results.append(e)  # a failure does not stop the rest\n    return results\n"
            .into(),
        Pattern::Gather => match s.errors {
            ErrorMode::Collect => "async def main():\n    # every result or exception comes back, in task order\n    \
                                   return await asyncio.gather(*(work(i) for i in range(N)), return_exceptions=True)\n"
                .into(),
            ErrorMode::FailFast => "async def main():\n    # the first exception cancels every task still running\n    \
                                    async with asyncio.TaskGroup() as tg:\n        \
                                    tasks = [tg.create_task(work(i)) for i in range(N)]\n    \
                                    return [t.result() for t in tasks]\n"
                .into(),
        },
        Pattern::Semaphore => format!(
            "{}async def bounded(i: int) -> str:\n    async with sem:  # wait for a permit, hold it while working\n        \
             return await work(i)\n\n\n{}",
            sem_line(limit.unwrap_or(1)),
            gather("bounded")
        ),
        Pattern::Retry => {
            let attempts = s.retries;
            let (sem, outer, inner) = match (limit, s.hold) {
                (None, _) => (String::new(), "", "            return await work(i)\n".to_string()),
                (Some(l), true) => (
                    sem_line(l),
                    "    async with sem:  # the permit is held through every attempt and pause\n",
                    "            return await work(i)\n".to_string(),
                ),
                (Some(l), false) => (
                    sem_line(l),
                    "",
                    "            async with sem:  # a permit per attempt, given back for the pause\n                \
                     return await work(i)\n"
                        .to_string(),
                ),
            };
            let body = format!(
                "    for attempt in range(1, {attempts} + 1):\n        try:\n{inner}        except Exception:\n            \
                 if attempt == {attempts}:\n                raise  # out of attempts: the last error\n{}            \
                 await asyncio.sleep(pause)\n",
                python_pause(s)
            );
            let body = if outer.is_empty() {
                body
            } else {
                format!("{outer}{}", body.lines().map(|l| format!("    {l}\n")).collect::<String>())
            };
            format!("{sem}async def with_retry(i: int) -> str:\n{body}\n\n{}", gather("with_retry"))
        }
        Pattern::Fallback => format!(
            "async def safe_process(coro, default={DEFAULT_VALUE}):\n    try:\n        return await coro\n    \
             except Exception as e:\n        print(f\"falling back to {{default!r}}: {{e}}\")\n        return default\n\n\n\
             async def main():\n    return await asyncio.gather(*(safe_process(work(i)) for i in range(N)))\n"
        ),
        Pattern::Resource => {
            let (sem, body) = match limit {
                None => (String::new(), "    async with Resource():\n        return await work(i)\n".to_string()),
                Some(l) => (
                    sem_line(l),
                    "    async with sem:\n        async with Resource():\n            return await work(i)\n".to_string(),
                ),
            };
            format!(
                "class Resource:\n    async def __aenter__(self):\n        await asyncio.sleep({})  # acquire\n        \
                 return self\n\n    async def __aexit__(self, exc_type, exc, tb):\n        \
                 await asyncio.sleep({})  # release, also after an error\n        return False  # let the error through\n\n\n\
                 {sem}async def use(i: int) -> str:\n{body}\n\n{}",
                secs(s.acquire),
                secs(s.release),
                gather("use")
            )
        }
        Pattern::Pipeline => {
            let (sem, body) = match limit {
                None => (String::new(), "    data = await fetch(i)  # an error here skips process and save\n    \
                                         item = await process(i, data)\n    await save(item)\n    return data\n"
                    .to_string()),
                Some(l) => (
                    sem_line(l),
                    "    async with sem:\n        data = await fetch(i)  # an error here skips process and save\n        \
                     item = await process(i, data)\n        await save(item)\n        return data\n"
                        .to_string(),
                ),
            };
            format!(
                "async def fetch(i: int) -> str:\n    return await work(i)\n\n\n\
                 async def process(i: int, data: str) -> dict:\n    await asyncio.sleep({})\n    \
                 return {{\"id\": i, \"content\": data}}\n\n\n\
                 async def save(item: dict) -> None:\n    await asyncio.sleep({})\n\n\n\
                 {sem}async def process_item(i: int) -> str:\n{body}\n\n{}",
                secs(s.process),
                secs(s.save),
                gather("process_item")
            )
        }
        Pattern::Timeout => format!(
            "async def with_deadline(i: int) -> str:\n    # cancelled, and TimeoutError raised, after {} ms\n    \
             return await asyncio.wait_for(work(i), timeout={})\n\n\n{}",
            s.timeout,
            secs(s.timeout),
            gather("with_deadline")
        ),
        Pattern::Race => "async def main():\n    tasks = [asyncio.create_task(work(i)) for i in range(N)]\n    \
                          done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)\n    \
                          for t in pending:\n        t.cancel()  # the losers\n    \
                          await asyncio.gather(*pending, return_exceptions=True)\n    \
                          winner = min(done, key=tasks.index)  # ties: the lowest-numbered\n    \
                          return winner.result()\n"
            .into(),
        Pattern::AsCompleted => format!(
            "async def process(result: str) -> None:\n    await asyncio.sleep({})\n\n\n\
             async def main():\n    tasks = [asyncio.create_task(work(i)) for i in range(N)]\n    \
             for rank, next_done in enumerate(asyncio.as_completed(tasks), 1):\n        try:\n            \
             result = await next_done  # in the order they finish\n        except Exception as e:\n            \
             print(f\"#{{rank}} failed: {{e}}\")\n            continue\n        await process(result)\n",
            secs(s.process)
        ),
    }
}

/// The pattern as Python asyncio code (3.11+), with this scenario's values.
pub fn python(s: &Scenario) -> String {
    let imports = if s.preset == Preset::Random { "import asyncio\nimport random\n" } else { "import asyncio\n" };
    format!("# {}\n{imports}\n{}\n\n{}\n\nasyncio.run(main())\n", s.pattern.title(), python_work(s), python_main(s))
}

fn rust_gathered(n: u32, sem: &str, per_task: &str) -> String {
    format!(
        "{sem}join_all((0..{n}).map(|task| async move {{\n    let outcome = {per_task};\n    \
         ctx.finish(task, &outcome); // `done` / `failed`\n    outcome\n}}))\n.await\n"
    )
}

fn rust_sem(limit: Option<u32>) -> String {
    match limit {
        Some(l) => format!("let sem = Some(Semaphore::new({l})); // tokio::sync::Semaphore: FIFO, needs no runtime\n"),
        None => "let sem: Option<Semaphore> = None; // no limit given\n".into(),
    }
}

fn rust_body(s: &Scenario) -> String {
    let n = s.workload().len();
    let limit = s.effective_limit();
    match s.pattern {
        Pattern::Sequential => format!(
            "let mut outcomes = Vec::new();\nfor task in 0..{n} {{\n    \
             outcomes.push(ctx.single(task).await); // `work` span, then `done` / `failed`\n}}\noutcomes\n"
        ),
        Pattern::Gather => match s.errors {
            ErrorMode::Collect => format!(
                "// every task at once; every result or error comes back\n\
                 join_all((0..{n}).map(|task| ctx.single(task))).await\n"
            ),
            ErrorMode::FailFast => format!(
                "// results in the order they finish; the first error stops the loop, and dropping\n\
                 // `running` cancels the tasks still in it: their `work` spans close with `cancel`\n\
                 let mut running: FuturesUnordered<_> =\n    \
                 (0..{n}).map(|task| async move {{ (task, ctx.single(task).await) }}).collect();\n\
                 while let Some((task, outcome)) = running.next().await {{\n    \
                 if outcome.is_err() {{\n        break; // then ctx.cancelled(t, \"task {{task}} failed first\") for each unfinished t\n    }}\n}}\n\
                 drop(running);\n"
            ),
        },
        Pattern::Semaphore => rust_gathered(
            n,
            &format!(
                "let sem = Semaphore::new({}); // tokio::sync::Semaphore: FIFO, needs no runtime\n",
                limit.unwrap_or(1)
            ),
            "match ctx.permit(&sem, task, 1).await { // `wait` span (zero-length if a permit is free)\n        \
             Ok(_permit) => ctx.attempt(task, 1).await, // `work` span, permit held until it ends\n        \
             Err(e) => Err(e),\n    }",
        ),
        Pattern::Retry => {
            let pause = match s.backoff {
                Backoff::Constant => format!("{} ms", s.delay),
                Backoff::Exponential => format!("{} ms × {}^(attempt − 1)", s.delay, s.factor),
            };
            let jitter =
                if s.jitter > 0.0 { format!(", shortened by up to {} (seeded jitter)", s.jitter) } else { String::new() };
            let give_back = match (limit, s.hold) {
                (Some(_), false) => "        permit = None; // hold=0: give the permit back for the pause\n",
                (Some(_), true) => "        // hold=1: keep the permit through the pause\n",
                (None, _) => "",
            };
            format!(
                "async fn with_retries(ctx: &Ctx<impl Clock>, task: u32, sem: Option<&Semaphore>) -> Outcome {{\n    \
                 let mut permit = None;\n    let mut attempt = 1;\n    loop {{\n        if permit.is_none() {{\n            \
                 permit = ctx.maybe_permit(sem, task, attempt).await?; // `wait` span, if limited\n        }}\n        \
                 let outcome = ctx.attempt(task, attempt).await; // `work` span\n        \
                 if outcome.is_ok() || attempt >= {} {{\n            \
                 return outcome; // out of attempts: the last error\n        }}\n{give_back}        \
                 // `backoff` span: {pause}{jitter}\n        \
                 ctx.backoff(task, attempt, pause_ms(&ctx.scenario, &ctx.workload, task, attempt)).await;\n        \
                 attempt += 1;\n    }}\n}}\n\n{}",
                s.retries,
                rust_gathered(n, &rust_sem(limit), "with_retries(&ctx, task, sem.as_ref()).await")
            )
        }
        Pattern::Fallback => format!(
            "join_all((0..{n}).map(|task| async move {{\n    match ctx.attempt(task, 1).await {{ // `work` span\n        \
             Ok(value) => {{ ctx.finish(task, &Ok(value.clone())); Ok(value) }}\n        \
             Err(error) => {{\n            // a `fallback` mark instead of `failed`\n            \
             ctx.rec.record(task, 0, Kind::Fallback, Phase::Task, format!(\"{DEFAULT_VALUE} (error: {{error}})\"));\n            \
             Ok(\"{DEFAULT_VALUE}\".to_string())\n        }}\n    }}\n}}))\n.await\n"
        ),
        Pattern::Resource => format!(
            "async fn with_resource(ctx: &Ctx<impl Clock>, task: u32, sem: Option<&Semaphore>) -> Outcome {{\n    \
             let _permit = ctx.maybe_permit(sem, task, 1).await?; // `wait` span, if limited\n    \
             ctx.stage(task, 1, Phase::Acquire, {}).await?;         // __aenter__\n    \
             let outcome = ctx.attempt(task, 1).await;               // the body: `work` span\n    \
             let released = ctx.stage(task, 1, Phase::Release, {}).await; // __aexit__, even after an error\n    \
             outcome.and_then(|value| released.map(|_| value))\n}}\n\n{}",
            s.acquire,
            s.release,
            rust_gathered(n, &rust_sem(limit), "with_resource(&ctx, task, sem.as_ref()).await")
        ),
        Pattern::Pipeline => format!(
            "async fn process_item(ctx: &Ctx<impl Clock>, item: u32, sem: Option<&Semaphore>) -> Outcome {{\n    \
             let _permit = ctx.maybe_permit(sem, item, 1).await?; // `wait` span, if limited\n    \
             let data = ctx.fetch(item, 1).await?;                // an error here skips the rest\n    \
             ctx.stage(item, 1, Phase::Process, {}).await?;\n    \
             ctx.stage(item, 1, Phase::Save, {}).await?;\n    Ok(data)\n}}\n\n{}",
            s.process,
            s.save,
            rust_gathered(n, &rust_sem(limit), "process_item(&ctx, task, sem.as_ref()).await")
        ),
        Pattern::Timeout => format!(
            "// attempt_within races the work against a {} ms sleep; if the sleep wins, the work is\n\
             // dropped (cancelled) and its `work` span closes with `timeout`\n{}",
            s.timeout,
            rust_gathered(n, "", &format!("ctx.attempt_within(task, 1, {}).await", s.timeout))
        ),
        Pattern::Race => format!(
            "let racers: Vec<_> = (0..{n}).map(|task| Box::pin(ctx.single(task))).collect();\n\
             let (won, winner, losers) = select_all(racers).await; // the first to finish\n\
             drop(losers); // cancelled: their `work` spans close with `cancel`\n\
             // then: ctx.cancelled(task, \"task {{winner}} finished first\") for every loser\n"
        ),
        Pattern::AsCompleted => format!(
            "let (done, mut arrivals) = mpsc::unbounded();\n\
             let tasks = join_all((0..{n}).map(|task| {{\n    let done = done.clone();\n    async move {{\n        \
             let outcome = ctx.single(task).await;\n        let _ = done.unbounded_send((task, outcome.clone()));\n        \
             outcome\n    }}\n}}));\n\
             let consumer = async {{\n    while let Some((task, outcome)) = arrivals.next().await {{ // completion order\n        \
             if outcome.is_ok() {{\n            let span = ctx.rec.begin(task, 1, Phase::Process);\n            \
             ctx.clock.sleep({}.0).await;\n            span.end();\n        }}\n    }}\n}};\n\
             join(tasks, consumer).await.0\n",
            s.process
        ),
    }
}

/// The Rust awaitlab runs for this scenario (condensed from `src/core/patterns`), with its values.
pub fn rust(s: &Scenario) -> String {
    let file = s.pattern.key();
    format!(
        "// {}: what awaitlab runs (src/core/patterns/{file}.rs), with this scenario's values.\n\
         // `ctx` holds the clock (virtual or browser), the event recorder and the seeded workload;\n\
         // each span it records is one bar on the timeline.\n{}",
        s.pattern.title(),
        rust_body(s)
    )
}

//! The code panel: for the current scenario, the Python asyncio code of its pattern and the Rust
//! code awaitlab runs for it, with the scenario's values filled in (`asyncio.Semaphore(3)`).
//!
//! Both are written for this project; the seed article is the reference for the Python idioms
//! (`safe_process`, `async with sem`, the DataProcessor), not a source copied from. The Rust is a
//! condensed but faithful view of `src/core/patterns/*.rs`: same calls, same order, same spans.
//! The Python is a complete program: its `work(i)` plays this scenario's seeded plan, written out
//! as data (`code_plan.rs`), and it prints its makespan, so `python3` reproduces the prediction.
//! `code_lines.rs` maps each recorded event to the line of this code that causes it.

use super::code_plan::{python_uses_pool, python_work, python_work_call, secs, PYTHON_JITTER_DRAW};
use super::patterns::fallback::DEFAULT_VALUE;
use super::scenario::{Backoff, ErrorMode, Offload, Pattern, Preset, Scenario, Source};

fn python_pause(s: &Scenario) -> String {
    let mut lines = match s.backoff {
        Backoff::Constant => format!("            pause_ms = {}\n", s.delay),
        Backoff::Exponential => {
            format!("            pause_ms = min({} * {} ** (attempt - 1), 600_000)\n", s.delay, s.factor)
        }
    };
    if s.jitter > 0.0 {
        lines.push_str(&format!("            pause_ms *= 1 - {} * {PYTHON_JITTER_DRAW}  # seeded jitter\n", s.jitter));
    }
    lines
}

/// The semaphore every task shares (nothing without a limit), and the blank lines after it.
fn python_sem(limit: Option<u32>) -> String {
    limit.map_or_else(String::new, |l| format!("sem = asyncio.Semaphore({l})\n\n\n"))
}

/// `main` gathering `f(i)` for every task, errors returned.
fn python_gather_all(f: &str) -> String {
    format!("async def main():\n    return await asyncio.gather(*({f}(i) for i in range(N)), return_exceptions=True)\n")
}

fn python_main(s: &Scenario) -> String {
    let limit = s.effective_limit();
    match s.pattern {
        Pattern::Sequential => "async def main():\n    results = []\n    for i in range(N):  # one at a time\n        \
                                try:\n            results.append(await work(i))\n        except Exception as e:\n            \
                                results.append(e)  # a failure does not stop the rest\n    return results\n"
            .into(),
        Pattern::Gather => python_gather(s.errors),
        Pattern::Semaphore => format!(
            "{}async def bounded(i: int) -> str:\n    async with sem:  # wait for a permit, hold it while working\n        \
             return await work(i)\n\n\n{}",
            python_sem(limit),
            python_gather_all("bounded")
        ),
        Pattern::Retry => python_retry(s, limit),
        Pattern::Fallback => format!(
            "async def safe_process(coro, default={DEFAULT_VALUE}):\n    try:\n        return await coro\n    \
             except Exception as e:\n        print(f\"falling back to {{default!r}}: {{e}}\")\n        return default\n\n\n\
             async def main():\n    return await asyncio.gather(*(safe_process(work(i)) for i in range(N)))\n"
        ),
        Pattern::Resource => python_resource(s, limit),
        Pattern::Pipeline => python_pipeline(s, limit),
        Pattern::Timeout => format!(
            "async def with_deadline(i: int) -> str:\n    # {}\n    \
             return await asyncio.wait_for(work(i), timeout={})\n\n\n{}",
            if s.source == Source::Cpu && s.offload == Offload::Inline && s.preset == Preset::Random {
                // The deadline's timer cannot fire while compute() holds the loop, and wait_for
                // cancels only at an await, which work() never reaches: no task times out.
                format!("a {} ms deadline is a timer: it cannot interrupt compute(), which never awaits", s.timeout)
            } else {
                format!("cancelled, and TimeoutError raised, after {} ms", s.timeout)
            },
            secs(s.timeout),
            python_gather_all("with_deadline")
        ),
        Pattern::Race => "async def main():\n    tasks = [asyncio.create_task(work(i)) for i in range(N)]\n    \
                          done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)\n    \
                          # every task that finished in that instant is in `done`\n    \
                          for t in pending:\n        t.cancel()  # only the ones still running\n    \
                          await asyncio.gather(*pending, return_exceptions=True)\n    \
                          winner = min(done, key=tasks.index)  # ties: the lowest-numbered\n    \
                          return winner.exception() or winner.result()  # its error, or its value\n"
            .into(),
        Pattern::AsCompleted => format!(
            "async def process(result: str) -> None:\n    await asyncio.sleep({})\n\n\n\
             async def main():\n    tasks = [asyncio.create_task(work(i)) for i in range(N)]\n    \
             for rank, next_done in enumerate(asyncio.as_completed(tasks), 1):\n        try:\n            \
             result = await next_done  # in the order they finish\n        except Exception as e:\n            \
             print(f\"#{{rank}} failed: {{e}}\")\n            continue\n        await process(result)\n",
            secs(s.process)
        ),
        // python() returns the reader's own program instead.
        Pattern::Code => String::new(),
    }
}

/// `main` for gather, by what the first error does.
fn python_gather(errors: ErrorMode) -> String {
    match errors {
        ErrorMode::Collect => "async def main():\n    # every result or exception comes back, in task order\n    \
                               return await asyncio.gather(*(work(i) for i in range(N)), return_exceptions=True)\n"
            .into(),
        ErrorMode::Raise => "async def main():\n    tasks = [asyncio.create_task(work(i)) for i in range(N)]\n    \
                             try:\n        return await asyncio.gather(*tasks)\n    \
                             except Exception as e:\n        \
                             # the first error arrives here, but nothing was cancelled:\n        \
                             print(f\"gather raised {e!r}; the other tasks keep running\")\n        \
                             await asyncio.wait(tasks)  # (asyncio.run would cancel them on exit)\n"
            .into(),
        ErrorMode::FailFast => "async def main():\n    # the first exception cancels every task still running\n    \
                                try:\n        async with asyncio.TaskGroup() as tg:\n            \
                                tasks = [tg.create_task(work(i)) for i in range(N)]\n    \
                                except ExceptionGroup as group:  # what the TaskGroup raises\n        \
                                return group.exceptions  # the first error (and any of the same instant)\n    \
                                return [t.result() for t in tasks]\n"
            .into(),
    }
}

/// `with_retry` and `main` for retry, holding a permit or not.
fn python_retry(s: &Scenario, limit: Option<u32>) -> String {
    let attempts = s.retries;
    let call = python_work_call(s);
    let (sem, outer, inner) = match (limit, s.hold) {
        (None, _) => (String::new(), "", format!("            return await {call}\n")),
        (Some(l), true) => (
            python_sem(Some(l)),
            "    async with sem:  # the permit is held through every attempt and pause\n",
            format!("            return await {call}\n"),
        ),
        (Some(l), false) => (
            python_sem(Some(l)),
            "",
            format!(
                "            async with sem:  # a permit per attempt, given back for the pause\n                \
                 return await {call}\n"
            ),
        ),
    };
    let body = format!(
        "    for attempt in range(1, {attempts} + 1):\n        try:\n{inner}        except Exception:\n            \
         if attempt == {attempts}:\n                raise  # out of attempts: the last error\n{}            \
         await asyncio.sleep(pause_ms / 1000)\n",
        python_pause(s)
    );
    let body = if outer.is_empty() {
        body
    } else {
        format!("{outer}{}", body.lines().map(|l| format!("    {l}\n")).collect::<String>())
    };
    format!("{sem}async def with_retry(i: int) -> str:\n{body}\n\n{}", python_gather_all("with_retry"))
}

/// The `Resource` context manager and `main` for resource.
fn python_resource(s: &Scenario, limit: Option<u32>) -> String {
    let (sem, body) = match limit {
        None => (String::new(), "    async with Resource():\n        return await work(i)\n".to_string()),
        Some(l) => (
            python_sem(Some(l)),
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
        python_gather_all("use")
    )
}

/// The three stages and `main` for pipeline.
fn python_pipeline(s: &Scenario, limit: Option<u32>) -> String {
    let (sem, body) = match limit {
        None => (
            String::new(),
            "    data = await fetch(i)  # an error here skips process and save\n    \
                                 item = await process(i, data)\n    await save(item)\n    return data\n"
                .to_string(),
        ),
        Some(l) => (
            python_sem(Some(l)),
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
        python_gather_all("process_item")
    )
}

/// The pattern as a complete Python asyncio program (3.11+) playing this scenario's plan; it prints
/// its makespan (`makespan_ms=...`) as its last line.
pub fn python(s: &Scenario) -> String {
    if s.pattern == Pattern::Code {
        return s.code.clone();
    }
    let work = python_work(s);
    let random = if work.contains("random.seed(") { "import random\n" } else { "" };
    let run = "start = time.perf_counter()\nasyncio.run(main())\n\
               print(f\"makespan_ms={(time.perf_counter() - start) * 1000:.1f}\")\n";
    // A process pool's workers import this file again: only the main process runs it.
    let (pool, run) = if python_uses_pool(s) {
        let guarded: String = run.lines().map(|l| format!("    {l}\n")).collect();
        (
            "from concurrent.futures import ProcessPoolExecutor\n",
            format!("if __name__ == \"__main__\":  # each worker of the pool imports this file\n{guarded}"),
        )
    } else {
        ("", run.to_string())
    };
    format!(
        "# {}\nimport asyncio\n{random}import time\n{pool}\n{work}\n\n{}\n\n{run}",
        s.pattern.title(),
        python_main(s)
    )
}

fn rust_gathered(n: u32, per_task: &str) -> String {
    format!(
        "// a task for each of (0..{n}) (`lp.spawn`, like asyncio.create_task), gathered; each\n\
         // task's `done` / `failed` mark is recorded as it finishes\nctx.gather_each(lp, |task| {per_task}).await\n"
    )
}

fn rust_sem(limit: Option<u32>) -> String {
    match limit {
        Some(l) => format!("// ctx.sem = Some(aio::Semaphore::new({l})): asyncio's, FIFO\n"),
        None => "// ctx.sem = None: no limit given, so ctx.permit() returns None at once\n".into(),
    }
}

/// The body of gather, by what the first error does.
fn rust_gather(errors: ErrorMode, n: u32) -> String {
    match errors {
        ErrorMode::Collect => format!(
            "// every task at once; every result or error comes back\n\
             aio::gather(lp, (0..{n}).map(|task| ctx.single(task))).await\n"
        ),
        ErrorMode::Raise => format!(
            "// plain gather: the caller learns of the first error, but nothing is cancelled;\n\
             // every task still runs to its end\n\
             let tasks: Vec<_> = (0..{n}).map(|task| lp.spawn(ctx.single(task))).collect();\n\
             aio::wait_all(&tasks).await;\n"
        ),
        ErrorMode::FailFast => format!(
            "// TaskGroup: each task reports through a done callback; the first error cancels\n\
             // every task not yet done (one that finished in the same instant keeps its result)\n\
             let tasks: Vec<_> = (0..{n}).map(|task| lp.spawn(ctx.single(task))).collect();\n\
             for (i, task) in tasks.iter().enumerate() {{\n    task.add_done_callback(move || {{\n        \
             if failed(i) && !aborting.replace(true) {{\n            \
             for (other, t) in tasks.iter().enumerate() {{\n                \
             t.cancel(move || ctx.cancelled(other, \"task {{i}} failed first\")); // `cancel` + `failed`\n            \
             }}\n        }}\n    }});\n}}\nall_done.wait().await;\n"
        ),
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
        Pattern::Gather => rust_gather(s.errors, n),
        Pattern::Semaphore => format!(
            "{}{}",
            rust_sem(limit),
            rust_gathered(
                n,
                "async move {\n    let _permit = ctx.permit(task, 1).await; // `wait` span (zero-length if a permit is free)\n    \
                 ctx.attempt(task, 1).await // `work` span, permit held until it ends\n}"
            )
        ),
        Pattern::Retry => rust_retry(s, limit),
        Pattern::Fallback => format!(
            "aio::gather(lp, (0..{n}).map(|task| async move {{\n    match ctx.attempt(task, 1).await {{ // `work` span\n        \
             Ok(value) => {{ ctx.finish(task, &Ok(value.clone())); Ok(value) }}\n        \
             Err(error) => {{\n            // a `fallback` mark instead of `failed`\n            \
             ctx.rec.record(task, 0, Kind::Fallback, Phase::Task, format!(\"{DEFAULT_VALUE} (error: {{error}})\"));\n            \
             Ok(\"{DEFAULT_VALUE}\".to_string())\n        }}\n    }}\n}}))\n.await\n"
        ),
        Pattern::Resource => format!(
            "async fn with_resource(ctx: &Ctx, task: u32) -> Outcome {{\n    \
             let _permit = ctx.permit(task, 1).await; // `wait` span, if limited\n    \
             ctx.stage(task, 1, Phase::Acquire, {}).await?;         // __aenter__\n    \
             let outcome = ctx.attempt(task, 1).await;               // the body: `work` span\n    \
             let released = ctx.stage(task, 1, Phase::Release, {}).await; // __aexit__, even after an error\n    \
             outcome.and_then(|value| released.map(|_| value))\n}}\n\n{}{}",
            s.acquire,
            s.release,
            rust_sem(limit),
            rust_gathered(n, "with_resource(ctx, task)")
        ),
        Pattern::Pipeline => format!(
            "async fn process_item(ctx: &Ctx, item: u32) -> Outcome {{\n    \
             let _permit = ctx.permit(item, 1).await; // `wait` span, if limited\n    \
             let data = ctx.fetch(item, 1).await?;    // an error here skips the rest\n    \
             ctx.stage(item, 1, Phase::Process, {}).await?;\n    \
             ctx.stage(item, 1, Phase::Save, {}).await?;\n    Ok(data)\n}}\n\n{}{}",
            s.process,
            s.save,
            rust_sem(limit),
            rust_gathered(n, "process_item(ctx, task)")
        ),
        Pattern::Timeout => format!(
            "// attempt_within races the work against a {} ms sleep armed first; if the sleep is due\n\
             // first or at the same time, the work is dropped (cancelled) and its `work` span closes\n\
             // with `timeout`\n{}",
            s.timeout,
            rust_gathered(n, &format!("ctx.attempt_within(task, 1, {})", s.timeout))
        ),
        Pattern::Race => format!(
            "let tasks: Vec<_> = (0..{n}).map(|task| lp.spawn(ctx.single(task))).collect();\n\
             // asyncio.wait(FIRST_COMPLETED): a done callback on each task sets `first`\n\
             first.wait().await;\n\
             // every task done by now is a winner; only the ones still running are cancelled\n\
             for (task, t) in tasks.iter().enumerate().filter(|(_, t)| !t.is_done()) {{\n    \
             t.cancel(move || ctx.cancelled(task, \"... finished first\")); // `cancel` + `failed`\n}}\n"
        ),
        Pattern::AsCompleted => format!(
            "let tasks: Vec<_> = (0..{n}).map(|task| lp.spawn(ctx.single(task))).collect();\n\
             // each finished task is queued by a done callback, in completion order\n\
             for rank in 1..={n} {{\n    let task = arrivals.get().await;\n    \
             if succeeded(task) {{\n        let span = ctx.rec.begin(task, 1, Phase::Process);\n        \
             ctx.clock.sleep({}.0).await;\n        span.end_with(format!(\"#{{rank}} to complete\"));\n    }}\n}}\n",
            s.process
        ),
        Pattern::Code => "// core::py::interp runs the program in the Python tab: each statement it executes\n\
                          // records its task's spans and marks on the run's clock, as a pattern does.\n"
            .into(),
    }
}

fn rust_retry(s: &Scenario, limit: Option<u32>) -> String {
    let n = s.workload().len();
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
        "async fn with_retries(ctx: &Ctx, task: u32) -> Outcome {{\n    \
         let mut permit = None;\n    let mut attempt = 1;\n    loop {{\n        if permit.is_none() {{\n            \
         permit = ctx.permit(task, attempt).await; // `wait` span, if limited\n        }}\n        \
         let outcome = ctx.attempt(task, attempt).await; // `work` span\n        \
         if outcome.is_ok() || attempt >= {} {{\n            \
         return outcome; // out of attempts: the last error\n        }}\n{give_back}        \
         // `backoff` span: {pause}{jitter} (not rounded)\n        \
         ctx.backoff(task, attempt, pause_ms(&ctx.scenario, &ctx.workload, task, attempt)).await;\n        \
         attempt += 1;\n    }}\n}}\n\n{}{}",
        s.retries,
        rust_sem(limit),
        rust_gathered(n, "with_retries(ctx, task)")
    )
}

/// `source=cpu`: the work every `ctx.attempt` runs, `cpu::CpuWork` (condensed from
/// `src/core/cpu.rs`): computed on the loop's thread, or queued for a place in a pool of Web
/// Workers, the Rust side of Python's `compute(ms)` and `loop.run_in_executor(pool, ...)`.
fn rust_cpu(s: &Scenario) -> String {
    match s.offload {
        Offload::Inline => "\n// source=cpu, offload=inline: ctx.work is cpu::CpuWork (src/core/cpu.rs), so each\n\
             // attempt computes on the event loop's own thread: nothing else runs until it returns\n\
             impl Work for CpuWork {\n    fn run(&self, plan: &Attempt) -> WorkFuture {\n        \
             let (units, fails) = (plan.duration_ms, plan.fails);\n        Box::pin(async move {\n            \
             burn(units); // computes inline: the virtual clock blocks (VirtualClock::block), the browser hashes\n            \
             outcome(units, fails, None) // Err: \"simulated error after … ms of computation\"\n        \
             })\n    }\n}\n"
            .into(),
        Offload::Workers => format!(
            "\n// source=cpu, offload=workers: ctx.work is cpu::CpuWork (src/core/cpu.rs) over a pool of\n\
             // {} Web Workers (cpu::Pool, first come first served); ctx.attempt awaits `queue` first\n\
             impl Work for CpuWork {{\n    fn queue(&self, plan: &Attempt) -> Option<QueueFuture> {{\n        \
             let (acquire, plan) = (self.pool.acquire(), plan.clone());\n        Some(Box::pin(async move {{\n            \
             let place = acquire.await; // `wait` span until a worker is free, closed with its name\n            \
             let job = (self.run)(place.id, &plan); // posts the job to that Web Worker (predicted: sleeps its ms)\n            \
             let bound: WorkFuture = Box::pin(async move {{\n                \
             let out = job.await; // `work` span: computed on the worker, the loop stays free\n                \
             drop(place); // the worker is free again\n                out // Err: \"simulated error after … ms of computation on worker k\"\n            \
             }});\n            (format!(\"worker {{}}\", place.id + 1), bound)\n        }}))\n    }}\n}}\n",
            s.workers
        ),
    }
}

/// The Rust awaitlab runs for this scenario (condensed from `src/core/patterns`), with its values.
pub fn rust(s: &Scenario) -> String {
    let file = s.pattern.key();
    let cpu = if s.source == Source::Cpu { rust_cpu(s) } else { String::new() };
    format!(
        "// {}: what awaitlab runs (src/core/patterns/{file}.rs), with this scenario's values.\n\
         // `ctx` holds the clock (virtual or browser), the event recorder and the seeded workload;\n\
         // each span it records is one bar on the timeline.\n{}{cpu}",
        s.pattern.title(),
        rust_body(s)
    )
}

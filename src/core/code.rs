//! The code panel: for the current scenario, the Python asyncio code of its pattern and the Rust
//! code awaitlab runs for it, with the scenario's values filled in (`asyncio.Semaphore(3)`).
//!
//! Both are written for this project; the seed article is the reference for the Python idioms
//! (`safe_process`, `async with sem`, the DataProcessor), not a source copied from. The Rust is a
//! condensed but faithful view of `src/core/patterns/*.rs`: same calls, same order, same spans.
//! The Python is a complete program: its `work(i)` plays this scenario's seeded plan, written out
//! as data (`code_plan.rs`), and it prints its makespan, so `python3` reproduces the prediction.
//! `what_if` cancels are a `CANCEL_AT_MS` table and `cancellable(i, body)`, which cancels the task
//! at its time as `Ctx::until_cancelled` does (the Rust tab says how awaitlab does it).
//! `code_lines.rs` maps each recorded event to the line of this code that causes it.

use super::code_plan::{python_uses_pool, python_work, python_work_call, secs, PYTHON_JITTER_DRAW};
use super::patterns::fallback::DEFAULT_VALUE;
use super::scenario::{Backoff, ErrorMode, Offload, Pattern, Preset, Scenario, Source};
use super::what_if::Change;

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

/// `main` gathering `f(i)` for every task, errors returned (each through `cancellable` when
/// `what_if` cancels some).
fn python_gather_all(s: &Scenario, f: &str) -> String {
    if has_cancels(s) {
        format!(
            "async def main():\n    bodies = (cancellable(i, {f}(i)) for i in range(N))\n    \
             return await asyncio.gather(*bodies, return_exceptions=True)\n"
        )
    } else {
        format!(
            "async def main():\n    return await asyncio.gather(*({f}(i) for i in range(N)), return_exceptions=True)\n"
        )
    }
}

/// The tasks `what_if` cancels and when, ms after the run starts, in task order.
fn cancels(s: &Scenario) -> Vec<(u32, u32)> {
    s.what_if
        .entries()
        .iter()
        .filter_map(|o| match o.change {
            Change::CancelAt(ms) => Some((o.task, ms)),
            Change::Plan { .. } => None,
        })
        .collect()
}

fn has_cancels(s: &Scenario) -> bool {
    !cancels(s).is_empty()
}

/// `what_if`'s cancels (none: nothing): the `CANCEL_AT_MS` table and `cancellable`, which runs a
/// task's body and cancels the task at its time wherever it is, as awaitlab's
/// `Ctx::until_cancelled` does: the timer is armed when the task starts (a task whose time has
/// passed by then never starts) and a task done before it is not affected.
fn python_cancellable(s: &Scenario) -> String {
    let table = cancels(s);
    if table.is_empty() {
        return String::new();
    }
    let items: Vec<String> = table.iter().map(|(task, ms)| format!("{task}: {ms}")).collect();
    format!(
        "\n\n# what_if: tasks cancelled this many ms after the run starts, wherever they are then\n\
         CANCEL_AT_MS = {{{}}}\n\n\n\
         async def cancellable(i: int, coro):\n    \
         \"\"\"Task i's body; with a time in CANCEL_AT_MS the task is cancelled then, as\n    \
         loop.call_at(that time, task.cancel) would: a task done by then is not affected, one\n    \
         whose time has passed before it starts never starts.\"\"\"\n    \
         if i not in CANCEL_AT_MS:\n        return await coro\n    \
         # `start` is set before asyncio.run: the time left counts from the run's start\n    \
         left = CANCEL_AT_MS[i] / 1000 - (time.perf_counter() - start)\n    \
         if left <= 0:\n        coro.close()  # never started\n        raise asyncio.CancelledError\n    \
         timer = asyncio.get_running_loop().call_later(left, asyncio.current_task().cancel)\n    \
         try:\n        return await coro\n    finally:\n        timer.cancel()  # done in time: not cancelled\n",
        items.join(", ")
    )
}

fn python_main(s: &Scenario) -> String {
    let limit = s.effective_limit();
    match s.pattern {
        Pattern::Sequential => {
            let (step, cancelled) = if has_cancels(s) {
                (
                    "            # a task of its own, so that a what_if cancel cancels it and not main\n            \
                     results.append(await asyncio.create_task(cancellable(i, work(i))))\n",
                    "        except asyncio.CancelledError:\n            \
                     results.append(\"cancelled\")  # by what_if: the rest still run\n",
                )
            } else {
                ("            results.append(await work(i))\n", "")
            };
            format!(
                "async def main():\n    results = []\n    for i in range(N):  # one at a time\n        try:\n{step}\
                 {cancelled}        except Exception as e:\n            \
                 results.append(e)  # a failure does not stop the rest\n    return results\n"
            )
        }
        Pattern::Gather => python_gather(s),
        Pattern::Semaphore => format!(
            "{}async def bounded(i: int) -> str:\n    async with sem:  # wait for a permit, hold it while working\n        \
             return await work(i)\n\n\n{}",
            python_sem(limit),
            python_gather_all(s, "bounded")
        ),
        Pattern::Retry => python_retry(s, limit),
        Pattern::Fallback => format!(
            "async def safe_process(coro, default={DEFAULT_VALUE}):\n    try:\n        return await coro\n    \
             except Exception as e:\n        print(f\"falling back to {{default!r}}: {{e}}\")\n        return default\n\n\n\
             async def main():\n{}",
            if has_cancels(s) {
                "    bodies = (cancellable(i, safe_process(work(i))) for i in range(N))\n    \
                 # a task cancelled by what_if gets its CancelledError back instead of a value\n    \
                 return await asyncio.gather(*bodies, return_exceptions=True)\n"
            } else {
                "    return await asyncio.gather(*(safe_process(work(i)) for i in range(N)))\n"
            }
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
            python_gather_all(s, "with_deadline")
        ),
        Pattern::Race => format!(
            "async def main():\n    tasks = [asyncio.create_task({}) for i in range(N)]\n    \
             done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)\n    \
             # every task that finished in that instant is in `done`\n    \
             for t in pending:\n        t.cancel()  # only the ones still running\n    \
             await asyncio.gather(*pending, return_exceptions=True)\n    \
             winner = min(done, key=tasks.index)  # ties: the lowest-numbered\n{}    \
             return winner.exception() or winner.result()  # its error, or its value\n",
            python_body(s),
            if has_cancels(s) {
                "    if winner.cancelled():  # cancelled by what_if: done too, without a result\n        return None\n"
            } else {
                ""
            }
        ),
        Pattern::AsCompleted => format!(
            "async def process(result: str) -> None:\n    await asyncio.sleep({})\n\n\n\
             async def main():\n    tasks = [asyncio.create_task({}) for i in range(N)]\n    \
             for rank, next_done in enumerate(asyncio.as_completed(tasks), 1):\n        try:\n            \
             result = await next_done  # in the order they finish\n{}        except Exception as e:\n            \
             print(f\"#{{rank}} failed: {{e}}\")\n            continue\n        await process(result)\n",
            secs(s.process),
            python_body(s),
            if has_cancels(s) {
                "        except asyncio.CancelledError:\n            print(f\"#{rank} was cancelled (what_if)\")\n            \
                 continue\n"
            } else {
                ""
            }
        ),
        // python() returns the reader's own program instead.
        Pattern::Code => String::new(),
    }
}

/// A task's body in `main`: `work(i)`, through `cancellable` when `what_if` cancels some.
fn python_body(s: &Scenario) -> &'static str {
    if has_cancels(s) {
        "cancellable(i, work(i))"
    } else {
        "work(i)"
    }
}

/// `main` for gather, by what the first error does (through `cancellable` when `what_if`
/// cancels some tasks).
fn python_gather(s: &Scenario) -> String {
    let (body, cancel) = (python_body(s), has_cancels(s));
    match s.errors {
        ErrorMode::Collect if cancel => format!(
            "async def main():\n    \
             # every result or exception (or CancelledError) comes back, in task order\n    \
             bodies = ({body} for i in range(N))\n    \
             return await asyncio.gather(*bodies, return_exceptions=True)\n"
        ),
        ErrorMode::Collect => "async def main():\n    # every result or exception comes back, in task order\n    \
                               return await asyncio.gather(*(work(i) for i in range(N)), return_exceptions=True)\n"
            .into(),
        ErrorMode::Raise => format!(
            "async def main():\n    tasks = [asyncio.create_task({body}) for i in range(N)]\n    \
             try:\n        return await asyncio.gather(*tasks)\n    \
             except {} as e:\n        \
             # the first error{} arrives here, but nothing was cancelled:\n        \
             print(f\"gather raised {{e!r}}; the other tasks keep running\")\n        \
             await asyncio.wait(tasks)  # (asyncio.run would cancel them on exit)\n",
            if cancel { "(Exception, asyncio.CancelledError)" } else { "Exception" },
            if cancel { " (or a what_if cancel)" } else { "" },
        ),
        ErrorMode::FailFast => format!(
            "async def main():\n    # the first exception cancels every task still running\n    \
             try:\n        async with asyncio.TaskGroup() as tg:\n            \
             tasks = [tg.create_task({body}) for i in range(N)]\n    \
             except ExceptionGroup as group:  # what the TaskGroup raises\n        \
             return group.exceptions  # the first error (and any of the same instant)\n{}",
            if cancel {
                "    # a task cancelled by what_if has no result (and did not abort the group)\n    \
                 return [None if t.cancelled() else t.result() for t in tasks]\n"
            } else {
                "    return [t.result() for t in tasks]\n"
            }
        ),
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
    format!("{sem}async def with_retry(i: int) -> str:\n{body}\n\n{}", python_gather_all(s, "with_retry"))
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
        python_gather_all(s, "use")
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
        python_gather_all(s, "process_item")
    )
}

/// `s` as a program of its own (`pattern=code`): its pattern's [`python`], the other keys kept
/// (seed, min/max and fail still plan the requests). What the code panel's Edit, "Your own code"
/// picked in the Pattern menu and a link naming no program open the editor on.
pub fn as_program(s: &Scenario) -> Scenario {
    Scenario { pattern: Pattern::Code, code: python(s), ..s.clone() }
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
        "# {}\nimport asyncio\n{random}import time\n{pool}\n{work}{}\n\n{}\n\n{run}",
        s.pattern.title(),
        python_cancellable(s),
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

/// `what_if`'s cancels (none: nothing): how the pattern's tasks are cancelled at their times,
/// `Ctx::until_cancelled` (`src/core/patterns/mod.rs`), or resource's own deadline.
fn rust_what_if(s: &Scenario) -> String {
    let table = cancels(s);
    if table.is_empty() || s.pattern == Pattern::Code {
        return String::new();
    }
    let when: Vec<String> = table.iter().map(|(task, ms)| format!("task {task} at {ms} ms")).collect();
    let head = format!(
        "\n// what_if cancels {}: a sleep to that time is armed when the task\n\
         // starts (a time already passed: the task never starts) and raced against the task's body\n",
        when.join(", ")
    );
    if s.pattern == Pattern::Resource {
        format!(
            "{head}// step by step, so the cancel lands where the task is: in the permit wait or acquire,\n\
             // nothing is released; in the body, the release still runs (holding the permit)\n\
             let step = unless_cancelled(&mut deadline, ctx.attempt(task, 1)).await; // `cancel`, then `failed`\n"
        )
    } else {
        format!(
            "{head}// (asyncio's loop.call_at(time, task.cancel)); the body is dropped if the sleep ends first\n\
             ctx.until_cancelled(task, body) // open spans close with `cancel`; a `failed` mark \"cancelled: what_if…\"\n"
        )
    }
}

/// The Rust awaitlab runs for this scenario (condensed from `src/core/patterns`), with its values.
pub fn rust(s: &Scenario) -> String {
    let file = s.pattern.key();
    let cpu = if s.source == Source::Cpu { rust_cpu(s) } else { String::new() };
    format!(
        "// {}: what awaitlab runs (src/core/patterns/{file}.rs), with this scenario's values.\n\
         // `ctx` holds the clock (virtual or browser), the event recorder and the seeded workload;\n\
         // each span it records is one bar on the timeline.\n{}{}{cpu}",
        s.pattern.title(),
        rust_body(s),
        rust_what_if(s)
    )
}

//! The pattern catalogue and the other choices a scenario makes (what gather does with an error,
//! how backoff grows, which tasks, what a task does, where CPU work runs, which clock): each a closed set of values
//! with the key links use and the label the form shows.

use serde::Serialize;

/// A closed set of values a parameter picks from: every value with its URL key and form label.
pub trait Choice: Copy + PartialEq + 'static {
    /// Every value, in the order the form lists them and error messages name them.
    const ALL: &'static [Self];
    /// The value in URLs and JSON.
    fn key(self) -> &'static str;
    /// How the form names it.
    fn label(self) -> &'static str;
}

/// `(key, label)` of every value of `T`, in order: a choice parameter's options.
pub fn options<T: Choice>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|c| (c.key(), c.label())).collect()
}

/// The value of `T` whose key is `key`, if any.
pub fn from_key<T: Choice>(key: &str) -> Option<T> {
    T::ALL.iter().copied().find(|c| c.key() == key)
}

/// Gives a small enum its `ALL` and `key()` (inherent, so callers need no import) and its
/// [`Choice`], from one line per value: `Value => ("key", "label")`.
macro_rules! choice {
    ($t:ident { $($v:ident => ($key:literal, $label:literal),)* }) => {
        impl $t {
            /// Every value, in form order.
            pub const ALL: &'static [$t] = &[$($t::$v),*];
            /// The value in URLs and JSON.
            pub fn key(self) -> &'static str {
                match self { $($t::$v => $key,)* }
            }
        }
        impl Choice for $t {
            const ALL: &'static [Self] = $t::ALL;
            fn key(self) -> &'static str {
                $t::key(self)
            }
            fn label(self) -> &'static str {
                match self { $($t::$v => $label,)* }
            }
        }
    };
}

/// A concurrency pattern from the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// One task after another: `for t in tasks: await t`.
    Sequential,
    /// All at once: `await asyncio.gather(*tasks)`; `errors` picks collect or fail-fast.
    Gather,
    /// At most `limit` at once: `async with asyncio.Semaphore(limit)`.
    Semaphore,
    /// Each task retried up to `retries` attempts with a backoff `delay` between them.
    Retry,
    /// The article's `safe_process`: an error becomes a default value.
    Fallback,
    /// An async context manager around each task: acquire, work, release (even after an error).
    Resource,
    /// The article's DataProcessor: fetch → process → save per item.
    Pipeline,
    /// `asyncio.wait_for(task, timeout)` per task: an overrun is cancelled.
    Timeout,
    /// The first task to finish wins; the others are cancelled.
    Race,
    /// `asyncio.as_completed`: each result is processed as soon as it arrives.
    AsCompleted,
    /// The reader's own program (the `code` key), interpreted by `core::py`.
    Code,
}

impl Pattern {
    /// Every pattern, in the order the UI lists them.
    pub const ALL: &'static [Pattern] = &[
        Pattern::Sequential,
        Pattern::Gather,
        Pattern::Semaphore,
        Pattern::Retry,
        Pattern::Fallback,
        Pattern::Resource,
        Pattern::Pipeline,
        Pattern::Timeout,
        Pattern::Race,
        Pattern::AsCompleted,
        Pattern::Code,
    ];

    /// The built-in patterns (every one but [`Pattern::Code`]): what tests of "every pattern"
    /// run, since a code scenario's behaviour is its program's.
    pub const BUILT_IN: &'static [Pattern] = Pattern::ALL.split_at(Pattern::ALL.len() - 1).0;

    /// The value used in URLs and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Pattern::Sequential => "sequential",
            Pattern::Gather => "gather",
            Pattern::Semaphore => "semaphore",
            Pattern::Retry => "retry",
            Pattern::Fallback => "fallback",
            Pattern::Resource => "resource",
            Pattern::Pipeline => "pipeline",
            Pattern::Timeout => "timeout",
            Pattern::Race => "race",
            Pattern::AsCompleted => "as_completed",
            Pattern::Code => "code",
        }
    }

    /// A short human title.
    pub fn title(self) -> &'static str {
        match self {
            Pattern::Sequential => "Sequential (await one by one)",
            Pattern::Gather => "Concurrent (asyncio.gather / join_all)",
            Pattern::Semaphore => "Bounded (asyncio.Semaphore)",
            Pattern::Retry => "Retry with backoff",
            Pattern::Fallback => "Fallback to a default (safe_process)",
            Pattern::Resource => "Async resource (async with)",
            Pattern::Pipeline => "Pipeline: fetch → process → save",
            Pattern::Timeout => "Timeout (asyncio.wait_for)",
            Pattern::Race => "Race (first to finish wins)",
            Pattern::AsCompleted => "As completed (asyncio.as_completed)",
            Pattern::Code => "Your own code (Python)",
        }
    }

    /// What the pattern does, in two or three plain sentences for the learner.
    pub fn explain(self) -> &'static str {
        match self {
            Pattern::Sequential => {
                "Each task starts only when the one before it has finished, so the total time is the sum of all \
                 the durations. While one task waits, nothing else runs."
            }
            Pattern::Gather => {
                "Every task starts at once and the call returns when the last one finishes, so the total time is \
                 the longest task, not the sum. On error decides what an error does: Collect returns every result \
                 or error; Raise (plain gather) hands the caller the first error but cancels nothing, so the rest \
                 keep running; TaskGroup cancels them, as asyncio.TaskGroup does."
            }
            Pattern::Semaphore => {
                "A semaphore hands out a fixed number of permits: a task waits for one before it runs and gives \
                 it back when it is done. At most Limit tasks run at once, and waiting tasks get permits in the \
                 order they asked for them."
            }
            Pattern::Retry => {
                "A failed attempt is tried again after a pause (the backoff), up to Attempts in all, the first \
                 included; a task that runs out of attempts fails with its last error. Each attempt calls the \
                 work afresh: the article's process_with_retry awaits the same coroutine again, which raises \
                 \"RuntimeError: cannot reuse already awaited coroutine\" instead of retrying. Inside a \
                 semaphore, holding the permit during the pause keeps other tasks waiting, releasing it lets them run."
            }
            Pattern::Fallback => {
                "Each task is wrapped so that an error is caught and replaced by a default value (None), like the \
                 article's safe_process. The batch always completes, and the lanes show which results are \
                 stand-ins."
            }
            Pattern::Resource => {
                "Each task runs inside an async context manager: acquiring the resource takes time, then the work \
                 runs, then releasing takes time. The release runs even when the work fails, which is the point \
                 of async with."
            }
            Pattern::Pipeline => {
                "Each item goes through three awaited stages in turn: fetch, process, save. Items move through \
                 their stages concurrently (or a few at a time under a limit), and a failed fetch skips the \
                 later stages of that item."
            }
            Pattern::Timeout => {
                "Each task gets a deadline: if its work takes at least as long as the Timeout, it is cancelled and \
                 fails with a timeout error. Tasks that finish in time are unaffected."
            }
            Pattern::Race => {
                "All tasks start at once and the first one to finish, with a result or an error, decides the \
                 outcome. Every task still running at that moment is cancelled, so no more time is spent on it (what \
                 it had done so far is thrown away); a task that finished in the same instant keeps its result."
            }
            Pattern::AsCompleted => {
                "All tasks start at once and their results are handled one by one in the order they finish, not \
                 the order they started. Each result gets a short processing step while the slower tasks are \
                 still running."
            }
            Pattern::Code => {
                "Your own asyncio program, run on the same event loop as the patterns. Each task it creates \
                 gets a lane named from the code; its sleeps, waits and requests are spans, and print lines go \
                 to the log under the timeline at their time."
            }
        }
    }

    /// [`Pattern::explain`] as its first sentence (the lesson's one line, shown above the runs)
    /// and the rest.
    pub fn lesson(self) -> (&'static str, &'static str) {
        let text = self.explain();
        match text.find(". ") {
            Some(end) => (&text[..=end], text[end + 2..].trim_start()),
            None => (text, ""),
        }
    }

    /// Whether the pattern's lesson is what happens on errors (nothing shows without failures).
    pub fn is_about_failures(self) -> bool {
        matches!(self, Pattern::Retry | Pattern::Fallback | Pattern::Resource)
    }

    /// Whether `limit` (a semaphore around each task) applies to this pattern.
    pub fn takes_limit(self) -> bool {
        super::params::param("limit").is_some_and(|p| p.used_by(self))
    }
}

impl Choice for Pattern {
    const ALL: &'static [Self] = Pattern::ALL;
    fn key(self) -> &'static str {
        Pattern::key(self)
    }
    fn label(self) -> &'static str {
        self.title()
    }
}

/// What gather does with the first error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorMode {
    /// Every result or error is returned (`return_exceptions=True`).
    Collect,
    /// `asyncio.TaskGroup`: the first error cancels the tasks still running.
    FailFast,
    /// Plain `asyncio.gather`: the caller gets the first error; the other tasks keep running.
    Raise,
}

choice!(ErrorMode {
    Collect => ("collect", "Collect (return_exceptions=True)"),
    Raise => ("raise", "Raise (plain gather: the rest keep running)"),
    FailFast => ("fail_fast", "TaskGroup (cancel the rest)"),
});

/// How the pause between retry attempts grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same `delay` before every retry.
    Constant,
    /// `delay × factor^(n−1)` before retry n.
    Exponential,
}

choice!(Backoff {
    Constant => ("constant", "Constant"),
    Exponential => ("exponential", "Exponential"),
});

/// Where the tasks come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// `tasks` seeded tasks with durations in `[min, max]` (the article's "N requests").
    Random,
    /// The article's opening example: brew coffee (3 s) and fry eggs (2 s).
    Breakfast,
}

choice!(Preset {
    Random => ("random", "N requests (seeded)"),
    Breakfast => ("breakfast", "Breakfast: coffee 3 s, eggs 2 s"),
});

/// What a task's work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A timer sleep (`asyncio.sleep`).
    Sleep,
    /// A real `fetch` of the `url` template (browser clock only; the virtual clock predicts it as
    /// a sleep of the planned duration).
    Fetch,
    /// CPU-bound work: `duration` units of real computation on the thread that runs it (the
    /// virtual clock predicts one unit as 1 ms of a blocked loop, or of a busy worker).
    Cpu,
}

choice!(Source {
    Sleep => ("sleep", "Timer sleep"),
    Fetch => ("fetch", "Real fetch"),
    Cpu => ("cpu", "CPU-bound work"),
});

/// source=cpu: where the computation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Offload {
    /// The coroutine calls the function directly: the event loop is blocked meanwhile.
    Inline,
    /// `await loop.run_in_executor(ProcessPoolExecutor(workers), work)`: a pool of `workers`.
    Workers,
}

choice!(Offload {
    Inline => ("inline", "The event loop (inline)"),
    Workers => ("workers", "A worker pool"),
});

/// Which clock a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// The browser's event loop: real timers, measured times.
    Browser,
    /// Simulated time: the predicted run.
    Virtual,
}

choice!(ClockKind {
    Browser => ("browser", "Browser (measured)"),
    Virtual => ("virtual", "Virtual (predicted)"),
});

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_names_are_keys<T: Choice + Serialize + std::fmt::Debug>() {
        for c in T::ALL {
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::Value::from(c.key())));
            assert_eq!(from_key::<T>(c.key()), Some(*c));
        }
    }

    #[test]
    fn json_names_the_values_as_links_do() {
        serde_names_are_keys::<Pattern>();
        serde_names_are_keys::<ErrorMode>();
        serde_names_are_keys::<Backoff>();
        serde_names_are_keys::<Preset>();
        serde_names_are_keys::<Source>();
        serde_names_are_keys::<Offload>();
        serde_names_are_keys::<ClockKind>();
    }
}

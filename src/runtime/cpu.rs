//! CPU-bound work in the browser: real computation, calibrated once so one unit takes about a
//! millisecond on this machine.
//!
//! The work is a hashing loop (a 64-bit mix, the kind a checksum does) in chunks of
//! [`ROUNDS_PER_CHUNK`] rounds. [`chunks_per_ms`] times the loop until its speed is stable (the
//! engine has compiled it with its optimizing tier) and keeps how many chunks one millisecond
//! holds. [`burn`] then runs `units` × that many chunks, blocking the thread it
//! runs on: the page's main thread for `offload=inline` (it is frozen meanwhile), a worker's
//! thread for `offload=workers`.

use std::cell::Cell;
use std::hint::black_box;

use std::rc::Rc;

use crate::core::clock::Clock;
use crate::core::cpu::{Calibration, CpuWork, Exec};
use crate::core::patterns::Work;
use crate::core::scenario::{Offload, Scenario};

use super::BrowserClock;

/// Hash rounds per chunk.
pub const ROUNDS_PER_CHUNK: u64 = 1_000;
/// One timing window of the calibration, ms.
const WINDOW_MS: f64 = 10.0;
/// The calibration takes at least this long (the engine's optimizing tier needs the time)…
const MIN_CALIBRATION_MS: f64 = 80.0;
/// …and at most this long.
const MAX_CALIBRATION_MS: f64 = 400.0;
/// Chunks a worker computes before saying it is ready.
const WARM_UP_CHUNKS: u32 = 40_000;

thread_local! {
    static CHUNKS_PER_MS: Cell<Option<f64>> = const { Cell::new(None) };
}

/// One chunk of the hashing loop, from `seed`.
#[inline(never)]
pub fn chunk(seed: u64) -> u64 {
    let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
    for i in 0..ROUNDS_PER_CHUNK {
        h ^= i;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 31;
    }
    h
}

fn run_for(clock: &BrowserClock, ms: f64) -> u64 {
    let start = clock.now();
    let mut chunks = 0u64;
    let mut h = 1u64;
    while clock.now() - start < ms {
        for _ in 0..16 {
            h = black_box(chunk(black_box(h)));
        }
        chunks += 16;
    }
    black_box(h);
    chunks
}

/// Hash chunks per millisecond, measured on first use and kept: the loop is timed in windows of
/// [`WINDOW_MS`] until two windows in a row agree within 3 % (the engine has finished compiling it
/// with its optimizing tier, which happens in the background) or [`MAX_CALIBRATION_MS`] have
/// passed; the fastest window counts (a slower one lost the core to another process).
pub fn chunks_per_ms() -> f64 {
    if let Some(c) = CHUNKS_PER_MS.with(Cell::get) {
        return c;
    }
    let clock = BrowserClock::new();
    let start = clock.now();
    let (mut best, mut prev) = (0.0f64, 0.0f64);
    loop {
        let t0 = clock.now();
        let chunks = run_for(&clock, WINDOW_MS);
        let rate = chunks as f64 / (clock.now() - t0).max(1e-3);
        best = best.max(rate);
        let spent = clock.now() - start;
        if (spent >= MIN_CALIBRATION_MS && (rate - prev).abs() <= 0.03 * rate) || spent >= MAX_CALIBRATION_MS {
            break;
        }
        prev = rate;
    }
    let c = best.max(1.0);
    CHUNKS_PER_MS.with(|cell| cell.set(Some(c)));
    c
}

/// Warms the loop up on a worker (so its first job does not run on the engine's baseline tier).
pub fn warm_up() {
    let mut h = 1u64;
    for _ in 0..WARM_UP_CHUNKS {
        h = black_box(chunk(black_box(h)));
    }
    black_box(h);
}

/// The calibration (measured now if it was not yet) and the cores the browser reports.
pub fn calibrate() -> Calibration {
    Calibration { rounds_per_ms: chunks_per_ms() * ROUNDS_PER_CHUNK as f64, cores: hardware_concurrency() }
}

/// `navigator.hardwareConcurrency`, 1 when unknown.
pub fn hardware_concurrency() -> u32 {
    let n = web_sys::window().map(|w| w.navigator().hardware_concurrency()).unwrap_or(1.0);
    if n.is_finite() && n >= 1.0 {
        n as u32
    } else {
        1
    }
}

/// Computes `units` units of work on this thread, with `chunks_per_ms` chunks to a unit.
pub fn burn_with(units: u32, chunks_per_ms: f64) -> u64 {
    let chunks = (f64::from(units) * chunks_per_ms).round() as u64;
    let mut h = u64::from(units);
    for _ in 0..chunks {
        h = black_box(chunk(black_box(h)));
    }
    h
}

/// Computes `units` units of work on this thread (≈ `units` ms), blocking it.
pub fn burn(units: u32) {
    black_box(burn_with(units, chunks_per_ms()));
}

/// The work of a measured `source=cpu` run.
pub fn work(scenario: &Scenario) -> Rc<dyn Work> {
    match scenario.offload {
        Offload::Inline => Rc::new(CpuWork::new(Exec::Inline(Rc::new(burn)))),
        Offload::Workers => Rc::new(CpuWork::new(super::workers::exec(scenario.workers as usize))),
    }
}

/// Before the run's clock starts: calibrate (inline), or have the pool's workers up (workers).
pub async fn prepare(scenario: &Scenario) -> Result<(), String> {
    match scenario.offload {
        Offload::Inline => {
            chunks_per_ms();
            Ok(())
        }
        Offload::Workers => super::workers::ready(scenario.workers as usize).await,
    }
}

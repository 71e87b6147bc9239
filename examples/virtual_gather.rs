//! The benchmark's virtual call, natively: `awaitlab.summary({pattern: 'gather', tasks: 100000,
//! min: 1, max: 1000, clock: 'virtual'})` as `src/runtime/api.rs` serves it (parse the params,
//! run on a fresh virtual clock, the summary as JSON), for timing and for callgrind:
//!
//! ```sh
//! cargo run --release --example virtual_gather -- [rounds] [tasks]
//! valgrind --tool=callgrind target/release/examples/virtual_gather 1
//! ```

use std::time::Instant;

use awaitlab::core::message::parse_scenario;
use awaitlab::core::run::run_virtual;

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let tasks = args.next().unwrap_or_else(|| "100000".into());
    let params =
        [("pattern", "gather"), ("tasks", tasks.as_str()), ("min", "1"), ("max", "1000"), ("clock", "virtual")];
    let pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t0 = Instant::now();
        let scenario = parse_scenario(&pairs).expect("valid params");
        let run = run_virtual(&scenario);
        let json = serde_json::to_string(&run.summary).expect("a summary");
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        times.push(ms);
        if times.len() == 1 {
            println!("{json}");
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let line: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
    println!("{rounds} rounds, ms: {} (median {:.1})", line.join(" "), sorted[sorted.len() / 2]);
}

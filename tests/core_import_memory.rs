//! Reading a Run JSON stores nothing of a field awaitlab ignores (read through a
//! `serde_json::Value`, 50 MB of padding would cost 830 MB). A test binary of its own, since it
//! counts every allocation of the process. Native only: in wasm the library brings its own
//! allocator (src/lib.rs).
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use awaitlab::core::run::{run_virtual, Run};
use awaitlab::core::scenario::Scenario;

/// The system allocator, keeping the most bytes ever live at once.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn padding_in_an_ignored_field_is_skipped_not_stored() {
    let s = Scenario::parse([("tasks", "5"), ("clock", "virtual")]).unwrap();
    let run = run_virtual(&s).to_json();
    // 4 MB of small numbers: a Value of them is 32 bytes each, 16 times the text.
    let padding = vec!["0"; 2_000_000].join(",");
    let text = format!("{{\"padding\":[{padding}],{}", &run[1..]);
    drop(padding);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let read = Run::from_json(&text).expect("a valid run with an extra field");
    let extra = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(read.to_json(), run);
    assert!(extra < 1_000_000, "reading {} bytes stored {extra} bytes at its peak", text.len());
}

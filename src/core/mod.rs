//! The pure core: patterns, clocks, scenarios, runs and timeline geometry. No web crate is used
//! here (a test reads these sources to make sure), so all of it runs and is tested natively.

pub mod aio;
pub mod budget;
pub mod clock;
pub mod code;
pub mod code_editor;
pub mod code_lines;
pub mod code_plan;
pub mod cpu;
pub mod event;
pub mod export;
pub mod gap;
pub mod guess;
pub mod highlight;
pub mod import;
pub mod limits;
pub mod live_frames;
pub mod message;
pub mod page;
pub mod palette;
pub mod patterns;
pub mod py;
pub mod replay;
pub mod run;
pub mod scenario;
pub mod spans;
pub mod timeline;
pub mod view;
pub mod what_if;
pub mod workload;

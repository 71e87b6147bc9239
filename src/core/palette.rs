//! The colours of a run's phases and states, stated once: the canvas paints bars with them, the
//! exported SVG inlines them, and static/style.css declares them as custom properties (`--work`…)
//! for the SVG timelines and the legend (a native test, tests/core_palette.rs, checks it does).

use super::event::{Kind, Phase};

/// One named colour in the light and the dark colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    /// The CSS custom property's name without its `--`.
    pub name: &'static str,
    pub light: &'static str,
    pub dark: &'static str,
}

const fn same(name: &'static str, value: &'static str) -> Colour {
    Colour { name, light: value, dark: value }
}

/// Every colour of the lanes and the concurrency strip. Bars keep their colours in the dark
/// scheme; the strip's line turns light on a dark page.
pub const PALETTE: &[Colour] = &[
    same("work", "#3a86c8"),
    same("work-fail", "#d1495b"),
    same("cancel", "#9aa3ad"),
    same("timeout", "#e07a1f"),
    same("wait", "#f2cc8f"),
    same("backoff", "#c9b6e4"),
    same("acquire", "#52b788"),
    same("release", "#2d6a4f"),
    same("fetch", "#5e60ce"),
    same("process", "#bc6c25"),
    same("save", "#2a9d8f"),
    Colour { name: "strip", light: "#1d3557", dark: "#8ecae6" },
    // The planned rest of work cut short (cancelled, timed out): never ran, so only a tint.
    same("unrun", "rgba(154, 163, 173, 0.3)"),
];

/// The colour called `name` in the dark scheme or not; the work colour for a name not in the table.
pub fn colour(name: &str, dark: bool) -> &'static str {
    let c = PALETTE.iter().find(|c| c.name == name).unwrap_or(&PALETTE[0]);
    if dark {
        c.dark
    } else {
        c.light
    }
}

/// The colour a bar of `phase` closed by `close` has on screen (the stylesheet's `.bar` rules): a
/// failure, cancellation or timeout by how it closed, anything else by its phase.
pub fn bar_colour_name(phase: Phase, close: Option<Kind>) -> &'static str {
    match close {
        Some(Kind::Fail) => "work-fail",
        Some(Kind::Cancel) => "cancel",
        Some(Kind::Timeout) => "timeout",
        _ => phase_colour_name(phase),
    }
}

/// The colour of a phase's bars that closed normally (a task-wide span has no rule of its own: it
/// is drawn as work).
pub fn phase_colour_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Work | Phase::Task => "work",
        Phase::Wait => "wait",
        Phase::Backoff => "backoff",
        Phase::Acquire => "acquire",
        Phase::Release => "release",
        Phase::Fetch => "fetch",
        Phase::Process => "process",
        Phase::Save => "save",
    }
}

//! Exports of a finished run, pure: Chrome Trace Event JSON (opens in Perfetto and
//! chrome://tracing) and a standalone SVG of its timeline with its styles inlined. The Run JSON
//! itself is [`Run::to_json`], read back by [`Run::from_json`].

use std::fmt::Write;

use serde_json::{json, Value};

use super::event::{Kind, Phase};
use super::palette;
use super::run::Run;
use super::timeline::{end_mark_path, format_ms, tasks_text, ticks, LabelPlace, Timeline};

/// The name a phase has in the Run JSON (`work`, `backoff`…): [`Phase::key`].
pub fn phase_name(phase: Phase) -> &'static str {
    phase.key()
}

/// The name an event kind has in the Run JSON.
pub fn kind_name(kind: Kind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn pattern_of(run: &Run) -> String {
    run.scenario.params.get("pattern").and_then(Value::as_str).unwrap_or("run").to_string()
}

/// Microseconds, as the Trace Event format counts them (whole when the ms value allows); 0 for a
/// time too large to write as a JSON number.
fn us(ms: f64) -> f64 {
    let us = (ms * 1000.0 * 1000.0).round() / 1000.0;
    if us.is_finite() {
        us
    } else {
        0.0
    }
}

/// The run as Chrome Trace Event JSON (`{"traceEvents": [...]}`): process 1 is the run, thread
/// `task + 1` is task `task`'s lane (named by its label), one complete event (`X`) per span
/// named by its phase, instant events (`i`) for done / failed / fallback, and a counter (`C`)
/// named `concurrency` for the tasks in flight. Written straight to text: a `serde_json::Value`
/// per trace event took 9.6 s and gigabytes for a 900,000-event run.
pub fn chrome_trace(run: &Run) -> String {
    let tl = Timeline::build(run.summary.tasks, &run.events, f64::INFINITY);
    let mut out = TraceOut { text: String::with_capacity(64 + run.events.len() * 120), first: true };
    out.text.push_str("{\"traceEvents\":[");
    let process = json_str(&format!("awaitlab {} ({} clock)", pattern_of(run), run.clock.key()));
    out.event(format_args!(r#"{{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{{"name":{process}}}}}"#));
    // Lanes named only for tasks that recorded something: the trace's size follows the run's
    // events, not the task count its scenario declares.
    let mut lanes: Vec<u32> = run.events.iter().map(|e| e.task).collect();
    lanes.sort_unstable();
    lanes.dedup();
    for task in lanes {
        let (tid, name) = (task + 1, json_str(&run.label(task)));
        out.event(format_args!(r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{tid},"args":{{"name":{name}}}}}"#));
        out.event(format_args!(
            r#"{{"name":"thread_sort_index","ph":"M","pid":1,"tid":{tid},"args":{{"sort_index":{task}}}}}"#
        ));
    }
    for bar in &tl.bars {
        let stop = if bar.end.is_finite() { bar.end } else { tl.end };
        let (name, outcome) = (phase_name(bar.phase), bar.close.map_or_else(|| "open".to_string(), kind_name));
        let (ts, dur, tid, attempt, detail) =
            (us(bar.start), us((stop - bar.start).max(0.0)), bar.task + 1, bar.attempt, json_str(&bar.detail));
        out.event(format_args!(
            r#"{{"name":"{name}","cat":"span","ph":"X","ts":{ts},"dur":{dur},"pid":1,"tid":{tid},"args":{{"attempt":{attempt},"outcome":"{outcome}","detail":{detail}}}}}"#
        ));
    }
    for mark in &tl.marks {
        let (name, ts, tid, detail) = (kind_name(mark.kind), us(mark.t), mark.task + 1, json_str(&mark.detail));
        out.event(format_args!(
            r#"{{"name":"{name}","cat":"task","ph":"i","s":"t","ts":{ts},"pid":1,"tid":{tid},"args":{{"detail":{detail}}}}}"#
        ));
    }
    if tl.concurrency.first().is_none_or(|c| c.0 > 0.0) {
        out.event(format_args!(r#"{{"name":"concurrency","ph":"C","ts":0,"pid":1,"args":{{"in_flight":0}}}}"#));
    }
    for &(t, n) in &tl.concurrency {
        let ts = us(t);
        out.event(format_args!(r#"{{"name":"concurrency","ph":"C","ts":{ts},"pid":1,"args":{{"in_flight":{n}}}}}"#));
    }
    let other = json!({"generator": "awaitlab", "pattern": pattern_of(run), "seed": run.scenario.seed,
                       "clock": run.clock.key(), "makespan_ms": run.summary.makespan_ms});
    let _ = write!(out.text, r#"],"displayTimeUnit":"ms","otherData":{other}}}"#);
    out.text
}

/// Trace events appended to one JSON text, comma-separated.
struct TraceOut {
    text: String,
    first: bool,
}

impl TraceOut {
    fn event(&mut self, event: std::fmt::Arguments) {
        if !self.first {
            self.text.push(',');
        }
        self.first = false;
        let _ = self.text.write_fmt(event);
    }
}

/// `text` as a JSON string literal.
fn json_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Text made safe for XML content and attribute values.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A bar's fill: the app's light-scheme colours ([`palette`]), so an exported timeline looks like
/// the one on screen.
fn bar_color(phase: Phase, close: Option<Kind>) -> &'static str {
    match close {
        Some(Kind::Fail | Kind::Cancel | Kind::Timeout) => {
            palette::colour(palette::bar_colour_name(phase, close), false)
        }
        _ => phase_color(phase),
    }
}

/// A phase's fill in the legend and for bars that closed normally. Task-wide spans (which no
/// pattern records) have always been exported grey.
fn phase_color(phase: Phase) -> &'static str {
    match phase {
        Phase::Task => palette::colour("cancel", false),
        _ => palette::colour(palette::phase_colour_name(phase), false),
    }
}

const SVG_WIDTH: f64 = 960.0;
const LABEL_W: f64 = 140.0;
const LANE_H: f64 = 18.0;
const TOP: f64 = 44.0;
const STRIP_H: f64 = 48.0;
/// Lanes drawn in the SVG at most (a summary line says how many more there are).
pub const SVG_MAX_LANES: u32 = 500;

/// The fonts every text of the SVG uses.
const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";
/// The permit limit's line and label (static/style.css's `.strip-limit`).
const LIMIT_COLOR: &str = "#7c3aed";

/// Where things go in the exported SVG.
struct SvgLayout {
    /// Lanes drawn (at most [`SVG_MAX_LANES`]).
    lanes: u32,
    /// The axis's end, ms.
    span: f64,
    plot_w: f64,
    lanes_bottom: f64,
    strip_top: f64,
    height: f64,
}

impl SvgLayout {
    fn new(tl: &Timeline) -> SvgLayout {
        let lanes = tl.lanes.min(SVG_MAX_LANES);
        let span = ticks(tl.extent(), 8).last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
        let lanes_bottom = TOP + lanes as f64 * LANE_H;
        let strip_top = lanes_bottom + 30.0;
        SvgLayout {
            lanes,
            span,
            plot_w: SVG_WIDTH - LABEL_W - 20.0,
            lanes_bottom,
            strip_top,
            height: strip_top + STRIP_H + 30.0,
        }
    }

    fn x(&self, t: f64) -> f64 {
        LABEL_W + (t.clamp(0.0, self.span) / self.span) * self.plot_w
    }
}

/// A standalone SVG of the run's timeline (lanes, spans, marks, axis and concurrency strip), with
/// every style inlined so it renders the same in any viewer.
pub fn timeline_svg(run: &Run) -> String {
    let tl = run.timeline();
    let l = SvgLayout::new(&tl);
    let mut s = String::with_capacity(256 + tl.bars.len() * 160);
    svg_head(&mut s, run, &l);
    svg_axis(&mut s, &tl, &l);
    for task in 0..l.lanes {
        let y = TOP + task as f64 * LANE_H;
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ty:.2}\" {FONT} font-size=\"11\" fill=\"#374151\" text-anchor=\"end\">{label}</text>",
            lx = LABEL_W - 8.0,
            ty = y + LANE_H * 0.7,
            label = escape_xml(&run.label(task))
        );
    }
    svg_unrun(&mut s, run, &tl, &l);
    svg_bars(&mut s, run, &tl, &l);
    svg_marks(&mut s, run, &tl, &l);
    if tl.lanes > l.lanes {
        let _ = write!(
            s,
            "<text x=\"{LABEL_W}\" y=\"{y:.2}\" {FONT} font-size=\"11\" fill=\"#6b7280\">… and {more} more lanes (not drawn)</text>",
            y = l.lanes_bottom + 14.0,
            more = tl.lanes - l.lanes
        );
    }
    // The permit limit's line, as the page draws it (the scenario the run was made from).
    svg_strip(&mut s, &tl, &l, run.parsed_scenario().ok().and_then(|sc| sc.effective_limit()));
    svg_legend(&mut s, &tl, &l);
    s.push_str("</svg>");
    s
}

/// The root element, its title and background, and the title line.
fn svg_head(s: &mut String, run: &Run, l: &SvgLayout) {
    let title = format!(
        "awaitlab: {} — {}, {} ({} clock), seed {}",
        pattern_of(run),
        tasks_text(run.summary.tasks),
        format_ms(run.summary.makespan_ms),
        run.clock.key(),
        run.scenario.seed
    );
    let height = l.height;
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{SVG_WIDTH}\" height=\"{height}\" viewBox=\"0 0 {SVG_WIDTH} {height}\" role=\"img\" aria-label=\"{t}\">\
<title>{t}</title><rect x=\"0\" y=\"0\" width=\"{SVG_WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>\
<text x=\"10\" y=\"20\" {FONT} font-size=\"14\" font-weight=\"600\" fill=\"#111827\">{t}</text>",
        t = escape_xml(&title)
    );
}

/// Axis: grid lines and tick labels.
fn svg_axis(s: &mut String, tl: &Timeline, l: &SvgLayout) {
    for t in ticks(tl.extent(), 8) {
        let _ = write!(
            s,
            "<line x1=\"{x:.2}\" y1=\"{y0}\" x2=\"{x:.2}\" y2=\"{y1}\" stroke=\"#e5e7eb\" stroke-width=\"1\"/>\
<text x=\"{x:.2}\" y=\"{ty}\" {FONT} font-size=\"10\" fill=\"#6b7280\" text-anchor=\"middle\">{label}</text>",
            x = l.x(t),
            y0 = TOP - 4.0,
            y1 = l.strip_top + STRIP_H,
            ty = TOP - 8.0,
            label = escape_xml(&format_ms(t))
        );
    }
}

/// The planned rest of work cut short, pale and dashed as on screen (`.unrun`).
fn svg_unrun(s: &mut String, run: &Run, tl: &Timeline, l: &SvgLayout) {
    let grey = palette::colour("cancel", false);
    for bar in tl.bars.iter().filter(|b| b.task < l.lanes) {
        let Some(rest) = bar.planned_end else { continue };
        let _ = write!(
            s,
            "<rect x=\"{x0:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h}\" fill=\"{grey}\" fill-opacity=\"0.3\" \
stroke=\"{grey}\" stroke-dasharray=\"3 2\"><title>{tip}</title></rect>",
            x0 = l.x(bar.end),
            y = TOP + bar.task as f64 * LANE_H + 3.0,
            w = (l.x(rest) - l.x(bar.end)).max(1.0),
            h = LANE_H - 6.0,
            tip = escape_xml(&format!("{}: planned to run until {}; never ran", run.label(bar.task), format_ms(rest)))
        );
    }
}

/// Every span as a rect coloured by its phase and how it closed, with a title.
fn svg_bars(s: &mut String, run: &Run, tl: &Timeline, l: &SvgLayout) {
    for bar in tl.bars.iter().filter(|b| b.task < l.lanes) {
        let y = TOP + bar.task as f64 * LANE_H + 3.0;
        let stop = if bar.end.is_finite() { bar.end } else { tl.end };
        let (x0, x1) = (l.x(bar.start), l.x(stop));
        let tip = format!(
            "{} {} attempt {}: {} – {}{}{}",
            run.label(bar.task),
            phase_name(bar.phase),
            bar.attempt,
            format_ms(bar.start),
            format_ms(stop),
            bar.close.map(|k| format!(", {}", kind_name(k))).unwrap_or_default(),
            if bar.detail.is_empty() { String::new() } else { format!(" ({})", bar.detail) }
        );
        let (w, (y, h)) = ((x1 - x0).max(1.0), bar.band(y, LANE_H - 6.0));
        let _ = write!(
            s,
            "<rect x=\"{x0:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h}\" rx=\"2\" fill=\"{fill}\"><title>{tip}</title></rect>",
            fill = bar_color(bar.phase, bar.close),
            tip = escape_xml(&tip)
        );
        // The page's mark where it fits (as on screen), so no state reads by colour alone.
        if w >= h {
            end_mark(s, bar.close, x0 + w, y + h / 2.0, h);
        }
    }
}

/// The page's end mark (× failed, / cancelled, | timed out) as the page's stylesheet draws it.
fn end_mark(s: &mut String, close: Option<Kind>, x: f64, y_mid: f64, size: f64) {
    if let Some(d) = end_mark_path(close, x, y_mid, size) {
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"1.6\" stroke-linecap=\"round\"/>"
        );
    }
}

/// A dot where a task finished, failed or fell back.
fn svg_marks(s: &mut String, run: &Run, tl: &Timeline, l: &SvgLayout) {
    for mark in tl.marks.iter().filter(|m| m.task < l.lanes) {
        let cy = TOP + mark.task as f64 * LANE_H + LANE_H / 2.0;
        let fill = match mark.kind {
            Kind::Done => "#16a34a",
            Kind::Failed => "#dc2626",
            _ => "#f59e0b",
        };
        let tip = format!(
            "{} {} at {}{}",
            run.label(mark.task),
            kind_name(mark.kind),
            format_ms(mark.t),
            if mark.detail.is_empty() { String::new() } else { format!(" ({})", mark.detail) }
        );
        let _ = write!(
            s,
            "<circle cx=\"{cx:.2}\" cy=\"{cy:.2}\" r=\"3.5\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1\"><title>{tip}</title></circle>",
            cx = l.x(mark.t),
            tip = escape_xml(&tip)
        );
    }
}

/// Concurrency strip: a step curve of tasks in flight, and the permit limit as a dashed line.
fn svg_strip(s: &mut String, tl: &Timeline, l: &SvgLayout, limit: Option<u32>) {
    let (strip_top, plot_w) = (l.strip_top, l.plot_w);
    let scale = tl.strip_scale(limit);
    let yc = |n: u32| strip_top + STRIP_H - (f64::from(n) / scale) * STRIP_H;
    let mut path = format!("M{:.2},{:.2}", l.x(0.0), yc(0));
    let mut level = 0;
    for &(t, n) in &tl.concurrency {
        let _ = write!(path, " L{:.2},{:.2} L{:.2},{:.2}", l.x(t), yc(level), l.x(t), yc(n));
        level = n;
    }
    let _ = write!(path, " L{:.2},{:.2}", l.x(tl.end), yc(level));
    let _ = write!(
        s,
        "<text x=\"{lx}\" y=\"{ty:.2}\" {FONT} font-size=\"11\" fill=\"#374151\" text-anchor=\"end\">in flight</text>\
<text x=\"{lx}\" y=\"{py:.2}\" {FONT} font-size=\"10\" fill=\"#6b7280\" text-anchor=\"end\">peak {peak}</text>\
<rect x=\"{LABEL_W}\" y=\"{strip_top:.2}\" width=\"{plot_w:.2}\" height=\"{STRIP_H}\" fill=\"#f9fafb\"/>\
<path d=\"{path}\" fill=\"none\" stroke=\"#111827\" stroke-width=\"1.5\"/>",
        lx = LABEL_W - 8.0,
        ty = strip_top + STRIP_H / 2.0,
        py = strip_top + STRIP_H / 2.0 + 12.0,
        peak = tl.peak()
    );
    if let Some(limit) = limit {
        let (y, right) = (yc(limit), LABEL_W + plot_w);
        // The label at the end where the curve leaves it room, as on the page (4 px in from the
        // left edge; 10 px bold: at most 6 px a character).
        let ms = |px: f64| px / plot_w * l.span;
        let (pad, width) = (ms(4.0), ms(format!("limit {limit}").len() as f64 * 6.0));
        let (lx, anchor) = match tl.limit_label_place(limit, (0.0, pad + width), (l.span - width, l.span)) {
            LabelPlace::Left => (LABEL_W + 4.0, "start"),
            LabelPlace::Right => (right, "end"),
            LabelPlace::At(t) => (l.x(t), "start"),
        };
        let _ = write!(
            s,
            "<line x1=\"{LABEL_W}\" x2=\"{right:.2}\" y1=\"{y:.2}\" y2=\"{y:.2}\" stroke=\"{LIMIT_COLOR}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\
<text x=\"{lx:.2}\" y=\"{ty:.2}\" {FONT} font-size=\"10\" font-weight=\"600\" fill=\"{LIMIT_COLOR}\" text-anchor=\"{anchor}\">limit {limit}</text>",
            ty = y - 3.0
        );
    }
}

/// Legend: a swatch per phase the run shows.
fn svg_legend(s: &mut String, tl: &Timeline, l: &SvgLayout) {
    let mut lx = LABEL_W;
    let ly = l.strip_top + STRIP_H + 20.0;
    // Each phase once, in the enum's order (a binary-search insert: no sort code for a handful).
    let mut phases: Vec<Phase> = Vec::new();
    for b in &tl.bars {
        if let Err(at) = phases.binary_search(&b.phase) {
            phases.insert(at, b.phase);
        }
    }
    // Then how spans ended when not as planned, each with its mark, as the page's legend does.
    let ends =
        [Kind::Fail, Kind::Timeout, Kind::Cancel].into_iter().filter(|k| tl.bars.iter().any(|b| b.close == Some(*k)));
    let entries = phases.into_iter().map(|p| (phase_color(p), None, phase_name(p))).chain(ends.map(|k| {
        (palette::colour(palette::bar_colour_name(Phase::Work, Some(k)), false), Some(k), k.unplanned_end_label())
    }));
    for (fill, close, name) in entries {
        let _ = write!(
            s,
            "<rect x=\"{lx:.2}\" y=\"{ry:.2}\" width=\"12\" height=\"10\" rx=\"2\" fill=\"{fill}\"/>\
<text x=\"{tx:.2}\" y=\"{ly:.2}\" {FONT} font-size=\"11\" fill=\"#374151\">{name}</text>",
            ry = ly - 9.0,
            tx = lx + 16.0,
        );
        end_mark(s, close, lx + 12.0, ly - 4.0, 10.0);
        lx += 24.0 + name.len() as f64 * 7.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            escape_xml("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(escape_xml("a\u{0}b"), "a b");
    }
}

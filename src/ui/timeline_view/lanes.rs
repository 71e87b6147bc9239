//! A timeline's lanes as SVG: per lane its label, bars (with a title each and a mark where a span
//! failed, was cancelled or timed out), planned work that never ran, the prediction's outlines,
//! queued results and fallback marks; and the lane details written out under the plot.

use yew::prelude::*;

use super::geometry::{bar_at, px, queued_at, Geometry};
use crate::core::event::{Kind, Phase};
use crate::core::timeline::{
    bar_words, end_mark_path, format_ms, key_stops, mark_words, planned_rest, read_bars, Bar, Cut, Mark, Timeline,
};
use crate::core::what_if::WhatIf;

/// The thinnest bar the prediction's dashed outline is drawn around: on thinner lanes (a
/// 120–200-task run still drawn as SVG, under a pixel a lane) the outlines of every lane ran
/// together into dark stripes over the measured bars.
const GHOST_MIN_BAR_H: f64 = 4.0;

fn close_name(close: Option<Kind>) -> &'static str {
    match close {
        None => "open",
        Some(Kind::Fail) => "fail",
        Some(Kind::Cancel) => "cancel",
        Some(Kind::Timeout) => "timeout",
        _ => "ok",
    }
}

fn bar_class(phase: Phase, close: Option<Kind>) -> String {
    format!("bar {} {}", phase.key(), close_name(close))
}

/// How a measured bar compares with its predicted twin, e.g. ` · predicted 200 ms, +3.1 ms`.
fn versus(bar: &Bar, ghost: Option<&Timeline>) -> String {
    let twin = ghost
        .and_then(|g| g.bars.iter().find(|b| b.task == bar.task && b.attempt == bar.attempt && b.phase == bar.phase));
    match twin {
        Some(p) if bar.close.is_some() => {
            let diff = bar.end - p.end;
            let sign = if diff >= 0.0 { "+" } else { "−" };
            format!(" · predicted to end at {}, {sign}{}", format_ms(p.end), format_ms(diff.abs()))
        }
        _ => String::new(),
    }
}

/// The mark at the end of a span that failed, was cancelled or timed out (`end_mark_path`).
pub fn end_mark(close: Option<Kind>, x: f64, y_mid: f64, size: f64) -> Html {
    let Some(d) = end_mark_path(close, x, y_mid, size) else { return Html::default() };
    html! { <path class={classes!("end-mark", close_name(close))} {d} /> }
}

/// A lane's accessible name: its spans in brief, how each ended when not as planned
/// (`task 1: wait 0 ms to 50 ms, work 50 ms to 120 ms fail`); its title-long details are in
/// the bars' titles and under the plot.
fn lane_name(name: &str, bars: &[Bar], raised: &[&Mark]) -> String {
    let span = |b: &Bar| {
        let close = Some(close_name(b.close)).filter(|c| *c != "ok").map_or(String::new(), |c| format!(" {c}"));
        format!("{} {} to {}{close}", b.phase.key(), format_ms(b.start), format_ms(b.end))
    };
    let mut spans: Vec<String> = read_bars(bars.iter()).map(span).collect();
    spans.extend(raised.iter().map(|m| format!("failed at {}", format_ms(m.t))));
    format!("{name}: {}", if spans.is_empty() { "nothing yet".to_string() } else { spans.join(", ") })
}

/// Lane `i`'s label (`task 12` when the run has none).
pub fn label(labels: &[String], i: usize) -> String {
    labels.get(i).cloned().unwrap_or_else(|| format!("task {i}"))
}

/// Lane `i`'s label in the gutter: its `gutter` label if there is one, with the whole label as
/// its title.
pub fn label_node(g: &Geometry, labels: &[String], gutter: Option<&[String]>, i: usize) -> Html {
    let y = g.lane_y(i) + g.lane_h / 2.0;
    let whole = label(labels, i);
    let short = gutter.and_then(|s| s.get(i)).filter(|s| **s != whole);
    let text = |t: String| html! { <text class="lane-label" x={(g.gutter - 8.0).to_string()} y={px(y)}>{ t }</text> };
    // The title is the text's sibling, so the text itself reads as drawn.
    match short {
        Some(s) => html! { <g><title>{ whole }</title>{ text(s.clone()) }</g> },
        None => text(whole),
    }
}

/// What every lane draws from: the layout, the window, where a replay cuts it, the prediction's
/// outlines (SVG only) and which lanes get a label.
pub struct Lanes<'a> {
    pub tl: &'a Timeline,
    pub g: Geometry,
    pub labels: &'a [String],
    pub gutter: Option<&'a [String]>,
    pub cut: Option<Cut>,
    pub ghost: Option<&'a Timeline>,
    pub label_every: usize,
    /// Called with a lane's index when it gets keyboard focus.
    pub on_focus: Callback<usize>,
    /// The one lane Tab stops at (the last one focused): the others are reached with ↑/↓, so a
    /// timeline is one Tab stop however many tasks it has (a roving tabindex).
    pub tab_lane: usize,
    /// The run's `what_if` overrides: their bars are marked `overridden` and say what changed.
    pub what_if: Option<&'a WhatIf>,
    /// Whether an attempt's bars open the what-if menu (the predicted timeline): they are then
    /// focusable from their lane (`pick::key`).
    pub pickable: bool,
}

impl Lanes<'_> {
    /// Only the labels, every `label_every`-th lane, and the failures no bar shows (the bars are
    /// on the canvas).
    pub fn labels_only(&self) -> Html {
        let labels = (0..self.tl.lanes as usize)
            .step_by(self.label_every)
            .map(|i| label_node(&self.g, self.labels, self.gutter, i));
        let raised =
            self.tl.marks.iter().filter(|m| m.raised && self.cut.is_none_or(|c| c.shows(m)) && self.g.shows(m.t, m.t));
        let raised = raised.map(|m| self.raised_mark(m.task as usize, &label(self.labels, m.task as usize), m));
        labels.chain(raised).collect()
    }

    /// Every lane as an SVG group.
    pub fn svg(&self) -> Html {
        // Each bar as it looks at the cut (a copy: there are at most SVG_MAX_BARS of them).
        let mut by_lane: Vec<Vec<Bar>> = vec![Vec::new(); self.tl.lanes as usize];
        for bar in self.tl.bars.iter().filter_map(|b| bar_at(b, self.cut)) {
            if let (true, Some(lane)) = (self.g.shows(bar.start, bar.end), by_lane.get_mut(bar.task as usize)) {
                lane.push(bar);
            }
        }
        by_lane.iter().enumerate().map(|(i, bars)| self.lane(i, bars)).collect()
    }

    fn lane(&self, i: usize, bars: &[Bar]) -> Html {
        let name = label(self.labels, i);
        let onfocus = self.on_focus.reform(move |_: FocusEvent| i);
        let stops: Vec<&Bar> = if self.pickable { key_stops(bars).collect() } else { Vec::new() };
        // The remembered lane may be gone (fewer tasks now): the last one stands in.
        let raised = self.raised(i);
        let tab = if i == self.tab_lane.min(self.tl.lanes.saturating_sub(1) as usize) { "0" } else { "-1" };
        html! {
            <g class="lane" key={i} data-task={i.to_string()} tabindex={tab} {onfocus}
               aria-label={lane_name(&name, bars, &raised)}>
                if i % self.label_every == 0 { { label_node(&self.g, self.labels, self.gutter, i) } }
                { for bars.iter().filter_map(|bar| self.unrun(i, &name, bar)) }
                { for bars.iter().map(|bar| self.bar(i, &name, bar, stops.iter().any(|s| std::ptr::eq(*s, bar)))) }
                { for self.ghost.filter(|_| self.g.bar_h() >= GHOST_MIN_BAR_H).into_iter().flat_map(|g| g.bars.iter()).filter(|b| b.task as usize == i && self.g.shows(b.start, b.end)).map(|b| self.ghost_bar(i, b)) }
                { for self.tl.queued.iter().filter(|q| q.task as usize == i).filter_map(|q| self.queued(i, &name, queued_at(q, self.cut)?)) }
                { for raised.iter().map(|m| self.raised_mark(i, &name, m)) }
                { for self.tl.marks.iter().filter(|m| m.task as usize == i && m.kind == Kind::Fallback && self.cut.is_none_or(|c| c.shows(m))).map(|m| self.fallback_mark(i, &name, bars, m)) }
            </g>
        }
    }

    /// "↩ default" where a task fell back to a default: right of its failed bar, or, where that
    /// would run past the plot's right edge (the longest task's ends there), over the bar, ending
    /// left of the × the bar ends with (`end_mark_path`: 0.64 of the bar's height, 1.5 px in).
    fn fallback_mark(&self, i: usize, name: &str, bars: &[Bar], m: &Mark) -> Html {
        // "↩ default" at 11 px bold is about 58 px wide.
        const LABEL_W: f64 = 62.0;
        let x = self.g.x(m.t);
        let (x, anchor) = if x + 3.0 + LABEL_W > self.g.width {
            // On the browser clock the fallback comes a little after the failure that caused it.
            let failed = bars.iter().rev().find(|b| b.close == Some(Kind::Fail) && b.end <= m.t);
            (self.g.x(failed.map_or(m.t, |b| b.end)) - self.g.bar_h() * 0.64 - 4.0, Some("end"))
        } else {
            (x + 3.0, None)
        };
        html! {
            <text class="mark-fallback" x={px(x)} y={px(self.g.lane_y(i) + self.g.lane_h / 2.0)} text-anchor={anchor}>
                { "↩ default" }<title>{ format!("{name}: fell back to a default at {}: {}", format_ms(m.t), m.detail) }</title>
            </text>
        }
    }

    /// Lane `i`'s failures that no bar shows ([`Mark::raised`]), as far as the cut and window go.
    fn raised(&self, i: usize) -> Vec<&Mark> {
        raised_marks(self.tl, i, self.cut).filter(|m| self.g.shows(m.t, m.t)).collect()
    }

    /// A task's failure that no bar shows: a × in the failure colour where it raised.
    fn raised_mark(&self, i: usize, name: &str, m: &Mark) -> Html {
        let size = self.g.bar_h().max(self.g.lane_h.min(7.5));
        // `end_mark_path` draws its × just left of where a span ends: here, centred on `m.t`.
        let x = self.g.x(m.t) + size * 0.32 + 1.5;
        let d = end_mark_path(Some(Kind::Fail), x, self.g.lane_y(i) + self.g.lane_h / 2.0, size).unwrap_or_default();
        html! { <path class="mark-raised" data-task={i.to_string()} {d}><title>{ mark_words(name, m) }</title></path> }
    }

    /// The planned rest of a bar cut short, if it shows.
    fn unrun(&self, i: usize, name: &str, bar: &Bar) -> Option<Html> {
        let rest = planned_rest(bar, bar.close).filter(|r| self.g.shows(bar.end, *r))?;
        let (x0, y) = (self.g.x(bar.end), self.g.lane_y(i) + self.g.pad());
        Some(html! {
            <rect class="unrun" x={px(x0)} y={px(y)}
                  width={px((self.g.x(rest) - x0).max(1.0))} height={px(self.g.bar_h())}>
                <title>{ format!("{name}: planned to run until {}; {} of work never ran", format_ms(rest), format_ms(rest - bar.end)) }</title>
            </rect>
        })
    }

    /// A bar; `stop`: the keyboard stops at it (`key_stops`), so it can take focus.
    fn bar(&self, i: usize, name: &str, bar: &Bar, stop: bool) -> Html {
        let (x0, top, w, bar_h) = self.g.bar_box(bar.task, bar.start, bar.end);
        let (top, bar_h) = bar.band(top, bar_h);
        let y = self.g.lane_y(i);
        // Only where the mark fits inside the bar and can be told apart (7.7 px bars in the 11 px
        // lanes of 14 tasks, the thinnest labelled lanes, still take one).
        let mark = (bar_h >= 7.5 && w >= bar_h).then(|| end_mark(bar.close, x0 + w, y + self.g.lane_h / 2.0, bar_h));
        // What a `what_if` override changed for this bar's attempt (work and fetch bars).
        let changed = matches!(bar.phase, Phase::Work | Phase::Fetch)
            .then(|| self.what_if.and_then(|w| w.describe(bar.task, bar.attempt)))
            .flatten();
        let pickable = self.pickable && bar.attempt > 0;
        let class = classes!(
            bar_class(bar.phase, bar.close),
            changed.is_some().then_some("overridden"),
            pickable.then_some("pickable")
        );
        let changed = changed.map_or_else(String::new, |c| format!(" · {c}"));
        html! {
            <>
            <rect {class} x={px(x0)} y={px(top)} tabindex={stop.then_some("-1")}
                  width={px(w)} height={px(bar_h)}
                  data-task={bar.task.to_string()} data-attempt={bar.attempt.to_string()}
                  data-start={format!("{}", bar.start)} data-end={format!("{}", bar.end)}>
                <title>{ format!("{}{}{changed}", bar_words(name, bar), versus(bar, self.ghost)) }</title>
            </rect>
            { mark.unwrap_or_default() }
            </>
        }
    }

    fn ghost_bar(&self, i: usize, b: &Bar) -> Html {
        let x0 = self.g.x(b.start);
        html! { <rect class="ghost" x={px(x0)} y={px(self.g.lane_y(i) + self.g.pad())}
        width={px((self.g.x(b.end) - x0).max(1.0))} height={px(self.g.bar_h())} /> }
    }

    fn queued(&self, i: usize, name: &str, (from, to): (f64, f64)) -> Option<Html> {
        if !self.g.shows(from, to) {
            return None;
        }
        let y_mid = px(self.g.lane_y(i) + self.g.lane_h / 2.0);
        Some(html! {
            <line class="queued" x1={px(self.g.x(from))} x2={px(self.g.x(to))} y1={y_mid.clone()} y2={y_mid}>
                <title>{ format!("{name}: result waited {} for its turn to be processed", format_ms(to - from)) }</title>
            </line>
        })
    }
}

/// Lane `i`'s failures that no bar shows ([`Mark::raised`]) that have happened at `cut`.
fn raised_marks(tl: &Timeline, i: usize, cut: Option<Cut>) -> impl Iterator<Item = &Mark> {
    tl.marks.iter().filter(move |m| m.raised && m.task as usize == i && cut.is_none_or(|c| c.shows(m)))
}

/// Lane `i`'s spans written out (under the plot, for the lane under the pointer or in focus).
pub fn lane_detail(
    tl: &Timeline,
    labels: &[String],
    i: usize,
    cut: Option<Cut>,
    ghost: Option<&Timeline>,
) -> Option<String> {
    let shown: Vec<Bar> = tl.bars.iter().filter(|b| b.task as usize == i).filter_map(|b| bar_at(b, cut)).collect();
    let mut spans: Vec<String> =
        read_bars(shown.iter()).map(|b| format!("{}{}", bar_words(&label(labels, i), b), versus(b, ghost))).collect();
    spans.extend(raised_marks(tl, i, cut).map(|m| mark_words(&label(labels, i), m)));
    spans.extend(tl.queued.iter().filter(|q| q.task as usize == i).filter_map(|q| queued_at(q, cut)).map(
        |(from, to)| format!("its result waited {} (from {}) to be processed", format_ms(to - from), format_ms(from)),
    ));
    (!spans.is_empty()).then(|| spans.join(" · "))
}

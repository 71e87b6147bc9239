//! The one walk over a run's events that pairs each span's `begin` with its close: the summary,
//! the timeline, the gap between prediction and measurement, the browser's hidden limits and the
//! import check all read events through it.
//!
//! A span is keyed by (task, attempt, phase): at most one of each is open at a time. The walk
//! yields every event once, in order, as a [`Step`]: a span beginning, a span closing (with its
//! begin, when one is open), or a task-level mark.

use rustc_hash::FxHashMap;

use super::event::{Event, Kind, Phase};

/// Where an open span began.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Opened {
    /// Index of its `begin` event.
    pub seq: usize,
    /// Which span it is: 0 for the first `begin` of the walk, 1 for the next…
    pub span: usize,
    /// When it began, ms.
    pub t: f64,
}

/// One event, as the walk sees it.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A span begins. `reopened`: a span with the same key was still open (its begin is
    /// forgotten; a valid run never does this).
    Begin { seq: usize, span: usize, event: &'a Event, reopened: bool },
    /// A span closes (`end`, `fail`, `cancel`, `timeout`); `begin` is `None` if none was open.
    Close { seq: usize, event: &'a Event, begin: Option<Opened> },
    /// A task-level instant: `done`, `failed`, `fallback`.
    Mark { seq: usize, event: &'a Event },
}

impl<'a> Step<'a> {
    /// The event of this step.
    pub fn event(&self) -> &'a Event {
        match *self {
            Step::Begin { event, .. } | Step::Close { event, .. } | Step::Mark { event, .. } => event,
        }
    }
}

/// The walk: an iterator of [`Step`]s; what is still open afterwards is [`Spans::still_open`].
pub struct Spans<'a> {
    events: std::iter::Enumerate<std::slice::Iter<'a, Event>>,
    open: OpenSpans,
    begun: usize,
}

/// Walks `events` in order.
pub fn spans(events: &[Event]) -> Spans<'_> {
    Spans { events: events.iter().enumerate(), open: OpenSpans::new(events.len()), begun: 0 }
}

impl<'a> Iterator for Spans<'a> {
    type Item = Step<'a>;

    fn next(&mut self) -> Option<Step<'a>> {
        let (seq, event) = self.events.next()?;
        let key = (event.task, event.attempt, event.phase);
        Some(match event.kind {
            Kind::Begin => {
                let span = self.begun;
                self.begun += 1;
                let reopened = self.open.insert(key, Opened { seq, span, t: event.t }).is_some();
                Step::Begin { seq, span, event, reopened }
            }
            k if k.closes_span() => Step::Close { seq, event, begin: self.open.remove(key) },
            _ => Step::Mark { seq, event },
        })
    }
}

impl Spans<'_> {
    /// The spans begun and not closed so far, with their keys, in no particular order.
    pub fn still_open(&self) -> impl Iterator<Item = ((u32, u32, Phase), Opened)> + '_ {
        self.open.iter()
    }
}

type Key = (u32, u32, Phase);

/// The open spans by key. A task nearly always has one span open at a time (a pattern's spans on a
/// lane follow each other), so each task's first is kept in a list by task, found without hashing
/// (the walk of a 100,000-task run's events spent most of its time in a map); spans open beside
/// it (a code run's nested ones) and tasks numbered past the events' count go in a map.
struct OpenSpans {
    by_task: Vec<Option<(u32, Phase, Opened)>>,
    /// Tasks below this have their place in `by_task` (it grows to the largest seen).
    limit: usize,
    more: FxHashMap<Key, Opened>,
}

impl OpenSpans {
    fn new(events: usize) -> Self {
        OpenSpans { by_task: Vec::new(), limit: events, more: FxHashMap::default() }
    }

    /// Opens `key`; returns the span with the same key that was still open, if any.
    fn insert(&mut self, key: Key, opened: Opened) -> Option<Opened> {
        let (task, attempt, phase) = key;
        let i = task as usize;
        if i >= self.limit {
            return self.more.insert(key, opened);
        }
        if i >= self.by_task.len() {
            self.by_task.resize(i + 1, None);
        }
        match &mut self.by_task[i] {
            Some((a, p, o)) if (*a, *p) == (attempt, phase) => Some(std::mem::replace(o, opened)),
            _ if !self.more.is_empty() && self.more.contains_key(&key) => self.more.insert(key, opened),
            slot @ None => {
                *slot = Some((attempt, phase, opened));
                None
            }
            Some(_) => self.more.insert(key, opened),
        }
    }

    /// Closes `key`: the span that was open with it, if any.
    fn remove(&mut self, key: Key) -> Option<Opened> {
        let (task, attempt, phase) = key;
        match self.by_task.get_mut(task as usize) {
            Some(slot @ Some(_)) if slot.is_some_and(|(a, p, _)| (a, p) == (attempt, phase)) => {
                slot.take().map(|(_, _, o)| o)
            }
            _ if self.more.is_empty() => None,
            _ => self.more.remove(&key),
        }
    }

    fn iter(&self) -> impl Iterator<Item = (Key, Opened)> + '_ {
        let first = self.by_task.iter().enumerate().filter_map(|(task, s)| s.map(|(a, p, o)| ((task as u32, a, p), o)));
        first.chain(self.more.iter().map(|(k, o)| (*k, *o)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(t: f64, task: u32, kind: Kind, phase: Phase) -> Event {
        Event { t, task, attempt: 1, kind, phase, detail: Default::default(), line: 0 }
    }

    #[test]
    fn closes_find_their_begin_and_marks_pass_through() {
        let events = [
            e(0.0, 0, Kind::Begin, Phase::Wait),
            e(0.0, 0, Kind::End, Phase::Wait),
            e(0.0, 0, Kind::Begin, Phase::Work),
            e(1.0, 1, Kind::End, Phase::Work),
            e(5.0, 0, Kind::Fail, Phase::Work),
            e(5.0, 0, Kind::Failed, Phase::Task),
            e(6.0, 1, Kind::Begin, Phase::Work),
        ];
        let mut walk = spans(&events);
        let steps: Vec<String> = walk
            .by_ref()
            .map(|s| match s {
                Step::Begin { span, .. } => format!("begin {span}"),
                Step::Close { begin, .. } => format!("close {:?}", begin.map(|b| (b.seq, b.span, b.t))),
                Step::Mark { seq, .. } => format!("mark {seq}"),
            })
            .collect();
        assert_eq!(
            steps,
            [
                "begin 0",
                "close Some((0, 0, 0.0))",
                "begin 1",
                "close None",
                "close Some((2, 1, 0.0))",
                "mark 5",
                "begin 2"
            ]
        );
        let open: Vec<_> = walk.still_open().collect();
        assert_eq!(open, [((1, 1, Phase::Work), Opened { seq: 6, span: 2, t: 6.0 })]);
    }
}

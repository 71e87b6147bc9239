//! The two readings of the parameter table meant for people: the form's fields and the README's
//! key table.

use super::params::{ParamKind, ParamSpec, Uses, MAX_SEED, PARAMS, PARAMS_VERSION};
use super::Scenario;

/// How a form field is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// A number input.
    Number { min: f64, max: f64, step: f64 },
    /// A select: `(value, label)` options.
    Choice(Vec<(&'static str, &'static str)>),
    /// Free text (a URL template).
    Text,
}

impl From<ParamKind> for FieldKind {
    fn from(kind: ParamKind) -> Self {
        match kind {
            ParamKind::Whole { min, max } | ParamKind::OptionalWhole { min, max } => {
                FieldKind::Number { min: min as f64, max: max as f64, step: 1.0 }
            }
            ParamKind::Number { min, max, step } => FieldKind::Number { min, max, step },
            ParamKind::Flag { on, off } => FieldKind::Choice(vec![("1", on), ("0", off)]),
            ParamKind::Choice(options) => FieldKind::Choice(options()),
            ParamKind::UrlTemplate | ParamKind::WhatIf | ParamKind::Program => FieldKind::Text,
        }
    }
}

/// One editable parameter of the form, keyed by its URL key.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: FieldKind,
}

impl Scenario {
    /// The fields that matter for this scenario's pattern and preset, in form order: the keys it
    /// uses, except the random workload's keys when the preset fixes the tasks.
    pub fn fields(&self) -> Vec<Field> {
        let shown = |p: &&ParamSpec| self.runs_value(p);
        // Each field inserted at its form place (unique: params.rs tests it); a few dozen at most.
        let mut fields: Vec<(u8, Field)> = Vec::new();
        for p in PARAMS.iter().filter(shown) {
            let Some(form) = p.form else { continue };
            let field = Field { key: p.key, label: form.label, help: (form.help)(self), kind: p.kind.into() };
            let at = fields.partition_point(|(order, _)| *order < form.order);
            fields.insert(at, (form.order, field));
        }
        fields.into_iter().map(|(_, f)| f).collect()
    }
}

/// The README's table of URL keys, as Markdown: one row per key with the patterns that use it,
/// what it means, its values and its default. `tests/core_params.rs` checks the README has it.
pub fn docs_table() -> String {
    let mut out = String::from("| key | used by | meaning | values (default) |\n|---|---|---|---|\n");
    out.push_str(&format!(
        "| `v` | every pattern | version of this format (older versions stay readable) | `{PARAMS_VERSION}` |\n"
    ));
    for p in PARAMS {
        let used_by = match p.uses {
            Uses::Every | Uses::Workload => "every pattern".to_string(),
            Uses::Patterns(patterns) => code_list(patterns.iter().map(|p| p.key())),
        };
        let values = match p.kind {
            ParamKind::Whole { min, max } => format!("{}–{}", number(min), number(max)),
            ParamKind::OptionalWhole { min, max } => format!("{}–{} or `none`", number(min), number(max)),
            ParamKind::Number { min, max, .. } => format!("{min}–{max}"),
            ParamKind::Flag { .. } => "`1` or `0`".into(),
            ParamKind::Choice(options) => code_list(options().into_iter().map(|(k, _)| k)),
            ParamKind::UrlTemplate => String::new(),
            ParamKind::WhatIf => "see [What if](#what-if)".into(),
            ParamKind::Program => "Python source, plain or `!`-compressed".into(),
        };
        let values = match (values.is_empty(), p.note.is_empty()) {
            (_, true) => values,
            (true, false) => p.note.to_string(),
            (false, false) => format!("{values}; {}", p.note),
        };
        let default = match p.kind {
            ParamKind::Whole { .. } | ParamKind::Number { .. } => p.default.to_string(),
            _ if p.default.is_empty() => "none".to_string(),
            _ => format!("`{}`", p.default),
        };
        out.push_str(&format!("| `{}` | {used_by} | {} | {values} ({default}) |\n", p.key, p.doc));
    }
    out
}

fn code_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// A whole number as the README writes it (the largest seed as a power of two).
fn number(n: u64) -> String {
    if n == MAX_SEED {
        "2⁵³−1".into()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::scenario::Pattern;

    #[test]
    fn every_pattern_is_an_option_of_the_pattern_field() {
        let fields = Scenario::default().fields();
        let pattern = fields.iter().find(|f| f.key == "pattern").map(|f| f.kind.clone());
        let FieldKind::Choice(options) = pattern.unwrap_or(FieldKind::Text) else { panic!("pattern is a choice") };
        assert_eq!(options.len(), Pattern::ALL.len());
    }
}

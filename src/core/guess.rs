//! "Guess first" (the view key `guess`): the reader predicts a figure of the run before the page
//! shows it, then reads their guess next to the prediction and the measurement.

use super::run::Summary;
use super::scenario::MAX_TASKS;
use super::timeline::format_ms;

/// What the reader is asked to guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// How long the whole run takes, ms.
    Makespan,
    /// Most tasks in flight at once.
    Peak,
}

impl Guess {
    /// The `guess` view key's value: `makespan` or `peak`; anything else asks nothing.
    pub fn from_view(value: &str) -> Option<Guess> {
        match value {
            "makespan" => Some(Guess::Makespan),
            "peak" => Some(Guess::Peak),
            _ => None,
        }
    }

    /// The question.
    pub fn question(self) -> &'static str {
        match self {
            Guess::Makespan => "Before you see it: how long will this run take, in ms?",
            Guess::Peak => "Before you see it: at most how many tasks will be in flight at once?",
        }
    }

    /// This figure of a run.
    pub fn figure(self, s: &Summary) -> f64 {
        match self {
            Guess::Makespan => s.makespan_ms,
            Guess::Peak => f64::from(s.peak_concurrency),
        }
    }

    /// A figure as text.
    pub fn text(self, x: f64) -> String {
        match self {
            Guess::Makespan => format_ms(x),
            Guess::Peak => format!("{x}"),
        }
    }

    /// Reads an answer: a number from 0 (a makespan in ms, or a whole number of tasks).
    pub fn read(self, text: &str) -> Result<f64, String> {
        let x: f64 = text.trim().parse().map_err(|_| "Type a number.".to_string())?;
        match self {
            // "1e999", "inf" and "NaN" parse as floats, but are no answer (they said "from 0").
            _ if !x.is_finite() => Err("Type an ordinary number, such as 400.".into()),
            _ if x < 0.0 => Err("Type a number from 0.".into()),
            Guess::Peak if x.fract() != 0.0 => Err("Type a whole number of tasks.".into()),
            // Shown back as typed: 99999999999999999999 came back as 100000000000000000000.
            Guess::Peak if x > f64::from(MAX_TASKS) => {
                Err(format!("Type a whole number of tasks, at most {MAX_TASKS}."))
            }
            _ => Ok(x),
        }
    }

    /// The rows shown once answered (`guess`), or once the reader ran the values without
    /// answering (`None`: Run shows the answer, so the page stops asking): `(who, figure)` for the
    /// guess, the prediction and the measurement, each but the guess with how far the guess was
    /// from it. `running`: a measured run of these values is live, its figure still to come.
    pub fn rows(
        self,
        guess: Option<f64>,
        predicted: Option<&Summary>,
        measured: Option<&Summary>,
        running: bool,
    ) -> Vec<(String, String)> {
        let yours = guess.map_or_else(|| "none: you pressed Run first".to_string(), |g| self.text(g));
        let mut rows = vec![("Your guess".to_string(), yours)];
        for (who, s) in [("Predicted (virtual clock)", predicted), ("Measured (browser clock)", measured)] {
            let value = match (s.map(|s| self.figure(s)), guess) {
                (Some(x), Some(g)) => format!("{} (you were {} off)", self.text(x), self.text((x - g).abs())),
                (Some(x), None) => self.text(x),
                (None, _) if running => "being measured…".to_string(),
                (None, _) => "press Run to measure it".to_string(),
            };
            rows.push((who.to_string(), value));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::run::run_virtual;
    use crate::core::scenario::Scenario;

    #[test]
    fn asks_reads_and_compares() {
        assert_eq!(Guess::from_view("makespan"), Some(Guess::Makespan));
        assert_eq!(Guess::from_view("nope"), None);
        assert!(Guess::Peak.read("2.5").is_err() && Guess::Makespan.read("-1").is_err());
        for odd in ["1e999", "inf", "Infinity", "NaN"] {
            assert_eq!(Guess::Makespan.read(odd), Err("Type an ordinary number, such as 400.".into()), "{odd}");
        }
        assert_eq!(
            Guess::Peak.read("99999999999999999999"),
            Err("Type a whole number of tasks, at most 100000.".into())
        );
        assert_eq!(Guess::Peak.read("100000"), Ok(100000.0));
        let run = run_virtual(&Scenario::from_query("pattern=gather&tasks=4&min=50&max=50&clock=virtual").unwrap());
        let rows = Guess::Makespan.rows(Guess::Makespan.read("80").ok(), Some(&run.summary), None, false);
        assert_eq!(rows[1].1, format!("{} (you were {} off)", format_ms(50.0), format_ms(30.0)));
        assert_eq!(rows[2].1, "press Run to measure it");
        assert_eq!(
            Guess::Peak.rows(Some(4.0), Some(&run.summary), Some(&run.summary), false)[2].1,
            "4 (you were 0 off)"
        );
    }

    #[test]
    fn a_run_before_any_guess_shows_the_figures_without_a_guess() {
        let run = run_virtual(&Scenario::from_query("pattern=gather&tasks=4&min=50&max=50&clock=virtual").unwrap());
        let live = Guess::Makespan.rows(None, Some(&run.summary), None, true);
        assert_eq!(live[0].1, "none: you pressed Run first");
        assert_eq!((live[1].1.as_str(), live[2].1.as_str()), ("50 ms", "being measured…"));
        assert_eq!(Guess::Peak.rows(None, Some(&run.summary), Some(&run.summary), false)[2].1, "4");
    }
}

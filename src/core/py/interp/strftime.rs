//! `time.strftime(format)`: the run's clock read as a wall clock in UTC whose day began when the
//! run did (`time.time()` is seconds since the run began), so `f"started at {time.strftime('%X')}"`
//! prints `started at 00:00:00` and, three virtual seconds later, `finished at 00:00:03`: on
//! CPython the time of day differs from run to run, what a prediction can show is how far apart.
//! The C locale's common directives, as glibc writes them (`%Y %m %d %H %M %S %X %c`…); others,
//! glibc's extensions and flags (`%-d`, `%u`, `%5d`) among them, stay as written.

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A moment, broken down.
struct Tm {
    year: i64,
    month: usize,
    day: i64,
    /// 0 for Monday.
    weekday: usize,
    /// 1 for January 1st.
    yday: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

/// `secs` since 1970-01-01 00:00:00 UTC, broken down (Howard Hinnant's `civil_from_days`).
fn utc(secs: f64) -> Tm {
    let secs = secs.floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][month as usize - 1];
    Tm {
        year,
        month: month as usize,
        day,
        weekday: (days + 3).rem_euclid(7) as usize,
        yday: before + day + i64::from(leap && month > 2),
        hour: rest / 3600,
        minute: rest / 60 % 60,
        second: rest % 60,
    }
}

/// `format` with `secs` (since the epoch) in UTC; a directive it does not know stays as written.
pub fn strftime(format: &str, secs: f64) -> String {
    let t = utc(secs);
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let hour12 = (t.hour + 11) % 12 + 1;
        let text = match d {
            'Y' => t.year.to_string(),
            'y' => format!("{:02}", t.year.rem_euclid(100)),
            'm' => format!("{:02}", t.month),
            'd' => format!("{:02}", t.day),
            'e' => format!("{:2}", t.day),
            'j' => format!("{:03}", t.yday),
            'H' => format!("{:02}", t.hour),
            'I' => format!("{hour12:02}"),
            'M' => format!("{:02}", t.minute),
            'S' => format!("{:02}", t.second),
            'p' => (if t.hour < 12 { "AM" } else { "PM" }).to_string(),
            'A' => DAYS[t.weekday].to_string(),
            'a' => DAYS[t.weekday][..3].to_string(),
            'B' => MONTHS[t.month - 1].to_string(),
            'b' | 'h' => MONTHS[t.month - 1][..3].to_string(),
            'X' | 'T' => strftime("%H:%M:%S", secs),
            'x' | 'D' => strftime("%m/%d/%y", secs),
            'F' => strftime("%Y-%m-%d", secs),
            'R' => strftime("%H:%M", secs),
            'c' => strftime("%a %b %e %H:%M:%S %Y", secs),
            'Z' => "UTC".to_string(),
            'z' => "+0000".to_string(),
            '%' => "%".to_string(),
            other => format!("%{other}"),
        };
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strftime;

    /// Against CPython's `time.strftime(f, time.gmtime(secs))` in the C locale.
    #[test]
    fn formats_as_glibc_does_in_utc() {
        assert_eq!(strftime("%X", 3.7), "00:00:03");
        assert_eq!(
            strftime("%c|%x|%j|%I %p|%A %B", 0.0),
            "Thu Jan  1 00:00:00 1970|01/01/70|001|12 AM|Thursday January"
        );
        assert_eq!(strftime("%Y-%m-%d %H:%M:%S %a %%|%q", 1_709_251_199.0), "2024-02-29 23:59:59 Thu %|%q");
        assert_eq!(strftime("%j %e %y", 1_735_603_200.0), "366 31 24");
    }
}

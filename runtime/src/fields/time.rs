//! Text forms of event timestamps (UTC).

/// (year, month, day) of a day count since 1970-01-01.
fn date(days: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn clock(ts: u64) -> (u64, u64, u64, u64) {
    let secs = ts / 1_000_000_000;
    let sod = secs % 86_400;
    (sod / 3600, sod / 60 % 60, sod % 60, ts % 1_000_000_000)
}

/// `HH:MM:SS.nnnnnnnnn` (`evt.time`).
pub fn time_of_day(ts: u64) -> String {
    let (h, m, s, ns) = clock(ts);
    format!("{h:02}:{m:02}:{s:02}.{ns:09}")
}

/// `HH:MM:SS` (`evt.time.s`).
pub fn time_of_day_s(ts: u64) -> String {
    let (h, m, s, _) = clock(ts);
    format!("{h:02}:{m:02}:{s:02}")
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` (`evt.datetime`), or without the
/// fraction.
pub fn datetime(ts: u64, with_ns: bool) -> String {
    let (y, mo, d) = date((ts / 1_000_000_000 / 86_400) as i64);
    let (h, m, s, ns) = clock(ts);
    if with_ns {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02}:{s:02}.{ns:09}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02}:{s:02}")
    }
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`.
pub fn iso8601(ts: u64) -> String {
    let (y, mo, d) = date((ts / 1_000_000_000 / 86_400) as i64);
    let (h, m, s, ns) = clock(ts);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}.{ns:09}+0000")
}

/// An absolute time parameter: `YYYY-MM-DD HH:MM:SS.nnnnnnnnn +0000`.
pub fn abstime(ts: u64) -> String {
    format!("{} +0000", datetime(ts, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let ts = 1_470_327_477_881_785_348;
        assert_eq!(time_of_day(ts), "16:17:57.881785348");
        assert_eq!(time_of_day_s(ts), "16:17:57");
        assert_eq!(datetime(ts, true), "2016-08-04 16:17:57.881785348");
        assert_eq!(iso8601(ts), "2016-08-04T16:17:57.881785348+0000");
        assert_eq!(datetime(0, false), "1970-01-01 00:00:00");
        // 2024-02-29 (a leap day)
        assert_eq!(datetime(1_709_164_800_000_000_000, false), "2024-02-29 00:00:00");
    }
}

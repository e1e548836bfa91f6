//! Timestamps as Falco prints them, from nanoseconds since the Unix epoch (UTC).

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: u64,
    mi: u64,
    s: u64,
    ns: u64,
}

fn parts(ts: u64) -> Parts {
    let secs = ts / 1_000_000_000;
    let ns = ts % 1_000_000_000;
    let (y, mo, d) = civil((secs / 86_400) as i64);
    let sod = secs % 86_400;
    Parts {
        y,
        mo,
        d,
        h: sod / 3600,
        mi: sod / 60 % 60,
        s: sod % 60,
        ns,
    }
}

/// `2016-08-04T16:17:57.881785348Z` (the JSON `time` key).
pub fn iso8601_z(ts: u64) -> String {
    let p = parts(ts);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s, p.ns
    )
}

/// `2016-08-04T16:17:57.881785348+0000` (`evt.time.iso8601`, the ISO output prefix).
pub fn iso8601_offset(ts: u64) -> String {
    let mut out = String::with_capacity(29);
    push_iso8601_offset(&mut out, ts);
    out
}

/// [`iso8601_offset`] appended to `out` (every alert line starts with it: no `fmt`).
pub fn push_iso8601_offset(out: &mut String, ts: u64) {
    let p = parts(ts);
    if !(0..=9999).contains(&p.y) {
        out.push_str(&format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}+0000",
            p.y, p.mo, p.d, p.h, p.mi, p.s, p.ns
        ));
        return;
    }
    push_digits(out, p.y as u64, 4);
    out.push('-');
    push_digits(out, u64::from(p.mo), 2);
    out.push('-');
    push_digits(out, u64::from(p.d), 2);
    out.push('T');
    push_digits(out, p.h, 2);
    out.push(':');
    push_digits(out, p.mi, 2);
    out.push(':');
    push_digits(out, p.s, 2);
    out.push('.');
    push_digits(out, p.ns, 9);
    out.push_str("+0000");
}

/// `n` in decimal, zero-padded to `width` digits (`n` has at most `width` digits).
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let width = width.min(buf.len());
    for i in (0..width).rev() {
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend(buf[..width].iter().map(|&b| char::from(b)));
}

/// `16:17:57.881785348` (`evt.time`).
pub fn time_of_day(ts: u64) -> String {
    let p = parts(ts);
    format!("{:02}:{:02}:{:02}.{:09}", p.h, p.mi, p.s, p.ns)
}

/// `16:17:57` (`evt.time.s`).
pub fn time_of_day_s(ts: u64) -> String {
    let p = parts(ts);
    format!("{:02}:{:02}:{:02}", p.h, p.mi, p.s)
}

/// `2016-08-04 16:17:57.881785348` (`evt.datetime`).
pub fn datetime(ts: u64) -> String {
    let p = parts(ts);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:09}",
        p.y, p.mo, p.d, p.h, p.mi, p.s, p.ns
    )
}

/// `2016-08-04 16:17:57` (`evt.datetime.s`).
pub fn datetime_s(ts: u64) -> String {
    let p = parts(ts);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", p.y, p.mo, p.d, p.h, p.mi, p.s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        // From Falco's output on falco_cat_write.scap.
        let ts = 1_470_327_477_881_785_348;
        assert_eq!(iso8601_z(ts), "2016-08-04T16:17:57.881785348Z");
        assert_eq!(iso8601_offset(ts), "2016-08-04T16:17:57.881785348+0000");
        assert_eq!(time_of_day(ts), "16:17:57.881785348");
        assert_eq!(datetime_s(ts), "2016-08-04 16:17:57");
        assert_eq!(iso8601_z(0), "1970-01-01T00:00:00.000000000Z");
        // Leap day and end of a leap year.
        assert_eq!(iso8601_z(951_782_400_000_000_000), "2000-02-29T00:00:00.000000000Z");
        assert_eq!(iso8601_z(1_483_142_400_000_000_000), "2016-12-31T00:00:00.000000000Z");
    }

    #[test]
    fn offset_form_without_fmt_equals_the_formatted_one() {
        let formatted = |ts: u64| {
            let p = parts(ts);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}+0000",
                p.y, p.mo, p.d, p.h, p.mi, p.s, p.ns
            )
        };
        let mut ts = 7u64;
        for _ in 0..10_000 {
            assert_eq!(iso8601_offset(ts), formatted(ts));
            ts = ts
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
        }
        for ts in [0, 1, 999_999_999, 1_000_000_000, u64::MAX] {
            assert_eq!(iso8601_offset(ts), formatted(ts));
        }
    }
}

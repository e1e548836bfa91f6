//! Reading LSP frames (`Content-Length: N\r\n\r\n` + N bytes) from a byte stream that may
//! be hostile: nothing is allocated because a header says so, header lines are bounded in
//! length and count, and every malformed frame is dropped in a way that lets the stream
//! resynchronise on the next good one.

use std::io::{self, BufRead, Read};

/// Largest message body the server accepts (a 16 MiB rules file, the compiler's own limit,
/// fits even with every character escaped in JSON). A larger body is read and thrown away.
pub const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// Longest header line (the real ones, `Content-Length` and `Content-Type`, are < 100 bytes).
pub const MAX_HEADER_LINE_BYTES: usize = 1024;
/// Most header lines in one frame.
pub const MAX_HEADER_LINES: usize = 16;

/// The bounds of the frame reader (tests use small ones).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_body: u64,
    pub max_header_line: usize,
    pub max_header_lines: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: MAX_BODY_BYTES,
            max_header_line: MAX_HEADER_LINE_BYTES,
            max_header_lines: MAX_HEADER_LINES,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete body of at most `max_body` bytes.
    Body(Vec<u8>),
    /// A frame that was skipped, and why (never quoting what was sent).
    Dropped(String),
}

pub struct FrameReader<R> {
    input: R,
    limits: Limits,
    /// A header line found glued to junk (the rest of a frame whose length was unknown),
    /// to start the next frame with.
    carried: Option<Vec<u8>>,
}

const CONTENT_LENGTH: &[u8] = b"content-length:";

impl<R: BufRead> FrameReader<R> {
    pub fn new(input: R, limits: Limits) -> FrameReader<R> {
        FrameReader {
            input,
            limits,
            carried: None,
        }
    }

    /// The next frame; `None` at the end of the stream (also inside a frame).
    pub fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        let mut length: Option<u64> = None;
        let mut problem: Option<String> = None;
        let mut lines = 0usize;
        let mut conflicting = false;
        loop {
            let line = match self.carried.take() {
                Some(l) => l,
                None => match read_line(&mut self.input, self.limits.max_header_line)? {
                    Line::End => return Ok(None),
                    Line::TooLong => {
                        lines += 1;
                        problem.get_or_insert_with(|| {
                            format!("a header line longer than {} bytes", self.limits.max_header_line)
                        });
                        continue;
                    }
                    Line::Text(l) => l,
                },
            };
            if line.is_empty() {
                if lines == 0 {
                    continue; // Blank lines between frames carry nothing.
                }
                break;
            }
            let parsed = parse_header(&line);
            // A header glued to the end of junk: the junk was a body whose length was never
            // known. Drop what came before and start a new frame at the header.
            if parsed.is_err()
                && let Some(at) = find_ignore_case(&line, CONTENT_LENGTH).filter(|&at| at > 0)
            {
                self.carried = Some(line[at..].to_vec());
                return Ok(Some(Frame::Dropped(match problem {
                    Some(why) => format!("a malformed header: {why}"),
                    None => format!("{at} bytes of data that is not a header before a Content-Length header"),
                })));
            }
            lines += 1;
            if lines > self.limits.max_header_lines {
                // Still parsed: a length found later lets the body be skipped.
                problem.get_or_insert_with(|| format!("more than {} header lines", self.limits.max_header_lines));
            }
            match parsed {
                Ok(Some(n)) if length.is_some_and(|l| l != n) => {
                    conflicting = true;
                    problem.get_or_insert_with(|| "two different Content-Length headers".into());
                }
                Ok(Some(n)) => length = Some(n),
                Ok(None) => {}
                Err(why) => {
                    problem.get_or_insert_with(|| why.into());
                }
            }
        }
        match (problem, length) {
            (Some(why), Some(n)) if !conflicting => {
                // The length is known: skip the body too, so it is not read as headers.
                self.discard(n)?;
                Ok(Some(Frame::Dropped(format!("a malformed header: {why}"))))
            }
            (Some(why), _) => Ok(Some(Frame::Dropped(format!("a malformed header: {why}")))),
            (None, None) => Ok(Some(Frame::Dropped("a header without Content-Length".into()))),
            (None, Some(n)) if n > self.limits.max_body => {
                self.discard(n)?;
                Ok(Some(Frame::Dropped(format!(
                    "a body of {n} bytes, larger than the limit of {} bytes",
                    self.limits.max_body
                ))))
            }
            (None, Some(n)) => {
                // Grown as bytes arrive: a length the sender never follows costs nothing.
                let mut body = Vec::with_capacity(n.min(64 * 1024) as usize);
                (&mut self.input).take(n).read_to_end(&mut body)?;
                if (body.len() as u64) < n {
                    return Ok(None);
                }
                Ok(Some(Frame::Body(body)))
            }
        }
    }

    /// Read and throw away `n` bytes (fewer at the end of the stream), a buffer at a time.
    fn discard(&mut self, n: u64) -> io::Result<()> {
        io::copy(&mut (&mut self.input).take(n), &mut io::sink())?;
        Ok(())
    }
}

enum Line {
    /// The end of the stream (a last line without a newline is dropped with it).
    End,
    TooLong,
    /// A line without its `\n` and `\r`.
    Text(Vec<u8>),
}

/// Read one line of at most `max` bytes; a longer one is consumed to its end, not kept.
fn read_line(r: &mut impl BufRead, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(Line::End);
        }
        let (chunk, used, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        if !too_long {
            if line.len() + chunk.len() > max + 1 {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        r.consume(used);
        if done {
            if too_long {
                return Ok(Line::TooLong);
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.len() > max {
                return Ok(Line::TooLong);
            }
            return Ok(Line::Text(line));
        }
    }
}

/// `Some(length)` for `Content-Length`, `None` for any other well-formed header
/// (`Content-Type` included: the body is UTF-8 JSON whatever it says).
fn parse_header(line: &[u8]) -> Result<Option<u64>, &'static str> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or("a header line without ':'")?;
    let name = line[..colon].trim_ascii();
    let value = line[colon + 1..].trim_ascii();
    if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
        return Err("a header line with a bad name");
    }
    if !name.eq_ignore_ascii_case(b"content-length") {
        return Ok(None);
    }
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err("a Content-Length that is not a number");
    }
    // Digits only, so the only failure left is a number beyond u64.
    std::str::from_utf8(value)
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or("a Content-Length too large to be a length")
}

/// A character of an HTTP header name (RFC 9110 `token`).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8], limits: Limits) -> Vec<Frame> {
        let mut r = FrameReader::new(input, limits);
        let mut out = Vec::new();
        while let Some(f) = r.next_frame().unwrap() {
            out.push(f);
        }
        out
    }

    fn body(s: &str) -> Frame {
        Frame::Body(s.as_bytes().to_vec())
    }

    fn dropped(f: &Frame) -> bool {
        matches!(f, Frame::Dropped(_))
    }

    #[test]
    fn good_frames_with_any_header_case_and_content_type() {
        let input = b"Content-Length: 2\r\n\r\n{}content-length:3\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n[1]\r\n\r\nContent-Length: 1\n\n1";
        assert_eq!(frames(input, Limits::default()), [body("{}"), body("[1]"), body("1")]);
    }

    #[test]
    fn an_oversized_body_is_skipped_exactly() {
        let limits = Limits {
            max_body: 4,
            ..Limits::default()
        };
        let input = b"Content-Length: 5\r\n\r\n12345Content-Length: 2\r\n\r\n{}";
        let got = frames(input, limits);
        assert!(dropped(&got[0]), "{got:?}");
        assert_eq!(got[1..], [body("{}")]);
    }

    #[test]
    fn a_huge_length_is_not_allocated_and_ends_with_the_stream() {
        for len in ["2000000000", "18446744073709551615"] {
            let input = format!("Content-Length: {len}\r\n\r\n{{\"short\": true}}");
            let got = frames(input.as_bytes(), Limits::default());
            assert_eq!(got.len(), 1);
            assert!(dropped(&got[0]), "{got:?}");
        }
        // Below the limit, a length the sender does not follow is the end of the stream.
        assert_eq!(frames(b"Content-Length: 1000\r\n\r\n{}", Limits::default()), []);
    }

    #[test]
    fn malformed_headers_resynchronise() {
        let cases: &[&[u8]] = &[
            // A bad line in a block with a length: the body is skipped with the block.
            b"Content-Length: 2\r\nnot a header\r\n\r\n{}Content-Length: 2\r\n\r\n[]",
            // No usable length: the orphan body is dropped up to the next header.
            b"Content-Length: x\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\n[]",
            b"Content-Type: a\r\n\r\n{}Content-Length: 2\r\n\r\n[]",
            b"Content-Length: 99999999999999999999999\r\n\r\n{}Content-Length: 2\r\n\r\n[]",
            b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}Content-Length: 2\r\n\r\n[]",
            b"\xff\xfe: 1\r\n\r\n{}Content-Length: 2\r\n\r\n[]",
        ];
        for input in cases {
            let got = frames(input, Limits::default());
            assert!(got.len() >= 2 && got[..got.len() - 1].iter().all(dropped), "{got:?}");
            assert_eq!(got.last(), Some(&body("[]")), "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn header_lines_are_bounded_in_length_and_count() {
        let mut long = b"X-Long: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 10_000));
        long.extend(b"\r\nContent-Length: 2\r\n\r\n{}Content-Length: 2\r\n\r\n[]");
        let got = frames(&long, Limits::default());
        assert_eq!(got.len(), 2);
        assert!(dropped(&got[0]));
        let many = "X-A: 1\r\n".repeat(100) + "Content-Length: 2\r\n\r\n{}Content-Length: 2\r\n\r\n[]";
        let got = frames(many.as_bytes(), Limits::default());
        assert_eq!(got.len(), 2);
        assert!(dropped(&got[0]));
        assert_eq!(got[1], body("[]"));
    }
}

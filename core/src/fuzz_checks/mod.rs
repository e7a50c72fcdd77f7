//! The properties the fuzz targets check (`fuzz/`), shared with the stable tests that replay
//! every committed regression input: a fuzz target is one call to a `check` function here, so
//! a crashing input found by the fuzzer fails `cargo test` the same way once it is saved
//! under `fuzz/regressions/<target>/`.
//!
//! Compiled for tests and with the `fuzzing` feature only; not part of the public API.

pub mod mapper_render;
pub mod value_codec;

/// A reader of fuzz input: every read succeeds (zeros once the input is exhausted), so any
/// byte string is a valid input and a short one is a small case.
#[derive(Debug)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next `n` bytes (fewer at the end).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        head
    }

    /// The rest of the input.
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.data.len())
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        let b = self.take(N);
        out[..b.len()].copy_from_slice(b);
        out
    }

    /// A byte.
    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// A boolean.
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A `u16`.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }

    /// A `u32`.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    /// A `u64`.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// An `i32`, often an edge value.
    pub fn i32(&mut self) -> i32 {
        match self.u8() % 8 {
            0 => 0,
            1 => i32::MIN,
            2 => i32::MAX,
            3 => -1,
            _ => i32::from_le_bytes(self.array()),
        }
    }

    /// An `i64`, often an edge value.
    pub fn i64(&mut self) -> i64 {
        match self.u8() % 8 {
            0 => 0,
            1 => i64::MIN,
            2 => i64::MAX,
            3 => -1,
            4 => i64::from(self.i32()),
            _ => i64::from_le_bytes(self.array()),
        }
    }

    /// An `f64`, often NaN, an infinity, a zero or a subnormal.
    pub fn f64(&mut self) -> f64 {
        match self.u8() % 8 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => -0.0,
            4 => f64::MIN_POSITIVE / 2.0,
            5 => f64::from(self.i32()),
            _ => f64::from_bits(self.u64()),
        }
    }

    /// An index below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.u8() as usize % n
        }
    }

    /// A short count: 0 to `max`.
    pub fn count(&mut self, max: usize) -> usize {
        self.below(max + 1)
    }

    /// Up to `max` raw bytes.
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let n = self.count(max);
        self.take(n)
    }

    /// A short string, rich in what breaks quoting: quotes, semicolons, comments, NULs,
    /// non-ASCII, keywords.
    pub fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "_",
            "0",
            "\"",
            "'",
            "''",
            "\"\"",
            " ",
            ";",
            "--",
            "/*",
            "*/",
            "\0",
            "é",
            "\u{10FFFF}",
            "?",
            "(",
            ")",
            ".",
            ",",
            "=",
            "$$",
            "{",
            "}",
            ":",
            "\n",
            "\\",
            "DROP",
            "AND",
            "key",
            "\u{FEFF}",
            "-",
            "+",
            "<",
            ">",
            "[",
            "]",
            "`",
            "%",
        ];
        let n = self.count(12);
        let mut s = String::new();
        for _ in 0..n {
            match self.u8() {
                b @ 0..=199 => s.push_str(PIECES[b as usize % PIECES.len()]),
                _ => {
                    if let Some(c) = char::from_u32(self.u32() % 0x11_0000) {
                        s.push(c);
                    }
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Runs `check` on every file of `fuzz/<dir>/<target>/` (a missing folder is empty).
    pub(crate) fn replay(dir: &str, target: &str, check: fn(&[u8])) -> usize {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz")
            .join(dir)
            .join(target);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return 0;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in &paths {
            let data = std::fs::read(path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} fails its check", path.display());
        }
        paths.len()
    }

    #[test]
    fn value_codec_regressions_and_seeds_pass() {
        replay("regressions", "value_codec", super::value_codec::check);
        replay("corpus", "value_codec", super::value_codec::check);
    }

    #[test]
    fn mapper_render_regressions_and_seeds_pass() {
        replay("regressions", "mapper_render", super::mapper_render::check);
        replay("corpus", "mapper_render", super::mapper_render::check);
    }

    #[test]
    fn short_and_empty_inputs_pass() {
        for data in [&[][..], &[0], &[1], &[2], &[3], &[0xFF; 64]] {
            super::value_codec::check(data);
            super::mapper_render::check(data);
        }
    }
}

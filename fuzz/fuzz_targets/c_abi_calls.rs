//! See `cqlbridge::fuzz_checks` (crate cqlbridge-ffi) for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cqlbridge::fuzz_checks::check(data));

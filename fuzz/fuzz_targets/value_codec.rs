//! See `cqlbridge_core::fuzz_checks::value_codec` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cqlbridge_core::fuzz_checks::value_codec::check(data));

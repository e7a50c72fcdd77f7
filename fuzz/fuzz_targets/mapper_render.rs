//! See `cqlbridge_core::fuzz_checks::mapper_render` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cqlbridge_core::fuzz_checks::mapper_render::check(data));

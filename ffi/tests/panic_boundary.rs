//! Every `#[no_mangle]` export runs its whole body behind the panic boundary: its body's
//! first expression is `ffi_call(...)` or `guard(...)`. This test reads the sources.

use std::path::Path;

#[test]
fn every_export_is_behind_the_panic_boundary() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut exports = 0;
    let mut unguarded = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#[no_mangle]") {
            rest = &rest[at + "#[no_mangle]".len()..];
            let sig_end = rest.find('{').expect("a function body");
            let name = rest[..sig_end]
                .split("fn ")
                .nth(1)
                .and_then(|s| s.split('(').next())
                .unwrap_or("?")
                .trim()
                .to_owned();
            let body = rest[sig_end + 1..].trim_start();
            // Skip comments at the start of the body.
            let first = body
                .lines()
                .map(str::trim)
                .find(|l| !l.starts_with("//"))
                .unwrap_or("");
            exports += 1;
            if !(first.starts_with("ffi_call(")
                || first.starts_with("guard(")
                || first.starts_with("boundary::guard("))
            {
                unguarded.push(format!("{}: {name} starts with {first:?}", path.display()));
            }
        }
    }
    assert!(
        exports > 100,
        "found only {exports} exports: is the scan right?"
    );
    assert!(
        unguarded.is_empty(),
        "exports outside the panic boundary:\n{}",
        unguarded.join("\n")
    );
}

#[test]
fn a_panic_inside_an_export_becomes_cqlb_panic() {
    let status = cqlbridge::boundary::ffi_call(|| panic!("boom"));
    assert_eq!(status, cqlbridge::status::cqlb_status::CQLB_PANIC);
    let (ptr, len) = cqlbridge::boundary::last_error();
    let message =
        unsafe { std::str::from_utf8(std::slice::from_raw_parts(ptr.cast::<u8>(), len)).unwrap() };
    assert!(message.contains("boom"), "{message}");
}

//! `uniffi-bindgen` at the workspace's pinned uniffi version (maturin and `make` run it).

fn main() {
    uniffi::uniffi_bindgen_main()
}

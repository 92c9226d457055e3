//! The checked-in `include/omni.h` must be exactly what cbindgen generates from the source.
//! Regenerate with `OMNI_BLESS=1 cargo test -p omni-ffi --test header`.

use std::path::Path;

#[test]
fn checked_in_header_matches_cbindgen() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("UTF-8 header");
    let path = crate_dir.join("include/omni.h");
    if std::env::var_os("OMNI_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/omni.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/omni.h is out of date with the Rust source; run OMNI_BLESS=1 cargo test -p omni-ffi --test header"
    );
}

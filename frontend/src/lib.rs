//! The browser entry point: hydrates the server-rendered page. Built to WebAssembly by
//! cargo-leptos; empty on native targets (see Cargo.toml).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the hydration script the server renders into every page.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::ui::install_redirect_hook();
    leptos::mount::hydrate_body(app::App);
}

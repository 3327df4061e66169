//! Browser side of consent: the local-storage copy of the choice, and loading or removing the
//! optional measurement scripts.

use super::ConsentState;
use crate::bootstrap::AnalyticsConfig;
use crate::paths::{
    CONSENT_STORAGE_KEY, NECESSARY_COOKIES, NECESSARY_STORAGE_KEYS, REDDIT_PIXEL_LOADER,
};
use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen::JsCast;

/// Attribute marking every script element this module (or the loader it injects) adds.
const MARKER: &str = "data-codexapi-analytics";

/// The stored choice, if any.
pub fn load() -> Option<ConsentState> {
    LocalStorage::get(CONSENT_STORAGE_KEY).ok()
}

/// Keeps the choice in local storage (necessary storage: it is the consent record).
pub fn save(state: &ConsentState) {
    // Storage can be full or disabled; the server-side record and cookie still hold the choice.
    let _ = LocalStorage::set(CONSENT_STORAGE_KEY, state);
}

/// Loads optional measurement when `allowed`, or removes every trace of it otherwise.
pub fn apply(config: &AnalyticsConfig, allowed: bool) {
    if allowed {
        load_scripts(config);
    } else {
        withdraw();
    }
}

fn load_scripts(config: &AnalyticsConfig) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // A page opened from an emailed link has its token in the address; third-party measurement
    // reads the address, so it is not loaded there.
    let on_token_page = window
        .location()
        .pathname()
        .is_ok_and(|path| crate::paths::TOKEN_PAGES.contains(&path.as_str()));
    if on_token_page {
        return;
    }
    let Some(document) = window.document() else {
        return;
    };
    if document
        .query_selector(&format!("script[{MARKER}]"))
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let Some(head) = document.head() else {
        return;
    };
    let inject = |src: &str, kind: &str, pixel_id: Option<&str>| {
        let Ok(script) = document.create_element("script") else {
            return;
        };
        let _ = script.set_attribute("src", src);
        let _ = script.set_attribute("async", "");
        let _ = script.set_attribute(MARKER, kind);
        if let Some(id) = pixel_id {
            let _ = script.set_attribute("data-pixel-id", id);
        }
        let _ = head.append_child(&script);
    };
    if let Some(id) = &config.reddit_pixel_id {
        inject(REDDIT_PIXEL_LOADER, "reddit", Some(id));
    }
    if let Some(url) = &config.extra_script_url {
        inject(url, "extra", None);
    }
}

/// Removes the scripts, their cookies and storage. A script that already ran keeps its timers
/// and handlers in this page, so when one was loaded the page is reloaded: the fresh page loads
/// nothing optional, which is the only way to guarantee no further requests.
fn withdraw() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let mut removed_any = false;
    if let Ok(scripts) = document.query_selector_all(&format!("script[{MARKER}]")) {
        for index in 0..scripts.length() {
            if let Some(node) = scripts.item(index) {
                if let Some(element) = node.dyn_ref::<web_sys::Element>() {
                    element.remove();
                    removed_any = true;
                }
            }
        }
    }
    let _ = js_sys::Reflect::delete_property(&window, &"rdt".into());
    clear_optional_cookies(&window, &document);
    clear_optional_storage();
    if removed_any {
        let _ = window.location().reload();
    }
}

/// Expires every script-visible cookie that is not necessary, on this host and every parent
/// domain it could have been set for (measurement tags often set them on the registrable domain).
fn clear_optional_cookies(window: &web_sys::Window, document: &web_sys::Document) {
    let Some(html) = document.dyn_ref::<web_sys::HtmlDocument>() else {
        return;
    };
    let Ok(all) = html.cookie() else {
        return;
    };
    let host = window.location().hostname().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let mut domains = vec![String::new()];
    for start in 0..labels.len().saturating_sub(1) {
        domains.push(format!("; domain=.{}", labels[start..].join(".")));
    }
    for pair in all.split(';') {
        let name = pair.split('=').next().unwrap_or_default().trim();
        if name.is_empty() || NECESSARY_COOKIES.contains(&name) {
            continue;
        }
        for domain in &domains {
            let _ = html.set_cookie(&format!(
                "{name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/{domain}"
            ));
        }
    }
}

fn clear_optional_storage() {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let length = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..length)
        .filter_map(|index| storage.key(index).ok().flatten())
        .filter(|key| !NECESSARY_STORAGE_KEYS.contains(&key.as_str()))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

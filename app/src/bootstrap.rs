//! What the server tells the page about the deployment and the visitor before any script runs.
//!
//! The server renders it into a `<meta>` tag; the hydrating client reads the same tag, so both
//! sides start from identical state and hydration matches what was rendered.

use crate::auth::Viewer;
use crate::consent::ConsentState;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// `name` of the `<meta>` tag carrying the serialised [`PageBootstrap`].
pub const META_NAME: &str = "codexapi-bootstrap";

/// Deployment facts the public pages show. Nothing secret: all of it is public on the site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicConfig {
    pub site_name: String,
    pub base_url: String,
    pub support_email: String,
    pub privacy_email: String,
    pub controller_name: String,
    /// Version (effective date) of the privacy policy; a choice made under another version is
    /// asked again.
    pub policy_version: String,
    pub currency: String,
    pub analytics: AnalyticsConfig,
}

/// Optional measurement, loaded only after the visitor accepts analytics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsConfig {
    pub reddit_pixel_id: Option<String>,
    pub extra_script_url: Option<String>,
}

impl AnalyticsConfig {
    /// Whether anything optional would be loaded on consent.
    pub fn is_configured(&self) -> bool {
        self.reddit_pixel_id.is_some() || self.extra_script_url.is_some()
    }
}

/// Everything a page needs before it can render identically on both sides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageBootstrap {
    pub site: PublicConfig,
    /// The visitor's choice under the current policy version, from the consent cookie.
    pub consent: Option<ConsentState>,
    /// The visitor asked to review their choice (the Privacy button's no-script link).
    pub review_requested: bool,
    /// The signed-in account, if any.
    pub viewer: Option<Viewer>,
}

/// Returns the page's bootstrap, providing it as context on first use.
///
/// On the server the shell provides it from the request; in the browser it is read once from the
/// `<meta>` tag the server rendered.
pub fn use_bootstrap() -> PageBootstrap {
    if let Some(existing) = use_context::<PageBootstrap>() {
        return existing;
    }
    #[cfg(feature = "hydrate")]
    let loaded = read_from_document().unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    let loaded = PageBootstrap::default();
    provide_context(loaded.clone());
    loaded
}

#[cfg(feature = "hydrate")]
fn read_from_document() -> Option<PageBootstrap> {
    let document = web_sys::window()?.document()?;
    let meta = document
        .query_selector(&format!("meta[name=\"{META_NAME}\"]"))
        .ok()??;
    let content = meta.get_attribute("content")?;
    serde_json::from_str(&content).ok()
}

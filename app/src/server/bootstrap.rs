//! Builds the [`PageBootstrap`] for the request being rendered.

use super::request;
use super::state::AppState;
use crate::bootstrap::{AnalyticsConfig, PageBootstrap, PublicConfig};
use crate::paths::REVIEW_CONSENT_QUERY;

/// The deployment's public facts, from configuration.
pub fn public_config(state: &AppState) -> PublicConfig {
    let settings = state.settings();
    PublicConfig {
        site_name: settings.site.name.clone(),
        base_url: settings.public_base_url().to_owned(),
        support_email: settings.site.support_email.clone(),
        privacy_email: settings.site.privacy_email.clone(),
        controller_name: settings.site.controller_name.clone(),
        policy_version: settings.privacy.policy_version.clone(),
        currency: settings.site.currency.clone(),
        analytics: AnalyticsConfig {
            reddit_pixel_id: settings.analytics.reddit_pixel_id.clone(),
            extra_script_url: settings.analytics.extra_script_url.clone(),
        },
    }
}

/// The bootstrap for the current request: configuration plus the visitor's consent cookie,
/// honoured only if it was given under the current policy version.
pub fn for_current_request() -> PageBootstrap {
    let Ok(state) = AppState::from_context() else {
        return PageBootstrap::default();
    };
    let site = public_config(&state);
    let parts = request::parts().ok();
    let consent = parts
        .as_ref()
        .and_then(request::consent_cookie)
        .filter(|c| c.policy_version == site.policy_version);
    let review_requested = parts.as_ref().and_then(|p| p.uri.query()).is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == REVIEW_CONSENT_QUERY)
    });
    let viewer = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<crate::auth::Viewer>().cloned());
    PageBootstrap {
        site,
        consent,
        review_requested,
        viewer,
    }
}

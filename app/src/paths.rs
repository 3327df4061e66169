//! Route paths, cookie and storage names and test ids shared by the components, the server and
//! the Playwright suite (`end2end/tests/ids.ts` mirrors the test ids).

/// Public pages.
pub const HOME: &str = "/";
pub const PRICING: &str = "/pricing";
pub const SETUP: &str = "/setup";
pub const PRIVACY: &str = "/privacy";
pub const TERMS: &str = "/terms";

/// Operational endpoints, outside the Leptos router.
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";

/// Prefix of every server function URL.
pub const SERVER_FN_PREFIX: &str = "/api";

/// Query parameter that opens the privacy choices without JavaScript (the Privacy button's link).
pub const REVIEW_CONSENT_QUERY: &str = "privacy-choices";

/// Static loader for the Reddit Pixel, served from `frontend/public`; injected only after consent.
pub const REDDIT_PIXEL_LOADER: &str = "/analytics/reddit-pixel.js";

/// Necessary cookie holding the visitor's consent choice, so the server can render the right
/// banner state without JavaScript. Needs no consent: it *is* the consent record.
pub const CONSENT_COOKIE: &str = "codexapi_consent";
/// Local-storage key of the consent choice (the browser-side copy).
pub const CONSENT_STORAGE_KEY: &str = "codexapi.consent";
/// Necessary cookies and storage keys that withdrawing consent must keep.
pub const NECESSARY_COOKIES: &[&str] = &[CONSENT_COOKIE, "codexapi_session", "codexapi_ref"];
pub const NECESSARY_STORAGE_KEYS: &[&str] = &[CONSENT_STORAGE_KEY, "codexapi.ref"];

/// `data-testid` values used by the browser tests.
pub mod test_ids {
    pub const CONSENT_BANNER: &str = "consent-banner";
    pub const PRIVACY_BUTTON: &str = "privacy-button";
    pub const PRICE_TABLE: &str = "price-table";
    pub const PRICE_EMPTY: &str = "price-empty";
    pub const HYDRATED_MARKER: &str = "hydrated";
}

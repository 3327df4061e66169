//! Route paths, cookie and storage names and test ids shared by the components, the server and
//! the Playwright suite (`end2end/tests/ids.ts` mirrors the test ids).

/// Public pages.
pub const HOME: &str = "/";
pub const PRICING: &str = "/pricing";
pub const SETUP: &str = "/setup";
/// The `codexclaude` set-up script for both CLIs, with this site's address filled in.
pub const SETUP_SCRIPT: &str = "/setup/codexclaude";
pub const PRIVACY: &str = "/privacy";
pub const TERMS: &str = "/terms";

/// Signing up, in and out, and the pages emailed links open.
pub const SIGN_UP: &str = "/signup";
pub const LOG_IN: &str = "/login";
pub const LOG_IN_TWO_FACTOR: &str = "/login/two-factor";
/// Opened from an emailed sign-in link.
pub const LOG_IN_LINK: &str = "/login/link";
pub const VERIFY_EMAIL: &str = "/verify-email";
pub const FORGOT_PASSWORD: &str = "/forgot-password";
pub const RESET_PASSWORD: &str = "/reset-password";
/// Pages reached from an emailed link carry its token in the query; optional measurement is
/// never loaded on them so the token cannot leak to a third party.
pub const TOKEN_PAGES: &[&str] = &[VERIFY_EMAIL, RESET_PASSWORD, LOG_IN_LINK];
/// Query parameter carrying an emailed token.
pub const TOKEN_QUERY: &str = "token";
/// Query parameter naming where to go after signing in (a local path).
pub const NEXT_QUERY: &str = "next";
/// Query parameter naming the confirmation to show after a form redirected here.
pub const NOTICE_QUERY: &str = "notice";

/// The signed-in customer's section.
pub const ACCOUNT: &str = "/account";
pub const ACCOUNT_SECURITY: &str = "/account/security";
pub const ACCOUNT_TWO_FACTOR: &str = "/account/two-factor";
pub const ACCOUNT_WALLET: &str = "/account/wallet";
pub const ACCOUNT_TOKENS: &str = "/account/tokens";
pub const ACCOUNT_USAGE: &str = "/account/usage";
/// The staff section.
pub const ADMIN: &str = "/admin";
pub const ADMIN_USERS: &str = "/admin/users";
pub const ADMIN_SECURITY: &str = "/admin/security";
pub const ADMIN_LEDGER: &str = "/admin/ledger";
pub const ADMIN_REDEMPTION: &str = "/admin/redemption-codes";
pub const ADMIN_PROVIDERS: &str = "/admin/providers";
pub const ADMIN_USAGE: &str = "/admin/usage";

/// Downloads, served by plain handlers beside the pages (a file, not a page).
pub const ACCOUNT_WALLET_CSV: &str = "/account/wallet/history.csv";
pub const ACCOUNT_USAGE_CSV: &str = "/account/usage/requests.csv";
/// Makes a batch of redemption codes and answers with them as CSV: the only time the codes
/// exist in plain text.
pub const ADMIN_REDEMPTION_CSV: &str = "/admin/redemption-codes/batch.csv";

/// One account's page in the staff section.
pub fn admin_user(user_id: i64) -> String {
    format!("{ADMIN_USERS}/{user_id}")
}

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
/// Sign-in session cookie; the `__Host-` name is used when the site is served over https, which
/// pins the cookie to this exact host and path `/` with `Secure`.
pub const SESSION_COOKIE: &str = "codexapi_session";
pub const SESSION_COOKIE_SECURE: &str = "__Host-codexapi_session";
/// Marks a browser that has signed in to an account before, so throttling aimed at strangers
/// guessing that account's password never locks its owner out.
pub const DEVICE_COOKIE: &str = "codexapi_device";
pub const DEVICE_COOKIE_SECURE: &str = "__Host-codexapi_device";
/// A sign-in waiting for its second step (not a session; ten minutes).
pub const PENDING_COOKIE: &str = "codexapi_pending";
pub const PENDING_COOKIE_SECURE: &str = "__Host-codexapi_pending";
/// Recovery codes on their way to the one page that shows them, encrypted (five minutes).
pub const FLASH_COOKIE: &str = "codexapi_flash";
pub const FLASH_COOKIE_SECURE: &str = "__Host-codexapi_flash";
/// Local-storage key of the consent choice (the browser-side copy).
pub const CONSENT_STORAGE_KEY: &str = "codexapi.consent";
/// Necessary cookies and storage keys that withdrawing consent must keep.
pub const NECESSARY_COOKIES: &[&str] = &[
    CONSENT_COOKIE,
    SESSION_COOKIE,
    SESSION_COOKIE_SECURE,
    DEVICE_COOKIE,
    DEVICE_COOKIE_SECURE,
    PENDING_COOKIE,
    PENDING_COOKIE_SECURE,
    FLASH_COOKIE,
    FLASH_COOKIE_SECURE,
    "codexapi_ref",
];
pub const NECESSARY_STORAGE_KEYS: &[&str] = &[CONSENT_STORAGE_KEY, "codexapi.ref"];

/// `data-testid` values used by the browser tests.
pub mod test_ids {
    pub const CONSENT_BANNER: &str = "consent-banner";
    pub const PRIVACY_BUTTON: &str = "privacy-button";
    pub const PRICE_TABLE: &str = "price-table";
    pub const PRICE_EMPTY: &str = "price-empty";
    pub const HYDRATED_MARKER: &str = "hydrated";
    pub const FORM_ERROR: &str = "form-error";
    pub const FORM_NOTICE: &str = "form-notice";
    pub const ACCOUNT_MENU: &str = "account-menu";
    pub const SESSION_LIST: &str = "session-list";
    pub const SECURITY_EVENTS: &str = "security-events";
    pub const USER_TABLE: &str = "user-table";
    pub const TOTP_SECRET: &str = "totp-secret";
    pub const RECOVERY_CODES: &str = "recovery-codes";
    pub const TOKEN_BALANCE: &str = "token-balance";
    pub const CASH_BALANCE: &str = "cash-balance";
    pub const LEDGER_LINES: &str = "ledger-lines";
    pub const NEW_TOKEN: &str = "new-token";
    pub const TOKEN_LIST: &str = "token-list";
    pub const WALLET_CSV: &str = "wallet-csv";
    pub const BATCH_LIST: &str = "batch-list";
    pub const PROVIDER_LIST: &str = "provider-list";
    pub const USAGE_ROWS: &str = "usage-rows";
    pub const SPEND_CHART: &str = "spend-chart";
}

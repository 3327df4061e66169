// Mirrors app/src/paths.rs (test_ids and cookie names).
export const CONSENT_BANNER = "consent-banner";
export const PRIVACY_BUTTON = "privacy-button";
export const PRICE_TABLE = "price-table";
export const PRICE_EMPTY = "price-empty";
export const CONSENT_COOKIE = "codexapi_consent";
export const CONSENT_STORAGE_KEY = "codexapi.consent";
export const FORM_ERROR = "form-error";
export const FORM_NOTICE = "form-notice";
export const ACCOUNT_MENU = "account-menu";
export const SESSION_LIST = "session-list";
export const SECURITY_EVENTS = "security-events";
export const USER_TABLE = "user-table";
export const TOTP_SECRET = "totp-secret";
export const RECOVERY_CODES = "recovery-codes";

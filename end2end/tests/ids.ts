// Mirrors app/src/paths.rs (test_ids and cookie names).
export const CONSENT_BANNER = "consent-banner";
export const PRIVACY_BUTTON = "privacy-button";
export const PRICE_TABLE = "price-table";
export const PRICE_EMPTY = "price-empty";
export const CONSENT_COOKIE = "codexapi_consent";
export const CONSENT_STORAGE_KEY = "codexapi.consent";

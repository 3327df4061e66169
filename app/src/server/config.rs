//! Typed settings, loaded once at start-up from built-in defaults, an optional TOML file and
//! `CODEXAPI_*` environment variables (later sources win). Nested keys use a double underscore in
//! the environment: `[server] port` is `CODEXAPI_SERVER__PORT`.
//!
//! Loading fails fast with a message naming the key and what is wrong with it. Secrets are
//! [`SecretString`]s: they never print, and `print-config` shows them redacted. Every option and
//! its default is documented in the README ("Configuration").

use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Environment variable naming the TOML file, as an alternative to `--config`.
pub const CONFIG_FILE_ENV: &str = "CODEXAPI_CONFIG";
/// Prefix of every configuration variable.
pub const ENV_PREFIX: &str = "CODEXAPI_";

/// The whole configuration.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub site: SiteSettings,
    pub privacy: PrivacySettings,
    pub analytics: AnalyticsSettings,
    pub email: EmailSettings,
    pub sessions: SessionSettings,
    pub log: LogSettings,
    pub passwords: PasswordSettings,
    pub security: SecuritySettings,
    pub proxy: ProxySettings,
    pub leptos: LeptosSettings,
}

/// `[server]`: the HTTP listener.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind. Default `127.0.0.1`.
    pub host: IpAddr,
    /// Port to bind; 0 picks a free port. Default `3000`.
    pub port: u16,
    /// Public URL of the site as customers reach it; `https` turns on HSTS and Secure cookies.
    /// Default `http://127.0.0.1:3000`.
    pub base_url: String,
    /// Peers (CIDRs) whose `X-Forwarded-For` and `X-Request-Id` headers are believed. Default
    /// none: the TCP peer is the client and request ids are always generated.
    pub trusted_proxies: Vec<IpNet>,
    /// Largest accepted request body in bytes; larger ones get 413. Default 32 MiB, the size of
    /// the largest requests coding agents send with images attached.
    pub max_body_bytes: usize,
    /// Seconds in-flight requests get to finish after SIGTERM/Ctrl-C. Default 20.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 3000,
            base_url: "http://127.0.0.1:3000".to_owned(),
            trusted_proxies: Vec::new(),
            max_body_bytes: 32 * 1024 * 1024,
            shutdown_grace_secs: 20,
        }
    }
}

impl ServerSettings {
    /// Whether the public URL is https (HSTS, Secure cookies).
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// `[database]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`. Secret (may hold a
    /// password). Default `sqlite://./data/codexapi.db`. A PostgreSQL on this host is reached
    /// without TLS unless the URL (`?sslmode=…`) or `PGSSLMODE` names a mode.
    #[serde(serialize_with = "redact")]
    pub url: SecretString,
    /// Pool size. Default 16.
    pub max_connections: u32,
    /// Seconds to wait for a pooled connection before failing the request with 503. Default 5.
    pub acquire_timeout_secs: u64,
    /// SQLite only: milliseconds a writer waits for the lock. Default 5000.
    pub sqlite_busy_timeout_ms: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: SecretString::from("sqlite://./data/codexapi.db"),
            max_connections: 16,
            acquire_timeout_secs: 5,
            sqlite_busy_timeout_ms: 5_000,
        }
    }
}

/// `[site]`: who runs this deployment.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// Default `CodexAPI`.
    pub name: String,
    /// Default `support@example.com`.
    pub support_email: String,
    /// Where data-rights requests go. Default `privacy@example.com`.
    pub privacy_email: String,
    /// The legal entity responsible for the personal data (the "controller"). Default
    /// `CodexAPI Operations`.
    pub controller_name: String,
    /// ISO 4217 code of the ledger currency. Default `USD`.
    pub currency: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            name: "CodexAPI".to_owned(),
            support_email: "support@example.com".to_owned(),
            privacy_email: "privacy@example.com".to_owned(),
            controller_name: "CodexAPI Operations".to_owned(),
            currency: "USD".to_owned(),
        }
    }
}

/// `[privacy]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacySettings {
    /// Effective date of the privacy policy, also its version: changing it asks every visitor
    /// for their choice again. `[A-Za-z0-9._-]`, at most 32 characters. Default `2026-11-27`.
    pub policy_version: String,
    /// A Markdown file replacing the built-in policy text. Default none.
    pub policy_file: Option<PathBuf>,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            policy_version: "2026-11-27".to_owned(),
            policy_file: None,
        }
    }
}

/// `[analytics]`: optional measurement, loaded only after consent.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyticsSettings {
    /// Reddit Pixel id; unset disables the pixel. Default none.
    pub reddit_pixel_id: Option<String>,
    /// One more analytics script (an https URL) to load on consent. Default none.
    pub extra_script_url: Option<String>,
    /// Origins the pixel and the extra script may contact (added to the CSP). Default: the
    /// Reddit Pixel's own hosts when a pixel id is set.
    pub extra_origins: Vec<String>,
}

/// Hosts the Reddit Pixel loads from and reports to.
pub const REDDIT_PIXEL_ORIGINS: &[&str] = &[
    "https://www.redditstatic.com",
    "https://alb.reddit.com",
    "https://pixel-config.reddit.com",
    "https://www.reddit.com",
];

/// `[email]`: outgoing mail.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSettings {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…:465`, or `smtp://host:25` for a
    /// local relay. Secret (holds the password). Unset: emails are written to the log instead of
    /// sent, and start-up says so. Default none.
    #[serde(serialize_with = "redact_optional")]
    pub smtp_url: Option<SecretString>,
    /// Sender, as `Name <address>`. Default `CodexAPI <no-reply@example.com>`.
    pub from: String,
    /// Delivery attempts before an email is marked failed. Default 8 (about 2 hours of back-off).
    pub max_attempts: u32,
    /// How often the delivery worker looks for due emails, in milliseconds. Default 1000.
    pub poll_interval_ms: u64,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "CodexAPI <no-reply@example.com>".to_owned(),
            max_attempts: 8,
            poll_interval_ms: 1_000,
        }
    }
}

/// `[sessions]`: dashboard sign-in lifetime.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// Minutes without a request after which a session ends. Default 1440 (one day).
    pub idle_timeout_minutes: u32,
    /// Hours after sign-in after which a session ends however active. Default 720 (30 days).
    pub absolute_timeout_hours: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: 1_440,
            absolute_timeout_hours: 720,
        }
    }
}

/// `[log]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` or `json`. Default `pretty`.
    pub format: LogFormat,
    /// A `tracing` filter (`info`, `server=debug,info`…); `RUST_LOG` overrides it. Default
    /// `info`.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            filter: "info".to_owned(),
        }
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// `[passwords]`: argon2id cost. Hashes made with other parameters are upgraded at login.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordSettings {
    /// Memory in KiB; at least 19456 (OWASP's minimum for argon2id). Default 19456.
    pub memory_kib: u32,
    /// Passes; at least 2. Default 2.
    pub iterations: u32,
    /// Lanes; at least 1. Default 1.
    pub parallelism: u32,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// `[security]`: keys and re-authentication.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    /// At least 32 random bytes, base64-encoded (`openssl rand -base64 32`). Secret: it signs
    /// known-device cookies and encrypts two-factor secrets, so changing it signs every browser
    /// out of "known device" status and makes stored two-factor secrets unreadable. Required by
    /// `serve`; `scripts/serve` generates one into `data/secret.key`. Default none.
    #[serde(serialize_with = "redact_optional")]
    pub secret_key: Option<SecretString>,
    /// Minutes a password (and code) confirmation covers sensitive actions such as disabling
    /// two-step verification or changing the email address. Default 10.
    pub step_up_minutes: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            secret_key: None,
            step_up_minutes: 10,
        }
    }
}

impl SecuritySettings {
    /// The decoded key, or a message naming the problem.
    pub fn key_bytes(&self) -> Result<Vec<u8>, ConfigError> {
        use base64::Engine as _;
        let Some(key) = &self.secret_key else {
            return Err(ConfigError::Invalid {
                key: "security.secret_key",
                problem: "is required: generate one with `openssl rand -base64 32` and set \
                          CODEXAPI_SECURITY__SECRET_KEY"
                    .to_owned(),
            });
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key.expose_secret().trim())
            .map_err(|_| ConfigError::Invalid {
                key: "security.secret_key",
                problem: "must be base64 (the value is not shown: it is secret)".to_owned(),
            })?;
        if bytes.len() < 32 {
            return Err(ConfigError::Invalid {
                key: "security.secret_key",
                problem: format!("must decode to at least 32 bytes, not {}", bytes.len()),
            });
        }
        Ok(bytes)
    }
}

/// `[proxy]`: forwarding API requests to upstream providers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxySettings {
    /// Let admins point providers at private, loopback or link-local addresses (a self-hosted
    /// model server on the same network). Off by default: an upstream URL is otherwise a way to
    /// reach the server's own network (SSRF). Default false.
    pub allow_private_upstreams: bool,
    /// Seconds to open a connection to an upstream. Default 10.
    pub connect_timeout_secs: u64,
    /// Seconds to wait for the upstream's response headers. Default 120 (a long prompt can take
    /// that long before the first byte).
    pub first_byte_timeout_secs: u64,
    /// Seconds a stream may stay silent. Default 300.
    pub idle_timeout_secs: u64,
    /// Seconds a whole request may take. Default 3600.
    pub total_timeout_secs: u64,
    /// Most upstream attempts per request (the first plus failovers). Default 3.
    pub max_attempts: u32,
    /// Longest `Retry-After` (seconds) worth waiting for before failing over. Default 2.
    pub max_retry_wait_secs: u64,
    /// Output tokens assumed when estimating a hold: the request's own `max_tokens`, capped at
    /// this. Default 32000.
    pub max_output_estimate: i64,
    /// Header carrying the client's country from a trusted proxy (e.g. `cf-ipcountry`); empty:
    /// none. Read only from trusted proxies. Default empty.
    pub region_header: String,
    /// Requests per minute one API token may start. Default 600.
    pub requests_per_minute: u32,
    /// Requests one API token may have in flight at once (per server process). Default 32.
    pub max_concurrent_per_token: u32,
}

impl Default for ProxySettings {
    fn default() -> Self {
        Self {
            allow_private_upstreams: false,
            connect_timeout_secs: 10,
            first_byte_timeout_secs: 120,
            idle_timeout_secs: 300,
            total_timeout_secs: 3600,
            max_attempts: 3,
            max_retry_wait_secs: 2,
            max_output_estimate: 32_000,
            region_header: String::new(),
            requests_per_minute: 600,
            max_concurrent_per_token: 32,
        }
    }
}

/// `[leptos]`: where the built site (WASM, JS, CSS) is served from.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeptosSettings {
    /// Directory cargo-leptos writes the site to. Default `target/site`.
    pub site_root: String,
    /// Sub-directory of `site_root` holding the WASM/JS/CSS bundle. Default `pkg`.
    pub site_pkg_dir: String,
    /// Base name of the bundle files. Default `codexapi`.
    pub output_name: String,
}

impl Default for LeptosSettings {
    fn default() -> Self {
        Self {
            site_root: "target/site".to_owned(),
            site_pkg_dir: "pkg".to_owned(),
            output_name: "codexapi".to_owned(),
        }
    }
}

fn redact<S: Serializer>(_: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("[redacted]")
}

fn redact_optional<S: Serializer>(
    secret: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => serializer.serialize_str("[redacted]"),
        None => serializer.serialize_none(),
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Parse(String),
    #[error("configuration error: {key}: {problem}")]
    Invalid { key: &'static str, problem: String },
}

impl Settings {
    /// Loads defaults, then `file` (if given and present), then the environment; validates.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        use figment::providers::{Env, Format, Toml};
        use figment::Figment;

        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Parse(format!(
                    "the configuration file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        let figment = figment.merge(
            Env::prefixed(ENV_PREFIX)
                .ignore(&["config"])
                .split("__")
                .lowercase(true),
        );
        let settings: Settings = figment.extract().map_err(|error| {
            // figment names the offending key and its source (file or variable).
            let messages: Vec<String> = error.into_iter().map(|e| e.to_string()).collect();
            ConfigError::Parse(messages.join("; "))
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, problem: &str| {
            Err(ConfigError::Invalid {
                key,
                problem: problem.to_owned(),
            })
        };
        let base = url::Url::parse(&self.server.base_url).map_err(|e| ConfigError::Invalid {
            key: "server.base_url",
            problem: format!("not a URL ({e}); use e.g. https://api.example.com"),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return invalid(
                "server.base_url",
                "must be an http:// or https:// URL with a host",
            );
        }
        if base.path() != "/" || base.query().is_some() {
            return invalid(
                "server.base_url",
                "must be the site root, without a path or query",
            );
        }
        if self.server.max_body_bytes < 1024 {
            return invalid("server.max_body_bytes", "must be at least 1024");
        }
        let db_url = self.database.url.expose_secret();
        if !(db_url.starts_with("sqlite:")
            || db_url.starts_with("postgres://")
            || db_url.starts_with("postgresql://"))
        {
            return invalid(
                "database.url",
                "must start with sqlite: or postgres:// (the value is not shown: it may hold a password)",
            );
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be at least 1");
        }
        let proxy = &self.proxy;
        for (key, value) in [
            ("proxy.connect_timeout_secs", proxy.connect_timeout_secs),
            (
                "proxy.first_byte_timeout_secs",
                proxy.first_byte_timeout_secs,
            ),
            ("proxy.idle_timeout_secs", proxy.idle_timeout_secs),
            ("proxy.total_timeout_secs", proxy.total_timeout_secs),
        ] {
            if value == 0 {
                return invalid(key, "must be at least 1 second");
            }
        }
        if proxy.max_attempts == 0 || proxy.max_attempts > 10 {
            return invalid("proxy.max_attempts", "must be 1-10");
        }
        if proxy.max_output_estimate < 1 {
            return invalid("proxy.max_output_estimate", "must be at least 1");
        }
        if proxy.requests_per_minute == 0 || proxy.max_concurrent_per_token == 0 {
            return invalid(
                "proxy.requests_per_minute",
                "per-token limits must be at least 1 (requests_per_minute and max_concurrent_per_token)",
            );
        }
        for (key, email) in [
            ("site.support_email", &self.site.support_email),
            ("site.privacy_email", &self.site.privacy_email),
        ] {
            if !looks_like_email(email) {
                return invalid(key, "must be an email address");
            }
        }
        if self.site.name.trim().is_empty() {
            return invalid("site.name", "must not be empty");
        }
        if self.site.controller_name.trim().is_empty() {
            return invalid("site.controller_name", "must not be empty");
        }
        if self.site.currency.len() != 3
            || !self.site.currency.chars().all(|c| c.is_ascii_uppercase())
        {
            return invalid(
                "site.currency",
                "must be a three-letter ISO 4217 code such as USD",
            );
        }
        if !crate::consent::is_valid_policy_version(&self.privacy.policy_version) {
            return invalid(
                "privacy.policy_version",
                "must be 1-32 characters of letters, digits, '.', '_' or '-'",
            );
        }
        if let Some(id) = &self.analytics.reddit_pixel_id {
            if id.is_empty()
                || id.len() > 64
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return invalid(
                    "analytics.reddit_pixel_id",
                    "must be a Reddit Pixel id such as a2_abc123",
                );
            }
        }
        if let Some(script) = &self.analytics.extra_script_url {
            if !is_https_origin_url(script) {
                return invalid("analytics.extra_script_url", "must be an https:// URL");
            }
        }
        for origin in &self.analytics.extra_origins {
            if !is_https_origin_url(origin) {
                return invalid(
                    "analytics.extra_origins",
                    "every entry must be an https:// origin",
                );
            }
        }
        if let Some(url) = &self.email.smtp_url {
            let url = url.expose_secret();
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return invalid(
                    "email.smtp_url",
                    "must start with smtp:// or smtps:// (the value is not shown: it may hold a password)",
                );
            }
        }
        if self.email.from.parse::<lettre::message::Mailbox>().is_err() {
            return invalid(
                "email.from",
                "must be an address such as CodexAPI <no-reply@example.com>",
            );
        }
        if self.email.max_attempts == 0 {
            return invalid("email.max_attempts", "must be at least 1");
        }
        if self.email.poll_interval_ms < 10 {
            return invalid("email.poll_interval_ms", "must be at least 10");
        }
        if self.sessions.idle_timeout_minutes == 0 {
            return invalid("sessions.idle_timeout_minutes", "must be at least 1");
        }
        if self.sessions.absolute_timeout_hours == 0 {
            return invalid("sessions.absolute_timeout_hours", "must be at least 1");
        }
        if self.passwords.memory_kib < 19_456 {
            return invalid("passwords.memory_kib", "must be at least 19456");
        }
        if self.passwords.iterations < 2 {
            return invalid("passwords.iterations", "must be at least 2");
        }
        if self.passwords.parallelism == 0 {
            return invalid("passwords.parallelism", "must be at least 1");
        }
        if self.security.secret_key.is_some() {
            self.security.key_bytes()?;
        }
        if !(1..=1440).contains(&self.security.step_up_minutes) {
            return invalid("security.step_up_minutes", "must be between 1 and 1440");
        }
        Ok(())
    }

    /// The site root URL without a trailing slash, as shown in set-up instructions.
    pub fn public_base_url(&self) -> &str {
        self.server.base_url.trim_end_matches('/')
    }

    /// Origins optional measurement may contact, for the CSP.
    pub fn analytics_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = Vec::new();
        if self.analytics.reddit_pixel_id.is_some() {
            origins.extend(REDDIT_PIXEL_ORIGINS.iter().map(|o| (*o).to_owned()));
        }
        if let Some(script) = &self.analytics.extra_script_url {
            if let Ok(url) = url::Url::parse(script) {
                origins.push(url.origin().ascii_serialization());
            }
        }
        origins.extend(self.analytics.extra_origins.iter().cloned());
        origins.sort();
        origins.dedup();
        origins
    }

    /// The configuration as TOML with every secret replaced by `[redacted]`.
    pub fn to_redacted_toml(&self) -> Result<String, ConfigError> {
        toml::to_string_pretty(self).map_err(|e| ConfigError::Parse(e.to_string()))
    }
}

fn looks_like_email(value: &str) -> bool {
    let mut parts = value.splitn(2, '@');
    matches!((parts.next(), parts.next()), (Some(local), Some(domain))
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !value.contains(char::is_whitespace))
}

fn is_https_origin_url(value: &str) -> bool {
    url::Url::parse(value)
        .map(|url| url.scheme() == "https" && url.host().is_some())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(Settings::default().validate().is_ok());
    }

    #[test]
    fn a_base_url_with_a_path_is_rejected_with_the_key_named() {
        let mut settings = Settings::default();
        settings.server.base_url = "https://example.com/app".to_owned();
        let message = settings
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("server.base_url"), "{message}");
    }

    #[test]
    fn weak_password_parameters_are_rejected() {
        let mut settings = Settings::default();
        settings.passwords.memory_kib = 4096;
        assert!(settings.validate().is_err());
    }

    #[test]
    fn the_redacted_dump_never_contains_the_database_url() {
        let mut settings = Settings::default();
        settings.database.url = SecretString::from("postgres://app:hunter2@db/codexapi");
        let dump = settings.to_redacted_toml().unwrap_or_default();
        assert!(!dump.contains("hunter2"), "{dump}");
        assert!(dump.contains("[redacted]"), "{dump}");
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn the_secret_key_must_be_long_base64_and_never_prints() {
        let mut settings = Settings::default();
        assert!(
            settings.security.key_bytes().is_err(),
            "required for serving"
        );
        settings.security.secret_key = Some(SecretString::from("c2hvcnQ="));
        assert!(settings.validate().is_err(), "5 bytes");
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        settings.security.secret_key = Some(SecretString::from(key));
        assert_eq!(
            settings.security.key_bytes().map(|k| k.len()).ok(),
            Some(32)
        );
        assert!(!settings
            .to_redacted_toml()
            .unwrap_or_default()
            .contains(key));
    }

    #[test]
    fn pixel_hosts_join_the_csp_only_when_a_pixel_is_configured() {
        let mut settings = Settings::default();
        assert!(settings.analytics_origins().is_empty());
        settings.analytics.reddit_pixel_id = Some("a2_test".to_owned());
        assert!(settings
            .analytics_origins()
            .contains(&"https://www.redditstatic.com".to_owned()));
    }
}

//! Content-Security-Policy values.
//!
//! HTML pages get a per-response nonce: only scripts carrying it (Leptos's hydration and
//! resource scripts) run, plus what they load (`'strict-dynamic'`), so no `'unsafe-inline'` is
//! needed. WebAssembly compilation needs `'wasm-unsafe-eval'`, which allows no JS `eval`.

/// The policy for every non-HTML response (JSON, health checks, static files).
pub const DEFAULT_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy for a server-rendered page with the given nonce. `analytics_origins` are the
/// origins optional measurement may reach; they are listed even before consent because the
/// consent decision is made in the browser, and listing a host does not load anything.
pub fn page_policy(nonce: &str, analytics_origins: &[String]) -> String {
    let extra = analytics_origins.join(" ");
    let with_extra = |base: &str| {
        if extra.is_empty() {
            base.to_owned()
        } else {
            format!("{base} {extra}")
        }
    };
    format!(
        "default-src 'self'; \
         script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; \
         img-src {img}; \
         connect-src {connect}; \
         font-src 'self'; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors 'none'",
        img = with_extra("'self' data:"),
        connect = with_extra("'self'"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_policy_allows_nonced_scripts_only() {
        let policy = page_policy("abc", &[]);
        assert!(policy.contains("script-src 'nonce-abc' 'strict-dynamic' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn analytics_origins_are_added_to_images_and_connections() {
        let policy = page_policy("n", &["https://alb.reddit.com".to_owned()]);
        assert!(policy.contains("img-src 'self' data: https://alb.reddit.com;"));
        assert!(policy.contains("connect-src 'self' https://alb.reddit.com;"));
    }
}

//! The one pooled HTTP client the proxy talks to providers with. Redirects are never followed
//! and, unless private upstreams are allowed, names resolving to private, loopback or
//! link-local addresses are refused when connecting (a provider URL cannot reach the server's
//! own network, even through DNS).

use app::server::config::ProxySettings;
use app::server::services::proxy::providers::is_private;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|address| allow_private || !is_private(address.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "{} resolves to no public address (private upstreams are not allowed)",
                    name.as_str()
                )
                .into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// Builds the client from the proxy settings.
pub fn client(settings: &ProxySettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: settings.allow_private_upstreams,
        }))
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .build()
}

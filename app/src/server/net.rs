//! Client addresses behind reverse proxies.

use ipnet::IpNet;
use std::net::IpAddr;

/// The resolved client address, stored as a request extension by the server's middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client's address. `X-Forwarded-For` is believed only when the TCP peer is a trusted
/// proxy; it is then read right to left, skipping further trusted proxies, so a client cannot
/// choose its address by sending its own header (which would sit at the left end).
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let Some(header) = forwarded_for else {
        return Some(peer);
    };
    let mut last_trusted = peer;
    for entry in header.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => last_trusted = ip,
            Ok(ip) => return Some(ip),
            // A malformed hop: stop believing the chain at the last address we could trust.
            Err(_) => return Some(last_trusted),
        }
    }
    Some(last_trusted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let ip = client_ip(
            Some("203.0.113.9".parse().unwrap()),
            Some("1.2.3.4"),
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(ip, Some("203.0.113.9".parse().unwrap()));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let ip = client_ip(
            Some("10.0.0.2".parse().unwrap()),
            Some("6.6.6.6, 198.51.100.7, 10.0.0.1"),
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(ip, Some("198.51.100.7".parse().unwrap()));
    }

    #[test]
    fn garbage_in_the_chain_stops_at_the_last_trusted_hop() {
        let ip = client_ip(
            Some("10.0.0.2".parse().unwrap()),
            Some("nonsense"),
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(ip, Some("10.0.0.2".parse().unwrap()));
    }
}

//! API tokens: shown once and stored as a hash, found by public id, refused when revoked,
//! expired, outside the address allow-list or after a rotation's grace period; one user can
//! never touch another's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::auth::{Role, Viewer};
use app::server::services::api_tokens::{self, BillingSource, Refusal, TokenOptions};
use app::server::services::ServiceError;
use chrono::{Duration, Utc};
use common::TestApp;
use std::net::IpAddr;

async fn viewer(app: &TestApp, email: &str, verified: bool) -> Viewer {
    common::accounts::viewer_for(app, email, Role::Customer, verified).await
}

fn options(name: &str) -> TokenOptions {
    TokenOptions {
        name: name.to_owned(),
        expires_at: None,
        daily_limit: Some(5_000_000),
        monthly_limit: None,
        total_limit: None,
        allowed_models: Vec::new(),
        allowed_ips: Vec::new(),
        billing_source: BillingSource::TokenThenCash,
    }
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

both_databases!(
    tokens_are_shown_once_and_checked_every_time,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let now = Utc::now();
        let ann = viewer(&app, "annie@example.com", true).await;
        let unverified = viewer(&app, "newbie@example.com", false).await;
        let refused = api_tokens::create(&db, &unverified, options("laptop"), now).await;
        assert!(
            matches!(refused, Err(ServiceError::Forbidden(m)) if m.contains("confirm your email"))
        );

        let created = api_tokens::create(&db, &ann, options("laptop"), now)
            .await
            .unwrap();
        let token = created.secret.expose().to_owned();
        assert!(token.starts_with("cdx_"));
        assert!(token.len() >= 4 + 12 + 1 + 32, "{token}");
        assert_eq!(format!("{:?}", created.secret), "TokenSecret([redacted])");
        let stored = common::accounts::database_text(&app).await;
        // The secret may itself contain `_`: it is everything after the public id.
        let secret_part = token
            .strip_prefix("cdx_")
            .and_then(|rest| rest.split_once('_'))
            .map(|(_, secret)| secret)
            .unwrap();
        assert_eq!(secret_part.len(), 32);
        assert!(!stored.contains(secret_part), "only the hash is stored");
        assert!(token.ends_with(&created.row.last4));

        let caller = api_tokens::authenticate(&db, &token, ip("203.0.113.5"), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(caller.user_id, ann.user_id);
        assert_eq!(caller.billing_source, BillingSource::TokenThenCash);
        assert_eq!(caller.daily_limit, Some(5_000_000));
        let used = api_tokens::list(&db, ann.user_id).await.unwrap();
        assert_eq!(used[0].last_used_ip.as_deref(), Some("203.0.113.5"));
        assert!(used[0].last_used_at.is_some());

        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        for bad in [tampered.as_str(), "cdx_nothing", "sk-ant-whatever", ""] {
            assert_eq!(
                api_tokens::authenticate(&db, bad, None, now).await.unwrap(),
                Err(Refusal::Invalid),
                "{bad}"
            );
        }

        // Another user can neither revoke nor rotate it.
        let bob = viewer(&app, "bobby@example.com", true).await;
        assert!(matches!(
            api_tokens::revoke(&db, bob.user_id, created.row.id, now).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            api_tokens::rotate(&db, bob.user_id, created.row.id, 1, now).await,
            Err(ServiceError::NotFound)
        ));
        assert!(api_tokens::list(&db, bob.user_id).await.unwrap().is_empty());

        api_tokens::revoke(&db, ann.user_id, created.row.id, now)
            .await
            .unwrap();
        assert_eq!(
            api_tokens::authenticate(&db, &token, None, now)
                .await
                .unwrap(),
            Err(Refusal::Invalid)
        );
    }
);

both_databases!(
    rotation_keeps_the_old_token_for_its_grace_period_only,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let now = Utc::now();
        let ann = viewer(&app, "annie@example.com", true).await;
        let first = api_tokens::create(&db, &ann, options("ci"), now)
            .await
            .unwrap();
        assert!(api_tokens::rotate(&db, ann.user_id, first.row.id, 8, now)
            .await
            .is_err());
        let second = api_tokens::rotate(&db, ann.user_id, first.row.id, 2, now)
            .await
            .unwrap();
        assert_ne!(first.secret.expose(), second.secret.expose());
        let old = first.secret.expose();
        let new = second.secret.expose();
        assert!(
            api_tokens::authenticate(&db, old, None, now + Duration::days(1))
                .await
                .unwrap()
                .is_ok()
        );
        assert!(api_tokens::authenticate(
            &db,
            old,
            None,
            now + Duration::days(2) + Duration::seconds(1)
        )
        .await
        .unwrap()
        .is_err());
        assert!(
            api_tokens::authenticate(&db, new, None, now + Duration::days(3))
                .await
                .unwrap()
                .is_ok()
        );
        assert!(
            api_tokens::rotate(&db, ann.user_id, first.row.id, 1, now)
                .await
                .is_err(),
            "rotated once"
        );

        let immediate = api_tokens::rotate(&db, ann.user_id, second.row.id, 0, now)
            .await
            .unwrap();
        assert!(api_tokens::authenticate(&db, new, None, now)
            .await
            .unwrap()
            .is_err());
        assert!(
            api_tokens::authenticate(&db, immediate.secret.expose(), None, now)
                .await
                .unwrap()
                .is_ok()
        );
    }
);

both_databases!(
    expiry_addresses_models_and_suspension_are_enforced,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let now = Utc::now();
        let ann = viewer(&app, "annie@example.com", true).await;
        let limited = api_tokens::create(
            &db,
            &ann,
            TokenOptions {
                expires_at: Some(now + Duration::hours(1)),
                allowed_ips: vec!["10.0.0.0/8".parse().unwrap()],
                allowed_models: vec!["gpt-5-codex".to_owned()],
                ..options("office")
            },
            now,
        )
        .await
        .unwrap();
        let token = limited.secret.expose();
        let inside = api_tokens::authenticate(&db, token, ip("10.1.2.3"), now)
            .await
            .unwrap()
            .unwrap();
        assert!(inside.allows_model("gpt-5-codex"));
        assert!(!inside.allows_model("claude-opus-4-1"));
        assert_eq!(
            api_tokens::authenticate(&db, token, ip("203.0.113.9"), now)
                .await
                .unwrap(),
            Err(Refusal::AddressNotAllowed)
        );
        assert_eq!(
            api_tokens::authenticate(&db, token, None, now)
                .await
                .unwrap(),
            Err(Refusal::AddressNotAllowed)
        );
        assert_eq!(
            api_tokens::authenticate(&db, token, ip("10.1.2.3"), now + Duration::hours(2))
                .await
                .unwrap(),
            Err(Refusal::Expired)
        );

        app.execute("UPDATE users SET suspended_at = created_at")
            .await;
        assert_eq!(
            api_tokens::authenticate(&db, token, ip("10.1.2.3"), now)
                .await
                .unwrap(),
            Err(Refusal::Suspended)
        );
        assert!(api_tokens::create(
            &db,
            &ann,
            TokenOptions {
                expires_at: Some(now - Duration::hours(1)),
                ..options("past")
            },
            now
        )
        .await
        .is_err());
    }
);

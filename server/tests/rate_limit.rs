//! Database-backed rate limits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::services::rate_limit::{hit, prune, Decision, Limit, SyncedLimiter};
use chrono::{Duration, DurationRound, Utc};
use common::TestApp;

const PER_MINUTE: Limit = Limit {
    max_hits: 3,
    window: Duration::minutes(1),
};

both_databases!(
    a_subject_gets_its_budget_then_a_retry_time,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let now = Utc::now().duration_trunc(Duration::minutes(1)).unwrap() + Duration::seconds(15);

        let mut remaining = Vec::new();
        for _ in 0..3 {
            match hit(db, "login_ip", "203.0.113.9", PER_MINUTE, now)
                .await
                .unwrap()
            {
                Decision::Allowed { remaining: r } => remaining.push(r),
                Decision::Limited { .. } => panic!("limited within budget"),
            }
        }
        assert_eq!(remaining, [2, 1, 0]);
        assert_eq!(
            hit(db, "login_ip", "203.0.113.9", PER_MINUTE, now)
                .await
                .unwrap(),
            Decision::Limited {
                retry_after: Duration::seconds(45)
            }
        );
        // Other subjects and scopes have budgets of their own.
        assert!(matches!(
            hit(db, "login_ip", "198.51.100.1", PER_MINUTE, now)
                .await
                .unwrap(),
            Decision::Allowed { .. }
        ));
        assert!(matches!(
            hit(db, "signup_ip", "203.0.113.9", PER_MINUTE, now)
                .await
                .unwrap(),
            Decision::Allowed { .. }
        ));
        // The next window starts afresh.
        let next_window = now + Duration::minutes(1);
        assert!(matches!(
            hit(db, "login_ip", "203.0.113.9", PER_MINUTE, next_window)
                .await
                .unwrap(),
            Decision::Allowed { remaining: 2 }
        ));

        assert_eq!(
            prune(
                db,
                next_window.duration_trunc(Duration::minutes(1)).unwrap()
            )
            .await
            .unwrap(),
            3
        );
    }
);

both_databases!(
    concurrent_hits_never_exceed_the_budget,
    |app: TestApp| async move {
        let limit = Limit {
            max_hits: 10,
            window: Duration::hours(1),
        };
        let now = Utc::now();
        let hits = (0..30).map(|_| {
            let db = app.db.conn.clone();
            tokio::spawn(async move { hit(&db, "login_account", "42", limit, now).await.unwrap() })
        });
        let mut allowed = 0;
        for handle in hits {
            if matches!(handle.await.unwrap(), Decision::Allowed { .. }) {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 10, "exactly the budget, no more and no less");
    }
);

// Two processes counting one token's budget in memory, synchronising through the database:
// each is exact on its own; together they learn of each other's hits at the next
// synchronisation, and the overshoot stays within what one admitted between two of them.
both_databases!(
    synced_limiters_share_a_budget_through_the_database,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let limit = Limit {
            max_hits: 10,
            window: Duration::minutes(1),
        };
        let now = Utc::now().duration_trunc(Duration::minutes(1)).unwrap() + Duration::seconds(5);
        let admitted = |decisions: &[Decision]| {
            decisions
                .iter()
                .filter(|d| matches!(d, Decision::Allowed { .. }))
                .count()
        };

        // Alone, a process admits exactly the budget and then says when to retry.
        let alone = SyncedLimiter::new("proxy_token_minute", limit, std::time::Duration::ZERO);
        let mut decisions = Vec::new();
        for _ in 0..15 {
            decisions.push(alone.hit(db, "token-1", now).await.unwrap());
        }
        assert_eq!(admitted(&decisions), 10);
        assert_eq!(
            decisions[10],
            Decision::Limited {
                retry_after: Duration::seconds(55)
            }
        );

        // Synchronising on every hit, a second process sees the first one's hits at once.
        let first = SyncedLimiter::new("proxy_token_minute", limit, std::time::Duration::ZERO);
        let second = SyncedLimiter::new("proxy_token_minute", limit, std::time::Duration::ZERO);
        let mut decisions = Vec::new();
        for _ in 0..6 {
            decisions.push(first.hit(db, "token-2", now).await.unwrap());
        }
        for _ in 0..10 {
            decisions.push(second.hit(db, "token-2", now).await.unwrap());
        }
        // The second learns of the first's 6 only from its own first synchronisation, which
        // already counts its first hit: 6 + 4 = 10 exactly.
        assert_eq!(admitted(&decisions), 10);

        // Synchronising once a minute, each learns of the other only at its first hit: the
        // budget can be passed by what the other admitted since, never more.
        let slow_a = SyncedLimiter::new(
            "proxy_token_minute",
            limit,
            std::time::Duration::from_secs(60),
        );
        let slow_b = SyncedLimiter::new(
            "proxy_token_minute",
            limit,
            std::time::Duration::from_secs(60),
        );
        let mut decisions = Vec::new();
        decisions.push(slow_a.hit(db, "token-3", now).await.unwrap());
        decisions.push(slow_b.hit(db, "token-3", now).await.unwrap());
        for _ in 0..20 {
            decisions.push(slow_a.hit(db, "token-3", now).await.unwrap());
            decisions.push(slow_b.hit(db, "token-3", now).await.unwrap());
        }
        let total = admitted(&decisions);
        assert!((10..=19).contains(&total), "{total} admitted");
    }
);

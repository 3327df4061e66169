//! Database-backed rate limits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::services::rate_limit::{hit, prune, Decision, Limit};
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

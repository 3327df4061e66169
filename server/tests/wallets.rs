//! Wallet operations and redemption codes on SQLite and PostgreSQL: admin grants and
//! adjustments, transfers, payouts, history, and codes that can never be redeemed more often
//! than allowed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::auth::{Role, Viewer};
use app::server::services::ledger::{check_invariants, Posted, WalletKind};
use app::server::services::redemption::{self, NewBatch};
use app::server::services::wallets::{self, HistoryFilter};
use app::server::services::ServiceError;
use chrono::{Duration, Utc};
use common::TestApp;
use sea_orm::EntityTrait;

const DOLLAR: i64 = 1_000_000;

async fn user(app: &TestApp, email: &str, role: Role) -> Viewer {
    common::accounts::viewer_for(app, email, role, true).await
}

async fn sound(app: &TestApp) {
    let violations = check_invariants(&app.db.conn).await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
}

both_databases!(
    admins_grant_adjust_and_pay_out_with_reasons,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let root = user(&app, "rooty@example.com", Role::Admin).await;
        let ann = user(&app, "annie@example.com", Role::Customer).await;
        let now = Utc::now();

        let no_reason = wallets::admin_adjust(
            &db,
            &root,
            ann.user_id,
            WalletKind::Token,
            DOLLAR,
            " ",
            "k1",
            now,
        )
        .await;
        assert!(matches!(no_reason, Err(ServiceError::Invalid(_))));
        let granted = wallets::admin_adjust(
            &db,
            &root,
            ann.user_id,
            WalletKind::Token,
            3 * DOLLAR,
            "welcome credit",
            "k1",
            now,
        )
        .await
        .unwrap();
        let again = wallets::admin_adjust(
            &db,
            &root,
            ann.user_id,
            WalletKind::Token,
            3 * DOLLAR,
            "welcome credit",
            "k1",
            now,
        )
        .await
        .unwrap();
        assert_eq!(again, Posted::Existing(granted.id()));
        wallets::admin_adjust(
            &db,
            &root,
            ann.user_id,
            WalletKind::Token,
            -DOLLAR,
            "duplicate credit",
            "k2",
            now,
        )
        .await
        .unwrap();
        let too_much = wallets::admin_adjust(
            &db,
            &root,
            ann.user_id,
            WalletKind::Token,
            -5 * DOLLAR,
            "oops",
            "k3",
            now,
        )
        .await;
        assert!(matches!(too_much, Err(ServiceError::Forbidden(_))));

        wallets::admin_adjust(
            &db,
            &root,
            ann.user_id,
            WalletKind::Cash,
            4 * DOLLAR,
            "referral commission",
            "k4",
            now,
        )
        .await
        .unwrap();
        wallets::transfer_cash_to_token(&db, ann.user_id, DOLLAR, "t1", now)
            .await
            .unwrap();
        wallets::transfer_cash_to_token(&db, ann.user_id, DOLLAR, "t1", now)
            .await
            .unwrap();
        assert!(
            wallets::transfer_cash_to_token(&db, ann.user_id, 10 * DOLLAR, "t2", now)
                .await
                .is_err()
        );
        assert!(
            wallets::transfer_cash_to_token(&db, ann.user_id, 0, "t3", now)
                .await
                .is_err()
        );
        wallets::admin_record_payout(
            &db,
            &root,
            ann.user_id,
            2 * DOLLAR,
            "bank transfer 2026-11",
            "p1",
            now,
        )
        .await
        .unwrap();

        let balances = wallets::wallets(&db, ann.user_id, now).await.unwrap();
        assert_eq!(balances.token.posted, 3 * DOLLAR);
        assert_eq!(balances.cash.posted, DOLLAR);

        let all = wallets::history(&db, ann.user_id, &HistoryFilter::default(), 50, now)
            .await
            .unwrap();
        assert_eq!(all.len(), 6, "{all:?}");
        assert!(
            all.windows(2).all(|w| w[0].entry_id > w[1].entry_id),
            "newest first"
        );
        let cash_only = HistoryFilter {
            wallet: Some(WalletKind::Cash),
            ..HistoryFilter::default()
        };
        let cash = wallets::history(&db, ann.user_id, &cash_only, 50, now)
            .await
            .unwrap();
        assert_eq!(cash.iter().map(|l| l.amount).sum::<i64>(), DOLLAR);
        let payouts = HistoryFilter {
            kind: Some("payout".to_owned()),
            ..HistoryFilter::default()
        };
        assert_eq!(
            wallets::history(&db, ann.user_id, &payouts, 50, now)
                .await
                .unwrap()
                .len(),
            1
        );
        let page = HistoryFilter {
            before_id: Some(all[1].entry_id),
            ..HistoryFilter::default()
        };
        assert_eq!(
            wallets::history(&db, ann.user_id, &page, 50, now)
                .await
                .unwrap()
                .len(),
            4
        );

        let events = entity::security_events::Entity::find()
            .all(&db)
            .await
            .unwrap();
        assert_eq!(
            events.iter().filter(|e| e.kind == "admin_action").count(),
            4,
            "one per money action"
        );
        sound(&app).await;
    }
);

both_databases!(
    codes_credit_once_per_allowed_use,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let root = user(&app, "rooty@example.com", Role::Admin).await;
        let bob = user(&app, "bobby@example.com", Role::Customer).await;
        let cat = user(&app, "catty@example.com", Role::Customer).await;
        let now = Utc::now();
        let batch = NewBatch {
            name: "Launch".to_owned(),
            amount: 2 * DOLLAR,
            count: 3,
            max_redemptions: 1,
            per_user_limit: None,
            expires_at: Some(now + Duration::days(30)),
        };
        let made = redemption::make_batch(&db, &root, batch.clone(), now)
            .await
            .unwrap();
        let csv = redemption::codes_csv(&made).unwrap();
        assert_eq!(csv.lines().count(), 4);
        assert!(csv.contains(&made.codes[0]));
        let stored = common::accounts::database_text(&app).await;
        for code in &made.codes {
            assert!(
                !stored.contains(&code[4..].replace('-', "")),
                "codes are stored hashed"
            );
        }

        assert_eq!(
            redemption::redeem(&db, bob.user_id, &made.codes[0].to_lowercase(), now)
                .await
                .unwrap(),
            2 * DOLLAR
        );
        let used = redemption::redeem(&db, cat.user_id, &made.codes[0], now).await;
        assert!(matches!(used, Err(ServiceError::Invalid(m)) if m.contains("already been used")));
        assert!(
            redemption::redeem(&db, cat.user_id, "CDX-AAAA-BBBB-CCCC-DDDD", now)
                .await
                .is_err()
        );

        // Multi-use with a per-user limit of one.
        let shared = redemption::make_batch(
            &db,
            &root,
            NewBatch {
                name: "Meetup".to_owned(),
                count: 1,
                max_redemptions: 5,
                per_user_limit: Some(1),
                ..batch.clone()
            },
            now,
        )
        .await
        .unwrap();
        redemption::redeem(&db, bob.user_id, &shared.codes[0], now)
            .await
            .unwrap();
        let twice = redemption::redeem(&db, bob.user_id, &shared.codes[0], now).await;
        assert!(matches!(twice, Err(ServiceError::Invalid(m)) if m.contains("already redeemed")));
        redemption::redeem(&db, cat.user_id, &shared.codes[0], now)
            .await
            .unwrap();

        // Expired codes are refused.
        let old = redemption::make_batch(
            &db,
            &root,
            NewBatch {
                name: "Old".to_owned(),
                count: 1,
                expires_at: Some(now + Duration::seconds(1)),
                ..batch
            },
            now,
        )
        .await
        .unwrap();
        let later = now + Duration::seconds(5);
        let expired = redemption::redeem(&db, cat.user_id, &old.codes[0], later).await;
        assert!(matches!(expired, Err(ServiceError::Invalid(m)) if m.contains("expired")));

        assert_eq!(
            wallets::wallets(&db, bob.user_id, now)
                .await
                .unwrap()
                .token
                .posted,
            4 * DOLLAR
        );
        assert_eq!(
            wallets::wallets(&db, cat.user_id, now)
                .await
                .unwrap()
                .token
                .posted,
            2 * DOLLAR
        );
        sound(&app).await;
    }
);

both_databases!(
    two_users_racing_twenty_times_for_one_code_get_one_credit,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let root = user(&app, "rooty@example.com", Role::Admin).await;
        let racers = [
            user(&app, "racer1@example.com", Role::Customer)
                .await
                .user_id,
            user(&app, "racer2@example.com", Role::Customer)
                .await
                .user_id,
        ];
        let now = Utc::now();
        let made = redemption::make_batch(
            &db,
            &root,
            NewBatch {
                name: "Race".to_owned(),
                amount: DOLLAR,
                count: 1,
                max_redemptions: 1,
                per_user_limit: None,
                expires_at: None,
            },
            now,
        )
        .await
        .unwrap();
        let code = made.codes[0].clone();
        let attempts = (0..40).map(|n| {
            let db = db.clone();
            let code = code.clone();
            let user_id = racers[n % 2];
            tokio::spawn(async move { redemption::redeem(&db, user_id, &code, Utc::now()).await })
        });
        let mut credited = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => credited += 1,
                Err(ServiceError::Invalid(_)) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(credited, 1);
        let mut total = 0;
        for racer in racers {
            total += wallets::wallets(&db, racer, Utc::now())
                .await
                .unwrap()
                .token
                .posted;
        }
        assert_eq!(total, DOLLAR, "credited exactly once");
        sound(&app).await;
    }
);

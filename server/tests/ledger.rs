//! The ledger against real databases: postings, idempotency, holds, the invariant checker,
//! concurrency on one balance, and random operation sequences (property tests).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::services::ledger::{
    self, check_invariants, NewHold, NewTransaction, Posted, Posting, SystemAccount, WalletKind,
};
use app::server::services::redemption::{self, NewBatch};
use app::server::services::ServiceError;
use chrono::{Duration, Utc};
use common::TestApp;
use sea_orm::DatabaseConnection;

const DOLLAR: i64 = 1_000_000;

async fn user(app: &TestApp, email: &str) -> i64 {
    common::accounts::create_user(app, email, app::auth::Role::Customer).await;
    entity::users::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == email)
        .unwrap()
        .id
}

use sea_orm::EntityTrait;

async fn wallet(db: &DatabaseConnection, user_id: i64) -> i64 {
    ledger::user_account(db, user_id, WalletKind::Token, Utc::now())
        .await
        .unwrap()
        .id
}

async fn system(db: &DatabaseConnection, account: SystemAccount) -> i64 {
    ledger::system_account(db, account, Utc::now())
        .await
        .unwrap()
        .id
}

fn transfer(key: &str, from: i64, to: i64, amount: i64) -> NewTransaction {
    NewTransaction {
        idempotency_key: key.to_owned(),
        kind: "test",
        reference: None,
        memo: "test transfer".to_owned(),
        actor_user_id: None,
        postings: vec![
            Posting {
                account_id: from,
                amount: -amount,
            },
            Posting {
                account_id: to,
                amount,
            },
        ],
    }
}

fn hold(account_id: i64, amount: i64, key: &str) -> NewHold {
    NewHold {
        account_id,
        amount,
        idempotency_key: key.to_owned(),
        reference: Some(format!("request {key}")),
        expires_at: Utc::now() + Duration::minutes(10),
    }
}

async fn assert_sound(db: &DatabaseConnection) {
    let violations = check_invariants(db).await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
}

both_databases!(
    postings_balance_and_repeat_safely,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let ann = wallet(&db, user(&app, "annie@example.com").await).await;
        let promotions = system(&db, SystemAccount::Promotions).await;
        let revenue = system(&db, SystemAccount::Revenue).await;

        let grant = ledger::post(&db, transfer("grant-1", promotions, ann, 5 * DOLLAR))
            .await
            .unwrap();
        assert!(matches!(grant, Posted::New(_)));
        let again = ledger::post(&db, transfer("grant-1", promotions, ann, 5 * DOLLAR))
            .await
            .unwrap();
        assert_eq!(again, Posted::Existing(grant.id()), "a retry moves nothing");
        assert_eq!(ledger::balance(&db, ann).await.unwrap().posted, 5 * DOLLAR);
        assert_eq!(
            ledger::balance(&db, promotions).await.unwrap().posted,
            -5 * DOLLAR
        );

        let overdraw = ledger::post(&db, transfer("spend-1", ann, revenue, 6 * DOLLAR)).await;
        assert!(
            matches!(&overdraw, Err(ServiceError::Forbidden(why))
                if why == "the balance is too low for this: 6.00 asked, 5.00 available"),
            "{overdraw:?}"
        );
        assert_eq!(
            ledger::balance(&db, ann).await.unwrap().posted,
            5 * DOLLAR,
            "nothing moved"
        );

        let unbalanced = NewTransaction {
            postings: vec![
                Posting {
                    account_id: ann,
                    amount: -1,
                },
                Posting {
                    account_id: revenue,
                    amount: 2,
                },
            ],
            ..transfer("bad", ann, revenue, 1)
        };
        assert!(ledger::post(&db, unbalanced).await.is_err());
        assert_sound(&db).await;
    }
);

both_databases!(holds_reserve_settle_and_void, |app: TestApp| async move {
    let db = app.db.conn.clone();
    let bo = wallet(&db, user(&app, "bobby@example.com").await).await;
    let promotions = system(&db, SystemAccount::Promotions).await;
    let revenue = system(&db, SystemAccount::Revenue).await;
    ledger::post(&db, transfer("grant", promotions, bo, DOLLAR))
        .await
        .unwrap();

    let first = ledger::reserve(&db, hold(bo, 300_000, "h1")).await.unwrap();
    let same = ledger::reserve(&db, hold(bo, 300_000, "h1")).await.unwrap();
    assert_eq!(first.id, same.id, "same key, same hold");
    let balance = ledger::balance(&db, bo).await.unwrap();
    assert_eq!(
        (balance.posted, balance.held, balance.available),
        (DOLLAR, 300_000, 700_000)
    );
    assert!(ledger::reserve(&db, hold(bo, 800_000, "too-big"))
        .await
        .is_err());
    // A debit that only the hold stands in the way of says so, and that it passes.
    let held_back = ledger::post(&db, transfer("spend-held", bo, revenue, 800_000)).await;
    assert!(
        matches!(&held_back, Err(ServiceError::Forbidden(why)) if why
            == "the balance is too low for this: 0.80 asked, 0.70 available, because 0.30 is \
                held for API requests in progress; it is released as they end, so try again \
                shortly"),
        "{held_back:?}"
    );

    // The response cost more than estimated: the excess is posted too.
    ledger::settle(
        &db,
        first.id,
        450_000,
        revenue,
        "usage",
        "request".to_owned(),
    )
    .await
    .unwrap();
    ledger::settle(
        &db,
        first.id,
        450_000,
        revenue,
        "usage",
        "request".to_owned(),
    )
    .await
    .unwrap();
    assert!(
        ledger::settle(&db, first.id, 1, revenue, "usage", "x".to_owned())
            .await
            .is_err()
    );
    assert!(
        ledger::void(&db, first.id).await.is_err(),
        "settled holds stay settled"
    );
    let balance = ledger::balance(&db, bo).await.unwrap();
    assert_eq!((balance.posted, balance.held), (550_000, 0));
    assert_eq!(ledger::balance(&db, revenue).await.unwrap().posted, 450_000);

    // Going below zero by an excess blocks new holds until topped up.
    let second = ledger::reserve(&db, hold(bo, 500_000, "h2")).await.unwrap();
    ledger::settle(&db, second.id, 900_000, revenue, "usage", "big".to_owned())
        .await
        .unwrap();
    let balance = ledger::balance(&db, bo).await.unwrap();
    assert_eq!(balance.available, -350_000);
    assert!(ledger::reserve(&db, hold(bo, 1, "h3")).await.is_err());

    ledger::post(&db, transfer("top-up", promotions, bo, DOLLAR))
        .await
        .unwrap();
    let third = ledger::reserve(&db, hold(bo, 100_000, "h4")).await.unwrap();
    ledger::void(&db, third.id).await.unwrap();
    ledger::void(&db, third.id).await.unwrap();
    assert!(
        ledger::settle(&db, third.id, 1, revenue, "usage", "x".to_owned())
            .await
            .is_err()
    );
    let zero = ledger::reserve(&db, hold(bo, 100_000, "h5")).await.unwrap();
    ledger::settle(
        &db,
        zero.id,
        0,
        revenue,
        "usage",
        "nothing produced".to_owned(),
    )
    .await
    .unwrap();

    // Expired holds are swept.
    let mut stale = hold(bo, 200_000, "h6");
    stale.expires_at = Utc::now() - Duration::seconds(1);
    ledger::reserve(&db, stale).await.unwrap();
    assert_eq!(ledger::sweep_expired(&db, Utc::now()).await.unwrap(), 1);
    let balance = ledger::balance(&db, bo).await.unwrap();
    assert_eq!((balance.posted, balance.held), (650_000, 0));
    assert_sound(&db).await;
});

both_databases!(
    fifty_concurrent_holds_admit_exactly_ten,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let cy = wallet(&db, user(&app, "cyrus@example.com").await).await;
        let promotions = system(&db, SystemAccount::Promotions).await;
        ledger::post(&db, transfer("grant", promotions, cy, DOLLAR))
            .await
            .unwrap();
        let attempts = (0..50).map(|n| {
            let db = db.clone();
            tokio::spawn(
                async move { ledger::reserve(&db, hold(cy, 100_000, &format!("c{n}"))).await },
            )
        });
        let mut admitted = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => admitted += 1,
                Err(ServiceError::Forbidden(_)) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(admitted, 10);
        assert_eq!(ledger::balance(&db, cy).await.unwrap().available, 0);
        assert_sound(&db).await;
    }
);

both_databases!(
    one_key_sent_twenty_times_at_once_moves_money_once,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let di = wallet(&db, user(&app, "diana@example.com").await).await;
        let promotions = system(&db, SystemAccount::Promotions).await;
        let sends = (0..20).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                ledger::post(&db, transfer("once", promotions, di, DOLLAR)).await
            })
        });
        let mut new = 0;
        for send in sends {
            if let Posted::New(_) = send.await.unwrap().unwrap() {
                new += 1;
            }
        }
        assert_eq!(new, 1);
        assert_eq!(ledger::balance(&db, di).await.unwrap().posted, DOLLAR);
        assert_sound(&db).await;
    }
);

both_databases!(the_checker_reports_tampering, |app: TestApp| async move {
    let db = app.db.conn.clone();
    let eve = wallet(&db, user(&app, "evelyn@example.com").await).await;
    let promotions = system(&db, SystemAccount::Promotions).await;
    ledger::post(&db, transfer("grant", promotions, eve, DOLLAR))
        .await
        .unwrap();
    ledger::reserve(&db, hold(eve, 100_000, "held"))
        .await
        .unwrap();
    assert_sound(&db).await;

    app.execute("UPDATE ledger_accounts SET posted_balance = posted_balance + 1, held_balance = 0 WHERE kind <> 'system'").await;
    app.execute(
        "UPDATE ledger_entries SET amount = amount + 5, updated_at = created_at WHERE amount > 0",
    )
    .await;
    let violations = check_invariants(&db).await.unwrap();
    let text = violations.join("\n");
    for expected in [
        "trial balance",
        "cached balance differs",
        "held balance differs",
        "do not sum to zero",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
});

both_databases!(
    housekeeping_voids_holds_whose_requests_died,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let gus = wallet(&db, user(&app, "gusto@example.com").await).await;
        let promotions = system(&db, SystemAccount::Promotions).await;
        ledger::post(&db, transfer("grant", promotions, gus, DOLLAR))
            .await
            .unwrap();
        let mut dead = hold(gus, 600_000, "crashed-request");
        dead.expires_at = Utc::now() - Duration::seconds(1);
        ledger::reserve(&db, dead).await.unwrap();
        ledger::reserve(&db, hold(gus, 100_000, "live-request"))
            .await
            .unwrap();
        assert_eq!(ledger::balance(&db, gus).await.unwrap().available, 300_000);
        server::jobs::maintenance::run_once(&db).await;
        assert_eq!(
            ledger::balance(&db, gus).await.unwrap().available,
            900_000,
            "only the dead hold"
        );
        assert_sound(&db).await;
    }
);

mod random_sequences {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Grant {
            user: usize,
            amount: i64,
        },
        Transfer {
            from: usize,
            to: usize,
            amount: i64,
        },
        Reserve {
            user: usize,
            amount: i64,
        },
        Settle {
            hold: usize,
            actual: i64,
        },
        Void {
            hold: usize,
        },
        Repeat {
            op: usize,
        },
        /// Redeem one of two codes (each good for two redemptions, one per user).
        Redeem {
            user: usize,
            code: usize,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..3_usize, 1..3_000_000_i64).prop_map(|(user, amount)| Op::Grant { user, amount }),
            (0..3_usize, 0..3_usize, 1..2_000_000_i64)
                .prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
            (0..3_usize, 1..1_500_000_i64).prop_map(|(user, amount)| Op::Reserve { user, amount }),
            (0..20_usize, 0..2_000_000_i64).prop_map(|(hold, actual)| Op::Settle { hold, actual }),
            (0..20_usize).prop_map(|hold| Op::Void { hold }),
            (0..40_usize).prop_map(|op| Op::Repeat { op }),
            (0..3_usize, 0..2_usize).prop_map(|(user, code)| Op::Redeem { user, code }),
        ]
    }

    /// Applies the operations to a fresh SQLite ledger and checks, after every step, the
    /// invariants and the balances a plain in-memory model predicts.
    async fn run(ops: Vec<Op>) {
        let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
        let db = app.db.conn.clone();
        let mut wallets = Vec::new();
        let mut user_ids = Vec::new();
        for n in 0..3 {
            let id = user(&app, &format!("prop{n}@example.com")).await;
            user_ids.push(id);
            wallets.push(wallet(&db, id).await);
        }
        let promotions = system(&db, SystemAccount::Promotions).await;
        let revenue = system(&db, SystemAccount::Revenue).await;
        let admin = common::accounts::viewer_for(
            &app,
            "propadmin@example.com",
            app::auth::Role::Admin,
            true,
        )
        .await;
        let batch = redemption::make_batch(
            &db,
            &admin,
            NewBatch {
                name: "prop".to_owned(),
                amount: 500_000,
                count: 2,
                max_redemptions: 2,
                per_user_limit: Some(1),
                expires_at: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        // (code, user) pairs redeemed so far.
        let mut redeemed: Vec<(usize, usize)> = Vec::new();
        let mut posted = [0_i64; 3];
        // (user, hold id, amount, state, settled amount)
        let mut holds: Vec<(usize, i64, i64, &'static str, i64)> = Vec::new();
        let mut applied: Vec<(String, NewTransaction)> = Vec::new();
        for (step, op) in ops.iter().enumerate() {
            match op.clone() {
                Op::Grant { user, amount } => {
                    let tx = transfer(&format!("g{step}"), promotions, wallets[user], amount);
                    ledger::post(&db, tx.clone()).await.unwrap();
                    posted[user] += amount;
                    applied.push((tx.idempotency_key.clone(), tx));
                }
                Op::Transfer { from, to, amount } if from != to => {
                    let held: i64 = holds
                        .iter()
                        .filter(|h| h.0 == from && h.3 == "pending")
                        .map(|h| h.2)
                        .sum();
                    let tx = transfer(&format!("t{step}"), wallets[from], wallets[to], amount);
                    let result = ledger::post(&db, tx.clone()).await;
                    if posted[from] - held >= amount {
                        result.unwrap();
                        posted[from] -= amount;
                        posted[to] += amount;
                        applied.push((tx.idempotency_key.clone(), tx));
                    } else {
                        assert!(result.is_err());
                    }
                }
                Op::Transfer { .. } => {}
                Op::Reserve { user, amount } => {
                    let held: i64 = holds
                        .iter()
                        .filter(|h| h.0 == user && h.3 == "pending")
                        .map(|h| h.2)
                        .sum();
                    let result =
                        ledger::reserve(&db, hold(wallets[user], amount, &format!("r{step}")))
                            .await;
                    if posted[user] - held >= amount {
                        holds.push((user, result.unwrap().id, amount, "pending", 0));
                    } else {
                        assert!(result.is_err());
                    }
                }
                Op::Settle {
                    hold: index,
                    actual,
                } => {
                    if let Some(h) = holds.get_mut(index) {
                        let result =
                            ledger::settle(&db, h.1, actual, revenue, "usage", "p".to_owned())
                                .await;
                        match h.3 {
                            "pending" => {
                                result.unwrap();
                                posted[h.0] -= actual;
                                h.3 = "settled";
                                h.4 = actual;
                            }
                            // Settling again at the same amount is a no-op; anything else fails.
                            "settled" if h.4 == actual => {
                                result.unwrap();
                            }
                            _ => assert!(result.is_err(), "{h:?} settled at {actual}"),
                        }
                    }
                }
                Op::Void { hold: index } => {
                    if let Some(h) = holds.get_mut(index) {
                        let result = ledger::void(&db, h.1).await;
                        match h.3 {
                            "pending" | "voided" => {
                                result.unwrap();
                                h.3 = "voided";
                            }
                            _ => assert!(result.is_err()),
                        }
                    }
                }
                Op::Redeem { user, code } => {
                    let result =
                        redemption::redeem(&db, user_ids[user], &batch.codes[code], Utc::now())
                            .await;
                    let uses = redeemed.iter().filter(|(c, _)| *c == code).count();
                    if uses < 2 && !redeemed.contains(&(code, user)) {
                        assert_eq!(result.unwrap(), 500_000);
                        redeemed.push((code, user));
                        posted[user] += 500_000;
                    } else {
                        assert!(result.is_err(), "{code} by {user} after {redeemed:?}");
                    }
                }
                Op::Repeat { op } => {
                    if !applied.is_empty() {
                        let (_, tx) = &applied[op % applied.len()];
                        let again = ledger::post(&db, tx.clone()).await.unwrap();
                        assert!(matches!(again, Posted::Existing(_)));
                    }
                }
            }
            for (n, account) in wallets.iter().enumerate() {
                let balance = ledger::balance(&db, *account).await.unwrap();
                let held: i64 = holds
                    .iter()
                    .filter(|h| h.0 == n && h.3 == "pending")
                    .map(|h| h.2)
                    .sum();
                assert_eq!(
                    (balance.posted, balance.held),
                    (posted[n], held),
                    "after {op:?}"
                );
            }
        }
        assert_sound(&db).await;
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

        #[test]
        fn every_sequence_keeps_the_invariants(ops in prop::collection::vec(op(), 1..40)) {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(run(ops));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_ledger_command_reports_a_sound_ledger_and_fails_on_a_broken_one() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let db = app.db.conn.clone();
    let fay = wallet(&db, user(&app, "fayed@example.com").await).await;
    let promotions = system(&db, SystemAccount::Promotions).await;
    ledger::post(&db, transfer("grant", promotions, fay, DOLLAR))
        .await
        .unwrap();
    let url = format!("sqlite://{}", app.sqlite_file.as_ref().unwrap().display());
    let sound = common::run_server_command(&["check-ledger"], &url, &[]).await;
    assert!(String::from_utf8_lossy(&sound.stdout).contains("ledger sound"));

    app.execute("UPDATE ledger_accounts SET posted_balance = 7 WHERE kind <> 'system'")
        .await;
    let broken = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("check-ledger")
        .env("CODEXAPI_DATABASE__URL", &url)
        .env("RUST_LOG", "off")
        .output()
        .await
        .unwrap();
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stdout).contains("cached balance differs"));
}

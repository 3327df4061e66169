//! The proxy's group-commit billing writer against real databases: holds decided exactly in
//! arrival order inside a batch, settlements and voids posted together, one bad job not
//! sinking the others, credit lines shared by many requests (across two processes' billers)
//! billing each exactly, and the ledger sound after all of it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::services::api_tokens::ApiCaller;
use app::server::services::api_tokens::{self, BillingSource, TokenOptions};
use app::server::services::ledger::{self, check_invariants, SystemAccount, WalletKind};
use app::server::services::proxy::billing::{Biller, Reservation};
use app::server::services::proxy::credit_lines::OPEN_FOR;
use app::server::services::proxy::records::{Outcome, UsageRecord};
use app::server::services::proxy::usage::{Cost, Usage};
use app::server::services::proxy::writer::{CloseRequest, HoldRequest, Writer};
use chrono::{Duration, Utc};
use common::TestApp;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use std::sync::Arc;

const CENT: i64 = 10_000;
const DOLLAR: i64 = 100 * CENT;

/// A customer with an API token: (user id, token id).
async fn customer(app: &TestApp, email: &str) -> (i64, i64) {
    let viewer = common::accounts::viewer_for(app, email, app::auth::Role::Customer, true).await;
    let options = TokenOptions {
        billing_source: BillingSource::TokenThenCash,
        ..TokenOptions::open("batch")
    };
    let token = api_tokens::create(&app.db.conn, &viewer, options, Utc::now())
        .await
        .unwrap();
    (viewer.user_id, token.row.id)
}

async fn fund(db: &DatabaseConnection, account: i64, amount: i64, key: &str) {
    let promotions = ledger::system_account(db, SystemAccount::Promotions, Utc::now())
        .await
        .unwrap()
        .id;
    ledger::post(
        db,
        ledger::NewTransaction {
            idempotency_key: key.to_owned(),
            kind: "test",
            reference: None,
            memo: "test grant".to_owned(),
            actor_user_id: None,
            postings: vec![
                ledger::Posting {
                    account_id: promotions,
                    amount: -amount,
                },
                ledger::Posting {
                    account_id: account,
                    amount,
                },
            ],
        },
    )
    .await
    .unwrap();
}

fn hold(sources: &[(i64, WalletKind)], amount: i64, key: &str) -> HoldRequest {
    HoldRequest {
        sources: sources.to_vec(),
        amount,
        line: 0,
        line_floor: 0,
        idempotency_key: key.to_owned(),
        reference: format!("request {key}"),
        expires_at: Utc::now() + Duration::minutes(10),
    }
}

fn record((user_id, api_token_id): (i64, i64), request_id: &str, charge: i64) -> UsageRecord {
    UsageRecord {
        request_id: request_id.to_owned(),
        user_id,
        api_token_id,
        started_at: Utc::now(),
        endpoint: "/v1/messages",
        stream: false,
        public_model: "claude-test".to_owned(),
        upstream_model: "claude-test".to_owned(),
        provider_id: None,
        provider_label: "fake".to_owned(),
        usage: Usage::default(),
        cost: Cost {
            total: charge,
            ..Cost::default()
        },
        billing_mode: "token_wallet",
        wallet_charged: None,
        outcome: Outcome::Ok,
        http_status: 200,
        usage_flagged: false,
        latency_ms: 1,
        first_byte_ms: Some(1),
        client_ip: None,
        user_agent: None,
        region: None,
        failed_over_from: Vec::new(),
    }
}

async fn assert_sound(db: &DatabaseConnection) {
    let violations = check_invariants(db).await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
}

async fn wallet(db: &DatabaseConnection, user_id: i64, kind: WalletKind) -> i64 {
    ledger::user_account(db, user_id, kind, Utc::now())
        .await
        .unwrap()
        .id
}

async fn revenue_account(db: &DatabaseConnection) -> i64 {
    ledger::system_account(db, SystemAccount::Revenue, Utc::now())
        .await
        .unwrap()
        .id
}

async fn available(db: &DatabaseConnection, account: i64) -> i64 {
    ledger::balance(db, account).await.unwrap().available
}

both_databases!(
    concurrent_holds_settle_exactly_in_shared_batches,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let owner = customer(&app, "batch@example.com").await;
        let token = wallet(&db, owner.0, WalletKind::Token).await;
        let cash = wallet(&db, owner.0, WalletKind::Cash).await;
        let revenue = revenue_account(&db).await;
        fund(&db, token, DOLLAR, "token-grant").await;
        fund(&db, cash, DOLLAR / 2, "cash-grant").await;
        let writer = Writer::start(db.clone(), revenue);

        // 60 holds of 10 cents: 10 fit the Token Wallet, 5 more the Cash Wallet, 45 are refused.
        let sources = [(token, WalletKind::Token), (cash, WalletKind::Cash)];
        let attempts: Vec<_> = (0..60)
            .map(|n| {
                let writer = writer.clone();
                let request = hold(&sources, 10 * CENT, &format!("proxy:r{n}"));
                tokio::spawn(async move { writer.hold(request).await })
            })
            .collect();
        let mut held = Vec::new();
        for attempt in attempts {
            if let Some(placed) = attempt.await.unwrap().unwrap() {
                held.push(placed);
            }
        }
        let on = |kind| held.iter().filter(|h| h.wallet == kind).count();
        assert_eq!((on(WalletKind::Token), on(WalletKind::Cash)), (10, 5));
        assert_eq!(available(&db, token).await, 0);
        assert_eq!(available(&db, cash).await, 0);
        let (batches, jobs) = writer.stats();
        assert_eq!(jobs, 60);
        assert!(
            batches < jobs,
            "requests share transactions: {batches} for {jobs}"
        );
        assert_sound(&db).await;

        // Settle each hold at a different amount (one above its hold: the excess rule), void
        // every third, all at once.
        let closes: Vec<_> = held
            .iter()
            .copied()
            .enumerate()
            .map(|(n, placed)| {
                let writer = writer.clone();
                let charge = match n {
                    _ if n % 3 == 0 => None,
                    0..=1 => Some(12 * CENT),
                    _ => Some(i64::try_from(n).unwrap() * 1_000),
                };
                let request = CloseRequest {
                    hold_id: placed.hold_id,
                    account_id: placed.account_id,
                    charge: charge.map(|amount| (amount, "API usage: claude-test".to_owned())),
                    record: Some(record(owner, &format!("r{n}"), charge.unwrap_or(0))),
                };
                tokio::spawn(async move { (placed.wallet, charge, writer.close(request).await) })
            })
            .collect();
        let mut charged = [0, 0];
        for close in closes {
            let (wallet, charge, closed) = close.await.unwrap();
            assert!(closed.unwrap(), "every hold was pending");
            charged[usize::from(wallet == WalletKind::Cash)] += charge.unwrap_or(0);
        }
        let balance = |account| {
            let db = db.clone();
            async move { ledger::balance(&db, account).await.unwrap() }
        };
        let token_after = balance(token).await;
        assert_eq!(
            (token_after.posted, token_after.held),
            (DOLLAR - charged[0], 0)
        );
        let cash_after = balance(cash).await;
        assert_eq!(
            (cash_after.posted, cash_after.held),
            (DOLLAR / 2 - charged[1], 0)
        );
        assert_eq!(balance(revenue).await.posted, charged[0] + charged[1]);
        let records = entity::usage_records::Entity::find()
            .count(&db)
            .await
            .unwrap();
        assert_eq!(records, 15, "one record per closed request");
        assert_sound(&db).await;

        // Closing again changes nothing and says so.
        let again = writer
            .close(CloseRequest {
                hold_id: held[1].hold_id,
                account_id: held[1].account_id,
                charge: Some((5 * CENT, "API usage: claude-test".to_owned())),
                record: Some(record(owner, "again", 5 * CENT)),
            })
            .await
            .unwrap();
        assert!(!again);
        assert_eq!(balance(revenue).await.posted, charged[0] + charged[1]);
        let records = entity::usage_records::Entity::find()
            .count(&db)
            .await
            .unwrap();
        assert_eq!(records, 15);
        assert_sound(&db).await;
    }
);

both_databases!(
    one_failing_job_does_not_fail_its_batch,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let owner = customer(&app, "lonely@example.com").await;
        let token = wallet(&db, owner.0, WalletKind::Token).await;
        let revenue = revenue_account(&db).await;
        fund(&db, token, DOLLAR, "grant").await;
        let writer = Writer::start(db.clone(), revenue);
        let sources = [(token, WalletKind::Token)];
        writer
            .hold(hold(&sources, CENT, "proxy:taken"))
            .await
            .unwrap()
            .unwrap();

        // A repeated idempotency key among good holds: it fails, they do not.
        let attempts: Vec<_> = (0..20)
            .map(|n| {
                let writer = writer.clone();
                let key = if n == 7 {
                    "proxy:taken".to_owned()
                } else {
                    format!("proxy:fresh{n}")
                };
                let request = hold(&sources, CENT, &key);
                tokio::spawn(async move { (n, writer.hold(request).await) })
            })
            .collect();
        for attempt in attempts {
            let (n, result) = attempt.await.unwrap();
            if n == 7 {
                assert!(result.is_err(), "the repeated key is refused");
            } else {
                assert!(result.unwrap().is_some(), "hold {n} was placed");
            }
        }
        assert_eq!(available(&db, token).await, DOLLAR - 20 * CENT);
        // A record without a hold is stored too.
        writer.store(record(owner, "refused", 0)).await.unwrap();
        let records = entity::usage_records::Entity::find()
            .count(&db)
            .await
            .unwrap();
        assert_eq!(records, 1);
        assert_sound(&db).await;
    }
);

fn caller((user_id, token_id): (i64, i64)) -> ApiCaller {
    ApiCaller {
        token_id,
        user_id,
        allowed_models: Vec::new(),
        billing_source: BillingSource::TokenThenCash,
        daily_limit: None,
        monthly_limit: None,
        total_limit: None,
    }
}

/// Reserves `amount` for `count` requests at once; every one must be admitted.
async fn reserve_all(
    biller: &Arc<Biller>,
    owner: (i64, i64),
    amount: i64,
    count: usize,
    prefix: &str,
) -> Vec<Reservation> {
    let attempts: Vec<_> = (0..count)
        .map(|n| {
            let (biller, id) = (biller.clone(), format!("{prefix}{n}"));
            tokio::spawn(async move {
                let hold_for = Duration::minutes(10);
                biller
                    .reserve(&caller(owner), &id, amount, hold_for, Utc::now())
                    .await
            })
        })
        .collect();
    let mut admitted = Vec::new();
    for attempt in attempts {
        admitted.push(attempt.await.unwrap().unwrap().unwrap());
    }
    admitted
}

both_databases!(
    credit_lines_admit_in_memory_and_bill_each_request_exactly,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let owner = customer(&app, "lines@example.com").await;
        let token = wallet(&db, owner.0, WalletKind::Token).await;
        let revenue = revenue_account(&db).await;
        fund(&db, token, 100 * DOLLAR, "lines-grant").await;
        // Two processes' billers on one database.
        let billers = [
            Arc::new(Biller::new(db.clone())),
            Arc::new(Biller::new(db.clone())),
        ];

        // 30 requests of a cent on each: a few lines of 16 cents serve them all.
        let started = Utc::now();
        let mut uses = Vec::new();
        for (n, biller) in billers.iter().enumerate() {
            for reservation in reserve_all(biller, owner, CENT, 30, &format!("p{n}-")).await {
                uses.push((n, reservation));
            }
        }
        assert!(uses.iter().all(|(_, r)| r.line_use.is_some()));
        // Lines (some opened ahead of requests) of at least 16 requests each, a quarter of
        // what was available at most.
        let holds = entity::ledger_holds::Entity::find().all(&db).await.unwrap();
        assert!(
            holds.len() < 20,
            "requests share lines: {} holds for 60",
            holds.len()
        );
        assert!(holds
            .iter()
            .all(|h| (16 * CENT..=25 * DOLLAR).contains(&h.amount)));
        assert!(holds.iter().all(|h| h
            .reference
            .as_deref()
            .unwrap_or("")
            .starts_with("credit line")));
        // A line outlives its last request's deadline (10 minutes) by the time it admits.
        assert!(holds
            .iter()
            .all(|h| h.expires_at >= started + Duration::minutes(10) + OPEN_FOR));
        assert_sound(&db).await;

        // Each ends differently: charged less than, more than (the excess rule) or nothing
        // of its estimate, or released unbilled.
        let ends: Vec<_> = uses
            .iter()
            .enumerate()
            .map(|(n, (process, reservation))| {
                let biller = billers[*process].clone();
                let reservation = *reservation;
                let charge = match n % 4 {
                    0 => Some(CENT + 2_500),
                    1 => Some(i64::try_from(n).unwrap() * 10),
                    _ => None,
                };
                tokio::spawn(async move {
                    if n % 4 == 3 {
                        biller.void(&reservation, Utc::now()).await.unwrap();
                        return 0;
                    }
                    let memo = "API usage: claude-test".to_owned();
                    let closed = biller
                        .close(
                            &reservation,
                            charge.map(|amount| (amount, memo)),
                            record(owner, &format!("u{n}"), charge.unwrap_or(0)),
                            Utc::now(),
                        )
                        .await
                        .unwrap();
                    assert!(closed, "the line was pending");
                    charge.unwrap_or(0)
                })
            })
            .collect();
        let mut charged = 0;
        for end in ends {
            charged += end.await.unwrap();
        }
        for biller in &billers {
            biller.release_lines().await.unwrap();
            assert_eq!(biller.open_lines(), 0);
        }
        let balance = ledger::balance(&db, token).await.unwrap();
        assert_eq!((balance.held, balance.posted), (0, 100 * DOLLAR - charged));
        let revenue = ledger::balance(&db, revenue).await.unwrap().posted;
        assert_eq!(revenue, charged);
        let records = entity::usage_records::Entity::find()
            .count(&db)
            .await
            .unwrap();
        assert_eq!(records, 45, "a record for every request but the released");
        assert_sound(&db).await;

        // A line that ended under its requests (the sweeper voided it) bills nothing more.
        let biller = &billers[0];
        let reservation = reserve_all(biller, owner, CENT, 1, "late").await[0];
        ledger::void(&db, reservation.hold_id).await.unwrap();
        let closed = biller
            .close(
                &reservation,
                Some((CENT, "API usage: claude-test".to_owned())),
                record(owner, "late", CENT),
                Utc::now(),
            )
            .await
            .unwrap();
        assert!(!closed);
        assert_eq!(
            ledger::balance(&db, token).await.unwrap().posted,
            100 * DOLLAR - charged
        );
        assert_eq!(biller.open_lines(), 0);
        assert_sound(&db).await;
    }
);

both_databases!(
    a_wallet_near_its_end_gets_exact_holds_not_lines,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let owner = customer(&app, "lean@example.com").await;
        let token = wallet(&db, owner.0, WalletKind::Token).await;
        // 60 cents: a line of 16 one-cent requests needs 64 cents available.
        fund(&db, token, 60 * CENT, "lean-grant").await;
        let biller = Arc::new(Biller::new(db.clone()));
        let started = Utc::now();
        let reservations = reserve_all(&biller, owner, CENT, 10, "lean").await;
        assert!(reservations.iter().all(|r| r.line_use.is_none()));
        // An exact hold expires at its request's deadline, 10 minutes on.
        let holds = entity::ledger_holds::Entity::find().all(&db).await.unwrap();
        assert_eq!(holds.len(), 10);
        assert!(holds
            .iter()
            .all(|h| h.expires_at >= started + Duration::minutes(10)
                && h.expires_at <= Utc::now() + Duration::minutes(10)));
        assert_eq!(biller.open_lines(), 0);
        assert_eq!(available(&db, token).await, 50 * CENT);
        for reservation in &reservations {
            biller.void(reservation, Utc::now()).await.unwrap();
        }
        assert_eq!(available(&db, token).await, 60 * CENT);
        assert_sound(&db).await;
    }
);

both_databases!(
    spend_limited_and_line_requests_on_one_wallet_never_deadlock,
    |app: TestApp| async move {
        let db = app.db.conn.clone();
        let viewer = common::accounts::viewer_for(
            &app,
            "mixed@example.com",
            app::auth::Role::Customer,
            true,
        )
        .await;
        let mut tokens = Vec::new();
        for name in ["open", "limited"] {
            let options = TokenOptions {
                billing_source: BillingSource::TokenThenCash,
                ..TokenOptions::open(name)
            };
            let token = api_tokens::create(&db, &viewer, options, Utc::now())
                .await
                .unwrap();
            tokens.push((viewer.user_id, token.row.id));
        }
        let (open, limited) = (tokens[0], tokens[1]);
        let token = wallet(&db, viewer.user_id, WalletKind::Token).await;
        let revenue = revenue_account(&db).await;
        fund(&db, token, 100 * DOLLAR, "mixed-grant").await;
        let biller = Arc::new(Biller::new(db.clone()));

        // The limited token's requests lock its spend counters and the wallet in their own
        // transactions, while the open token's charges reach the same wallet and revenue
        // through the writer's batches: every lock order must agree, or PostgreSQL aborts one
        // of them as a deadlock.
        const ROUNDS: usize = 5;
        const REQUESTS: usize = 60;
        for round in 0..ROUNDS {
            let requests: Vec<_> = (0..REQUESTS)
                .map(|n| {
                    let biller = biller.clone();
                    let (owner, who) = if n % 2 == 0 {
                        let who = ApiCaller {
                            daily_limit: Some(50 * DOLLAR),
                            total_limit: Some(80 * DOLLAR),
                            ..caller(limited)
                        };
                        (limited, who)
                    } else {
                        (open, caller(open))
                    };
                    let id = format!("mixed-{round}-{n}");
                    tokio::spawn(async move {
                        let hold_for = Duration::minutes(10);
                        let reservation = biller
                            .reserve(&who, &id, CENT, hold_for, Utc::now())
                            .await
                            .unwrap()
                            .unwrap();
                        let charge = Some((CENT / 2, "API usage: claude-test".to_owned()));
                        let closed = biller
                            .close(
                                &reservation,
                                charge,
                                record(owner, &id, CENT / 2),
                                Utc::now(),
                            )
                            .await
                            .unwrap();
                        assert!(closed, "request {id} was pending");
                    })
                })
                .collect();
            for request in requests {
                request.await.unwrap();
            }
        }
        biller.release_lines().await.unwrap();

        let charged = i64::try_from(ROUNDS * REQUESTS).unwrap() * CENT / 2;
        let balance = ledger::balance(&db, token).await.unwrap();
        assert_eq!((balance.held, balance.posted), (0, 100 * DOLLAR - charged));
        assert_eq!(ledger::balance(&db, revenue).await.unwrap().posted, charged);
        let spend = entity::token_spend::Entity::find().all(&db).await.unwrap();
        assert!(!spend.is_empty());
        for counter in spend {
            assert_eq!(counter.api_token_id, limited.1);
            assert_eq!((counter.held, counter.spent), (0, charged / 2));
        }
        assert_sound(&db).await;
    }
);

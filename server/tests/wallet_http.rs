//! Wallet and API-token server functions over HTTP: own data only, tokens shown once, step-up
//! and confirmed email for token creation, repeated submits moving money once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::auth::Role;
use app::server::services::ledger::WalletKind;
use app::server::services::redemption::{self, NewBatch};
use app::server::services::wallets;
use chrono::Utc;
use common::accounts::{sign_up, verified_customer, Browser, PASSWORD};
use common::TestApp;
use reqwest::StatusCode;
use sea_orm::EntityTrait;

async fn adjust(browser: &Browser, pairs: Vec<(&'static str, String)>) -> common::accounts::Answer {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.call("admin_adjust_wallet", &borrowed).await
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    entity::users::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == email)
        .unwrap()
        .id
}

with_mail!(
    tokens_are_shown_once_and_only_to_their_owner,
    |app: TestApp, sink| async move {
        let ann =
            verified_customer(&app, &sink, "annie@example.com", "annie", "198.51.100.100").await;
        let bob =
            verified_customer(&app, &sink, "bobby@example.com", "bobby", "198.51.100.101").await;

        let created = ann
            .call(
                "create_api_token",
                &[
                    ("name", "laptop"),
                    ("billing_source", "token_wallet"),
                    ("daily_limit", "5"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        assert_eq!(
            created.location(),
            Some("/account/tokens?notice=token-created")
        );
        assert!(
            !created.body.contains("cdx_"),
            "the answer itself carries no token"
        );

        let first = json(&ann.call("list_api_tokens", &[]).await.body);
        let token = first["new_token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("cdx_"));
        let second = ann.call("list_api_tokens", &[]).await.body;
        assert!(json(&second)["new_token"].is_null(), "shown once");
        assert!(!second.contains(&token));
        let listed = json(&second)["tokens"][0].clone();
        assert_eq!(listed["limits"], "$5.00 per day");
        let token_id = listed["id"].to_string();
        let page = ann.get("/account/tokens").await;
        assert!(!page.body.contains(&token));

        // Bob cannot see, revoke or rotate Ann's token.
        let bobs = json(&bob.call("list_api_tokens", &[]).await.body);
        assert_eq!(bobs["tokens"].as_array().unwrap().len(), 0);
        for (endpoint, form) in [
            ("revoke_api_token", vec![("token_id", token_id.as_str())]),
            (
                "rotate_api_token",
                vec![("token_id", token_id.as_str()), ("grace_days", "1")],
            ),
        ] {
            let refused = bob.call(endpoint, &form).await;
            assert_eq!(
                refused.status,
                StatusCode::NOT_FOUND,
                "{endpoint}: {}",
                refused.body
            );
        }

        let rotated = ann
            .call(
                "rotate_api_token",
                &[("token_id", &token_id), ("grace_days", "0")],
            )
            .await;
        assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
        let after = json(&ann.call("list_api_tokens", &[]).await.body);
        let new_token = after["new_token"].as_str().unwrap();
        assert_ne!(new_token, token);
        let new_id = after["tokens"][0]["id"].to_string();
        let revoked = ann.call("revoke_api_token", &[("token_id", &new_id)]).await;
        assert_eq!(revoked.status, StatusCode::OK);
        let states: Vec<String> = json(&ann.call("list_api_tokens", &[]).await.body)["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["state"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(states, ["revoked", "revoked"]);
    }
);

with_mail!(
    token_creation_needs_a_confirmed_address_and_a_recent_password,
    |app: TestApp, sink| async move {
        let _ = &sink;
        let newbie = Browser::new(&app, "198.51.100.102");
        sign_up(&newbie, "New", "newbie@example.com", "newbie").await;
        newbie.log_in("newbie@example.com", PASSWORD).await;
        let unconfirmed = newbie
            .call(
                "create_api_token",
                &[("name", "x"), ("billing_source", "token_wallet")],
            )
            .await;
        assert_eq!(unconfirmed.status, StatusCode::FORBIDDEN);
        assert!(
            unconfirmed.body.contains("confirm your email"),
            "{}",
            unconfirmed.body
        );

        let ann =
            verified_customer(&app, &sink, "annie@example.com", "annie", "198.51.100.103").await;
        app.execute("UPDATE sessions SET reauthenticated_at = NULL")
            .await;
        let stale = ann
            .call(
                "create_api_token",
                &[("name", "x"), ("billing_source", "token_wallet")],
            )
            .await;
        assert_eq!(stale.status, StatusCode::FORBIDDEN);
        let wrong = ann
            .call(
                "create_api_token",
                &[
                    ("name", "x"),
                    ("billing_source", "token_wallet"),
                    ("password", "not it at all"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        let confirmed = ann
            .call(
                "create_api_token",
                &[
                    ("name", "x"),
                    ("billing_source", "token_wallet"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        let bad_ip = ann
            .call(
                "create_api_token",
                &[
                    ("name", "y"),
                    ("billing_source", "token_wallet"),
                    ("addresses", "not-an-ip"),
                ],
            )
            .await;
        assert_eq!(bad_ip.status, StatusCode::BAD_REQUEST);
        assert!(bad_ip.body.contains("not an IP address"));
    }
);

with_mail!(
    wallets_show_own_money_and_transfers_move_once,
    |app: TestApp, sink| async move {
        let ann =
            verified_customer(&app, &sink, "annie@example.com", "annie", "198.51.100.104").await;
        let bob =
            verified_customer(&app, &sink, "bobby@example.com", "bobby", "198.51.100.105").await;
        let root = common::accounts::viewer_for(&app, "root@example.com", Role::Admin, true).await;
        let ann_id = user_id(&app, "annie@example.com").await;
        let db = app.db.conn.clone();
        wallets::admin_adjust(
            &db,
            &root,
            ann_id,
            WalletKind::Cash,
            10_000_000,
            "commission",
            "c1",
            Utc::now(),
        )
        .await
        .unwrap();

        for _ in 0..3 {
            let moved = ann
                .call(
                    "transfer_to_token_wallet",
                    &[("amount", "2.50"), ("key", "form-1")],
                )
                .await;
            assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        }
        let bad = ann
            .call(
                "transfer_to_token_wallet",
                &[("amount", "0.1234567"), ("key", "form-2")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let too_much = ann
            .call(
                "transfer_to_token_wallet",
                &[("amount", "100"), ("key", "form-3")],
            )
            .await;
        assert_eq!(too_much.status, StatusCode::FORBIDDEN);

        let made = redemption::make_batch(
            &db,
            &root,
            NewBatch {
                name: "Gift".to_owned(),
                amount: 1_000_000,
                count: 1,
                max_redemptions: 1,
                per_user_limit: None,
                expires_at: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let redeemed = ann.call("redeem_code", &[("code", &made.codes[0])]).await;
        assert_eq!(redeemed.status, StatusCode::OK, "{}", redeemed.body);
        assert_eq!(
            bob.call("redeem_code", &[("code", &made.codes[0])])
                .await
                .status,
            StatusCode::BAD_REQUEST
        );

        let wallet = json(&ann.call("get_wallet", &[]).await.body);
        assert_eq!(
            wallet["token"]["posted"], 3_500_000,
            "2.50 moved once, plus the code"
        );
        assert_eq!(wallet["cash"]["posted"], 7_500_000);
        assert_eq!(wallet["lines"].as_array().unwrap().len(), 4);
        let bobs = json(&bob.call("get_wallet", &[]).await.body);
        assert_eq!(bobs["token"]["posted"], 0);
        assert_eq!(
            bobs["lines"].as_array().unwrap().len(),
            0,
            "nothing of Ann's"
        );
        let page = ann.get("/account/wallet").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("$3.50"), "the page shows the balance");
    }
);

with_mail!(
    admins_adjust_wallets_with_a_reason_and_check_the_ledger,
    |app: TestApp, sink| async move {
        let ann =
            verified_customer(&app, &sink, "annie@example.com", "annie", "198.51.100.110").await;
        let root = common::accounts::admin(&app, "root@example.com", "198.51.100.111").await;
        let ann_id = user_id(&app, "annie@example.com").await.to_string();
        let form = |amount: &'static str, key: &'static str| {
            vec![
                ("user_id", ann_id.clone()),
                ("wallet", "token".to_owned()),
                ("amount", amount.to_owned()),
                ("reason", "goodwill credit".to_owned()),
                ("key", key.to_owned()),
            ]
        };
        let refused = adjust(&ann, form("5", "a1")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        for _ in 0..2 {
            let granted = adjust(&root, form("5", "a1")).await;
            assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        }
        let corrected = adjust(&root, form("-1.25", "a2")).await;
        assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
        let mut no_reason = form("5", "a3");
        no_reason[3].1 = String::new();
        assert_eq!(
            adjust(&root, no_reason).await.status,
            StatusCode::BAD_REQUEST
        );

        let seen = json(
            &root
                .call("admin_get_user_wallet", &[("user_id", ann_id.as_str())])
                .await
                .body,
        );
        assert_eq!(seen["token"]["posted"], 3_750_000, "5 once, minus 1.25");
        assert_eq!(
            json(&ann.call("get_wallet", &[]).await.body)["token"]["posted"],
            3_750_000
        );
        assert_eq!(
            ann.call("admin_get_user_wallet", &[("user_id", ann_id.as_str())])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let health = root.call("admin_ledger_health", &[]).await;
        assert_eq!(health.status, StatusCode::OK);
        assert_eq!(json(&health.body), serde_json::json!([]));
        assert_eq!(root.get("/admin/ledger").await.status, StatusCode::OK);
        let page = root.get(&format!("/admin/users/{ann_id}")).await;
        assert!(
            page.body.contains("goodwill credit"),
            "history on the admin page"
        );
    }
);

with_mail!(
    two_server_processes_on_one_database_credit_a_code_once_and_a_key_once,
    |app: TestApp, sink| async move {
        let replica = app.spawn_process_beside().await;
        let root = common::accounts::viewer_for(&app, "root@example.com", Role::Admin, true).await;
        let mut racers = Vec::new();
        for (n, email) in ["racer1@example.com", "racer2@example.com"]
            .iter()
            .enumerate()
        {
            let username = email.split('@').next().unwrap();
            let here =
                verified_customer(&app, &sink, email, username, &format!("198.51.100.12{n}")).await;
            let there = Browser::at(&replica.address, &format!("198.51.100.13{n}"));
            assert_eq!(there.log_in(email, PASSWORD).await.status, StatusCode::OK);
            racers.push((here, there));
        }
        let db = app.db.conn.clone();
        let made = redemption::make_batch(
            &db,
            &root,
            NewBatch {
                name: "Race".to_owned(),
                amount: 1_000_000,
                count: 1,
                max_redemptions: 1,
                per_user_limit: None,
                expires_at: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let form = [("code", made.codes[0].as_str())];
        let mut attempts = Vec::new();
        for n in 0..40 {
            let (here, there) = &racers[n % 2];
            let browser = if n % 4 < 2 { here } else { there };
            attempts.push(browser.call("redeem_code", &form));
        }
        let answers = futures_util::future::join_all(attempts).await;
        let credited = answers
            .iter()
            .filter(|a| a.status == StatusCode::OK)
            .count();
        assert_eq!(
            credited,
            1,
            "{:?}",
            answers.iter().map(|a| a.status).collect::<Vec<_>>()
        );

        // The same idempotency key from both servers, 20 times at once, moves money once.
        let ann_id = user_id(&app, "racer1@example.com").await;
        wallets::admin_adjust(
            &db,
            &root,
            ann_id,
            WalletKind::Cash,
            10_000_000,
            "commission",
            "c9",
            Utc::now(),
        )
        .await
        .unwrap();
        let (here, there) = &racers[0];
        let sends = (0..20).map(|n| {
            let browser = if n % 2 == 0 { here } else { there };
            browser.call(
                "transfer_to_token_wallet",
                &[("amount", "1"), ("key", "same-key")],
            )
        });
        for answer in futures_util::future::join_all(sends).await {
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }
        let cash = wallets::wallets(&db, ann_id, Utc::now())
            .await
            .unwrap()
            .cash
            .posted;
        assert_eq!(cash, 9_000_000, "moved once");
        let violations = app::server::services::ledger::check_invariants(&db)
            .await
            .unwrap();
        assert!(violations.is_empty(), "{violations:?}");
    }
);

with_mail!(
    customers_download_their_own_filtered_history_as_csv,
    |app: TestApp, sink| async move {
        let ann =
            verified_customer(&app, &sink, "annie@example.com", "annie", "198.51.100.140").await;
        let bob =
            verified_customer(&app, &sink, "bobby@example.com", "bobby", "198.51.100.141").await;
        let root = common::accounts::admin(&app, "root@example.com", "198.51.100.142").await;
        let ann_id = user_id(&app, "annie@example.com").await.to_string();
        for (amount, reason, key) in [
            ("5", "=HYPERLINK(\"http://evil.example\")", "c1"),
            ("-1.25", "correction, with a comma", "c2"),
        ] {
            let posted = adjust(
                &root,
                vec![
                    ("user_id", ann_id.clone()),
                    ("wallet", "token".to_owned()),
                    ("amount", amount.to_owned()),
                    ("reason", reason.to_owned()),
                    ("key", key.to_owned()),
                ],
            )
            .await;
            assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
        }

        let all = ann.get("/account/wallet/history.csv").await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        assert!(all.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert!(all.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment"));
        let lines: Vec<&str> = all.body.lines().collect();
        assert_eq!(
            lines[0],
            "time_utc,wallet,kind,description,reference,amount,amount_micros"
        );
        assert_eq!(lines.len(), 3, "{}", all.body);
        assert!(lines[1].contains("admin_adjustment,\"correction, with a comma\""));
        assert!(lines[1].ends_with(",-1.25,-1250000"));
        assert!(
            lines[2].contains("\"'=HYPERLINK("),
            "formulas are defused: {}",
            lines[2]
        );

        let grants = ann
            .get("/account/wallet/history.csv?kind=admin_grant&wallet=token")
            .await;
        assert_eq!(grants.body.lines().count(), 2, "{}", grants.body);
        let today = Utc::now().date_naive();
        let tomorrow = (today + chrono::Duration::days(1)).to_string();
        let future = ann
            .get(&format!("/account/wallet/history.csv?from={tomorrow}"))
            .await;
        assert_eq!(future.body.lines().count(), 1, "only the header");
        let this_day = ann
            .get(&format!(
                "/account/wallet/history.csv?from={today}&to={today}"
            ))
            .await;
        assert_eq!(this_day.body.lines().count(), 3);
        let bad = ann.get("/account/wallet/history.csv?from=yesterday").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("date like"), "{}", bad.body);

        // The page shows the same filter, and Bob's export holds none of Ann's lines.
        let page = ann.get("/account/wallet?kind=admin_grant").await;
        assert!(page.body.contains("history.csv?kind=admin_grant"));
        let bobs = bob.get("/account/wallet/history.csv").await;
        assert_eq!(bobs.body.lines().count(), 1, "{}", bobs.body);
        let anonymous = Browser::new(&app, "198.51.100.143")
            .get("/account/wallet/history.csv")
            .await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    }
);

with_mail!(
    admins_make_code_batches_as_a_csv_download_and_record_payouts,
    |app: TestApp, sink| async move {
        let ann =
            verified_customer(&app, &sink, "annie@example.com", "annie", "198.51.100.150").await;
        let root = common::accounts::admin(&app, "root@example.com", "198.51.100.151").await;
        let form = [
            ("name", "Launch"),
            ("amount", "2.50"),
            ("count", "3"),
            ("max_redemptions", "1"),
            ("per_user_limit", ""),
            ("expires_on", "2099-12-31"),
            ("password", ""),
            ("code", ""),
        ];
        let refused = ann.post("/admin/redemption-codes/batch.csv", &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let made = root.post("/admin/redemption-codes/batch.csv", &form).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        assert!(made.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("redemption-codes-"));
        let rows: Vec<&str> = made.body.lines().collect();
        assert_eq!(
            rows[0],
            "code,amount,amount_micros,uses_per_code,expires_at"
        );
        assert_eq!(rows.len(), 4);
        assert!(rows[1].ends_with(",2.50,2500000,1,2100-01-01T00:00:00Z"));
        let code = rows[1].split(',').next().unwrap();
        let stored = common::accounts::database_text(&app).await;
        assert!(!stored.contains(&code[4..].replace('-', "")), "hashed only");

        let redeemed = ann.call("redeem_code", &[("code", code)]).await;
        assert_eq!(redeemed.status, StatusCode::OK, "{}", redeemed.body);
        let listed = json(&root.call("admin_list_redemption_batches", &[]).await.body);
        assert_eq!(listed[0]["name"], "Launch");
        assert_eq!(listed[0]["codes"], 3);
        assert_eq!(listed[0]["redeemed"], 1);
        assert!(!listed.to_string().contains(&code[4..]));
        let page = root.get("/admin/redemption-codes").await;
        assert!(page.body.contains("Launch"));

        let mut bad = form;
        bad[2].1 = "lots";
        let refused = root.post("/admin/redemption-codes/batch.csv", &bad).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("whole number"));

        // Payouts come out of the Cash Wallet, once per key, never below zero.
        let ann_id = user_id(&app, "annie@example.com").await.to_string();
        let credit = adjust(
            &root,
            vec![
                ("user_id", ann_id.clone()),
                ("wallet", "cash".to_owned()),
                ("amount", "10".to_owned()),
                ("reason", "referral commission".to_owned()),
                ("key", "p0".to_owned()),
            ],
        )
        .await;
        assert_eq!(credit.status, StatusCode::OK, "{}", credit.body);
        let payout = [
            ("user_id", ann_id.as_str()),
            ("amount", "4"),
            ("reason", "bank transfer 1234"),
            ("key", "p1"),
        ];
        assert_eq!(
            ann.call("admin_record_payout", &payout).await.status,
            StatusCode::FORBIDDEN
        );
        for _ in 0..2 {
            let paid = root.call("admin_record_payout", &payout).await;
            assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
        }
        let too_much = root
            .call(
                "admin_record_payout",
                &[
                    ("user_id", ann_id.as_str()),
                    ("amount", "7"),
                    ("reason", "bank transfer 1235"),
                    ("key", "p2"),
                ],
            )
            .await;
        assert_eq!(too_much.status, StatusCode::FORBIDDEN, "{}", too_much.body);
        let wallet = json(&ann.call("get_wallet", &[]).await.body);
        assert_eq!(wallet["cash"]["posted"], 6_000_000);
        let health = json(&root.call("admin_ledger_health", &[]).await.body);
        assert_eq!(health, serde_json::json!([]));
    }
);

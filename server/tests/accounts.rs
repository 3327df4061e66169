//! Accounts end to end over HTTP: sign-up and verification by mail, sign-in and sessions,
//! enumeration resistance, throttling, password reset and change, suspension.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use common::accounts::{
    admin, body_of, create_user, database_text, enable_two_factor, mail_to, sign_up, token_in,
    verified_customer, Browser, DEVICE, PASSWORD, SESSION,
};
use common::{Backend, TestApp};
use entity::{account_tokens, email_outbox, users};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn user_by_email(app: &TestApp, email: &str) -> users::Model {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
}

with_mail!(
    sign_up_sends_a_single_use_verification_link_stored_only_hashed,
    |app: TestApp, sink| async move {
        let browser = Browser::new(&app, "198.51.100.1");
        let answer = sign_up(&browser, "Ann Example", "Ann@Example.com", "ann").await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.location(), Some("/login?notice=signed-up"));

        let user = user_by_email(&app, "Ann@Example.com").await;
        assert!(user.email_verified_at.is_none());
        assert_eq!(user.role, "customer");
        assert!(
            user.password_hash
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            user.password_hash
        );

        let mail = mail_to(&sink, "Ann@Example.com", 1).await;
        let token = token_in(&mail, "/verify-email");
        assert!(token.len() >= 43, "256-bit token");
        // The outbox keeps the body without the token; only its hash is stored.
        let outbox = email_outbox::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap();
        assert!(outbox.iter().all(|e| !e.body_text.contains(&token)));
        assert!(outbox.iter().any(|e| e.body_text.contains("{link}")));
        let stored = account_tokens::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].token_hash, token);

        // Unverified accounts can sign in.
        assert_eq!(
            browser.log_in("ann@example.com", PASSWORD).await.status,
            StatusCode::OK
        );
        let verified = browser.call("verify_email", &[("token", &token)]).await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        assert_eq!(verified.location(), Some("/account?notice=email-verified"));
        assert!(user_by_email(&app, "Ann@Example.com")
            .await
            .email_verified_at
            .is_some());

        let again = browser.call("verify_email", &[("token", &token)]).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert!(
            again.body.contains("invalid, already used or expired"),
            "{}",
            again.body
        );
        let forged = browser
            .call("verify_email", &[("token", "x".repeat(43).as_str())])
            .await;
        assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    }
);

with_mail!(
    sign_up_with_a_taken_address_answers_the_same_and_tells_the_owner,
    |app: TestApp, sink| async move {
        let first = Browser::new(&app, "198.51.100.2");
        let fresh = sign_up(&first, "Bob", "bob@example.com", "bob").await;
        let second = Browser::new(&app, "198.51.100.3");
        let taken = sign_up(&second, "Mallory", "BOB@example.com", "mallory").await;
        assert_eq!(fresh.status, taken.status);
        assert_eq!(fresh.body, taken.body);
        assert_eq!(fresh.location(), taken.location());
        assert_eq!(
            users::Entity::find().all(&app.db.conn).await.unwrap().len(),
            1,
            "no second account"
        );
        let notice = mail_to(&sink, "bob@example.com", 2).await;
        assert!(
            body_of(&notice).contains("already has one"),
            "{}",
            body_of(&notice)
        );

        // A taken username is the one thing sign-up does say.
        let clash = sign_up(&second, "Other Bob", "other@example.com", "BOB").await;
        assert_eq!(clash.status, StatusCode::BAD_REQUEST);
        assert!(clash.body.contains("username is taken"), "{}", clash.body);
    }
);

with_mail!(
    weak_and_oversized_passwords_are_refused_before_hashing,
    |app: TestApp, _sink| async move {
        let browser = Browser::new(&app, "198.51.100.4");
        let common = browser
            .call(
                "sign_up",
                &[
                    ("name", "Cat"),
                    ("email", "cat@example.com"),
                    ("username", "cat"),
                    ("password", "Password1"),
                ],
            )
            .await;
        assert_eq!(common.status, StatusCode::BAD_REQUEST);
        assert!(
            common.body.contains("most commonly used"),
            "{}",
            common.body
        );

        let huge = "x".repeat(1 << 20);
        let started = std::time::Instant::now();
        let answer = browser.log_in("cat@example.com", &huge).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert!(answer.body.contains("at most 128 characters"));
        let big_sign_up = browser
            .call(
                "sign_up",
                &[
                    ("name", "Cat"),
                    ("email", "cat@example.com"),
                    ("username", "cat"),
                    ("password", &huge),
                ],
            )
            .await;
        assert_eq!(big_sign_up.status, StatusCode::BAD_REQUEST);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
);

with_mail!(
    unknown_and_known_emails_get_identical_answers,
    |app: TestApp, sink| async move {
        verified_customer(&app, &sink, "dan@example.com", "dan", "198.51.100.5").await;
        let probe = Browser::new(&app, "198.51.100.6");
        let known = probe.log_in("dan@example.com", "wrong password 1").await;
        let unknown = probe.log_in("nobody@example.com", "wrong password 1").await;
        assert_eq!(known.status, StatusCode::UNAUTHORIZED);
        assert_eq!(known.status, unknown.status);
        assert_eq!(known.body, unknown.body);

        let reset_known = probe
            .call("request_password_reset", &[("email", "dan@example.com")])
            .await;
        let reset_unknown = probe
            .call("request_password_reset", &[("email", "nobody@example.com")])
            .await;
        assert_eq!(reset_known.status, StatusCode::OK);
        assert_eq!(reset_known.status, reset_unknown.status);
        assert_eq!(reset_known.body, reset_unknown.body);
        assert_eq!(reset_known.location(), reset_unknown.location());
    }
);

with_mail!(
    sessions_are_httponly_cookies_that_end_on_logout,
    |app: TestApp, sink| async move {
        let browser =
            verified_customer(&app, &sink, "eve@example.com", "eve", "198.51.100.7").await;
        let session = browser.cookie(SESSION).expect("session cookie");
        assert!(browser.cookie(DEVICE).is_some(), "known-device cookie");
        let stored: Vec<String> = entity::sessions::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.token_hash)
            .collect();
        assert!(!stored.contains(&session), "only the hash is stored");

        let page = browser.get("/account").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.headers["cache-control"], "no-store");
        assert!(page.body.contains("eve@example.com"));

        let logout = browser.call("log_out", &[]).await;
        assert_eq!(logout.status, StatusCode::OK);
        assert!(browser.cookie(SESSION).is_none(), "cookie deleted");
        // The old cookie value is dead on the very next request.
        browser.set_cookie(SESSION, &session);
        let after = browser.call("get_profile", &[]).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        assert!(browser.cookie(SESSION).is_none(), "stale cookie cleared");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_host_prefixed_and_secure_on_https() {
    let sink = common::smtp_sink::SmtpSink::start(common::smtp_sink::SinkMode::Accept).await;
    let url = sink.url();
    let app = TestApp::spawn_with(Backend::Sqlite, move |s| {
        s.server.base_url = "https://codexapi.example".to_owned();
        s.email.smtp_url = Some(secrecy::SecretString::from(url));
    })
    .await
    .unwrap();
    create_user(&app, "root@example.com", app::auth::Role::Customer).await;
    let response = app
        .client
        .post(app.url("/api/log_in"))
        .form(&[("email", "root@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-codexapi_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.contains(attribute), "{session}");
    }
    assert!(!session.contains("Domain"), "{session}");
}

with_mail!(
    authorization_is_enforced_on_pages_and_server_functions,
    |app: TestApp, sink| async move {
        let anonymous = Browser::new(&app, "198.51.100.8");
        let page = anonymous.get("/account/security").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.location(), Some("/login?next=%2Faccount%2Fsecurity"));
        assert_eq!(
            anonymous.call("get_profile", &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            anonymous.get("/admin/users").await.status,
            StatusCode::SEE_OTHER
        );
        let unknown = anonymous.call("drop_all_tables", &[]).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        let customer =
            verified_customer(&app, &sink, "fay@example.com", "fay", "198.51.100.9").await;
        let admin_page = customer.get("/admin/users").await;
        assert_eq!(admin_page.status, StatusCode::FORBIDDEN);
        assert!(
            !admin_page.body.contains("fay@example.com"),
            "no admin data rendered"
        );
        for endpoint in ["admin_list_users", "admin_list_security_events"] {
            assert_eq!(
                customer.call(endpoint, &[]).await.status,
                StatusCode::FORBIDDEN
            );
        }
        let suspend = customer
            .call(
                "admin_set_suspended",
                &[("user_id", "1"), ("suspended", "true")],
            )
            .await;
        assert_eq!(suspend.status, StatusCode::FORBIDDEN);

        let root = admin(&app, "root@example.com", "198.51.100.10").await;
        let listed = root.call("admin_list_users", &[("search", "FAY")]).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert!(listed.body.contains("fay@example.com"));
        assert!(!listed.body.contains("root@example.com"), "search filters");
        assert_eq!(root.get("/admin/users").await.status, StatusCode::OK);
    }
);

with_mail!(
    a_user_sees_and_revokes_their_other_sessions_only,
    |app: TestApp, sink| async move {
        let laptop =
            verified_customer(&app, &sink, "gus@example.com", "gus", "198.51.100.11").await;
        let phone = Browser::new(&app, "198.51.100.12");
        assert_eq!(
            phone.log_in("gus@example.com", PASSWORD).await.status,
            StatusCode::OK
        );
        let stranger =
            verified_customer(&app, &sink, "hal@example.com", "hal", "198.51.100.13").await;

        let listed = laptop.call("list_sessions", &[]).await;
        let sessions: Vec<serde_json::Value> = serde_json::from_str(&listed.body).unwrap();
        assert_eq!(sessions.len(), 2);
        assert!(sessions.iter().any(|s| s["ip"] == "198.51.100.12"));
        let phone_session =
            sessions.iter().find(|s| s["current"] == false).unwrap()["id"].to_string();

        // Another account cannot end it.
        let foreign = stranger
            .call("revoke_session", &[("session_id", &phone_session)])
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        assert_eq!(phone.call("get_profile", &[]).await.status, StatusCode::OK);

        let revoked = laptop
            .call("revoke_session", &[("session_id", &phone_session)])
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        assert_eq!(
            phone.call("get_profile", &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(laptop.call("get_profile", &[]).await.status, StatusCode::OK);

        let events = laptop.call("list_my_security_events", &[]).await;
        assert!(events.body.contains("session_revoked"), "{}", events.body);
        assert!(!events.body.contains("hal@example.com"));
    }
);

with_mail!(
    many_wrong_passwords_are_throttled_but_the_owner_gets_in,
    |app: TestApp, sink| async move {
        let owner = verified_customer(&app, &sink, "ida@example.com", "ida", "203.0.113.1").await;
        owner.call("log_out", &[]).await;

        // 150 guesses from one address: cut off by the per-address budget (20 per 15 minutes).
        // (The account's own budget, 10 per 5 minutes, cuts in even earlier.)
        let attacker = Browser::new(&app, "192.0.2.1");
        let mut checked = 0;
        for i in 0..150 {
            let answer = attacker
                .log_in("ida@example.com", &format!("guess number {i}"))
                .await;
            match answer.status {
                StatusCode::UNAUTHORIZED => checked += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    assert!(answer.headers.contains_key("retry-after"));
                }
                other => panic!("unexpected {other}: {}", answer.body),
            }
        }
        // Fixed windows: a window boundary during the test can let one more budget through.
        assert!(checked <= 2 * 20, "{checked} of 150 guesses were checked");

        // 150 guesses spread over 50 addresses: cut off by the per-account budget.
        let mut refused = 0;
        for i in 0..150 {
            let bot = Browser::new(&app, &format!("192.0.2.{}", 10 + i % 50));
            let answer = bot
                .log_in("ida@example.com", &format!("guess number {i}"))
                .await;
            if answer.status == StatusCode::TOO_MANY_REQUESTS {
                assert!(
                    answer.body.contains("reset your password"),
                    "{}",
                    answer.body
                );
                refused += 1;
            }
        }
        assert!(
            refused >= 120,
            "per-account budget held ({refused} refused)"
        );
        // The correct password from a stranger's browser is refused too while under attack…
        let thief = Browser::new(&app, "192.0.2.99");
        assert_eq!(
            thief.log_in("ida@example.com", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );

        // …but the owner's known browser signs in.
        let back = owner.log_in("ida@example.com", PASSWORD).await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.body);

        // And on a new browser the documented path works: reset by email, then sign in.
        let new_laptop = Browser::new(&app, "203.0.113.2");
        assert_eq!(
            new_laptop.log_in("ida@example.com", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        new_laptop
            .call("request_password_reset", &[("email", "ida@example.com")])
            .await;
        let token = token_in(
            &mail_to(&sink, "ida@example.com", 2).await,
            "/reset-password",
        );
        let reset = new_laptop
            .call(
                "reset_password",
                &[("token", &token), ("password", "a brand new passphrase")],
            )
            .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
        let signed_in = new_laptop
            .log_in("ida@example.com", "a brand new passphrase")
            .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);

        let failures = entity::security_events::Entity::find()
            .filter(entity::security_events::Column::Kind.eq("login_failed"))
            .all(&app.db.conn)
            .await
            .unwrap();
        assert!(
            failures.len() <= 30,
            "{} guesses reached the password check",
            failures.len()
        );
    }
);

with_mail!(
    password_reset_is_single_use_and_ends_every_session,
    |app: TestApp, sink| async move {
        let desk = verified_customer(&app, &sink, "jo@example.com", "jojo", "198.51.100.20").await;
        let other = Browser::new(&app, "198.51.100.21");
        other
            .call("request_password_reset", &[("email", "JO@example.com")])
            .await;
        let mail = mail_to(&sink, "jo@example.com", 2).await;
        let token = token_in(&mail, "/reset-password");
        let row = account_tokens::Entity::find()
            .filter(account_tokens::Column::Purpose.eq("reset_password"))
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap();
        assert!(row.expires_at - row.created_at <= chrono::Duration::minutes(60));

        let page = other.get(&format!("/reset-password?token={token}")).await;
        assert_eq!(page.status, StatusCode::OK);

        let weak = other
            .call(
                "reset_password",
                &[("token", &token), ("password", "baseball")],
            )
            .await;
        assert_eq!(
            weak.status,
            StatusCode::BAD_REQUEST,
            "the link survives a refused password"
        );
        let reset = other
            .call(
                "reset_password",
                &[("token", &token), ("password", "new and improved words")],
            )
            .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
        assert_eq!(reset.location(), Some("/login?notice=password-reset"));
        assert!(other.cookie(SESSION).is_none(), "a reset does not sign in");
        let reuse = other
            .call(
                "reset_password",
                &[("token", &token), ("password", "yet another passphrase")],
            )
            .await;
        assert_eq!(reuse.status, StatusCode::BAD_REQUEST);

        assert_eq!(
            desk.call("get_profile", &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            desk.log_in("jo@example.com", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            desk.log_in("jo@example.com", "new and improved words")
                .await
                .status,
            StatusCode::OK
        );
        let notice = mail_to(&sink, "jo@example.com", 3).await;
        assert!(body_of(&notice).contains("was just changed"));
    }
);

with_mail!(
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    |app: TestApp, sink| async move {
        let main = verified_customer(&app, &sink, "kim@example.com", "kim", "198.51.100.30").await;
        let second = Browser::new(&app, "198.51.100.31");
        second.log_in("kim@example.com", PASSWORD).await;
        let wrong = main
            .call(
                "change_password",
                &[
                    ("current_password", "not my password"),
                    ("new_password", "fresh words for kim"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert_eq!(second.call("get_profile", &[]).await.status, StatusCode::OK);
        let changed = main
            .call(
                "change_password",
                &[
                    ("current_password", PASSWORD),
                    ("new_password", "fresh words for kim"),
                ],
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(main.call("get_profile", &[]).await.status, StatusCode::OK);
        assert_eq!(
            second.call("get_profile", &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

with_mail!(
    profiles_are_corrected_by_their_owner,
    |app: TestApp, sink| async move {
        let browser =
            verified_customer(&app, &sink, "lee@example.com", "lee", "198.51.100.40").await;
        let saved = browser
            .call(
                "update_profile",
                &[
                    ("name", "Lee Park"),
                    ("username", "leepark"),
                    ("country", "kr"),
                    ("phone", "+82 2 123 4567"),
                    ("company", "Park Ltd"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let profile: serde_json::Value =
            serde_json::from_str(&browser.call("get_profile", &[]).await.body).unwrap();
        assert_eq!(profile["country"], "KR");
        assert_eq!(profile["username"], "leepark");
        let bad = browser
            .call(
                "update_profile",
                &[
                    ("name", "Lee"),
                    ("username", "leepark"),
                    ("country", "Korea"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("two-letter code"));
    }
);

with_mail!(
    a_suspended_user_is_locked_out_on_the_next_request,
    |app: TestApp, sink| async move {
        let customer =
            verified_customer(&app, &sink, "max@example.com", "max", "198.51.100.50").await;
        let root = admin(&app, "root@example.com", "198.51.100.51").await;
        let id = user_by_email(&app, "max@example.com").await.id.to_string();
        let suspended = root
            .call(
                "admin_set_suspended",
                &[("user_id", &id), ("suspended", "true")],
            )
            .await;
        assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.body);
        assert_eq!(
            customer.call("get_profile", &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        let again = customer.log_in("max@example.com", PASSWORD).await;
        assert_eq!(again.status, StatusCode::FORBIDDEN);
        assert!(again.body.contains("suspended"));

        let reinstated = root
            .call(
                "admin_set_suspended",
                &[("user_id", &id), ("suspended", "false")],
            )
            .await;
        assert_eq!(reinstated.status, StatusCode::OK);
        assert_eq!(
            customer.log_in("max@example.com", PASSWORD).await.status,
            StatusCode::OK
        );

        let log = root
            .call(
                "admin_list_security_events",
                &[("kind", "account_suspended")],
            )
            .await;
        assert!(log.body.contains("account_suspended"), "{}", log.body);
        assert!(!log.body.contains("login_succeeded"), "filtered by kind");
    }
);

with_mail!(
    roles_change_only_by_admins_and_never_strand_the_last_admin,
    |app: TestApp, sink| async move {
        let customer =
            verified_customer(&app, &sink, "ned@example.com", "ned", "198.51.100.60").await;
        let root = admin(&app, "root@example.com", "198.51.100.61").await;
        let ned = user_by_email(&app, "ned@example.com").await.id.to_string();
        let root_id = user_by_email(&app, "root@example.com").await.id.to_string();
        let demote_self = root
            .call(
                "admin_set_role",
                &[("user_id", &root_id), ("role", "customer")],
            )
            .await;
        assert_eq!(demote_self.status, StatusCode::BAD_REQUEST);
        assert!(demote_self.body.contains("only admin"));

        let promoted = root
            .call("admin_set_role", &[("user_id", &ned), ("role", "support")])
            .await;
        assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
        // New privileges need a fresh sign-in.
        assert_eq!(
            customer.call("get_profile", &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        customer.log_in("ned@example.com", PASSWORD).await;
        enable_two_factor(&customer).await;
        assert_eq!(
            customer.call("admin_list_users", &[]).await.status,
            StatusCode::OK
        );
        let support_change = customer
            .call("admin_set_role", &[("user_id", &ned), ("role", "admin")])
            .await;
        assert_eq!(
            support_change.status,
            StatusCode::FORBIDDEN,
            "support staff only read"
        );
        let events = root
            .call("admin_list_security_events", &[("kind", "role_changed")])
            .await;
        assert!(events.body.contains("role_changed"));
    }
);

with_mail!(
    no_secret_reaches_the_database,
    |app: TestApp, sink| async move {
        let browser =
            verified_customer(&app, &sink, "oz@example.com", "ozzy", "198.51.100.70").await;
        let session = browser.cookie(SESSION).unwrap();
        let verify_token = token_in(&mail_to(&sink, "oz@example.com", 1).await, "/verify-email");
        browser
            .call("request_password_reset", &[("email", "oz@example.com")])
            .await;
        let reset_token = token_in(
            &mail_to(&sink, "oz@example.com", 2).await,
            "/reset-password",
        );
        let new_password = "orange zebra quartet 7";
        browser
            .call(
                "reset_password",
                &[("token", &reset_token), ("password", new_password)],
            )
            .await;
        browser.log_in("oz@example.com", new_password).await;
        let second_session = browser.cookie(SESSION).unwrap();

        let text = database_text(&app).await;
        for secret in [
            PASSWORD,
            new_password,
            session.as_str(),
            second_session.as_str(),
            verify_token.as_str(),
            reset_token.as_str(),
        ] {
            assert!(
                !text.contains(secret),
                "a secret is stored in plain text: {secret}"
            );
        }
    }
);

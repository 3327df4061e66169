//! Two-step verification, step-up re-authentication, sign-in links and email change, over HTTP
//! against the real server, on SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::auth::{Access, SERVER_FNS};
use common::accounts::{
    admin, body_of, create_user, database_text, enable_two_factor, forget_used_totp_steps, mail_to,
    spawn_with_mail, token_in, totp_code, verified_customer, Browser, PASSWORD, SESSION,
};
use common::{Backend, TestApp};
use reqwest::StatusCode;

const PENDING: &str = "codexapi_pending";

with_mail!(
    enrolment_then_sign_in_takes_a_fresh_code_or_a_recovery_code,
    |app: TestApp, sink| async move {
        let browser =
            verified_customer(&app, &sink, "tia@example.com", "tia", "198.51.100.80").await;
        let setup: serde_json::Value =
            serde_json::from_str(&browser.call("two_factor_setup", &[]).await.body).unwrap();
        assert_eq!(setup["enabled"], false);
        let secret = setup["secret_base32"].as_str().unwrap().to_owned();
        assert!(setup["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/"));
        assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
        let again: serde_json::Value =
            serde_json::from_str(&browser.call("two_factor_setup", &[]).await.body).unwrap();
        assert_eq!(
            again["secret_base32"],
            secret.as_str(),
            "the pending secret is kept"
        );

        let wrong = browser
            .call("enable_two_factor", &[("code", "000000")])
            .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        let first_code = totp_code(&secret, 0);
        let enabled = browser
            .call("enable_two_factor", &[("code", &first_code)])
            .await;
        assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.body);
        assert_eq!(
            enabled.location(),
            Some("/account/two-factor?notice=two-factor-enabled")
        );
        let shown: serde_json::Value =
            serde_json::from_str(&browser.call("two_factor_setup", &[]).await.body).unwrap();
        let codes: Vec<String> = shown["new_recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes.len(), 10);
        assert_eq!(shown["enabled"], true);
        let later: serde_json::Value =
            serde_json::from_str(&browser.call("two_factor_setup", &[]).await.body).unwrap();
        assert_eq!(
            later["new_recovery_codes"].as_array().unwrap().len(),
            0,
            "shown once"
        );

        let stored = database_text(&app).await;
        assert!(
            !stored.contains(&secret),
            "the TOTP secret is stored encrypted"
        );
        for code in &codes {
            assert!(!stored.contains(code.as_str()));
            assert!(!stored.contains(&code.replace('-', "")));
        }

        // Sign in again: the password leads to the code step, which is not a session.
        browser.call("log_out", &[]).await;
        let first = browser.log_in("tia@example.com", PASSWORD).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.location(), Some("/login/two-factor"));
        assert!(browser.cookie(PENDING).is_some());
        assert!(browser.cookie(SESSION).is_none());
        let pending_only = Browser::new(&app, "198.51.100.81");
        pending_only.set_cookie(PENDING, &browser.cookie(PENDING).unwrap());
        pending_only.set_cookie(SESSION, &browser.cookie(PENDING).unwrap());
        for (endpoint, access) in SERVER_FNS {
            if *access != Access::Public {
                let answer = pending_only.call(endpoint, &[]).await;
                assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{endpoint}");
            }
        }
        assert_eq!(
            pending_only.get("/account").await.status,
            StatusCode::SEE_OTHER
        );

        // The code that enabled it was spent: replaying it in its own time step fails.
        let replay = browser
            .call("complete_login", &[("code", &first_code)])
            .await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.body);
        let next_code = totp_code(&secret, 1);
        let done = browser
            .call("complete_login", &[("code", &next_code)])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(browser.cookie(SESSION).is_some());
        assert!(browser.cookie(PENDING).is_none());
        assert_eq!(
            browser.call("get_profile", &[]).await.status,
            StatusCode::OK
        );

        // A recovery code works once.
        browser.call("log_out", &[]).await;
        browser.log_in("tia@example.com", PASSWORD).await;
        let recovered = browser
            .call("complete_login", &[("code", &codes[3].to_uppercase())])
            .await;
        assert_eq!(recovered.status, StatusCode::OK, "{}", recovered.body);
        browser.call("log_out", &[]).await;
        browser.log_in("tia@example.com", PASSWORD).await;
        let reused = browser.call("complete_login", &[("code", &codes[3])]).await;
        assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
        let status: serde_json::Value = serde_json::from_str(
            &browser
                .call("complete_login", &[("code", &codes[4])])
                .await
                .body,
        )
        .unwrap_or_default();
        assert!(status.is_null(), "{status}");
        let left: serde_json::Value =
            serde_json::from_str(&browser.call("two_factor_setup", &[]).await.body).unwrap();
        assert_eq!(left["unused_recovery_codes"], 8);
    }
);

with_mail!(
    the_sixth_code_finds_the_pending_sign_in_gone,
    |app: TestApp, sink| async move {
        let browser =
            verified_customer(&app, &sink, "uma@example.com", "uma", "198.51.100.82").await;
        let (secret, _) = enable_two_factor(&browser).await;
        browser.call("log_out", &[]).await;
        browser.log_in("uma@example.com", PASSWORD).await;
        for _ in 0..5 {
            let wrong = browser.call("complete_login", &[("code", "123456")]).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
            assert!(wrong.body.contains("not correct"), "{}", wrong.body);
        }
        forget_used_totp_steps(&app).await;
        let sixth = browser
            .call("complete_login", &[("code", &totp_code(&secret, 0))])
            .await;
        assert_eq!(sixth.status, StatusCode::UNAUTHORIZED);
        assert!(sixth.body.contains("sign in again"), "{}", sixth.body);
        assert!(browser.cookie(SESSION).is_none());

        // Starting over works.
        browser.log_in("uma@example.com", PASSWORD).await;
        let fresh = browser
            .call("complete_login", &[("code", &totp_code(&secret, 0))])
            .await;
        assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    }
);

with_mail!(
    sensitive_actions_need_a_recent_password_and_code,
    |app: TestApp, sink| async move {
        let browser =
            verified_customer(&app, &sink, "vic@example.com", "vic", "198.51.100.83").await;
        let (secret, _) = enable_two_factor(&browser).await;
        // Signed in just now with the password: covered for a few minutes.
        let fresh = browser.call("regenerate_recovery_codes", &[]).await;
        assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);

        app.execute("UPDATE sessions SET reauthenticated_at = NULL")
            .await;
        let stale = browser.call("regenerate_recovery_codes", &[]).await;
        assert_eq!(stale.status, StatusCode::FORBIDDEN);
        assert!(
            stale.body.contains("confirm your password"),
            "{}",
            stale.body
        );
        let no_code = browser
            .call(
                "regenerate_recovery_codes",
                &[("password", PASSWORD), ("code", "000000")],
            )
            .await;
        assert_eq!(no_code.status, StatusCode::BAD_REQUEST);
        forget_used_totp_steps(&app).await;
        let confirmed = browser
            .call(
                "regenerate_recovery_codes",
                &[("password", PASSWORD), ("code", &totp_code(&secret, 0))],
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);

        // Turning it off always takes both, however recent the confirmation.
        let password_only = browser
            .call(
                "disable_two_factor",
                &[("password", PASSWORD), ("code", "")],
            )
            .await;
        assert_eq!(password_only.status, StatusCode::BAD_REQUEST);
        forget_used_totp_steps(&app).await;
        let off = browser
            .call(
                "disable_two_factor",
                &[("password", PASSWORD), ("code", &totp_code(&secret, 0))],
            )
            .await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        browser.call("log_out", &[]).await;
        let plain = browser.log_in("vic@example.com", PASSWORD).await;
        assert_eq!(plain.location(), Some("/account"), "no code step any more");

        let events = browser.call("list_my_security_events", &[]).await.body;
        for kind in [
            "two_factor_enabled",
            "recovery_codes_regenerated",
            "two_factor_disabled",
        ] {
            assert!(events.contains(kind), "{kind}: {events}");
        }
    }
);

with_mail!(
    staff_need_two_step_verification,
    |app: TestApp, sink| async move {
        let _ = &sink;
        create_user(&app, "boss@example.com", app::auth::Role::Admin).await;
        let boss = Browser::new(&app, "198.51.100.84");
        boss.log_in("boss@example.com", PASSWORD).await;
        let refused = boss.call("admin_list_users", &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused.body.contains("two-step verification"),
            "{}",
            refused.body
        );
        assert_eq!(boss.get("/admin/users").await.status, StatusCode::FORBIDDEN);
        enable_two_factor(&boss).await;
        assert_eq!(
            boss.call("admin_list_users", &[]).await.status,
            StatusCode::OK
        );
    }
);

with_mail!(
    sign_in_links_are_single_use_and_still_ask_for_the_code,
    |app: TestApp, sink| async move {
        let owner = verified_customer(&app, &sink, "wes@example.com", "wes", "198.51.100.85").await;
        owner.call("log_out", &[]).await;
        let visitor = Browser::new(&app, "198.51.100.86");
        let known = visitor
            .call("request_magic_link", &[("email", "wes@example.com")])
            .await;
        let unknown = visitor
            .call("request_magic_link", &[("email", "nobody@example.com")])
            .await;
        assert_eq!(known.status, StatusCode::OK);
        assert_eq!(
            (known.status, known.location()),
            (unknown.status, unknown.location())
        );
        let token = token_in(&mail_to(&sink, "wes@example.com", 2).await, "/login/link");
        let page = visitor.get(&format!("/login/link?token={token}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            visitor.cookie(SESSION).is_none(),
            "opening the page spends nothing"
        );
        let signed_in = visitor.call("log_in_with_link", &[("token", &token)]).await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
        assert_eq!(signed_in.location(), Some("/account"));
        assert_eq!(
            visitor.call("get_profile", &[]).await.status,
            StatusCode::OK
        );
        let again = Browser::new(&app, "198.51.100.87")
            .call("log_in_with_link", &[("token", &token)])
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);

        // With two-step verification on, the link leads to the code step.
        let (secret, _) = enable_two_factor(&visitor).await;
        visitor.call("log_out", &[]).await;
        visitor
            .call("request_magic_link", &[("email", "wes@example.com")])
            .await;
        let token = token_in(&mail_to(&sink, "wes@example.com", 3).await, "/login/link");
        let step = visitor.call("log_in_with_link", &[("token", &token)]).await;
        assert_eq!(step.location(), Some("/login/two-factor"));
        assert!(visitor.cookie(SESSION).is_none());
        let done = visitor
            .call("complete_login", &[("code", &totp_code(&secret, 1))])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        // A link sign-in never counts as a password confirmation.
        let stale = visitor.call("regenerate_recovery_codes", &[]).await;
        assert_eq!(stale.status, StatusCode::FORBIDDEN);
    }
);

with_mail!(
    changing_the_email_is_confirmed_at_the_new_address_and_told_to_the_old,
    |app: TestApp, sink| async move {
        let browser =
            verified_customer(&app, &sink, "xia@example.com", "xia", "198.51.100.88").await;
        app.execute("UPDATE sessions SET reauthenticated_at = NULL")
            .await;
        let unconfirmed = browser
            .call("request_email_change", &[("new_email", "xia@new.example")])
            .await;
        assert_eq!(unconfirmed.status, StatusCode::FORBIDDEN);
        let requested = browser
            .call(
                "request_email_change",
                &[("new_email", "xia@new.example"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(requested.status, StatusCode::OK, "{}", requested.body);
        let notice = mail_to(&sink, "xia@example.com", 2).await;
        assert!(body_of(&notice).contains("xia@new.example"));
        let token = token_in(&mail_to(&sink, "xia@new.example", 1).await, "/verify-email");
        let profile: serde_json::Value =
            serde_json::from_str(&browser.call("get_profile", &[]).await.body).unwrap();
        assert_eq!(
            profile["email"], "xia@example.com",
            "unchanged until confirmed"
        );

        let confirmed = browser.call("verify_email", &[("token", &token)]).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        assert_eq!(confirmed.location(), Some("/account?notice=email-changed"));
        let profile: serde_json::Value =
            serde_json::from_str(&browser.call("get_profile", &[]).await.body).unwrap();
        assert_eq!(profile["email"], "xia@new.example");
        browser.call("log_out", &[]).await;
        assert_eq!(
            browser.log_in("xia@example.com", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            browser.log_in("xia@new.example", PASSWORD).await.status,
            StatusCode::OK
        );

        // An address that belongs to someone else is refused.
        verified_customer(&app, &sink, "yan@example.com", "yan", "198.51.100.89").await;
        let taken = browser
            .call(
                "request_email_change",
                &[("new_email", "YAN@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_set_up_by_the_helper_reach_the_staff_section() {
    let (app, _sink) = spawn_with_mail(Backend::Sqlite).await.unwrap();
    let root = admin(&app, "root@example.com", "198.51.100.90").await;
    assert_eq!(root.get("/admin/users").await.status, StatusCode::OK);
}

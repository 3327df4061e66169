//! The consent banner's server side: records, the cookie, and the no-JavaScript form flow.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::services::consent::history;
use common::accounts::{create_user, Browser, PASSWORD};
use common::{Backend, TestApp};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

const BANNER: &str = "data-testid=\"consent-banner\"";

fn consent_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("codexapi_consent="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

async fn post_form(
    app: &TestApp,
    body: &str,
    cookie: Option<&str>,
    referer: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/record_consent"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url(referer));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(body.to_owned()).send().await.unwrap()
}

/// What the hydrated banner sends: a form body, answered with JSON.
async fn post_script(app: &TestApp, body: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/record_consent"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

both_databases!(
    a_first_visit_shows_the_banner_with_two_equal_choices,
    |app: TestApp| async move {
        let (_, headers, html) = app.get_text("/").await;
        assert!(html.contains(BANNER));
        assert!(html.contains(">Accept analytics<") && html.contains(">Reject<"));
        assert_eq!(
            html.matches("class=\"button consent-button\"").count(),
            2,
            "both answers are styled alike"
        );
        assert!(
            headers.get("set-cookie").is_none(),
            "nothing is stored before a choice"
        );
    }
);

both_databases!(
    rejecting_without_javascript_records_the_choice_and_returns_to_the_page,
    |app: TestApp| async move {
        let response = post_form(
            &app,
            "choice=reject&consent_id=",
            None,
            "/pricing?privacy-choices=1",
        )
        .await;

        assert_eq!(response.status(), 302);
        assert_eq!(
            response.headers()["location"],
            "/pricing",
            "back to the page, banner closed"
        );
        let cookie = consent_cookie(&response).expect("the consent cookie is set");
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
        let consent_id = cookie
            .trim_start_matches("codexapi_consent=")
            .split(':')
            .next()
            .unwrap()
            .to_owned();

        let records = history(&app.db.conn, &consent_id).await.unwrap();
        assert_eq!(records.len(), 1);
        assert!(!records[0].analytics && !records[0].advertising);
        assert_eq!(records[0].method, "banner_form");
        assert_eq!(records[0].policy_version, "2026-11-27");

        let page = app
            .client
            .get(app.url("/pricing"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let html = page.text().await.unwrap();
        assert!(!html.contains(BANNER), "the choice is remembered");
    }
);

both_databases!(
    a_later_choice_is_a_new_record_for_the_same_consent_id,
    |app: TestApp| async move {
        let first = post_form(&app, "choice=accept", None, "/").await;
        let cookie = consent_cookie(&first).unwrap();
        let second = post_form(&app, "choice=reject", Some(&cookie), "/").await;
        let second_cookie = consent_cookie(&second).unwrap();
        let id = |c: &str| {
            c.trim_start_matches("codexapi_consent=")
                .split(':')
                .next()
                .unwrap()
                .to_owned()
        };
        assert_eq!(id(&cookie), id(&second_cookie));

        let records = history(&app.db.conn, &id(&cookie)).await.unwrap();
        let choices: Vec<bool> = records.iter().map(|r| r.analytics).collect();
        assert_eq!(choices, vec![true, false], "history is kept, oldest first");
    }
);

both_databases!(
    a_script_request_gets_the_state_as_json,
    |app: TestApp| async move {
        let response = post_script(
            &app,
            "choice=accept&consent_id=0b6f3b9e-8d2a-4c1e-9f00-123456789abc",
        )
        .await;
        assert_eq!(response.status(), 200);
        assert!(consent_cookie(&response).is_some());
        let state: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            state["consent_id"], "0b6f3b9e-8d2a-4c1e-9f00-123456789abc",
            "the browser's id is kept"
        );
        assert_eq!(state["analytics"], true);
        let records = history(&app.db.conn, "0b6f3b9e-8d2a-4c1e-9f00-123456789abc")
            .await
            .unwrap();
        assert_eq!(records[0].method, "banner_script");
    }
);

both_databases!(
    an_invalid_choice_is_a_400_and_records_nothing,
    |app: TestApp| async move {
        let response = post_script(&app, "choice=maybe").await;
        assert_eq!(response.status(), 400);
        assert!(consent_cookie(&response).is_none());
        let body = response.text().await.unwrap();
        assert!(body.contains("accept") && body.contains("reject"), "{body}");
    }
);

#[tokio::test]
async fn a_new_policy_version_asks_again() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let response = post_form(&app, "choice=accept", None, "/").await;
    let cookie = consent_cookie(&response).unwrap();
    drop(app);

    let updated = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.privacy.policy_version = "2027-01-01".to_owned()
    })
    .await
    .unwrap();
    let html = updated
        .client
        .get(updated.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(BANNER));
}

#[tokio::test]
async fn the_privacy_link_reopens_the_choice_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let cookie = consent_cookie(&post_form(&app, "choice=reject", None, "/").await).unwrap();
    let reopened = app
        .client
        .get(app.url("/terms?privacy-choices=1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(reopened.contains(BANNER));
    assert!(reopened.contains("analytics rejected"));
}

/// The consent id a script call's answer carries.
fn consent_id_of(body: &str) -> String {
    let state: serde_json::Value = serde_json::from_str(body).unwrap();
    state["consent_id"].as_str().unwrap().to_owned()
}

both_databases!(
    a_signed_in_visitors_choice_is_recorded_with_their_account,
    |app: TestApp| async move {
        create_user(&app, "visitor@example.com", app::auth::Role::Customer).await;
        let user = entity::users::Entity::find()
            .all(&app.db.conn)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.email == "visitor@example.com")
            .unwrap();
        let signed_in = Browser::new(&app, "198.51.100.7");
        let login = signed_in.log_in("visitor@example.com", PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        let anonymous = Browser::new(&app, "198.51.100.8");

        for (browser, owner) in [(&signed_in, Some(user.id)), (&anonymous, None)] {
            let answer = browser
                .call("record_consent", &[("choice", "accept")])
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            let records = history(&app.db.conn, &consent_id_of(&answer.body))
                .await
                .unwrap();
            assert_eq!(records.len(), 1);
            assert_eq!(records[0].user_id, owner);
        }
    }
);

/// Choices from one client address beyond its budget are refused with 429 and store nothing;
/// other addresses are unaffected. (Loopback is trusted as a proxy here, so each browser's
/// `X-Forwarded-For` is its address.)
async fn one_address_cannot_fill_the_consent_log(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    let script = Browser::new(&app, "203.0.113.50");
    for n in 0..100 {
        script.forget_cookie("codexapi_consent");
        let answer = script.call("record_consent", &[("choice", "reject")]).await;
        assert_eq!(answer.status, StatusCode::OK, "choice {n}: {}", answer.body);
    }
    script.forget_cookie("codexapi_consent");
    let refused = script.call("record_consent", &[("choice", "reject")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
    assert!(refused.body.contains("Too many attempts from your network"));
    assert!(
        script.cookie("codexapi_consent").is_none(),
        "a refused choice sets no cookie"
    );

    let neighbour = Browser::new(&app, "203.0.113.51");
    let answer = neighbour
        .call("record_consent", &[("choice", "accept")])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let stored = entity::consent_records::Entity::find()
        .count(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(stored, 101, "nothing was stored for the refused choice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_fill_the_consent_log_on_sqlite() {
    one_address_cannot_fill_the_consent_log(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_fill_the_consent_log_on_postgres() {
    one_address_cannot_fill_the_consent_log(Backend::Postgres).await;
}

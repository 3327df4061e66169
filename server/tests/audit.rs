//! The security audit log.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::services::audit::{list, record, EventFilter, EventKind, NewEvent};
use common::{Backend, TestApp};

fn event(kind: EventKind, user_id: Option<i64>) -> NewEvent {
    NewEvent {
        kind,
        user_id,
        actor_id: user_id,
        ip: Some("198.51.100.4".to_owned()),
        user_agent: Some("Firefox".to_owned()),
        detail: serde_json::json!({ "n": 1 }),
    }
}

both_databases!(
    events_read_back_newest_first_filtered_and_paged,
    |app: TestApp| async move {
        let db = &app.db.conn;
        for _ in 0..5 {
            record(db, event(EventKind::LoginFailed, None))
                .await
                .unwrap();
            record(db, event(EventKind::LoginSucceeded, None))
                .await
                .unwrap();
        }

        let all = list(db, &EventFilter::default(), 100).await.unwrap();
        assert_eq!(all.len(), 10);
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        assert_eq!(all[0].ip.as_deref(), Some("198.51.100.4"));
        assert_eq!(all[0].detail, r#"{"n":1}"#);

        let failures = EventFilter {
            kind: Some(EventKind::LoginFailed),
            ..EventFilter::default()
        };
        let first_page = list(db, &failures, 3).await.unwrap();
        assert_eq!(first_page.len(), 3);
        assert!(first_page.iter().all(|e| e.kind == "login_failed"));
        let next = EventFilter {
            before_id: first_page.last().map(|e| e.id),
            ..failures.clone()
        };
        let second_page = list(db, &next, 3).await.unwrap();
        assert_eq!(second_page.len(), 2, "the rest, no overlap");
        assert!(second_page[0].id < first_page[2].id);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_an_admin_from_the_cli_is_audited() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let file = app.sqlite_file.clone().unwrap();
    let output = common::run_server_command(
        &[
            "create-admin",
            "--email",
            "ops@example.org",
            "--username",
            "ops",
        ],
        &format!("sqlite://{}", file.display()),
        &[],
    )
    .await;

    let filter = EventFilter {
        kind: Some(EventKind::AccountCreated),
        ..EventFilter::default()
    };
    let events = list(&app.db.conn, &filter, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert!(events[0].user_id.is_some());
    assert_eq!(events[0].actor_id, None, "the operator's CLI");
    assert_eq!(events[0].detail, r#"{"role":"admin","via":"cli"}"#);
    let password_line = String::from_utf8(output.stdout).unwrap();
    let password = password_line
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap();
    assert!(!events[0].detail.contains(password));
}

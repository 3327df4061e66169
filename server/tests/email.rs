//! Email delivery through the outbox, over real SMTP to a sink on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::services::email::{enqueue, NewEmail};
use common::smtp_sink::{SinkMode, SmtpSink};
use common::{Backend, TestApp};
use entity::email_outbox;
use sea_orm::EntityTrait;
use secrecy::SecretString;

fn test_email(to: &str) -> NewEmail {
    NewEmail {
        recipient: to.to_owned(),
        template: "smtp_test",
        subject: "Delivery check".to_owned(),
        body_text: "If you can read this, email delivery works.\n".to_owned(),
        link: None,
    }
}

async fn app_with_sink(backend: Backend, sink: &SmtpSink) -> Option<TestApp> {
    let url = sink.url();
    TestApp::spawn_with(backend, move |s| {
        s.email.smtp_url = Some(SecretString::from(url));
        s.email.from = "CodexAPI <no-reply@codexapi.test>".to_owned();
        s.email.poll_interval_ms = 50;
    })
    .await
}

async fn outbox_row(app: &TestApp, id: i64) -> email_outbox::Model {
    email_outbox::Entity::find_by_id(id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
}

async fn run_on(backend: Backend) {
    let sink = SmtpSink::start(SinkMode::Accept).await;
    let Some(app) = app_with_sink(backend, &sink).await else {
        return;
    };

    let id = enqueue(&app.db.conn, test_email("ann@example.org"))
        .await
        .unwrap();

    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.from, "<no-reply@codexapi.test>");
    assert_eq!(mail.to, vec!["<ann@example.org>".to_owned()]);
    assert!(mail.data.contains("Subject: Delivery check"));
    assert!(mail
        .data
        .contains("If you can read this, email delivery works."));
    // The outbox records the delivery once the worker has written it back.
    let mut row = outbox_row(&app, id).await;
    for _ in 0..50 {
        if row.status == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        row = outbox_row(&app, id).await;
    }
    assert_eq!(row.status, "sent");
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());
    assert!(row.provider_message_id.unwrap().contains("SINK1"));
    assert_eq!(sink.received().len(), 1, "sent exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_email_is_delivered_over_smtp_and_recorded_on_sqlite() {
    run_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_email_is_delivered_over_smtp_and_recorded_on_postgres() {
    run_on(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_smtp_failure_is_retried_later_with_the_error_recorded() {
    let sink = SmtpSink::start(SinkMode::RejectTemporarily).await;
    let app = app_with_sink(Backend::Sqlite, &sink).await.unwrap();

    let id = enqueue(&app.db.conn, test_email("bob@example.org"))
        .await
        .unwrap();

    let mut row = outbox_row(&app, id).await;
    for _ in 0..100 {
        if row.attempts > 0 && row.status == "queued" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        row = outbox_row(&app, id).await;
    }
    assert_eq!(row.status, "queued", "back in the queue, not lost");
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.unwrap().contains("451"));
    let wait = row.next_attempt_at - row.updated_at;
    assert_eq!(wait.num_seconds(), 30, "first back-off");
    assert!(sink.received().is_empty());
}

both_databases!(
    an_invalid_recipient_is_refused_before_queueing,
    |app: TestApp| async move {
        assert!(enqueue(&app.db.conn, test_email("not an address"))
            .await
            .is_err());
    }
);

#[test]
fn print_config_redacts_the_smtp_password() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("print-config")
        .env(
            "CODEXAPI_EMAIL__SMTP_URL",
            "smtp://mailer:s3cret-pw@smtp.example.com:587?tls=required",
        )
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("smtp_url = \"[redacted]\""), "{stdout}");
    assert!(!stdout.contains("s3cret-pw"));
}

both_databases!(
    concurrent_workers_never_claim_the_same_email,
    |default_app: TestApp| async move {
        // A fresh app whose own worker stays asleep, so only the claimers below take emails.
        let backend = default_app.backend;
        drop(default_app);
        let Some(app) =
            TestApp::spawn_with(backend, |s| s.email.poll_interval_ms = 3_600_000).await
        else {
            return;
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        for n in 0..20 {
            enqueue(&app.db.conn, test_email(&format!("user{n}@example.org")))
                .await
                .unwrap();
        }
        let claimers = (0..4).map(|_| {
            let db = app.db.conn.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(email) =
                    app::server::services::email::claim_due(&db, chrono::Utc::now())
                        .await
                        .unwrap()
                {
                    mine.push(email.id);
                }
                mine
            })
        });
        let mut claimed: Vec<i64> = Vec::new();
        for claimer in claimers {
            claimed.extend(claimer.await.unwrap());
        }
        claimed.sort_unstable();
        let before = claimed.len();
        claimed.dedup();
        assert_eq!(before, claimed.len(), "an email was claimed twice");
        assert_eq!(claimed.len(), 20, "every email was claimed");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_test_email_delivers_through_the_configured_server() {
    let sink = SmtpSink::start(SinkMode::Accept).await;
    let dir = tempfile::tempdir().unwrap();
    let output = common::run_server_command(
        &["send-test-email", "--to", "ops@example.org"],
        &format!("sqlite://{}/t.db", dir.path().display()),
        &[("CODEXAPI_EMAIL__SMTP_URL", &sink.url())],
    )
    .await;
    assert!(String::from_utf8(output.stdout)
        .unwrap()
        .contains("sent: 2.0.0 OK queued as SINK1"));
    let mail = sink.wait_for(1).await.remove(0);
    assert!(mail.data.contains("email delivery check"));
}

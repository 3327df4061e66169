//! Email delivery: takes due emails from the outbox and sends them over SMTP with lettre,
//! retrying with back-off. Without SMTP configured, each email is written to the log instead.

use anyhow::Context;
use app::server::config::EmailSettings;
use app::server::services::email::{self as outbox, EmailStatus};
use chrono::Utc;
use entity::email_outbox;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use std::time::Duration;
use tokio::sync::watch;

/// How long one SMTP exchange may take before the attempt counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where emails go.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP configured (development): emails are logged.
    Log,
}

impl Mailer {
    /// Builds the mailer the settings ask for; logs at start-up when emails will not be sent.
    pub fn from_settings(settings: &EmailSettings) -> anyhow::Result<Self> {
        let Some(url) = &settings.smtp_url else {
            tracing::warn!(
                "email.smtp_url is not set: emails are written to the log instead of being sent"
            );
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .context("email.smtp_url is not a usable SMTP URL")?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = settings
            .from
            .parse()
            .context("email.from is not an email address")?;
        Ok(Mailer::Smtp { transport, from })
    }

    /// Sends one email; the SMTP server's acceptance line is returned as its message id.
    async fn deliver(
        &self,
        db: &DatabaseConnection,
        email: &email_outbox::Model,
        base_url: &str,
    ) -> Result<Option<String>, String> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    email.id = email.id,
                    email.recipient = %email.recipient,
                    email.subject = %email.subject,
                    email.body = %outbox::body_for_log(email),
                    "email not sent (no SMTP configured)"
                );
                Ok(Some("logged: no SMTP configured".to_owned()))
            }
            Mailer::Smtp { transport, from } => {
                let to: Mailbox = email
                    .recipient
                    .parse()
                    .map_err(|e| format!("invalid recipient: {e}"))?;
                let body = outbox::body_for_delivery(db, email, base_url, Utc::now())
                    .await
                    .map_err(|e| format!("cannot prepare the body: {e}"))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(email.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(body)
                    .map_err(|e| format!("cannot build the message: {e}"))?;
                let response = transport.send(message).await.map_err(|e| e.to_string())?;
                let answer: Vec<&str> = response.message().collect();
                Ok(Some(answer.join(" ")))
            }
        }
    }
}

/// Delivers due emails until `stopping` turns true. `base_url` prefixes the links in emails.
pub async fn run(
    db: DatabaseConnection,
    mailer: Mailer,
    settings: EmailSettings,
    base_url: String,
    mut stopping: watch::Receiver<bool>,
) {
    let poll = Duration::from_millis(settings.poll_interval_ms);
    loop {
        if let Err(error) = deliver_due(&db, &mailer, settings.max_attempts, &base_url).await {
            tracing::warn!(%error, "email delivery pass failed; retrying shortly");
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}

/// Sends every email that is due now.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    max_attempts: u32,
    base_url: &str,
) -> anyhow::Result<()> {
    while let Some(email) = outbox::claim_due(db, Utc::now()).await? {
        match mailer.deliver(db, &email, base_url).await {
            Ok(provider_id) => {
                outbox::mark_sent(db, email.id, provider_id, Utc::now()).await?;
                tracing::info!(email.id = email.id, email.template = %email.template, "email sent");
            }
            Err(error) => {
                let status =
                    outbox::mark_attempt_failed(db, &email, &error, max_attempts, Utc::now())
                        .await?;
                if status == EmailStatus::Failed {
                    tracing::error!(email.id = email.id, %error, "email failed for good");
                } else {
                    tracing::warn!(email.id = email.id, attempts = email.attempts, %error, "email attempt failed; will retry");
                }
            }
        }
    }
    Ok(())
}

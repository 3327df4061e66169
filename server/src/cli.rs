//! Command-line interface: serving, migrations and operator commands.

use crate::db::Database;
use crate::jobs::{self, email::Mailer};
use crate::{telemetry, Application};
use anyhow::{bail, Context};
use app::pricing::PriceSheet;
use app::server::config::{Settings, CONFIG_FILE_ENV};
use app::server::services::{audit, consent, email, ledger, passwords::Passwords, pricing, users};
use clap::{Parser, Subcommand};
use rand::distr::{Alphanumeric, SampleString};
use sea_orm::EntityTrait;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// CodexAPI server.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// TOML configuration file (settings from `CODEXAPI_*` variables override it).
    #[arg(long, global = true, env = CONFIG_FILE_ENV)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an admin account. Without --password-stdin a strong password is generated and
    /// printed once.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Do nothing (successfully) when an admin already exists.
        #[arg(long)]
        if_none: bool,
    },
    /// Print the effective configuration as TOML, secrets redacted.
    PrintConfig,
    /// Print every consent record of one anonymous consent id as JSON lines.
    ConsentLog {
        #[arg(long)]
        consent_id: String,
    },
    /// Send a test email now through the configured SMTP server, to check the settings.
    SendTestEmail {
        #[arg(long)]
        to: String,
    },
    /// Check the ledger's invariants (trial balance zero, cached balances equal their entries,
    /// holds consistent, entries unchanged); exits non-zero and lists the violations if any.
    CheckLedger,
    /// Set a model's price (micro-units per million tokens), effective now unless given.
    SetPrice {
        #[arg(long)]
        model: String,
        #[arg(long)]
        input: i64,
        #[arg(long)]
        output: i64,
        #[arg(long, default_value_t = 0)]
        cache_write_5m: i64,
        #[arg(long, default_value_t = 0)]
        cache_write_1h: i64,
        #[arg(long, default_value_t = 0)]
        cache_read: i64,
        /// RFC 3339 time the price takes effect.
        #[arg(long)]
        effective_from: Option<chrono::DateTime<chrono::Utc>>,
    },
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            Database::connect(&settings.database)
                .await?
                .migrate()
                .await?;
            say("migrations applied")
        }
        Command::PrintConfig => say(&settings.to_redacted_toml()?),
        Command::CreateAdmin {
            email,
            username,
            name,
            password_stdin,
            if_none,
        } => create_admin(settings, email, username, name, password_stdin, if_none).await,
        Command::ConsentLog { consent_id } => {
            let db = migrated(&settings).await?;
            for record in consent::history(&db.conn, &consent_id).await? {
                say(&serde_json::to_string(&record)?)?;
            }
            Ok(())
        }
        Command::SendTestEmail { to } => send_test_email(settings, to).await,
        Command::CheckLedger => {
            let db = migrated(&settings).await?;
            let violations = ledger::check_invariants(&db.conn)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if violations.is_empty() {
                return say("ledger sound: every invariant holds");
            }
            for violation in &violations {
                say(violation)?;
            }
            bail!("{} ledger invariant(s) violated", violations.len())
        }
        Command::SetPrice {
            model,
            input,
            output,
            cache_write_5m,
            cache_write_1h,
            cache_read,
            effective_from,
        } => {
            let db = migrated(&settings).await?;
            pricing::set_price(
                &db.conn,
                pricing::NewModelPrice {
                    model,
                    per_mtok: PriceSheet {
                        input,
                        output,
                        cache_write_5m,
                        cache_write_1h,
                        cache_read,
                    },
                    effective_from: effective_from.unwrap_or_else(chrono::Utc::now),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            say("price recorded")
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let base_url = settings.server.base_url.clone();
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), %base_url, "listening");
    say(&format!(
        "CodexAPI is listening on http://{}:{} (public URL {base_url})",
        app.local_host(),
        app.port()
    ))?;
    app.run_until_stopped().await
}

async fn send_test_email(settings: Settings, to: String) -> anyhow::Result<()> {
    let db = migrated(&settings).await?;
    let mailer = Mailer::from_settings(&settings.email)?;
    let id = email::enqueue(
        &db.conn,
        email::NewEmail {
            recipient: to,
            template: "smtp_test",
            subject: format!("{}: email delivery check", settings.site.name),
            body_text: format!(
                "This message was sent by `server send-test-email` to check that {} can deliver \
                 email. No action is needed.\n",
                settings.site.name
            ),
            link: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    jobs::email::deliver_due(
        &db.conn,
        &mailer,
        settings.email.max_attempts,
        settings.public_base_url(),
    )
    .await?;
    let row = entity::email_outbox::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .context("the queued email disappeared")?;
    match row.status.as_str() {
        "sent" => say(&format!(
            "sent: {}",
            row.provider_message_id.unwrap_or_default()
        )),
        other => bail!(
            "not sent ({other}): {}",
            row.last_error
                .unwrap_or_else(|| "no error recorded".to_owned())
        ),
    }
}

async fn migrated(settings: &Settings) -> anyhow::Result<Database> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    Ok(db)
}

async fn create_admin(
    settings: Settings,
    email: String,
    username: String,
    name: String,
    password_stdin: bool,
    if_none: bool,
) -> anyhow::Result<()> {
    let db = migrated(&settings).await?;
    if if_none
        && users::admin_exists(&db.conn)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        return say("an admin account already exists; nothing to do");
    }
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            bail!("no password on standard input");
        }
        (line, false)
    } else {
        (Alphanumeric.sample_string(&mut rand::rng(), 24), true)
    };
    let hasher = Passwords::new(&settings.passwords).map_err(|e| anyhow::anyhow!("{e}"))?;
    let password_hash = hasher
        .hash(&password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The account and its audit event are written together or not at all.
    let txn = app::server::services::begin_write(&db.conn)
        .await
        .context("cannot begin a transaction")?;
    let user = users::create(
        &*txn,
        users::NewUser {
            email,
            username,
            name,
            password_hash,
            role: users::Role::Admin,
            email_verified: true,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot create the admin: {e}"))?;
    audit::record(
        &*txn,
        audit::NewEvent {
            kind: audit::EventKind::AccountCreated,
            user_id: Some(user.id),
            actor_id: None,
            ip: None,
            user_agent: None,
            detail: serde_json::json!({ "role": "admin", "via": "cli" }),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot record the audit event: {e}"))?;
    txn.commit().await.context("cannot commit the new admin")?;
    say(&format!(
        "admin created: {} ({})",
        user.username, user.email
    ))?;
    if generated {
        // Shown once on the operator's terminal, never logged.
        say(&format!("password: {password}"))?;
        say("store it in your password manager; it is not shown again")?;
    }
    Ok(())
}

/// Writes one line to standard output (the CLI's channel to the operator; logs go to stderr).
fn say(line: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").context("cannot write to standard output")
}

//! Turns stored rows into the view types the pages show.

use super::services::audit::{self, EventFilter, EventKind};
use super::services::sessions::SessionView;
use super::services::ServiceError;
use crate::account::{ProfileView, SecurityEventPage, SecurityEventView, SessionItem, UserSummary};
use crate::auth::Role;
use chrono::{DateTime, Utc};
use entity::{security_events, users};

/// A timestamp as people read it: `2026-11-27 20:15 UTC`.
pub fn display_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn profile(user: users::Model) -> ProfileView {
    ProfileView {
        name: user.name,
        username: user.username,
        email: user.email,
        email_verified: user.email_verified_at.is_some(),
        country: user.country.unwrap_or_default(),
        phone: user.phone.unwrap_or_default(),
        company: user.company.unwrap_or_default(),
        member_since: display_time(user.created_at),
    }
}

pub fn session(session: SessionView, current_id: i64) -> SessionItem {
    SessionItem {
        id: session.id,
        ip: session.ip.unwrap_or_default(),
        user_agent: session.user_agent.unwrap_or_default(),
        created_at: display_time(session.created_at),
        last_seen_at: display_time(session.last_seen_at),
        current: session.id == current_id,
    }
}

pub fn security_event(event: security_events::Model) -> SecurityEventView {
    let description = EventKind::parse(&event.kind)
        .map(describe)
        .unwrap_or("Other event")
        .to_owned();
    SecurityEventView {
        id: event.id,
        kind: event.kind,
        description,
        user_id: event.user_id,
        actor_id: event.actor_id,
        ip: event.ip.unwrap_or_default(),
        user_agent: event.user_agent.unwrap_or_default(),
        at: display_time(event.created_at),
    }
}

/// Security events shown per page.
const EVENTS_PER_PAGE: u64 = 50;

/// A page of security events matching `filter`.
pub async fn security_event_page<C: sea_orm::ConnectionTrait>(
    db: &C,
    filter: &EventFilter,
) -> Result<SecurityEventPage, ServiceError> {
    let rows = audit::list(db, filter, EVENTS_PER_PAGE + 1).await?;
    let more = rows.len() as u64 > EVENTS_PER_PAGE;
    let events: Vec<SecurityEventView> = rows
        .into_iter()
        .take(EVENTS_PER_PAGE as usize)
        .map(security_event)
        .collect();
    let next_before = more.then(|| events.last().map(|e| e.id)).flatten();
    Ok(SecurityEventPage {
        events,
        next_before,
    })
}

fn describe(kind: EventKind) -> &'static str {
    match kind {
        EventKind::AccountCreated => "Account created",
        EventKind::EmailVerified => "Email address confirmed",
        EventKind::LoginSucceeded => "Signed in",
        EventKind::LoginFailed => "Failed sign-in attempt",
        EventKind::Logout => "Signed out",
        EventKind::SessionRevoked => "Device signed out",
        EventKind::PasswordChanged => "Password changed",
        EventKind::EmailChanged => "Email address changed",
        EventKind::TwoFactorEnabled => "Two-step verification turned on",
        EventKind::TwoFactorDisabled => "Two-step verification turned off",
        EventKind::RecoveryCodesRegenerated => "New recovery codes generated",
        EventKind::RoleChanged => "Role changed",
        EventKind::AccountSuspended => "Account suspended",
        EventKind::AccountUnsuspended => "Account reinstated",
        EventKind::AdminAction => "Administrator action",
    }
}

pub fn user_summary(user: users::Model) -> UserSummary {
    UserSummary {
        id: user.id,
        role: Role::parse(&user.role).unwrap_or(Role::Customer),
        name: user.name,
        username: user.username,
        email: user.email,
        email_verified: user.email_verified_at.is_some(),
        suspended: user.suspended_at.is_some(),
        created_at: display_time(user.created_at),
    }
}

/// A wallet balance for the page.
pub fn balance(balance: super::services::ledger::Balance) -> crate::wallet::BalanceView {
    crate::wallet::BalanceView {
        posted: balance.posted,
        held: balance.held,
        available: balance.available,
    }
}

/// A history line for the page.
pub fn ledger_line(line: super::services::wallets::HistoryLine) -> crate::wallet::LedgerLineView {
    use super::services::ledger::WalletKind;
    crate::wallet::LedgerLineView {
        id: line.entry_id,
        wallet: match line.wallet {
            WalletKind::Cash => "Cash Wallet",
            _ => "Token Wallet",
        }
        .to_owned(),
        amount: line.amount,
        kind: line.kind,
        memo: line.memo,
        at: display_time(line.at),
    }
}

/// An API token for its owner's list: never the secret.
pub fn api_token(
    token: entity::api_tokens::Model,
    currency: &str,
    now: DateTime<Utc>,
) -> crate::wallet::ApiTokenView {
    use crate::money::format_micros;
    let list = |stored: Option<String>| {
        stored
            .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
            .map(|items| items.join(", "))
            .unwrap_or_else(|| "any".to_owned())
    };
    let state = match (token.revoked_at, token.expires_at) {
        (Some(at), _) if at <= now => "revoked".to_owned(),
        (Some(at), _) => format!("rotated; works until {}", display_time(at)),
        (None, Some(at)) if at <= now => "expired".to_owned(),
        _ => "active".to_owned(),
    };
    let limits: Vec<String> = [
        ("day", token.daily_limit),
        ("month", token.monthly_limit),
        ("total", token.total_limit),
    ]
    .into_iter()
    .filter_map(|(label, limit)| {
        limit.map(|l| format!("{} per {label}", format_micros(l, currency)))
    })
    .collect();
    crate::wallet::ApiTokenView {
        id: token.id,
        hint: format!(
            "{}{}_…{}",
            super::services::api_tokens::PREFIX,
            token.public_id,
            token.last4
        ),
        name: token.name,
        state,
        created_at: display_time(token.created_at),
        expires_at: token
            .expires_at
            .map(display_time)
            .unwrap_or_else(|| "never".to_owned()),
        last_used: match (token.last_used_at, token.last_used_ip) {
            (Some(at), Some(ip)) => format!("{} from {ip}", display_time(at)),
            (Some(at), None) => display_time(at),
            _ => "never".to_owned(),
        },
        billing_source: match token.billing_source.as_str() {
            "token_then_cash" => "Token Wallet, then Cash Wallet",
            _ => "Token Wallet only",
        }
        .to_owned(),
        limits: if limits.is_empty() {
            "none".to_owned()
        } else {
            limits.join(", ").replace(" per total", " in total")
        },
        models: list(token.allowed_models),
        addresses: list(token.allowed_ips),
    }
}

/// A user's wallet page: balances and one page of history.
pub async fn wallet_page(
    db: &sea_orm::DatabaseConnection,
    user_id: i64,
    filter: &super::services::wallets::HistoryFilter,
    now: DateTime<Utc>,
) -> Result<crate::wallet::WalletView, ServiceError> {
    use super::services::wallets::{self, HISTORY_PAGE};
    let balances = wallets::wallets(db, user_id, now).await?;
    let mut lines = wallets::history(db, user_id, filter, HISTORY_PAGE + 1, now).await?;
    let more = lines.len() as u64 > HISTORY_PAGE;
    lines.truncate(HISTORY_PAGE as usize);
    Ok(crate::wallet::WalletView {
        token: balance(balances.token),
        cash: balance(balances.cash),
        next_before: more.then(|| lines.last().map(|l| l.entry_id)).flatten(),
        lines: lines.into_iter().map(ledger_line).collect(),
    })
}

pub fn redemption_batch(
    summary: super::services::redemption::BatchSummary,
) -> crate::wallet::RedemptionBatchView {
    let batch = summary.batch;
    crate::wallet::RedemptionBatchView {
        id: batch.id,
        name: batch.name,
        amount: batch.amount,
        codes: batch.code_count,
        uses_per_code: batch.max_redemptions,
        per_user_limit: batch
            .per_user_limit
            .map_or_else(|| "—".to_owned(), |n| n.to_string()),
        redeemed: summary.redeemed,
        expires: batch
            .expires_at
            .map_or_else(|| "never".to_owned(), display_time),
        created: display_time(batch.created_at),
    }
}

pub fn provider(
    provider: entity::upstream_providers::Model,
    models: Vec<entity::provider_models::Model>,
) -> crate::pricing::ProviderView {
    crate::pricing::ProviderView {
        id: provider.id,
        name: provider.name,
        protocol: provider.protocol,
        base_url: provider.base_url,
        key_hint: format!("…{}", provider.api_key_last4),
        priority: provider.priority,
        weight: provider.weight,
        enabled: provider.enabled,
        models: models
            .into_iter()
            .map(|m| {
                if m.public_model == m.upstream_model {
                    m.public_model
                } else {
                    format!("{} → {}", m.public_model, m.upstream_model)
                }
            })
            .collect(),
        consecutive_failures: provider.consecutive_failures,
        last_failure: match (provider.last_failure, provider.last_failure_at) {
            (Some(what), Some(at)) => format!("{what} at {}", display_time(at)),
            _ => "—".to_owned(),
        },
        last_success: provider
            .last_success_at
            .map_or_else(|| "—".to_owned(), display_time),
    }
}

pub fn usage_row(
    record: entity::usage_records::Model,
    token_names: &[(i64, String)],
) -> crate::usage::UsageRowView {
    let token = record
        .api_token_id
        .and_then(|id| token_names.iter().find(|(t, _)| *t == id))
        .map_or_else(|| "—".to_owned(), |(_, name)| name.clone());
    crate::usage::UsageRowView {
        id: record.id,
        user_id: record.user_id,
        at: display_time(record.started_at),
        endpoint: record.endpoint,
        model: record.public_model,
        token,
        status: record.status,
        input_tokens: record.input_tokens,
        output_tokens: record.output_tokens,
        cache_read_tokens: record.cache_read_tokens,
        cache_write_tokens: record.cache_write_5m_tokens + record.cache_write_1h_tokens,
        charge: record.charge,
        latency_ms: record.latency_ms,
        request_id: record.request_id,
    }
}

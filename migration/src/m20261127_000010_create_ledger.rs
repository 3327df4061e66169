//! The money ledger: accounts with cached balances, insert-only double-entry transactions and
//! entries, and two-phase holds. Amounts are integer micro-units of the deployment currency.

use crate::sql::{drop_table, run};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            &[
                // A user's wallets, or a system account (one per `system_code`). `posted_balance`
                // is the sum of the account's entries; `held_balance` the sum of its pending holds.
                r#"CREATE TABLE ledger_accounts (
                    id {identity} CONSTRAINT pk_ledger_accounts PRIMARY KEY{autoincrement},
                    user_id {bigint} NULL CONSTRAINT fk_ledger_accounts_user
                        REFERENCES users (id) ON DELETE RESTRICT,
                    kind TEXT NOT NULL,
                    system_code TEXT NULL,
                    posted_balance {bigint} NOT NULL DEFAULT 0,
                    held_balance {bigint} NOT NULL DEFAULT 0,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_ledger_accounts_kind CHECK (kind IN
                        ('token_wallet', 'cash_wallet', 'subscription_allowance', 'system')),
                    CONSTRAINT ck_ledger_accounts_owner CHECK (
                        (kind = 'system' AND user_id IS NULL AND system_code IS NOT NULL)
                        OR (kind <> 'system' AND user_id IS NOT NULL AND system_code IS NULL)),
                    CONSTRAINT ck_ledger_accounts_held CHECK (held_balance >= 0)
                )"#,
                "CREATE UNIQUE INDEX uq_ledger_accounts_user_kind ON ledger_accounts (user_id, kind)",
                "CREATE UNIQUE INDEX uq_ledger_accounts_system_code ON ledger_accounts (system_code)",
                r#"CREATE TABLE ledger_transactions (
                    id {identity} CONSTRAINT pk_ledger_transactions PRIMARY KEY{autoincrement},
                    idempotency_key TEXT NOT NULL
                        CONSTRAINT uq_ledger_transactions_idempotency_key UNIQUE,
                    kind TEXT NOT NULL,
                    reference TEXT NULL,
                    memo TEXT NOT NULL,
                    actor_user_id {bigint} NULL,
                    reverses_id {bigint} NULL CONSTRAINT fk_ledger_transactions_reverses
                        REFERENCES ledger_transactions (id),
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_ledger_transactions_key CHECK (length(idempotency_key) BETWEEN 1 AND 200)
                )"#,
                r#"CREATE TABLE ledger_entries (
                    id {identity} CONSTRAINT pk_ledger_entries PRIMARY KEY{autoincrement},
                    transaction_id {bigint} NOT NULL CONSTRAINT fk_ledger_entries_transaction
                        REFERENCES ledger_transactions (id) ON DELETE RESTRICT,
                    account_id {bigint} NOT NULL CONSTRAINT fk_ledger_entries_account
                        REFERENCES ledger_accounts (id) ON DELETE RESTRICT,
                    amount {bigint} NOT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_ledger_entries_nonzero CHECK (amount <> 0)
                )"#,
                "CREATE INDEX ix_ledger_entries_account ON ledger_entries (account_id, id)",
                "CREATE INDEX ix_ledger_entries_transaction ON ledger_entries (transaction_id)",
                r#"CREATE TABLE ledger_holds (
                    id {identity} CONSTRAINT pk_ledger_holds PRIMARY KEY{autoincrement},
                    account_id {bigint} NOT NULL CONSTRAINT fk_ledger_holds_account
                        REFERENCES ledger_accounts (id) ON DELETE RESTRICT,
                    amount {bigint} NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    idempotency_key TEXT NOT NULL CONSTRAINT uq_ledger_holds_idempotency_key UNIQUE,
                    reference TEXT NULL,
                    expires_at {timestamp} NOT NULL,
                    settled_amount {bigint} NULL,
                    transaction_id {bigint} NULL CONSTRAINT fk_ledger_holds_transaction
                        REFERENCES ledger_transactions (id),
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL,
                    CONSTRAINT ck_ledger_holds_amount CHECK (amount > 0),
                    CONSTRAINT ck_ledger_holds_status CHECK (status IN ('pending', 'settled', 'voided')),
                    CONSTRAINT ck_ledger_holds_settled CHECK (
                        (status = 'settled') = (settled_amount IS NOT NULL))
                )"#,
                "CREATE INDEX ix_ledger_holds_pending ON ledger_holds (status, expires_at)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "ledger_holds",
            "ledger_entries",
            "ledger_transactions",
            "ledger_accounts",
        ] {
            drop_table(manager, table).await?;
        }
        Ok(())
    }
}

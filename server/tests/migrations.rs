//! Every migration can be rolled back and re-applied on both databases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use common::TestApp;
use migration::{Migrator, MigratorTrait};

both_databases!(
    migrations_roll_back_and_reapply_cleanly,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let applied = Migrator::get_applied_migrations(db).await.unwrap().len();
        assert_eq!(applied, Migrator::migrations().len());

        Migrator::down(db, None).await.unwrap();
        assert!(Migrator::get_applied_migrations(db)
            .await
            .unwrap()
            .is_empty());

        Migrator::up(db, None).await.unwrap();
        assert_eq!(
            Migrator::get_applied_migrations(db).await.unwrap().len(),
            applied
        );
    }
);

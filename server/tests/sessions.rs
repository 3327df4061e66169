//! Sign-in sessions: issue, check, expire and revoke, on both databases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::server::config::SessionSettings;
use app::server::services::sessions::{
    authenticate, create, list_active, revoke, revoke_all_except, NewSession,
};
use app::server::services::users::{self, NewUser, Role};
use app::server::services::ServiceError;
use chrono::{Duration, Utc};
use common::TestApp;
use sea_orm::{DatabaseConnection, EntityTrait};

async fn user(db: &DatabaseConnection, name: &str) -> i64 {
    users::create(
        db,
        NewUser {
            email: format!("{name}@example.org"),
            username: name.to_owned(),
            name: name.to_owned(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".to_owned(),
            role: Role::Customer,
            email_verified: true,
        },
    )
    .await
    .unwrap()
    .id
}

fn device(user_id: i64, agent: &str) -> NewSession {
    NewSession {
        user_id,
        ip: Some("203.0.113.7".to_owned()),
        user_agent: Some(agent.to_owned()),
        password_confirmed: true,
    }
}

fn settings() -> SessionSettings {
    SessionSettings {
        idle_timeout_minutes: 60,
        absolute_timeout_hours: 24,
    }
}

both_databases!(
    a_session_token_signs_its_user_in_and_only_its_hash_is_stored,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let ann = user(db, "ann").await;
        let now = Utc::now();
        let issued = create(db, device(ann, "Firefox"), &settings(), now)
            .await
            .unwrap();

        let session = authenticate(db, issued.token.expose(), &settings(), now)
            .await
            .unwrap();
        assert_eq!(session.map(|s| s.user_id), Some(ann));
        assert_eq!(
            authenticate(db, "forged-token", &settings(), now)
                .await
                .unwrap(),
            None
        );
        assert_eq!(authenticate(db, "", &settings(), now).await.unwrap(), None);

        let row = entity::sessions::Entity::find_by_id(issued.id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(row.token_hash, issued.token.expose());
        assert!(!format!("{row:?}").contains(issued.token.expose()));
    }
);

both_databases!(
    revoking_ends_the_session_at_the_next_check,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let ann = user(db, "ann").await;
        let bob = user(db, "bob").await;
        let now = Utc::now();
        let issued = create(db, device(ann, "Firefox"), &settings(), now)
            .await
            .unwrap();

        // Someone else cannot revoke it, and learns nothing about it.
        assert!(matches!(
            revoke(db, bob, issued.id, now).await,
            Err(ServiceError::NotFound)
        ));
        assert!(authenticate(db, issued.token.expose(), &settings(), now)
            .await
            .unwrap()
            .is_some());

        revoke(db, ann, issued.id, now).await.unwrap();
        assert!(authenticate(db, issued.token.expose(), &settings(), now)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            revoke(db, ann, issued.id, now).await,
            Err(ServiceError::NotFound)
        ));
    }
);

both_databases!(
    an_idle_session_ends_but_activity_keeps_it_alive,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let ann = user(db, "ann").await;
        let start = Utc::now();
        let active = create(db, device(ann, "Firefox"), &settings(), start)
            .await
            .unwrap();
        let idle = create(db, device(ann, "Safari"), &settings(), start)
            .await
            .unwrap();

        let later = start + Duration::minutes(50);
        assert!(authenticate(db, active.token.expose(), &settings(), later)
            .await
            .unwrap()
            .is_some());

        let after_idle_limit = start + Duration::minutes(70);
        assert!(
            authenticate(db, active.token.expose(), &settings(), after_idle_limit)
                .await
                .unwrap()
                .is_some(),
            "used 20 minutes ago"
        );
        assert!(
            authenticate(db, idle.token.expose(), &settings(), after_idle_limit)
                .await
                .unwrap()
                .is_none(),
            "unused for 70 minutes"
        );
    }
);

both_databases!(
    the_absolute_lifetime_ends_even_a_busy_session,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let ann = user(db, "ann").await;
        let start = Utc::now();
        let issued = create(db, device(ann, "Firefox"), &settings(), start)
            .await
            .unwrap();
        assert_eq!(issued.expires_at, start + Duration::hours(24));

        let mut now = start;
        while now < start + Duration::hours(23) {
            now += Duration::minutes(30);
            assert!(authenticate(db, issued.token.expose(), &settings(), now)
                .await
                .unwrap()
                .is_some());
        }
        let past_lifetime = start + Duration::hours(24);
        assert!(
            authenticate(db, issued.token.expose(), &settings(), past_lifetime)
                .await
                .unwrap()
                .is_none()
        );
    }
);

both_databases!(
    revoking_all_others_keeps_only_the_current_device,
    |app: TestApp| async move {
        let db = &app.db.conn;
        let ann = user(db, "ann").await;
        let bob = user(db, "bob").await;
        let now = Utc::now();
        let current = create(db, device(ann, "Firefox"), &settings(), now)
            .await
            .unwrap();
        let laptop = create(
            db,
            device(ann, "Chrome"),
            &settings(),
            now + Duration::seconds(1),
        )
        .await
        .unwrap();
        let phone = create(
            db,
            device(ann, "Safari"),
            &settings(),
            now + Duration::seconds(2),
        )
        .await
        .unwrap();
        let bobs = create(db, device(bob, "Edge"), &settings(), now)
            .await
            .unwrap();

        let listed = list_active(db, ann, &settings(), now + Duration::seconds(3))
            .await
            .unwrap();
        let agents: Vec<_> = listed
            .iter()
            .map(|s| s.user_agent.clone().unwrap())
            .collect();
        assert_eq!(
            agents,
            ["Safari", "Chrome", "Firefox"],
            "most recently used first"
        );

        let ended = revoke_all_except(db, ann, Some(current.id), now)
            .await
            .unwrap();
        assert_eq!(ended, 2);
        for other in [&laptop, &phone] {
            assert!(authenticate(db, other.token.expose(), &settings(), now)
                .await
                .unwrap()
                .is_none());
        }
        assert!(authenticate(db, current.token.expose(), &settings(), now)
            .await
            .unwrap()
            .is_some());
        assert!(
            authenticate(db, bobs.token.expose(), &settings(), now)
                .await
                .unwrap()
                .is_some(),
            "other users untouched"
        );
        assert_eq!(
            list_active(db, ann, &settings(), now).await.unwrap().len(),
            1
        );
    }
);

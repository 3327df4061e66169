//! Consent records: insert-only evidence of each choice.

use super::ServiceError;
use crate::consent::{is_valid_consent_id, ConsentChoice, ConsentState};
use chrono::Utc;
use entity::consent_records;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// How the visitor made the choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentMethod {
    /// The hydrated banner (a script request).
    BannerScript,
    /// The banner's plain form post, without JavaScript.
    BannerForm,
}

impl ConsentMethod {
    fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::BannerScript => "banner_script",
            ConsentMethod::BannerForm => "banner_form",
        }
    }
}

/// A choice to record.
pub struct NewConsent {
    /// The browser's existing anonymous id; a malformed or missing one gets a fresh id.
    pub consent_id: Option<String>,
    pub user_id: Option<i64>,
    pub choice: ConsentChoice,
    pub policy_version: String,
    pub method: ConsentMethod,
    pub user_agent: Option<String>,
}

/// Stores the choice as a new record and returns the state the browser should keep. The banner's
/// one answer covers both optional purposes (analytics and advertising measurement); they are
/// stored separately so either can later be asked for on its own.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    consent: NewConsent,
) -> Result<ConsentState, ServiceError> {
    let consent_id = consent
        .consent_id
        .filter(|id| is_valid_consent_id(id))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let allowed = consent.choice.allows_analytics();
    let now = Utc::now();
    consent_records::Entity::insert(consent_records::ActiveModel {
        id: NotSet,
        consent_id: Set(consent_id.clone()),
        user_id: Set(consent.user_id),
        analytics: Set(allowed),
        advertising: Set(allowed),
        policy_version: Set(consent.policy_version.clone()),
        method: Set(consent.method.as_str().to_owned()),
        user_agent: Set(consent.user_agent),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(ConsentState {
        consent_id,
        analytics: allowed,
        policy_version: consent.policy_version,
    })
}

/// Every record for one consent id, oldest first: what the operator shows to demonstrate consent.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    consent_id: &str,
) -> Result<Vec<consent_records::Model>, ServiceError> {
    Ok(consent_records::Entity::find()
        .filter(consent_records::Column::ConsentId.eq(consent_id))
        .order_by_asc(consent_records::Column::CreatedAt)
        .order_by_asc(consent_records::Column::Id)
        .all(db)
        .await?)
}

//! `record_consent`: stores the visitor's analytics choice as a consent record and remembers it
//! in the necessary consent cookie. Anyone may call it (visitors are usually anonymous).
//!
//! Works as a plain form post without JavaScript: the browser is then redirected back to the
//! page it came from, with the "review choices" parameter removed so the banner closes.

use crate::consent::ConsentState;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "record_consent")]
pub async fn record_consent(
    choice: String,
    consent_id: Option<String>,
) -> Result<ConsentState, AppError> {
    use crate::consent::ConsentChoice;
    use crate::server::request::{self, Call};
    use crate::server::services::consent::{self, ConsentMethod, NewConsent};
    use crate::server::services::throttle;

    let choice = ConsentChoice::parse(&choice).ok_or_else(|| {
        request::fail(AppError::BadRequest(
            "choice must be \"accept\" or \"reject\"".to_owned(),
        ))
    })?;
    let call = Call::current()?;
    let (state, parts) = (&call.state, &call.parts);
    throttle::enforce(
        state.db(),
        &throttle::CONSENTS_PER_IP,
        call.client().ip_subject(),
        chrono::Utc::now(),
    )
    .await
    .map_err(request::fail)?;
    let from_plain_form = request::accepts_html(parts);
    let cookie_id = request::consent_cookie(parts).map(|c| c.consent_id);
    let recorded = consent::record(
        state.db(),
        NewConsent {
            consent_id: cookie_id.or(consent_id),
            // A signed-in visitor's choice is theirs too, for a data-rights request.
            user_id: call.signed_in().map(|viewer| viewer.user_id),
            choice,
            policy_version: state.settings().privacy.policy_version.clone(),
            method: if from_plain_form {
                ConsentMethod::BannerForm
            } else {
                ConsentMethod::BannerScript
            },
            user_agent: request::user_agent(parts),
        },
    )
    .await
    .map_err(request::fail)?;
    request::set_consent_cookie(state.settings(), &recorded).map_err(request::fail)?;
    if from_plain_form {
        leptos_axum::redirect(&request::return_path(parts));
    }
    Ok(recorded)
}

//! The consent banner and the floating Privacy button.
//!
//! "Accept analytics" and "Reject" are two equally styled buttons, one click each. Each is a
//! plain form posting to the `record_consent` server function, so the choice works without
//! JavaScript; once hydrated, the same forms submit in the background and the browser keeps the
//! choice in local storage and loads or removes optional measurement.

use crate::bootstrap::use_bootstrap;
use crate::consent::{ConsentChoice, ConsentState};
use crate::paths::{test_ids, REVIEW_CONSENT_QUERY};
use crate::serverfns::consent::RecordConsent;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Banner (when no choice exists under the current policy version, or when reopened) and the
/// Privacy button that reopens it.
#[component]
pub fn ConsentBanner() -> impl IntoView {
    let boot = use_bootstrap();
    let current = RwSignal::new(boot.consent.clone());
    let open = RwSignal::new(boot.consent.is_none() || boot.review_requested);
    let failure = RwSignal::new(None::<String>);
    let accept = ServerAction::<RecordConsent>::new();
    let reject = ServerAction::<RecordConsent>::new();

    #[cfg(feature = "hydrate")]
    reconcile_with_storage(&boot, current, open);

    for (action, choice) in [
        (accept, ConsentChoice::Accept),
        (reject, ConsentChoice::Reject),
    ] {
        let analytics = boot.site.analytics.clone();
        let policy_version = boot.site.policy_version.clone();
        Effect::new(move |_| {
            #[cfg(not(feature = "hydrate"))]
            let _ = &analytics;
            let Some(result) = action.value().get() else {
                return;
            };
            match result {
                Ok(state) => {
                    failure.set(None);
                    #[cfg(feature = "hydrate")]
                    {
                        crate::consent::browser::save(&state);
                        crate::consent::browser::apply(&analytics, state.analytics);
                    }
                    current.set(Some(state));
                    open.set(false);
                }
                Err(error) => {
                    failure.set(Some(format!("Your choice could not be saved: {error}")));
                    // Withdrawing must work even when the server cannot record it right now.
                    if choice == ConsentChoice::Reject {
                        let local = ConsentState {
                            consent_id: current
                                .get_untracked()
                                .map(|c| c.consent_id)
                                .unwrap_or_default(),
                            analytics: false,
                            policy_version: policy_version.clone(),
                        };
                        #[cfg(feature = "hydrate")]
                        {
                            crate::consent::browser::save(&local);
                            crate::consent::browser::apply(&analytics, false);
                        }
                        current.set(Some(local));
                    }
                }
            }
        });
    }

    let consent_id =
        Signal::derive(move || current.get().map(|c| c.consent_id).unwrap_or_default());
    let status = move || match current.get() {
        None => "You have not made a choice yet.",
        Some(state) if state.analytics => "Your current choice: analytics accepted.",
        Some(_) => "Your current choice: analytics rejected.",
    };
    let measured = if boot.site.analytics.is_configured() {
        "If you accept, we load a measurement tag (the Reddit Pixel and any analytics script the \
         operator configured) that sets its own cookies and reports page visits."
    } else {
        "No analytics is configured on this site right now; your choice is kept for when it is."
    };
    let review_href = format!("?{REVIEW_CONSENT_QUERY}=1");

    view! {
        <Show when=move || open.get()>
            <section
                class="consent-banner"
                role="region"
                aria-labelledby="consent-title"
                data-testid=test_ids::CONSENT_BANNER
            >
                <h2 id="consent-title">"Your privacy choices"</h2>
                <p>
                    "We use necessary storage for sign-in, security, checkout, referrals and to \
                    remember this choice. Optional analytics and advertising measurement stays off \
                    unless you accept it. "
                    {measured}
                </p>
                <p class="consent-status">{status}</p>
                <div class="consent-actions">
                    <ChoiceForm action=accept choice="accept" label="Accept analytics" consent_id />
                    <ChoiceForm action=reject choice="reject" label="Reject" consent_id />
                </div>
                {move || {
                    failure.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })
                }}
            </section>
        </Show>
        <a
            class="privacy-button"
            href=review_href
            data-testid=test_ids::PRIVACY_BUTTON
            on:click=move |event| {
                event.prevent_default();
                open.set(true);
            }
        >
            "Privacy"
        </a>
    }
}

/// One answer: a form of its own, so it works as a plain post without JavaScript. Both answers
/// share this markup, which is what keeps them equally prominent.
#[component]
fn ChoiceForm(
    action: ServerAction<RecordConsent>,
    choice: &'static str,
    label: &'static str,
    consent_id: Signal<String>,
) -> impl IntoView {
    view! {
        <ActionForm action>
            <input type="hidden" name="choice" value=choice />
            <input type="hidden" name="consent_id" value=consent_id />
            <button type="submit" class="button consent-button">
                {label}
            </button>
        </ActionForm>
    }
}

/// After hydration, brings the page in line with the choice stored in this browser. The server's
/// cookie wins when both exist (it is what was recorded); a stored choice alone (cookie cleared)
/// is honoured; with neither, nothing is written: no storage before a choice.
#[cfg(feature = "hydrate")]
fn reconcile_with_storage(
    boot: &crate::bootstrap::PageBootstrap,
    current: RwSignal<Option<ConsentState>>,
    open: RwSignal<bool>,
) {
    use crate::consent::browser;

    let analytics = boot.site.analytics.clone();
    let version = boot.site.policy_version.clone();
    let review_requested = boot.review_requested;
    Effect::new(move |_| {
        let stored = browser::load().filter(|s| s.policy_version == version);
        let effective = match (current.get_untracked(), stored) {
            (Some(server), stored) => {
                if stored.as_ref() != Some(&server) {
                    browser::save(&server);
                }
                Some(server)
            }
            (None, Some(stored)) => {
                current.set(Some(stored.clone()));
                if !review_requested {
                    open.set(false);
                }
                Some(stored)
            }
            (None, None) => None,
        };
        if let Some(state) = effective {
            browser::apply(&analytics, state.analytics);
        }
    });
}

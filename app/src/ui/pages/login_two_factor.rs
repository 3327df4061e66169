//! The second sign-in step: a code from the authenticator app, or a recovery code.

use crate::paths;
use crate::serverfns::account::CompleteLogin;
use crate::ui::components::forms::{query_param, ActionError, Field};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LogInTwoFactorPage() -> impl IntoView {
    let action = ServerAction::<CompleteLogin>::new();
    let next = query_param(paths::NEXT_QUERY);
    view! {
        <Title text="Two-step verification" />
        <section class="container narrow">
            <h1>"Two-step verification"</h1>
            <p>
                "Enter the 6-digit code from your authenticator app. Lost the device? Enter one of \
                your recovery codes instead."
            </p>
            <ActionError action />
            <ActionForm action>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
                <Field
                    label="Code"
                    name="code"
                    autocomplete="one-time-code"
                    hint="6 digits, or a recovery code such as abcd-efgh-jkmn."
                />
                <button type="submit" class="button">"Verify"</button>
            </ActionForm>
        </section>
    }
}

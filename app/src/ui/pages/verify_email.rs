//! Opened from the confirmation email. Confirming takes a click, so a mail scanner that opens
//! links does not spend the link.

use crate::paths;
use crate::serverfns::account::VerifyEmail;
use crate::ui::components::forms::{query_param, ActionError};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let action = ServerAction::<VerifyEmail>::new();
    let token = query_param(paths::TOKEN_QUERY);
    view! {
        <Title text="Confirm your email" />
        <section class="container narrow">
            <h1>"Confirm your email address"</h1>
            <ActionError action />
            <p>"Confirm that this address belongs to you."</p>
            <ActionForm action>
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default() />
                <button type="submit" class="button">"Confirm my email address"</button>
            </ActionForm>
        </section>
    }
}

//! Opened from the reset email: choose a new password.

use crate::paths;
use crate::serverfns::account::ResetPassword;
use crate::ui::components::forms::{query_param, ActionError, Field};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let token = query_param(paths::TOKEN_QUERY);
    view! {
        <Title text="Choose a new password" />
        <section class="container narrow">
            <h1>"Choose a new password"</h1>
            <ActionError action />
            <ActionForm action>
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default() />
                <Field
                    label="New password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. Every device will be signed out."
                />
                <button type="submit" class="button">"Set new password"</button>
            </ActionForm>
            <p>
                "Link expired? " <A href=paths::FORGOT_PASSWORD>"Request a new one"</A>
            </p>
        </section>
    }
}

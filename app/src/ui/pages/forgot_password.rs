//! Asks for a password-reset link by email.

use crate::serverfns::account::RequestPasswordReset;
use crate::ui::components::forms::{ActionError, Field, NoticeBanner};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    view! {
        <Title text="Reset your password" />
        <section class="container narrow">
            <h1>"Reset your password"</h1>
            <NoticeBanner />
            <ActionError action />
            <p>
                "Enter the email address of your account and we will send you a link to choose a \
                new password. Resetting also works when sign-in is blocked after many wrong \
                attempts: the browser you reset from can sign in again."
            </p>
            <ActionForm action>
                <Field label="Email" name="email" kind="email" autocomplete="email" />
                <button type="submit" class="button">"Email me a reset link"</button>
            </ActionForm>
        </section>
    }
}

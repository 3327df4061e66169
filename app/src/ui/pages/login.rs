//! Sign-in with email and password; links to sign-up and password reset.

use crate::paths;
use crate::serverfns::account::LogIn;
use crate::ui::components::forms::{query_param, ActionError, Field, NoticeBanner};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn LogInPage() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let next = query_param(paths::NEXT_QUERY);
    view! {
        <Title text="Sign in" />
        <section class="container narrow">
            <h1>"Sign in"</h1>
            <NoticeBanner />
            <ActionError action />
            <ActionForm action>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
                <Field label="Email" name="email" kind="email" autocomplete="username" />
                <Field label="Password" name="password" kind="password" autocomplete="current-password" />
                <button type="submit" class="button">"Sign in"</button>
            </ActionForm>
            <p>
                <A href=paths::FORGOT_PASSWORD>"Forgot your password?"</A>
                " · "
                <A href=paths::LOG_IN_LINK>"Email me a sign-in link"</A>
                " · "
                <A href=paths::SIGN_UP>"Create an account"</A>
            </p>
        </section>
    }
}

//! Sign-up: name, email, username and password.

use crate::paths;
use crate::serverfns::account::SignUp;
use crate::ui::components::forms::{ActionError, Field};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    view! {
        <Title text="Create an account" />
        <section class="container narrow">
            <h1>"Create an account"</h1>
            <ActionError action />
            <ActionForm action>
                <Field label="Your name" name="name" autocomplete="name" />
                <Field label="Email" name="email" kind="email" autocomplete="email" />
                <Field
                    label="Username"
                    name="username"
                    autocomplete="username"
                    hint="3-32 letters, digits, '_', '-' or '.'; shown on your dashboard."
                />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. A few unrelated words make a strong password."
                />
                <button type="submit" class="button">"Create account"</button>
            </ActionForm>
            <p>
                "Already have an account? " <A href=paths::LOG_IN>"Sign in"</A>
            </p>
        </section>
    }
}

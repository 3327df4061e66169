//! Sign-in links: ask for one by email, and (opened from the email) use it. Using it takes a
//! click, so a mail scanner that opens links does not spend it.

use crate::paths;
use crate::serverfns::account::{LogInWithLink, RequestMagicLink};
use crate::ui::components::forms::{query_param, ActionError, Field, NoticeBanner};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LogInLinkPage() -> impl IntoView {
    let token = query_param(paths::TOKEN_QUERY);
    view! {
        <Title text="Sign in by email" />
        <section class="container narrow">
            {move || match token.get() {
                Some(token) => view! { <UseLink token /> }.into_any(),
                None => view! { <RequestLink /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RequestLink() -> impl IntoView {
    let action = ServerAction::<RequestMagicLink>::new();
    view! {
        <h1>"Sign in by email"</h1>
        <NoticeBanner />
        <ActionError action />
        <p>"We email you a link that signs you in once, within 15 minutes."</p>
        <ActionForm action>
            <Field label="Email" name="email" kind="email" autocomplete="email" />
            <button type="submit" class="button">"Email me a sign-in link"</button>
        </ActionForm>
    }
}

#[component]
fn UseLink(token: String) -> impl IntoView {
    let action = ServerAction::<LogInWithLink>::new();
    view! {
        <h1>"Sign in"</h1>
        <ActionError action />
        <ActionForm action>
            <input type="hidden" name="token" value=token />
            <button type="submit" class="button">"Sign in to my account"</button>
        </ActionForm>
    }
}

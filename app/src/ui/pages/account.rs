//! The signed-in user's profile: name, username and contact details, which they can correct,
//! and the state of their email address.

use crate::account::ProfileView;
use crate::paths;
use crate::serverfns::account::{
    get_profile, RequestEmailChange, ResendVerification, UpdateProfile,
};
use crate::ui::components::forms::{ActionError, Field, NoticeBanner};
use crate::ui::components::loading::loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AccountPage() -> impl IntoView {
    let profile = Resource::new(|| (), |_| get_profile());
    view! {
        <Title text="Your account" />
        <section class="container narrow">
            <h1>"Your account"</h1>
            <p>
                <A href=paths::ACCOUNT_SECURITY>"Password, devices and security log"</A>
            </p>
            <NoticeBanner />
            {loaded(profile, |profile| view! { <ProfileForms profile /> })}
        </section>
    }
}

#[component]
fn ProfileForms(profile: ProfileView) -> impl IntoView {
    let save = ServerAction::<UpdateProfile>::new();
    let resend = ServerAction::<ResendVerification>::new();
    let email_state = if profile.email_verified {
        view! { <p>{format!("Email: {} (confirmed)", profile.email)}</p> }.into_any()
    } else {
        view! {
            <div class="callout" role="note">
                <p>
                    {format!("Email: {} — not confirmed yet. ", profile.email)}
                    "Until you confirm it you cannot create API tokens or buy credit."
                </p>
                <ActionError action=resend />
                <ActionForm action=resend>
                    <button type="submit" class="button secondary">"Send a new confirmation link"</button>
                </ActionForm>
            </div>
        }
        .into_any()
    };
    view! {
        {email_state}
        <p>{format!("Member since {}", profile.member_since)}</p>
        <h2>"Profile"</h2>
        <ActionError action=save />
        <ActionForm action=save>
            <Field label="Name" name="name" autocomplete="name" value=profile.name />
            <Field label="Username" name="username" autocomplete="username" value=profile.username />
            <Field
                label="Country"
                name="country"
                autocomplete="country"
                value=profile.country
                required=false
                hint="Two-letter code, such as DE or US."
            />
            <Field label="Phone" name="phone" kind="tel" autocomplete="tel" value=profile.phone required=false />
            <Field
                label="Company"
                name="company"
                autocomplete="organization"
                value=profile.company
                required=false
            />
            <button type="submit" class="button">"Save profile"</button>
        </ActionForm>
        <EmailChange />
    }
}

/// Changing the address: confirmed at the new address, announced to the old one.
#[component]
fn EmailChange() -> impl IntoView {
    let action = ServerAction::<RequestEmailChange>::new();
    view! {
        <h2>"Change email address"</h2>
        <ActionError action />
        <ActionForm action>
            <Field label="New email address" name="new_email" kind="email" autocomplete="email" />
            <Field
                label="Current password"
                name="password"
                kind="password"
                autocomplete="current-password"
                required=false
                hint="Not needed if you confirmed it in the last few minutes."
            />
            <Field
                label="Two-step code"
                name="code"
                autocomplete="one-time-code"
                required=false
                hint="Only if two-step verification is on."
            />
            <button type="submit" class="button secondary">"Send confirmation link"</button>
        </ActionForm>
    }
}

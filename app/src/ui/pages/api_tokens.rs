//! API tokens: create with options (shown once), list with last use, rotate, revoke.

use crate::paths::test_ids;
use crate::serverfns::wallet::{list_api_tokens, CreateApiToken, RevokeApiToken, RotateApiToken};
use crate::ui::components::forms::{ActionError, Field, NoticeBanner};
use crate::ui::components::loading::loaded;
use crate::wallet::{ApiTokenView, ApiTokensView};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_api_tokens());
    view! {
        <Title text="API tokens" />
        <section class="container">
            <h1>"API tokens"</h1>
            <NoticeBanner />
            {loaded(data, |view| view! { <Tokens view /> })}
        </section>
    }
}

#[component]
fn Tokens(view: ApiTokensView) -> impl IntoView {
    let fresh = view.new_token.map(|token| {
        view! {
            <div class="callout" role="note">
                <p>"Copy this token now. It will not be shown again."</p>
                <code class="secret" data-testid=test_ids::NEW_TOKEN>{token}</code>
            </div>
        }
    });
    let rows = view
        .tokens
        .into_iter()
        .map(|token| view! { <TokenRow token /> })
        .collect_view();
    view! {
        {fresh}
        <ul class="token-list" data-testid=test_ids::TOKEN_LIST>{rows}</ul>
        {if view.email_verified {
            view! { <CreateForm /> }.into_any()
        } else {
            view! { <p class="callout">"Confirm your email address to create API tokens."</p> }
                .into_any()
        }}
    }
}

#[component]
fn TokenRow(token: ApiTokenView) -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    let rotate = ServerAction::<RotateApiToken>::new();
    let active = token.state == "active";
    let revoke_id = token.id.to_string();
    let rotate_id = token.id.to_string();
    let grace_id = format!("grace-{}", token.id);
    view! {
        <li class="token" data-state=token.state.clone()>
            <p><strong>{token.name.clone()}</strong> " " <code>{token.hint.clone()}</code></p>
            <p class="muted">
                {format!(
                    "{} · created {} · expires {} · last used {} · pays from {} · limits {} · models {} · addresses {}",
                    token.state, token.created_at, token.expires_at, token.last_used,
                    token.billing_source, token.limits, token.models, token.addresses,
                )}
            </p>
            {active.then(move || view! {
                <ActionError action=revoke />
                <ActionForm action=revoke>
                    <input type="hidden" name="token_id" value=revoke_id />
                    <button type="submit" class="button secondary">"Revoke"</button>
                </ActionForm>
                <ActionError action=rotate />
                <ActionForm action=rotate>
                    <input type="hidden" name="token_id" value=rotate_id />
                    <label for=grace_id.clone()>"Old secret keeps working for"</label>
                    <select id=grace_id name="grace_days">
                        <option value="0">"no time"</option>
                        <option value="1" selected=true>"1 day"</option>
                        <option value="3">"3 days"</option>
                        <option value="7">"7 days"</option>
                    </select>
                    <input type="password" name="password" autocomplete="current-password"
                        aria-label="Current password (not needed if confirmed in the last few minutes)"
                        placeholder="Current password" />
                    <input name="code" autocomplete="one-time-code" aria-label="Two-step code"
                        placeholder="Two-step code" />
                    <button type="submit" class="button secondary">"Rotate"</button>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn CreateForm() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    view! {
        <h2>"New token"</h2>
        <ActionError action=create />
        <ActionForm action=create>
            <Field label="Name" name="name" autocomplete="off" hint="For example: laptop, CI." />
            <Field label="Expires after (days)" name="expires_in_days" kind="number" required=false hint="Empty: never." />
            <Field label="Daily spend limit" name="daily_limit" required=false hint="An amount such as 5 or 2.50; empty: none." />
            <Field label="Monthly spend limit" name="monthly_limit" required=false />
            <Field label="Total spend limit" name="total_limit" required=false />
            <Field label="Allowed models" name="models" required=false hint="Comma-separated; empty: all models." />
            <Field label="Allowed IP addresses" name="addresses" required=false hint="Addresses or ranges such as 203.0.113.7 or 10.0.0.0/8; empty: any." />
            <label for="billing-source">"Pays from"</label>
            <select id="billing-source" name="billing_source">
                <option value="token_wallet" selected=true>"Token Wallet only"</option>
                <option value="token_then_cash">"Token Wallet, then Cash Wallet"</option>
            </select>
            <Field
                label="Current password"
                name="password"
                kind="password"
                autocomplete="current-password"
                required=false
                hint="Not needed if you confirmed it in the last few minutes."
            />
            <Field label="Two-step code" name="code" autocomplete="one-time-code" required=false hint="Only if two-step verification is on." />
            <button type="submit" class="button">"Create token"</button>
        </ActionForm>
    }
}

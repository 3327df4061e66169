//! Site header and footer.

use crate::bootstrap::use_bootstrap;
use crate::paths::{self, test_ids};
use crate::serverfns::account::LogOut;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

/// Brand and main navigation.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let boot = use_bootstrap();
    view! {
        <header class="site-header">
            <div class="container header-row">
                <A href=paths::HOME attr:class="brand">
                    {boot.site.site_name}
                </A>
                <nav aria-label="Main">
                    <ul class="nav-list">
                        <li>
                            <A href=paths::PRICING>"Pricing"</A>
                        </li>
                        <li>
                            <A href=paths::SETUP>"Set up"</A>
                        </li>
                    </ul>
                </nav>
                <AccountNav />
            </div>
        </header>
    }
}

/// Sign-in links, or the signed-in account's links and a sign-out button (a form, so it works
/// without JavaScript).
#[component]
fn AccountNav() -> impl IntoView {
    let viewer = use_bootstrap().viewer;
    let log_out = ServerAction::<LogOut>::new();
    match viewer {
        Some(viewer) => view! {
            <nav aria-label="Account" class="account-nav" data-testid=test_ids::ACCOUNT_MENU>
                <ul class="nav-list">
                    {viewer.role.is_staff().then(|| view! {
                        <li><A href=paths::ADMIN_USERS>"Admin"</A></li>
                    })}
                    <li><A href=paths::ACCOUNT_WALLET>"Wallet"</A></li>
                    <li><A href=paths::ACCOUNT_TOKENS>"API tokens"</A></li>
                    <li><A href=paths::ACCOUNT_USAGE>"Usage"</A></li>
                    <li><A href=paths::ACCOUNT>{viewer.username.clone()}</A></li>
                    <li>
                        <ActionForm action=log_out>
                            <button type="submit" class="link-button">"Sign out"</button>
                        </ActionForm>
                    </li>
                </ul>
            </nav>
        }
        .into_any(),
        None => view! {
            <nav aria-label="Account" class="account-nav">
                <ul class="nav-list">
                    <li><A href=paths::LOG_IN>"Sign in"</A></li>
                    <li><A href=paths::SIGN_UP attr:class="button small">"Sign up"</A></li>
                </ul>
            </nav>
        }
        .into_any(),
    }
}

/// Legal links and contacts.
#[component]
pub fn SiteFooter() -> impl IntoView {
    let boot = use_bootstrap();
    let support = format!("mailto:{}", boot.site.support_email);
    view! {
        <footer class="site-footer">
            <div class="container footer-row">
                <p>{format!("© {}", boot.site.controller_name)}</p>
                <nav aria-label="Legal">
                    <ul class="nav-list">
                        <li>
                            <A href=paths::PRIVACY>"Privacy policy"</A>
                        </li>
                        <li>
                            <A href=paths::TERMS>"Terms of service"</A>
                        </li>
                        <li>
                            <a href=support>{boot.site.support_email.clone()}</a>
                        </li>
                    </ul>
                </nav>
            </div>
        </footer>
    }
}

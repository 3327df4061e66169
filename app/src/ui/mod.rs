//! The user interface: the application shell, routes, layout components and pages.

pub mod components;
pub mod pages;

use crate::bootstrap::use_bootstrap;
use components::consent_banner::ConsentBanner;
use components::layout::{SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::account::AccountPage;
use pages::account_security::AccountSecurityPage;
use pages::account_two_factor::AccountTwoFactorPage;
use pages::admin::{
    AdminHomePage, AdminLedgerPage, AdminProvidersPage, AdminRedemptionPage, AdminSecurityPage,
    AdminUsagePage, AdminUserPage, AdminUsersPage,
};
use pages::api_tokens::ApiTokensPage;
use pages::login_link::LogInLinkPage;
use pages::login_two_factor::LogInTwoFactorPage;
use pages::usage::UsagePage;
use pages::wallet::WalletPage;
use pages::{
    forgot_password::ForgotPasswordPage, home::HomePage, login::LogInPage, not_found::NotFoundPage,
    pricing::PricingPage, privacy::PrivacyPage, reset_password::ResetPasswordPage,
    setup::SetupPage, signup::SignUpPage, terms::TermsPage, verify_email::VerifyEmailPage,
};

/// The HTML document around the application, rendered only on the server. It also sets the
/// page's Content-Security-Policy with this response's nonce.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use crate::bootstrap::META_NAME;
    use leptos_meta::MetaTags;

    let boot = crate::server::bootstrap::for_current_request();
    provide_context(boot.clone());
    set_page_csp();
    let boot_json = serde_json::to_string(&boot).unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <meta name=META_NAME content=boot_json />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn set_page_csp() {
    use crate::server::{csp, state::AppState};
    use http::header::CONTENT_SECURITY_POLICY;
    use http::HeaderValue;

    let (Some(nonce), Some(response), Ok(state)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
        AppState::from_context(),
    ) else {
        return;
    };
    let policy = csp::page_policy(&nonce.to_string(), &state.settings().analytics_origins());
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Makes server-function redirects full page loads, so the page bootstrap (who is signed in)
/// is rendered afresh after signing in or out. Call before hydrating: the first hook set wins.
#[cfg(feature = "hydrate")]
pub fn install_redirect_hook() {
    let _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(location);
        }
    });
}

/// The application: layout, routes, and the consent banner on every page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let boot = use_bootstrap();
    let site_name = boot.site.site_name.clone();
    let pkg_css = "/pkg/codexapi.css";

    // Marks the document once the WASM has taken over, so browser tests know when the page is
    // interactive. Effects never run during server rendering.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href=pkg_css />
        <Title formatter=move |title: String| {
            if title.is_empty() { site_name.clone() } else { format!("{title} · {site_name}") }
        } />
        <Router>
            <a class="skip-link" href="#main">
                "Skip to content"
            </a>
            <SiteHeader />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/pricing") view=PricingPage ssr=SsrMode::Async />
                    <Route path=path!("/setup") view=SetupPage />
                    <Route path=path!("/privacy") view=PrivacyPage ssr=SsrMode::Async />
                    <Route path=path!("/terms") view=TermsPage />
                    <Route path=path!("/signup") view=SignUpPage />
                    <Route path=path!("/login") view=LogInPage />
                    <Route path=path!("/login/two-factor") view=LogInTwoFactorPage />
                    <Route path=path!("/login/link") view=LogInLinkPage />
                    <Route path=path!("/verify-email") view=VerifyEmailPage />
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                    <Route path=path!("/reset-password") view=ResetPasswordPage />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/account/security")
                        view=AccountSecurityPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/two-factor")
                        view=AccountTwoFactorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/account/wallet") view=WalletPage ssr=SsrMode::Async />
                    <Route path=path!("/account/tokens") view=ApiTokensPage ssr=SsrMode::Async />
                    <Route path=path!("/account/usage") view=UsagePage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminHomePage />
                    <Route path=path!("/admin/ledger") view=AdminLedgerPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/redemption-codes") view=AdminRedemptionPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/providers") view=AdminProvidersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/usage") view=AdminUsagePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/:id") view=AdminUserPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/admin/security")
                        view=AdminSecurityPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <SiteFooter />
            <ConsentBanner />
        </Router>
    }
}

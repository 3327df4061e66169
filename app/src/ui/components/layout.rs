//! Site header and footer.

use crate::bootstrap::use_bootstrap;
use crate::paths;
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
            </div>
        </header>
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

//! The home page: what the service is and how it works.

use crate::bootstrap::use_bootstrap;
use crate::paths;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let boot = use_bootstrap();
    let site = boot.site.site_name;
    view! {
        <Title text="" />
        <section class="hero">
            <div class="container">
                <h1>"One API key for Codex CLI and Claude Code"</h1>
                <p class="lead">
                    {site.clone()}
                    " is a pay-as-you-go gateway to the models behind your coding agents. Buy credit, \
                    create a token, point your CLI at us, and pay for exactly the tokens each request \
                    used — nothing more."
                </p>
                <div class="cta-row">
                    <A href=paths::SETUP attr:class="button">
                        "Set up your CLI"
                    </A>
                    <A href=paths::PRICING attr:class="button button-secondary">
                        "See prices"
                    </A>
                </div>
            </div>
        </section>
        <section class="container" aria-labelledby="how-title">
            <h2 id="how-title">"How it works"</h2>
            <ol class="steps">
                <li>
                    <h3>"Top up your Token Wallet"</h3>
                    <p>"Prepaid credit in your currency. Your balance and every charge are visible in your dashboard."</p>
                </li>
                <li>
                    <h3>"Create an API token"</h3>
                    <p>"Give it a name, an optional expiry and spend limits. You see it once; we keep only a hash."</p>
                </li>
                <li>
                    <h3>"Point Codex CLI or Claude Code at us"</h3>
                    <p>"Two settings. Streaming, tools and prompt caching work as they do upstream."</p>
                </li>
            </ol>
        </section>
        <section class="container" aria-labelledby="why-title">
            <h2 id="why-title">"Why use us"</h2>
            <ul class="features">
                <li>
                    <h3>"Exact billing"</h3>
                    <p>"Each request is billed from the usage the model reported, including cache reads and writes. Money is kept in whole micro-units, never rounded twice."</p>
                </li>
                <li>
                    <h3>"Your code stays yours"</h3>
                    <p>"Prompts, code and responses pass through to the model and are never stored. We keep only the metadata needed to bill you."</p>
                </li>
                <li>
                    <h3>"In your control"</h3>
                    <p>"Per-token limits, rotation with a grace period, two-factor sign-in, and a complete record of where your credit went."</p>
                </li>
            </ul>
        </section>
    }
}

//! The terms of service: our own text with the deployment's names filled in.

use crate::bootstrap::use_bootstrap;
use crate::paths;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn TermsPage() -> impl IntoView {
    let site = use_bootstrap().site;
    let operator = site.controller_name.clone();
    let name = site.site_name.clone();
    let support = format!("mailto:{}", site.support_email);
    view! {
        <Title text="Terms of service" />
        <section class="container narrow legal">
            <h1>"Terms of service"</h1>
            <p>{format!("These terms govern your use of {name}, operated by {operator}. By creating an account you agree to them.")}</p>
            <h2>"The service"</h2>
            <p>"We forward your API requests to third-party AI model providers and return their answers. Model output can be wrong; review it before you rely on it. We do not guarantee that any particular model stays available."</p>
            <h2>"Your account and tokens"</h2>
            <p>"Keep your password, two-factor codes and API tokens secret. You are responsible for requests made with your tokens until you revoke them. Revoke or rotate a token as soon as you suspect it has leaked."</p>
            <h2>"Credit and billing"</h2>
            <p>"Token Wallet credit is prepaid and spent on API usage at the published prices in force when each request starts. It is not withdrawable. Cash Wallet funds (commissions and refunds owed to you) can be spent on credit or paid out as described in your dashboard. Every charge is recorded in your wallet history."</p>
            <h2>"Acceptable use"</h2>
            <p>"Do not use the service to break the law, to attack or overload systems, to resell access without our written agreement, or in breach of the upstream providers' usage policies. We may suspend accounts that do, and will tell you why."</p>
            <h2>"Privacy"</h2>
            <p>"How we handle personal data is described in our " <A href=paths::PRIVACY>"privacy policy"</A> "."</p>
            <h2>"Changes and contact"</h2>
            <p>"We may change these terms; material changes are announced in the dashboard before they apply. Questions: " <a href=support>{site.support_email.clone()}</a> "."</p>
        </section>
    }
}

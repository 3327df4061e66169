//! The privacy policy page.

use crate::serverfns::legal::get_privacy_policy;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let policy = Resource::new(|| (), |_| get_privacy_policy());
    view! {
        <Title text="Privacy policy" />
        <section class="container narrow">
            <Suspense fallback=|| view! { <p>"Loading the policy…"</p> }>
                {move || Suspend::new(async move {
                    match policy.await {
                        Ok(html) => view! { <article class="legal" inner_html=html></article> }.into_any(),
                        Err(error) => view! {
                            <p class="form-error" role="alert">{format!("The policy could not be loaded: {error}")}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

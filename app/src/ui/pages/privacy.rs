//! The privacy policy page.

use crate::serverfns::legal::get_privacy_policy;
use crate::ui::components::loading::loaded;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let policy = Resource::new(|| (), |_| get_privacy_policy());
    view! {
        <Title text="Privacy policy" />
        <section class="container narrow">
            {loaded(policy, |html| view! { <article class="legal" inner_html=html></article> })}
        </section>
    }
}

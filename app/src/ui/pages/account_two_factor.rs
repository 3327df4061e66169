//! Two-step verification: enrol an authenticator app (QR code or secret, confirmed by a code),
//! see and regenerate recovery codes, or turn it off.

use crate::account::TwoFactorView;
use crate::paths::{self, test_ids};
use crate::serverfns::account::{
    two_factor_setup, DisableTwoFactor, EnableTwoFactor, RegenerateRecoveryCodes,
};
use crate::ui::components::forms::{ActionError, Field, NoticeBanner};
use crate::ui::components::loading::loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AccountTwoFactorPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| two_factor_setup());
    view! {
        <Title text="Two-step verification" />
        <section class="container narrow">
            <h1>"Two-step verification"</h1>
            <p><A href=paths::ACCOUNT_SECURITY>"Back to security"</A></p>
            <NoticeBanner />
            {loaded(
                setup,
                |view| {
                    if view.enabled {
                        view! { <Enabled view /> }.into_any()
                    } else {
                        view! { <Enrol view /> }.into_any()
                    }
                },
            )}
        </section>
    }
}

#[component]
fn Enrol(view: TwoFactorView) -> impl IntoView {
    let enable = ServerAction::<EnableTwoFactor>::new();
    let qr = view.qr_svg.unwrap_or_default();
    view! {
        <p>
            "Scan this code with an authenticator app (such as Aegis, 1Password, Google \
            Authenticator or Authy), then enter the 6-digit code it shows."
        </p>
        <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=qr></div>
        <p>
            "Can't scan? Enter this key in the app: "
            <code data-testid=test_ids::TOTP_SECRET>{view.secret_base32.unwrap_or_default()}</code>
        </p>
        <ActionError action=enable />
        <ActionForm action=enable>
            <Field label="Code from the app" name="code" autocomplete="one-time-code" />
            <button type="submit" class="button">"Turn on two-step verification"</button>
        </ActionForm>
    }
}

#[component]
fn Enabled(view: TwoFactorView) -> impl IntoView {
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let fresh = (!view.new_recovery_codes.is_empty()).then(|| {
        let items = view
            .new_recovery_codes
            .into_iter()
            .map(|code| view! { <li><code>{code}</code></li> })
            .collect_view();
        view! {
            <div class="callout" role="note">
                <h2>"Your recovery codes"</h2>
                <p>
                    "Each code signs you in once if you lose your authenticator. Store them \
                    somewhere safe now: they will not be shown again."
                </p>
                <ul class="recovery-codes" data-testid=test_ids::RECOVERY_CODES>{items}</ul>
            </div>
        }
    });
    view! {
        <p>"Two-step verification is on."</p>
        {fresh}
        <p>{format!("Unused recovery codes: {}", view.unused_recovery_codes)}</p>
        <h2>"New recovery codes"</h2>
        <p>"Makes 10 new codes; the old ones stop working."</p>
        <ActionError action=regenerate />
        <ActionForm action=regenerate>
            <Field
                label="Current password"
                name="password"
                kind="password"
                autocomplete="current-password"
                required=false
                hint="Not needed if you confirmed it in the last few minutes."
            />
            <Field label="Code from the app" name="code" autocomplete="one-time-code" required=false />
            <button type="submit" class="button secondary">"Make new recovery codes"</button>
        </ActionForm>
        <h2>"Turn off"</h2>
        <ActionError action=disable />
        <ActionForm action=disable>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" />
            <Field label="Code" name="code" autocomplete="one-time-code" />
            <button type="submit" class="button secondary">"Turn off two-step verification"</button>
        </ActionForm>
    }
}

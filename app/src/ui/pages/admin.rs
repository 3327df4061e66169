//! The staff section: accounts, the security log, wallets and the ledger, redemption codes,
//! and the providers and prices the proxy uses.
//! Reached only by staff: the server refuses these pages to everyone else before rendering.

use crate::account::{UserPage, UserSummary};
use crate::auth::Role;
use crate::bootstrap::use_bootstrap;
use crate::money::format_micros;
use crate::paths::{self, test_ids};
use crate::serverfns::admin::admin_get_usage;
use crate::serverfns::admin::{
    admin_get_user, admin_get_user_wallet, admin_ledger_health, admin_list_providers,
    admin_list_redemption_batches, admin_list_security_events, admin_list_users, AdminAddProvider,
    AdminAdjustWallet, AdminRecordPayout, AdminSetPrice, AdminSetProviderEnabled, AdminSetRole,
    AdminSetSuspended,
};
use crate::serverfns::pricing::list_prices;
use crate::ui::components::forms::{query_param, url_query, ActionError, Field, NoticeBanner};
use crate::ui::components::loading::loaded;
use crate::ui::pages::account_security::EventTable;
use crate::ui::pages::usage::{ModelChart, SpendChart, UsageTable};
use crate::ui::pages::wallet::LedgerTable;
use crate::wallet::WalletView;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// Staff navigation.
#[component]
fn AdminNav() -> impl IntoView {
    view! {
        <nav aria-label="Admin" class="subnav">
            <A href=paths::ADMIN_USERS>"Accounts"</A>
            " · "
            <A href=paths::ADMIN_SECURITY>"Security log"</A>
            " · "
            <A href=paths::ADMIN_USAGE>"Usage"</A>
            " · "
            <A href=paths::ADMIN_PROVIDERS>"Providers and prices"</A>
            " · "
            <A href=paths::ADMIN_REDEMPTION>"Redemption codes"</A>
            " · "
            <A href=paths::ADMIN_LEDGER>"Ledger health"</A>
        </nav>
    }
}

#[component]
pub fn AdminHomePage() -> impl IntoView {
    view! {
        <Title text="Admin" />
        <section class="container">
            <h1>"Admin"</h1>
            <AdminNav />
        </section>
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let search = query_param("search");
    let after = query_param("after");
    let page = Resource::new(
        move || (search.get(), after.get()),
        |(search, after)| admin_list_users(search, after.and_then(|a| a.parse().ok())),
    );
    view! {
        <Title text="Accounts" />
        <section class="container">
            <h1>"Accounts"</h1>
            <AdminNav />
            <form method="get" action=paths::ADMIN_USERS class="search-form" role="search">
                <label for="user-search">"Search email, username or name"</label>
                <input id="user-search" name="search" type="search" value=move || search.get() />
                <button type="submit" class="button secondary">"Search"</button>
            </form>
            {loaded(page, move |page| view! { <UserTable page search=search.get_untracked() /> })}
        </section>
    }
}

#[component]
fn UserTable(page: UserPage, search: Option<String>) -> impl IntoView {
    let rows = page
        .users
        .into_iter()
        .map(|user| {
            view! {
                <tr>
                    <td><A href=paths::admin_user(user.id)>{user.email.clone()}</A></td>
                    <td>{user.username}</td>
                    <td>{user.name}</td>
                    <td>{user.role.as_str()}</td>
                    <td>{status(user.suspended, user.email_verified)}</td>
                    <td>{user.created_at}</td>
                </tr>
            }
        })
        .collect_view();
    let next = page.next_after.map(|after| {
        let query = url_query(&[
            ("search", search.unwrap_or_default()),
            ("after", after.to_string()),
        ]);
        view! { <a href=format!("{}?{query}", paths::ADMIN_USERS)>"Next page"</a> }
    });
    view! {
        <div class="table-scroll">
            <table data-testid=test_ids::USER_TABLE>
                <thead>
                    <tr>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {next}
    }
}

fn status(suspended: bool, verified: bool) -> &'static str {
    match (suspended, verified) {
        (true, _) => "suspended",
        (false, true) => "active",
        (false, false) => "email not confirmed",
    }
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let user = Resource::new(move || user_id.get(), admin_get_user);
    let events = Resource::new(
        move || user_id.get(),
        |id| admin_list_security_events(Some(id), None, None),
    );
    let wallet = Resource::new(move || user_id.get(), |id| admin_get_user_wallet(id, None));
    view! {
        <Title text="Account" />
        <section class="container">
            <AdminNav />
            <NoticeBanner />
            {loaded(user, |user| view! { <UserDetail user /> })}
            <h2>"Wallets"</h2>
            {loaded(wallet, move |view| view! { <UserWallet view user_id=user_id.get_untracked() /> })}
            <h2>"Security log"</h2>
            {loaded(events, |page| view! { <EventTable events=page.events show_account=true /> })}
        </section>
    }
}

#[component]
fn UserDetail(user: UserSummary) -> impl IntoView {
    let suspend = ServerAction::<AdminSetSuspended>::new();
    let set_role = ServerAction::<AdminSetRole>::new();
    let (suspend_label, suspend_value) = if user.suspended {
        ("Reinstate account", "false")
    } else {
        ("Suspend account", "true")
    };
    let roles = [Role::Customer, Role::Support, Role::Admin]
        .into_iter()
        .map(|role| {
            view! { <option value=role.as_str() selected=role == user.role>{role.as_str()}</option> }
        })
        .collect_view();
    view! {
        <h1>{user.email.clone()}</h1>
        <dl class="facts">
            <dt>"Name"</dt><dd>{user.name}</dd>
            <dt>"Username"</dt><dd>{user.username}</dd>
            <dt>"Role"</dt><dd>{user.role.as_str()}</dd>
            <dt>"Status"</dt><dd>{status(user.suspended, user.email_verified)}</dd>
            <dt>"Created"</dt><dd>{user.created_at}</dd>
        </dl>
        <ActionError action=suspend />
        <ActionForm action=suspend>
            <input type="hidden" name="user_id" value=user.id.to_string() />
            <input type="hidden" name="suspended" value=suspend_value />
            <button type="submit" class="button secondary">{suspend_label}</button>
        </ActionForm>
        <ActionError action=set_role />
        <ActionForm action=set_role>
            <input type="hidden" name="user_id" value=user.id.to_string() />
            <label for="role">"Role"</label>
            <select id="role" name="role">{roles}</select>
            <button type="submit" class="button secondary">"Change role"</button>
        </ActionForm>
    }
}

#[component]
pub fn AdminSecurityPage() -> impl IntoView {
    let user = query_param("user");
    let kind = query_param("kind");
    let before = query_param("before");
    let page = Resource::new(
        move || (user.get(), kind.get(), before.get()),
        |(user, kind, before)| {
            admin_list_security_events(
                user.and_then(|u| u.parse().ok()),
                kind,
                before.and_then(|b| b.parse().ok()),
            )
        },
    );
    view! {
        <Title text="Security log" />
        <section class="container">
            <h1>"Security log"</h1>
            <AdminNav />
            <form method="get" action=paths::ADMIN_SECURITY class="search-form">
                <label for="event-user">"Account id"</label>
                <input id="event-user" name="user" type="number" min="1" value=move || user.get() />
                <label for="event-kind">"Kind"</label>
                <input id="event-kind" name="kind" value=move || kind.get() placeholder="login_failed" />
                <button type="submit" class="button secondary">"Filter"</button>
            </form>
            {loaded(
                page,
                move |page| {
                    let next = page
                        .next_before
                        .map(|before| {
                            let query = url_query(
                                &[
                                    ("user", user.get_untracked().unwrap_or_default()),
                                    ("kind", kind.get_untracked().unwrap_or_default()),
                                    ("before", before.to_string()),
                                ],
                            );
                            view! {
                                <a href=format!("{}?{query}", paths::ADMIN_SECURITY)>"Older events"</a>
                            }
                        });
                    view! {
                        <EventTable events=page.events show_account=true />
                        {next}
                    }
                },
            )}
        </section>
    }
}

/// A user's balances and history, and (for admins) the adjustment form.
#[component]
fn UserWallet(view: WalletView, user_id: i64) -> impl IntoView {
    let currency = use_bootstrap().site.currency;
    let adjust = ServerAction::<AdminAdjustWallet>::new();
    let payout = ServerAction::<AdminRecordPayout>::new();
    // Keys name the wallet state the form was rendered from: a repeated submit moves money once.
    let key = format!(
        "adjust-{user_id}-{}",
        view.lines.first().map_or(0, |l| l.id)
    );
    let payout_key = format!(
        "payout-{user_id}-{}",
        view.lines.first().map_or(0, |l| l.id)
    );
    view! {
        <p data-testid=test_ids::TOKEN_BALANCE>
            {format!(
                "Token Wallet: {} available ({} held)",
                format_micros(view.token.available, &currency),
                format_micros(view.token.held, &currency),
            )}
        </p>
        <p data-testid=test_ids::CASH_BALANCE>
            {format!("Cash Wallet: {}", format_micros(view.cash.available, &currency))}
        </p>
        <LedgerTable lines=view.lines show_kind=true />
        <h3>"Grant or adjust"</h3>
        <ActionError action=adjust />
        <ActionForm action=adjust>
            <input type="hidden" name="user_id" value=user_id.to_string() />
            <input type="hidden" name="key" value=key />
            <label for="adjust-wallet">"Wallet"</label>
            <select id="adjust-wallet" name="wallet">
                <option value="token" selected=true>"Token Wallet"</option>
                <option value="cash">"Cash Wallet"</option>
            </select>
            <Field label="Amount" name="amount" autocomplete="off" hint="Positive grants, negative corrects (e.g. -2.50)." />
            <Field label="Reason" name="reason" autocomplete="off" hint="Kept with the transaction and in the security log." />
            <StepUpFields form="adjust" />
            <button type="submit" class="button secondary">"Post"</button>
        </ActionForm>
        <h3>"Record a payout"</h3>
        <p class="muted">"Money sent to the customer outside this site, taken from their Cash Wallet."</p>
        <ActionError action=payout />
        <ActionForm action=payout>
            <input type="hidden" name="user_id" value=user_id.to_string() />
            <input type="hidden" name="key" value=payout_key />
            <Field label="Amount paid" name="amount" autocomplete="off" form="payout" />
            <Field label="Reason" name="reason" autocomplete="off" hint="For example: bank transfer 2026-11-28, ref 1234." form="payout" />
            <StepUpFields form="payout" />
            <button type="submit" class="button secondary">"Record payout"</button>
        </ActionForm>
    }
}

/// Password and code for sensitive actions (step-up re-authentication); `form` keeps the ids
/// unique when a page has several such forms.
#[component]
fn StepUpFields(form: &'static str) -> impl IntoView {
    view! {
        <Field
            label="Your password"
            name="password"
            kind="password"
            autocomplete="current-password"
            required=false
            hint="Not needed if you confirmed it in the last few minutes."
            form=form
        />
        <Field label="Your two-step code" name="code" autocomplete="one-time-code" required=false form=form />
    }
}

/// The ledger's invariants, checked now.
#[component]
pub fn AdminLedgerPage() -> impl IntoView {
    let health = Resource::new(|| (), |_| admin_ledger_health());
    view! {
        <Title text="Ledger health" />
        <section class="container">
            <h1>"Ledger health"</h1>
            <AdminNav />
            {loaded(
                health,
                |violations| {
                    if violations.is_empty() {
                        view! {
                            <p class="form-notice" role="status">
                                "Every invariant holds: the trial balance is zero, cached balances equal their entries, holds are consistent, no entry was changed."
                            </p>
                        }
                            .into_any()
                    } else {
                        let items = violations
                            .into_iter()
                            .map(|v| view! { <li>{v}</li> })
                            .collect_view();
                        view! {
                            <div class="form-error" role="alert">
                                <p>"The ledger is not sound:"</p>
                                <ul>{items}</ul>
                            </div>
                        }
                            .into_any()
                    }
                },
            )}
        </section>
    }
}

/// Batches of redemption codes, and the form that makes one. Making a batch answers with the
/// codes as a CSV download (a plain form post, so it works with or without JavaScript): the
/// only time they exist in plain text.
#[component]
pub fn AdminRedemptionPage() -> impl IntoView {
    let batches = Resource::new(|| (), |_| admin_list_redemption_batches());
    let currency = use_bootstrap().site.currency;
    let is_admin = use_bootstrap()
        .viewer
        .is_some_and(|viewer| viewer.role == Role::Admin);
    view! {
        <Title text="Redemption codes" />
        <section class="container">
            <h1>"Redemption codes"</h1>
            <AdminNav />
            {is_admin.then(|| view! {
                <h2>"Make a batch"</h2>
                <p class="muted">
                    "The codes download as a CSV file once. Only their fingerprints are kept, so keep the file safe."
                </p>
                <form method="post" action=paths::ADMIN_REDEMPTION_CSV>
                    <Field label="Name" name="name" autocomplete="off" hint="For your records, e.g. Launch promotion." />
                    <Field label="Amount per redemption" name="amount" autocomplete="off" hint="Credited to the Token Wallet, e.g. 5 or 2.50." />
                    <Field label="Number of codes" name="count" kind="number" autocomplete="off" />
                    <Field label="Uses per code" name="max_redemptions" kind="number" autocomplete="off" hint="1 for single-use codes." />
                    <Field label="Uses per customer" name="per_user_limit" kind="number" autocomplete="off" required=false hint="Leave empty for no limit beyond uses per code." />
                    <Field label="Last day valid" name="expires_on" kind="date" autocomplete="off" required=false hint="Leave empty for codes that do not expire." />
                    <StepUpFields form="batch" />
                    <button type="submit" class="button">"Make codes and download CSV"</button>
                </form>
            })}
            <h2>"Batches"</h2>
            {loaded(
                batches,
                move |batches| {
                    let rows = batches
                        .into_iter()
                        .map(|b| {
                            view! {
                                <tr>
                                    <td>{b.name}</td>
                                    <td class="number">{format_micros(b.amount, &currency)}</td>
                                    <td class="number">{b.codes}</td>
                                    <td class="number">{b.uses_per_code}</td>
                                    <td class="number">{b.per_user_limit}</td>
                                    <td class="number">{b.redeemed}</td>
                                    <td>{b.expires}</td>
                                    <td>{b.created}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="table-scroll">
                            <table data-testid=test_ids::BATCH_LIST>
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col" class="number">"Amount"</th>
                                        <th scope="col" class="number">"Codes"</th>
                                        <th scope="col" class="number">"Uses per code"</th>
                                        <th scope="col" class="number">"Per customer"</th>
                                        <th scope="col" class="number">"Redeemed"</th>
                                        <th scope="col">"Expires"</th>
                                        <th scope="col">"Made"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                },
            )}
        </section>
    }
}

/// Upstream providers (with health) and the price list, with the forms that change them.
#[component]
pub fn AdminProvidersPage() -> impl IntoView {
    let providers = Resource::new(|| (), |_| admin_list_providers());
    let prices = Resource::new(|| (), |_| list_prices());
    let currency = use_bootstrap().site.currency;
    let is_admin = use_bootstrap()
        .viewer
        .is_some_and(|viewer| viewer.role == Role::Admin);
    let add = ServerAction::<AdminAddProvider>::new();
    let set_price = ServerAction::<AdminSetPrice>::new();
    view! {
        <Title text="Providers and prices" />
        <section class="container">
            <h1>"Providers and prices"</h1>
            <AdminNav />
            <NoticeBanner />
            <h2>"Providers"</h2>
            {loaded(
                providers,
                move |providers| {
                    let rows = providers
                        .into_iter()
                        .map(|p| view! { <ProviderRow provider=p can_change=is_admin /> })
                        .collect_view();
                    view! {
                        <div class="table-scroll">
                            <table data-testid=test_ids::PROVIDER_LIST>
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Protocol"</th>
                                        <th scope="col">"Base URL"</th>
                                        <th scope="col">"Key"</th>
                                        <th scope="col">"Models"</th>
                                        <th scope="col" class="number">"Priority"</th>
                                        <th scope="col" class="number">"Weight"</th>
                                        <th scope="col">"Health"</th>
                                        <th scope="col">"State"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                },
            )}
            {is_admin.then(|| view! {
                <h3>"Add a provider"</h3>
                <ActionError action=add />
                <ActionForm action=add>
                    <Field label="Name" name="name" autocomplete="off" />
                    <label for="provider-protocol">"Protocol"</label>
                    <select id="provider-protocol" name="protocol">
                        <option value="anthropic">"Anthropic (Messages API)"</option>
                        <option value="openai">"OpenAI (Responses and Chat Completions)"</option>
                    </select>
                    <Field label="Base URL" name="base_url" kind="url" autocomplete="off" hint="The API root without /v1, e.g. https://api.anthropic.com." />
                    <Field label="API key" name="api_key" kind="password" autocomplete="off" hint="Stored encrypted and never shown again." />
                    <Field label="Priority" name="priority" kind="number" autocomplete="off" value="0".to_owned() hint="Lower is tried first." />
                    <Field label="Weight" name="weight" kind="number" autocomplete="off" value="1".to_owned() hint="Share of traffic among providers of the same priority (1-1000)." />
                    <label for="provider-models">"Models"</label>
                    <textarea id="provider-models" name="models" rows="4" required=true aria-describedby="provider-models-hint"></textarea>
                    <p class="field-hint" id="provider-models-hint">"One per line: the public name, or public=upstream when the provider calls it differently."</p>
                    <StepUpFields form="provider" />
                    <button type="submit" class="button">"Add provider"</button>
                </ActionForm>
            })}
            <h2>"Prices"</h2>
            <p class="muted">"Per million tokens. A request is billed at the price in force when it started."</p>
            {loaded(
                prices,
                move |prices| {
                    let rows = prices
                        .into_iter()
                        .map(|p| {
                            let money = |v: i64| format_micros(v, &currency);
                            view! {
                                <tr>
                                    <td>{p.model}</td>
                                    <td class="number">{money(p.per_mtok.input)}</td>
                                    <td class="number">{money(p.per_mtok.output)}</td>
                                    <td class="number">{money(p.per_mtok.cache_write_5m)}</td>
                                    <td class="number">{money(p.per_mtok.cache_write_1h)}</td>
                                    <td class="number">{money(p.per_mtok.cache_read)}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="table-scroll">
                            <table>
                                <thead>
                                    <tr>
                                        <th scope="col">"Model"</th>
                                        <th scope="col" class="number">"Input"</th>
                                        <th scope="col" class="number">"Output"</th>
                                        <th scope="col" class="number">"Cache write 5 min"</th>
                                        <th scope="col" class="number">"Cache write 1 h"</th>
                                        <th scope="col" class="number">"Cache read"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                },
            )}
            {is_admin.then(|| view! {
                <h3>"Set a price"</h3>
                <ActionError action=set_price />
                <ActionForm action=set_price>
                    <Field label="Model" name="model" autocomplete="off" hint="The public model name customers send." />
                    <Field label="Input" name="input" autocomplete="off" hint="Per million tokens, e.g. 3 or 0.25." />
                    <Field label="Output" name="output" autocomplete="off" />
                    <Field label="Cache write, 5 minutes" name="cache_write_5m" autocomplete="off" />
                    <Field label="Cache write, 1 hour" name="cache_write_1h" autocomplete="off" />
                    <Field label="Cache read" name="cache_read" autocomplete="off" />
                    <StepUpFields form="price" />
                    <button type="submit" class="button">"Set price from now"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn ProviderRow(provider: crate::pricing::ProviderView, can_change: bool) -> impl IntoView {
    let toggle = ServerAction::<AdminSetProviderEnabled>::new();
    let health = if provider.consecutive_failures > 0 {
        format!(
            "{} failures in a row; last: {}",
            provider.consecutive_failures, provider.last_failure
        )
    } else {
        format!("ok; last success {}", provider.last_success)
    };
    let enabled = provider.enabled;
    view! {
        <tr>
            <td>{provider.name}</td>
            <td>{provider.protocol}</td>
            <td>{provider.base_url}</td>
            <td>{provider.key_hint}</td>
            <td>{provider.models.join(", ")}</td>
            <td class="number">{provider.priority}</td>
            <td class="number">{provider.weight}</td>
            <td>{health}</td>
            <td>
                {if enabled { "enabled" } else { "disabled" }}
                {can_change.then(|| view! {
                    <ActionForm action=toggle>
                        <input type="hidden" name="provider_id" value=provider.id.to_string() />
                        <input type="hidden" name="enabled" value=(!enabled).to_string() />
                        <button type="submit" class="button secondary">
                            {if enabled { "Disable" } else { "Enable" }}
                        </button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// Everyone's requests (filter by account, model, status, dates), the 30-day charts, and how
/// often each provider failed in the last 24 hours.
#[component]
pub fn AdminUsagePage() -> impl IntoView {
    let (user, model, status, from, to) = (
        query_param("user"),
        query_param("model"),
        query_param("status"),
        query_param("from"),
        query_param("to"),
    );
    let before = query_param("before");
    let data = Resource::new(
        move || {
            (
                user.get(),
                model.get(),
                status.get(),
                from.get(),
                to.get(),
                before.get(),
            )
        },
        |(user, model, status, from, to, before)| {
            admin_get_usage(
                user,
                model,
                status,
                from,
                to,
                before.and_then(|b| b.parse().ok()),
            )
        },
    );
    view! {
        <Title text="Usage" />
        <section class="container">
            <h1>"Usage"</h1>
            <AdminNav />
            <form method="get" action=paths::ADMIN_USAGE class="search-form" aria-label="Filter requests">
                <label for="usage-user">"Account id"</label>
                <input id="usage-user" name="user" type="number" min="1" value=move || user.get() />
                <label for="usage-model">"Model"</label>
                <input id="usage-model" name="model" value=move || model.get() />
                <label for="usage-status">"Status"</label>
                <input id="usage-status" name="status" value=move || status.get() placeholder="upstream_error" />
                <label for="usage-from">"From"</label>
                <input id="usage-from" name="from" type="date" value=move || from.get() />
                <label for="usage-to">"To"</label>
                <input id="usage-to" name="to" type="date" value=move || to.get() />
                <button type="submit" class="button secondary">"Filter"</button>
            </form>
            {loaded(
                data,
                move |view| {
                    let providers = view
                        .providers
                        .into_iter()
                        .map(|p| {
                            let rate = format!("{}.{}%", p.errors_per_mille / 10, p.errors_per_mille % 10);
                            view! {
                                <tr>
                                    <td>{p.provider}</td>
                                    <td class="number">{p.requests}</td>
                                    <td class="number">{p.errors}</td>
                                    <td class="number">{rate}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    let next = view
                        .page
                        .next_before
                        .map(|before| {
                            let query = url_query(
                                &[
                                    ("user", user.get_untracked().unwrap_or_default()),
                                    ("model", model.get_untracked().unwrap_or_default()),
                                    ("status", status.get_untracked().unwrap_or_default()),
                                    ("from", from.get_untracked().unwrap_or_default()),
                                    ("to", to.get_untracked().unwrap_or_default()),
                                    ("before", before.to_string()),
                                ],
                            );
                            view! { <a href=format!("{}?{query}", paths::ADMIN_USAGE)>"Older requests"</a> }
                        });
                    view! {
                        <h2>"Providers, last 24 hours"</h2>
                        <div class="table-scroll">
                            <table>
                                <thead>
                                    <tr>
                                        <th scope="col">"Provider"</th>
                                        <th scope="col" class="number">"Attempts"</th>
                                        <th scope="col" class="number">"Errors"</th>
                                        <th scope="col" class="number">"Error rate"</th>
                                    </tr>
                                </thead>
                                <tbody>{providers}</tbody>
                            </table>
                        </div>
                        <h2>"Last 30 days"</h2>
                        <div class="charts">
                            <SpendChart days=view.page.days />
                            <ModelChart models=view.page.models />
                        </div>
                        <h2>"Requests"</h2>
                        <UsageTable rows=view.page.rows show_account=true />
                        {next}
                    }
                },
            )}
        </section>
    }
}

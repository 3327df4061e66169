//! Password, signed-in devices and the user's own security log.

use crate::account::{SecurityEventView, SessionItem};
use crate::paths::{self, test_ids};
use crate::serverfns::account::{
    list_my_security_events, list_sessions, ChangePassword, RevokeOtherSessions, RevokeSession,
};
use crate::ui::components::forms::{ActionError, Field, NoticeBanner};
use crate::ui::components::loading::loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let sessions = Resource::new(|| (), |_| list_sessions());
    let events = Resource::new(|| (), |_| list_my_security_events(None));
    view! {
        <Title text="Security" />
        <section class="container">
            <h1>"Security"</h1>
            <NoticeBanner />
            <p>
                <A href=paths::ACCOUNT_TWO_FACTOR>"Two-step verification"</A>
            </p>
            <h2>"Change password"</h2>
            <ActionError action=change />
            <ActionForm action=change>
                <Field
                    label="Current password"
                    name="current_password"
                    kind="password"
                    autocomplete="current-password"
                />
                <Field
                    label="New password"
                    name="new_password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. Your other devices will be signed out."
                />
                <button type="submit" class="button">"Change password"</button>
            </ActionForm>
            <h2>"Signed-in devices"</h2>
            {loaded(sessions, |list| view! { <SessionList sessions=list /> })}
            <h2>"Security log"</h2>
            {loaded(events, |page| view! { <EventTable events=page.events show_account=false /> })}
        </section>
    }
}

#[component]
fn SessionList(sessions: Vec<SessionItem>) -> impl IntoView {
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    let others = sessions.iter().filter(|s| !s.current).count();
    let rows = sessions
        .into_iter()
        .map(|session| {
            let label = if session.current { "Sign out here" } else { "Sign out this device" };
            view! {
                <li class="session" data-current=session.current.to_string()>
                    <p>
                        <strong>{if session.user_agent.is_empty() { "Unknown browser".to_owned() } else { session.user_agent.clone() }}</strong>
                        {session.current.then_some(" (this device)")}
                    </p>
                    <p class="muted">
                        {format!("IP {} · signed in {} · last active {}", session.ip, session.created_at, session.last_seen_at)}
                    </p>
                    <ActionForm action=revoke>
                        <input type="hidden" name="session_id" value=session.id.to_string() />
                        <button type="submit" class="button secondary">{label}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <ActionError action=revoke />
        <ActionError action=revoke_others />
        <ul class="session-list" data-testid=test_ids::SESSION_LIST>{rows}</ul>
        {(others > 0).then(|| view! {
            <ActionForm action=revoke_others>
                <button type="submit" class="button secondary">"Sign out all other devices"</button>
            </ActionForm>
        })}
    }
}

/// A security log table; `show_account` adds the account and actor columns staff need.
#[component]
pub fn EventTable(events: Vec<SecurityEventView>, show_account: bool) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="empty-state">"No events yet."</p> }.into_any();
    }
    let rows = events
        .into_iter()
        .map(|event| {
            let account = show_account.then(|| {
                view! {
                    <td>{event.user_id.map(|id| id.to_string()).unwrap_or_default()}</td>
                    <td>{event.actor_id.map(|id| id.to_string()).unwrap_or_default()}</td>
                }
            });
            view! {
                <tr data-kind=event.kind.clone()>
                    <td>{event.at}</td>
                    <td>{event.description}</td>
                    {account}
                    <td>{event.ip}</td>
                    <td class="user-agent">{event.user_agent}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table data-testid=test_ids::SECURITY_EVENTS>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"What"</th>
                        {show_account.then(|| view! {
                            <th scope="col">"Account"</th>
                            <th scope="col">"By"</th>
                        })}
                        <th scope="col">"IP"</th>
                        <th scope="col">"Browser"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

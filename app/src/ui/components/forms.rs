//! Pieces every form page shares: the error of the last submission, the confirmation a redirect
//! carried, and labelled fields.
//!
//! Forms post to server functions. Without JavaScript the browser posts them itself and follows
//! the redirect; a failure comes back in the redirect's query and [`ActionError`] shows it the
//! same way as after a scripted submission.

use crate::account::Notice;
use crate::error::AppError;
use crate::paths::{self, test_ids};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// The error of the last submission of `action`, if it failed.
#[component]
pub fn ActionError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::err).map(|error| {
            view! {
                <p class="form-error" role="alert" data-testid=test_ids::FORM_ERROR>
                    {error.to_string()}
                </p>
            }
        })
    }
}

/// The confirmation named in the page's `notice` query parameter.
#[component]
pub fn NoticeBanner() -> impl IntoView {
    let query = use_query_map();
    move || {
        query
            .with(|q| q.get(paths::NOTICE_QUERY))
            .and_then(|key| Notice::parse(&key))
            .map(|notice| {
                view! {
                    <p class="form-notice" role="status" data-testid=test_ids::FORM_NOTICE>
                        {notice.message()}
                    </p>
                }
            })
    }
}

/// A labelled input. `autocomplete` tells password managers what the field is; `form` names
/// the form when a page has two fields of one name (element ids must stay unique).
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] form: Option<&'static str>,
) -> impl IntoView {
    let id = match form {
        Some(form) => format!("field-{form}-{name}"),
        None => format!("field-{name}"),
    };
    let hint_id = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-describedby=hint_id.clone()
            />
            {hint.map(|text| view! { <p class="field-hint" id=hint_id>{text}</p> })}
        </div>
    }
}

/// A query parameter of the current page.
pub fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name)))
}

/// A query string from non-empty `pairs`, values percent-encoded.
pub fn url_query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

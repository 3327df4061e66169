//! The customer's wallets: both balances (available and held), history, moving Cash Wallet money
//! to the Token Wallet, and redeeming a code.

use crate::bootstrap::use_bootstrap;
use crate::money::format_micros;
use crate::paths::{self, test_ids};
use crate::serverfns::wallet::{get_wallet, RedeemCode, TransferToTokenWallet};
use crate::ui::components::forms::{query_param, url_query, ActionError, Field, NoticeBanner};
use crate::ui::components::loading::loaded;
use crate::wallet::{BalanceView, LedgerLineView, WalletView, HISTORY_KINDS};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

/// The history filter as the page's query holds it.
#[derive(Clone, Debug, Default, PartialEq)]
struct HistoryQuery {
    wallet: String,
    kind: String,
    from: String,
    to: String,
}

impl HistoryQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("wallet", self.wallet.clone()),
            ("kind", self.kind.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ]
    }
}

#[component]
pub fn WalletPage() -> impl IntoView {
    let (wallet, kind, from, to) = (
        query_param("wallet"),
        query_param("kind"),
        query_param("from"),
        query_param("to"),
    );
    let before = query_param("before");
    let filter = Memo::new(move |_| HistoryQuery {
        wallet: wallet.get().unwrap_or_default(),
        kind: kind.get().unwrap_or_default(),
        from: from.get().unwrap_or_default(),
        to: to.get().unwrap_or_default(),
    });
    let data = Resource::new(
        move || (filter.get(), before.get()),
        |(filter, before)| {
            let given = |v: String| (!v.is_empty()).then_some(v);
            get_wallet(
                given(filter.wallet),
                given(filter.kind),
                given(filter.from),
                given(filter.to),
                before.and_then(|b| b.parse().ok()),
            )
        },
    );
    view! {
        <Title text="Wallet" />
        <section class="container">
            <h1>"Wallet"</h1>
            <NoticeBanner />
            {loaded(data, move |view| view! { <Wallets view filter=filter.get_untracked() /> })}
        </section>
    }
}

#[component]
fn Balance(title: &'static str, balance: BalanceView, test_id: &'static str) -> impl IntoView {
    let currency = use_bootstrap().site.currency;
    view! {
        <div class="balance" data-testid=test_id>
            <h2>{title}</h2>
            <p class="amount">{format_micros(balance.available, &currency)}</p>
            <p class="muted">
                {format!(
                    "{} posted, {} held for requests in progress",
                    format_micros(balance.posted, &currency),
                    format_micros(balance.held, &currency),
                )}
            </p>
        </div>
    }
}

#[component]
fn Wallets(view: WalletView, filter: HistoryQuery) -> impl IntoView {
    let transfer = ServerAction::<TransferToTokenWallet>::new();
    let redeem = ServerAction::<RedeemCode>::new();
    // The key names the wallet state the form was rendered from: submitting the same form twice
    // moves money once, and every transfer changes the state and so the next key.
    let key = format!(
        "w{}:{}",
        view.lines.first().map_or(0, |line| line.id),
        view.cash.posted
    );
    let next = view.next_before.map(|before| {
        let mut pairs = filter.pairs();
        pairs.push(("before", before.to_string()));
        let query = url_query(&pairs);
        view! { <a href=format!("{}?{query}", paths::ACCOUNT_WALLET)>"Older entries"</a> }
    });
    let csv = format!(
        "{}?{}",
        paths::ACCOUNT_WALLET_CSV,
        url_query(&filter.pairs())
    );
    view! {
        <div class="balances">
            <Balance title="Token Wallet" balance=view.token test_id=test_ids::TOKEN_BALANCE />
            <Balance title="Cash Wallet" balance=view.cash test_id=test_ids::CASH_BALANCE />
        </div>
        <h2>"Redeem a code"</h2>
        <ActionError action=redeem />
        <ActionForm action=redeem>
            <Field label="Redemption code" name="code" autocomplete="off" />
            <button type="submit" class="button">"Redeem"</button>
        </ActionForm>
        <h2>"Move Cash Wallet money to the Token Wallet"</h2>
        <ActionError action=transfer />
        <ActionForm action=transfer>
            <input type="hidden" name="key" value=key />
            <Field label="Amount" name="amount" autocomplete="off" hint="For example 10 or 2.50." />
            <button type="submit" class="button secondary">"Move to Token Wallet"</button>
        </ActionForm>
        <h2>"History"</h2>
        <HistoryFilterForm filter />
        <p>
            <a href=csv download="wallet-history.csv" rel="external" data-testid=test_ids::WALLET_CSV>
                "Download as CSV"
            </a>
            " (everything the filter selects)"
        </p>
        <LedgerTable lines=view.lines show_kind=false />
        {next}
    }
}

/// Filters for the history: a plain GET form, so it works without JavaScript.
#[component]
fn HistoryFilterForm(filter: HistoryQuery) -> impl IntoView {
    let kinds = HISTORY_KINDS
        .iter()
        .map(|(kind, label)| {
            view! { <option value=*kind selected=filter.kind == *kind>{*label}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action=paths::ACCOUNT_WALLET class="search-form" aria-label="Filter history">
            <label for="history-wallet">"Wallet"</label>
            <select id="history-wallet" name="wallet">
                <option value="" selected=filter.wallet.is_empty()>"Both"</option>
                <option value="token" selected=filter.wallet == "token">"Token Wallet"</option>
                <option value="cash" selected=filter.wallet == "cash">"Cash Wallet"</option>
            </select>
            <label for="history-kind">"Kind"</label>
            <select id="history-kind" name="kind">
                <option value="" selected=filter.kind.is_empty()>"All"</option>
                {kinds}
            </select>
            <label for="history-from">"From"</label>
            <input id="history-from" name="from" type="date" value=filter.from.clone() />
            <label for="history-to">"To"</label>
            <input id="history-to" name="to" type="date" value=filter.to.clone() />
            <button type="submit" class="button secondary">"Filter"</button>
        </form>
    }
}

/// Wallet history; `show_kind` adds the transaction kind staff need.
#[component]
pub fn LedgerTable(lines: Vec<LedgerLineView>, show_kind: bool) -> impl IntoView {
    let currency = use_bootstrap().site.currency;
    let rows = lines
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    <td>{line.at}</td>
                    <td>{line.wallet}</td>
                    {show_kind.then(|| view! { <td>{line.kind.clone()}</td> })}
                    <td>{line.memo}</td>
                    <td class="number">{format_micros(line.amount, &currency)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table data-testid=test_ids::LEDGER_LINES>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Wallet"</th>
                        {show_kind.then(|| view! { <th scope="col">"Kind"</th> })}
                        <th scope="col">"What"</th>
                        <th scope="col" class="number">"Amount"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

//! The customer's wallets: both balances (available and held), history, moving Cash Wallet money
//! to the Token Wallet, and redeeming a code.

use crate::bootstrap::use_bootstrap;
use crate::money::format_micros;
use crate::paths::{self, test_ids};
use crate::serverfns::wallet::{get_wallet, RedeemCode, TransferToTokenWallet};
use crate::ui::components::forms::{query_param, ActionError, Field, NoticeBanner};
use crate::ui::components::loading::loaded;
use crate::wallet::{BalanceView, LedgerLineView, WalletView};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WalletPage() -> impl IntoView {
    let wallet = query_param("wallet");
    let before = query_param("before");
    let data = Resource::new(
        move || (wallet.get(), before.get()),
        |(wallet, before)| get_wallet(wallet, before.and_then(|b| b.parse().ok())),
    );
    view! {
        <Title text="Wallet" />
        <section class="container">
            <h1>"Wallet"</h1>
            <NoticeBanner />
            {loaded(data, move |view| view! { <Wallets view wallet=wallet.get_untracked() /> })}
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
fn Wallets(view: WalletView, wallet: Option<String>) -> impl IntoView {
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
        let filter = wallet.clone().map(|w| format!("wallet={w}&")).unwrap_or_default();
        view! { <a href=format!("{}?{filter}before={before}", paths::ACCOUNT_WALLET)>"Older entries"</a> }
    });
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
        <nav aria-label="Wallet filter" class="subnav">
            <a href=paths::ACCOUNT_WALLET>"Both"</a>
            " · "
            <a href=format!("{}?wallet=token", paths::ACCOUNT_WALLET)>"Token Wallet"</a>
            " · "
            <a href=format!("{}?wallet=cash", paths::ACCOUNT_WALLET)>"Cash Wallet"</a>
        </nav>
        <LedgerTable lines=view.lines show_kind=false />
        {next}
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

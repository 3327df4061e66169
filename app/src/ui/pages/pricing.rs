//! The public price list, read from the database.

use crate::bootstrap::use_bootstrap;
use crate::money::format_micros;
use crate::paths::test_ids;
use crate::pricing::ModelPriceView;
use crate::serverfns::pricing::list_prices;
use crate::ui::components::loading::loaded;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PricingPage() -> impl IntoView {
    let currency = use_bootstrap().site.currency;
    let prices = Resource::new(|| (), |_| list_prices());
    view! {
        <Title text="Pricing" />
        <section class="container">
            <h1>"Pricing"</h1>
            <p class="lead">
                "You pay per token, per request, at the price in force when the request started. \
                Prices are per million tokens."
            </p>
            {loaded(
                prices,
                move |list| {
                    if list.is_empty() {
                        view! {
                            <p class="empty-state" data-testid=test_ids::PRICE_EMPTY>
                                "No models are priced yet. Please check back soon."
                            </p>
                        }
                            .into_any()
                    } else {
                        view! { <PriceTable prices=list currency=currency.clone() /> }.into_any()
                    }
                },
            )}
        </section>
    }
}

#[component]
fn PriceTable(prices: Vec<ModelPriceView>, currency: String) -> impl IntoView {
    let rows = prices
        .into_iter()
        .map(|p| {
            let cell = |amount: i64| format_micros(amount, &currency);
            view! {
                <tr>
                    <th scope="row">{p.model.clone()}</th>
                    <td>{cell(p.per_mtok.input)}</td>
                    <td>{cell(p.per_mtok.output)}</td>
                    <td>{cell(p.per_mtok.cache_write_5m)}</td>
                    <td>{cell(p.per_mtok.cache_write_1h)}</td>
                    <td>{cell(p.per_mtok.cache_read)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="price-table" data-testid=test_ids::PRICE_TABLE>
                <caption>"Prices per million tokens"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Input"</th>
                        <th scope="col">"Output"</th>
                        <th scope="col">"Cache write (5 min)"</th>
                        <th scope="col">"Cache write (1 h)"</th>
                        <th scope="col">"Cache read"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

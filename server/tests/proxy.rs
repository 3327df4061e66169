//! The proxy end to end: real server, real database, a fake provider on loopback speaking
//! both protocols. Each case checks what the client sees, the exact bill and the ledger.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use app::auth::{Role, Viewer};
use app::pricing::PriceSheet;
use app::server::services::api_tokens::{self, BillingSource, TokenOptions};
use app::server::services::ledger::{self, WalletKind};
use app::server::services::pricing::{self, NewModelPrice};
use app::server::services::proxy::providers::{self, NewProvider, Protocol};
use app::server::services::secrets::Keys;
use app::server::services::{admin_users, wallets};
use chrono::{Duration, Utc};
use common::fake_upstream::{capture, FakeUpstream};
use common::{Backend, TestApp};
use entity::usage_records;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, QueryOrder};
use secrecy::SecretString;
use serde_json::{json, Value};

const CLAUDE: &str = "claude-test";
const GPT: &str = "gpt-test";
/// The fake's Anthropic usage priced at CLAUDE_PRICES: 1547×3 + 73×15 + 100×0.3 + 17000×3.75
/// + 768×6 micro-units.
const CLAUDE_BILL: i64 = 74_124;
/// The fake's OpenAI usage priced at GPT_PRICES: 96×1.25 + 15000×0.125 + 15×10.
const GPT_BILL: i64 = 2_145;
const DOLLAR: i64 = 1_000_000;

const CLAUDE_PRICES: PriceSheet = PriceSheet {
    input: 3_000_000,
    output: 15_000_000,
    cache_write_5m: 3_750_000,
    cache_write_1h: 6_000_000,
    cache_read: 300_000,
};
const GPT_PRICES: PriceSheet = PriceSheet {
    input: 1_250_000,
    output: 10_000_000,
    cache_write_5m: 1_250_000,
    cache_write_1h: 1_250_000,
    cache_read: 125_000,
};

/// Spawns a test app that may reach the fake provider on loopback, on both databases.
macro_rules! proxy_test {
    ($name:ident, $body:expr) => {
        proxy_test!(
            $name,
            |_settings: &mut app::server::config::Settings| {},
            $body
        );
    };
    ($name:ident, $customise:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: Backend) {
                let Some(app) = TestApp::spawn_with(backend, |s| {
                    s.proxy.allow_private_upstreams = true;
                    s.proxy.idle_timeout_secs = 2;
                    s.proxy.max_output_estimate = 4_096;
                    s.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
                    ($customise)(s);
                })
                .await
                else {
                    return;
                };
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                run(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                run(Backend::Postgres).await;
            }
        }
    };
}

/// A customer with credit and a token, prices for both test models, and providers.
struct World {
    app: TestApp,
    customer: Viewer,
    token: String,
}

fn keys(app: &TestApp) -> Keys {
    Keys::new(&app.settings.security.key_bytes().unwrap())
}

async fn add_provider(
    app: &TestApp,
    name: &str,
    base_url: &str,
    protocol: Protocol,
    priority: i32,
) {
    let model = match protocol {
        Protocol::Anthropic => CLAUDE,
        Protocol::OpenAi => GPT,
    };
    let models = vec![(model.to_owned(), format!("{model}-upstream"))];
    add_provider_serving(app, name, base_url, protocol, priority, models).await;
}

async fn add_provider_serving(
    app: &TestApp,
    name: &str,
    base_url: &str,
    protocol: Protocol,
    priority: i32,
    models: Vec<(String, String)>,
) {
    providers::create(
        &app.db.conn,
        &keys(app),
        NewProvider {
            name: name.to_owned(),
            protocol,
            base_url: base_url.to_owned(),
            api_key: SecretString::from(format!("sk-upstream-{name}")),
            priority,
            weight: 1,
            models,
        },
        true,
        Utc::now(),
    )
    .await
    .unwrap();
}

async fn world(
    app: TestApp,
    fake: &FakeUpstream,
    credit: i64,
    options: impl FnOnce(&mut TokenOptions),
) -> World {
    let db = app.db.conn.clone();
    let now = Utc::now();
    for (model, per_mtok) in [(CLAUDE, CLAUDE_PRICES), (GPT, GPT_PRICES)] {
        pricing::set_price(
            &db,
            NewModelPrice {
                model: model.to_owned(),
                per_mtok,
                effective_from: now - Duration::hours(1),
            },
        )
        .await
        .unwrap();
    }
    add_provider(
        &app,
        "anthropic-main",
        &fake.base_url,
        Protocol::Anthropic,
        0,
    )
    .await;
    add_provider(&app, "openai-main", &fake.base_url, Protocol::OpenAi, 0).await;
    let customer =
        common::accounts::viewer_for(&app, "coder@example.com", Role::Customer, true).await;
    let root = common::accounts::viewer_for(&app, "root@example.com", Role::Admin, true).await;
    if credit > 0 {
        wallets::admin_adjust(
            &db,
            &root,
            customer.user_id,
            WalletKind::Token,
            credit,
            "test credit",
            "credit-1",
            now,
        )
        .await
        .unwrap();
    }
    let mut token_options = TokenOptions::open("laptop");
    options(&mut token_options);
    let created = api_tokens::create(&db, &customer, token_options, now)
        .await
        .unwrap();
    World {
        app,
        customer,
        token: created.secret.expose().to_owned(),
    }
}

impl World {
    fn post(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.app
            .client
            .post(self.app.url(path))
            .header("x-forwarded-for", "203.0.113.7")
            .json(body)
    }

    /// The Token Wallet's available balance once nothing is held: the proxy keeps a credit
    /// line (a hold for several requests) until about a second after its last request.
    async fn available(&self) -> i64 {
        let account = ledger::user_account(
            &self.app.db.conn,
            self.customer.user_id,
            WalletKind::Token,
            Utc::now(),
        )
        .await
        .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let balance = ledger::balance(&self.app.db.conn, account.id)
                .await
                .unwrap();
            if balance.held == 0 || std::time::Instant::now() > deadline {
                return balance.available;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn records(&self) -> Vec<usage_records::Model> {
        usage_records::Entity::find()
            .order_by_asc(usage_records::Column::Id)
            .all(&self.app.db.conn)
            .await
            .unwrap()
    }

    async fn assert_ledger_sound(&self) {
        let violations = ledger::check_invariants(&self.app.db.conn).await.unwrap();
        assert!(violations.is_empty(), "{violations:?}");
    }
}

fn claude_request(stream: bool) -> Value {
    json!({
        "model": CLAUDE,
        "max_tokens": 1024,
        "stream": stream,
        "messages": [{"role": "user", "content": "Say hi"}],
        "context_management": {"edits": []},
        "thinking": {"type": "disabled"},
    })
}

/// The SSE event names of a stream body, in order.
fn event_names(body: &str) -> Vec<String> {
    body.lines()
        .filter_map(|line| line.strip_prefix("event: "))
        .map(str::to_owned)
        .collect()
}

proxy_test!(
    anthropic_messages_are_relayed_and_billed_exactly,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 10 * DOLLAR, |_| {}).await;

        let plain = world
            .post("/v1/messages?beta=true", &claude_request(false))
            .header("x-api-key", &world.token)
            .header("anthropic-version", "2023-06-01")
            .header("anthropic-beta", "context-management-2025-06-27")
            .send()
            .await
            .unwrap();
        assert_eq!(plain.status(), StatusCode::OK);
        let request_id = plain.headers()["x-request-id"].to_str().unwrap().to_owned();
        let answer: Value = plain.json().await.unwrap();
        assert_eq!(answer["content"][0]["text"], "Hi from the fake upstream!");
        assert_eq!(answer["usage"]["output_tokens"], 73);

        let streamed = world
            .post("/v1/messages?beta=true", &claude_request(true))
            .header("authorization", format!("Bearer {}", world.token))
            .header("x-api-key", "sk-ant-placeholder")
            .header("x-claude-code-session-id", "session-42")
            .send()
            .await
            .unwrap();
        assert_eq!(streamed.status(), StatusCode::OK);
        assert!(streamed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let body = streamed.text().await.unwrap();
        assert_eq!(
            event_names(&body),
            [
                "message_start",
                "content_block_start",
                "ping",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop"
            ]
        );

        // Settling a stream finishes just after its last byte: wait for the record.
        let records = wait_for_records(&world, 2).await;
        assert_eq!(world.available().await, 10 * DOLLAR - 2 * CLAUDE_BILL);
        for record in &records {
            assert_eq!(record.status, "ok");
            assert_eq!(record.charge, CLAUDE_BILL);
            assert_eq!(
                (
                    record.input_tokens,
                    record.cache_write_5m_tokens,
                    record.cache_write_1h_tokens,
                    record.cache_read_tokens,
                    record.output_tokens
                ),
                (1547, 17000, 768, 100, 73)
            );
            assert_eq!(record.public_model, CLAUDE);
            assert_eq!(record.upstream_model, "claude-test-upstream");
            assert_eq!(record.provider_label, "anthropic-main");
            assert_eq!(record.client_ip.as_deref(), Some("203.0.113.7"));
            assert_eq!(record.wallet_charged.as_deref(), Some("token_wallet"));
        }
        // The plain answer's bookkeeping runs after its answer, so it may be stored second.
        let plain = records.iter().find(|r| r.request_id == request_id).unwrap();
        assert!(!plain.stream);
        assert!(records.iter().any(|r| r.stream));

        // Upstream saw the provider's key and the client's own headers, never the customer's
        // token; the model name was mapped.
        let seen = fake.seen();
        assert_eq!(seen.len(), 2);
        for request in &seen {
            assert_eq!(request.headers["x-api-key"], "sk-upstream-anthropic-main");
            assert!(request.headers.get("authorization").is_none());
            assert_eq!(request.body["model"], "claude-test-upstream");
            assert_eq!(request.body["context_management"], json!({"edits": []}));
            let all = format!("{:?}", request.headers);
            assert!(!all.contains(&world.token));
        }
        assert_eq!(
            seen[0].headers["anthropic-beta"],
            "context-management-2025-06-27"
        );
        assert_eq!(seen[1].headers["x-claude-code-session-id"], "session-42");

        let counted = world
            .post(
                "/v1/messages/count_tokens",
                &json!({"model": CLAUDE, "messages": []}),
            )
            .header("x-api-key", &world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(counted.status(), StatusCode::OK);
        assert_eq!(counted.json::<Value>().await.unwrap()["input_tokens"], 1234);
        let records = wait_for_records(&world, 3).await;
        assert_eq!(records[2].charge, 0, "counting tokens is free");
        assert_eq!(world.available().await, 10 * DOLLAR - 2 * CLAUDE_BILL);
        world.assert_ledger_sound().await;
    }
);

/// Starts a Claude stream whose events come `pause_ms` apart and leaves after the first chunk.
async fn abandon_slow_stream(world: &World, pause_ms: u64) {
    use futures_util::StreamExt as _;
    let abandoned = world
        .post("/v1/messages", &claude_request(true))
        .header("x-api-key", &world.token)
        .header("x-fake", format!("slow:{pause_ms}"))
        .send()
        .await
        .unwrap();
    let mut chunks = abandoned.bytes_stream();
    chunks.next().await.unwrap().unwrap();
}

async fn wait_for_records(world: &World, count: usize) -> Vec<usage_records::Model> {
    for _ in 0..200 {
        let records = world.records().await;
        if records.len() >= count {
            return records;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("fewer than {count} usage records");
}

proxy_test!(
    openai_surfaces_are_relayed_and_billed_exactly,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 10 * DOLLAR, |_| {}).await;
        let bearer = format!("Bearer {}", world.token);

        let streamed = world
            .post(
                "/v1/responses",
                &json!({"model": GPT, "stream": true, "input": [{"type": "additional_tools", "tools": []}],
                    "prompt_cache_key": "abc"}),
            )
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(streamed.status(), StatusCode::OK);
        let body = streamed.text().await.unwrap();
        assert_eq!(
            event_names(&body),
            [
                "response.created",
                "response.in_progress",
                "response.output_text.delta",
                "response.completed"
            ]
        );
        let plain = world
            .post("/v1/responses", &json!({"model": GPT, "input": "hi"}))
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(plain.status(), StatusCode::OK);
        assert_eq!(plain.json::<Value>().await.unwrap()["status"], "completed");

        // A chat stream that did not ask for usage is asked for it (else it could not be
        // billed); one that did is forwarded as sent.
        let chat = world
            .post(
                "/v1/chat/completions",
                &json!({"model": GPT, "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
            )
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap();
        let body = chat.text().await.unwrap();
        assert!(body.trim_end().ends_with("data: [DONE]"), "{body}");
        assert!(body.contains("\"choices\":[]"), "the usage chunk: {body}");
        let plain_chat = world
            .post(
                "/v1/chat/completions",
                &json!({"model": GPT, "messages": [{"role": "user", "content": "hi"}]}),
            )
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(plain_chat.status(), StatusCode::OK);

        let records = wait_for_records(&world, 4).await;
        for record in &records {
            assert_eq!(record.status, "ok", "{}", record.endpoint);
            assert_eq!(record.charge, GPT_BILL, "{}", record.endpoint);
            assert_eq!(
                (
                    record.input_tokens,
                    record.cache_read_tokens,
                    record.output_tokens,
                    record.reasoning_tokens
                ),
                (96, 15000, 15, 8)
            );
        }
        assert_eq!(world.available().await, 10 * DOLLAR - 4 * GPT_BILL);
        let seen = fake.seen();
        assert_eq!(
            seen[0].headers["authorization"],
            "Bearer sk-upstream-openai-main"
        );
        assert_eq!(seen[0].body["input"][0]["type"], "additional_tools");
        assert_eq!(seen[0].body["prompt_cache_key"], "abc");
        assert_eq!(seen[2].body["stream_options"]["include_usage"], true);

        let models: Value = world
            .app
            .client
            .get(world.app.url("/v1/models"))
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(models["object"], "list");
        let ids: Vec<&str> = models["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [CLAUDE, GPT]);
        let anthropic: Value = world
            .app
            .client
            .get(world.app.url("/v1/models"))
            .header("x-api-key", &world.token)
            .header("anthropic-version", "2023-06-01")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(anthropic["data"][0]["type"], "model");
        assert_eq!(anthropic["has_more"], false);
        world.assert_ledger_sound().await;
    }
);

proxy_test!(
    refusals_speak_each_clients_language_and_cost_nothing,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 0, |o| {
            o.allowed_models = vec![CLAUDE.to_owned()]
        })
        .await;

        let broke = world
            .post("/v1/messages", &claude_request(false))
            .header("x-api-key", &world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(broke.status(), StatusCode::PAYMENT_REQUIRED);
        assert_eq!(broke.headers()["x-should-retry"], "false");
        let body: Value = broke.json().await.unwrap();
        assert_eq!(body["type"], "error");
        assert_eq!(body["error"]["type"], "billing_error");

        let not_allowed = world
            .post("/v1/responses", &json!({"model": GPT, "input": "hi"}))
            .bearer_auth(&world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(not_allowed.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            not_allowed.json::<Value>().await.unwrap()["error"]["code"],
            "permission_denied"
        );

        let anonymous = world
            .post("/v1/messages", &claude_request(false))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.headers()["x-should-retry"], "false");
        let wrong = world
            .post("/v1/messages", &claude_request(false))
            .header("x-api-key", format!("{}x", world.token))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

        let garbage = world
            .app
            .client
            .post(world.app.url("/v1/messages"))
            .header("x-api-key", &world.token)
            .body("not json")
            .send()
            .await
            .unwrap();
        assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
        assert!(fake.seen().is_empty(), "nothing reached the provider");
        let records = world.records().await;
        assert_eq!(records.len(), 2, "refusals of a known token are recorded");
        assert!(records
            .iter()
            .all(|r| r.status == "rejected" && r.charge == 0));
        world.assert_ledger_sound().await;
    }
);

proxy_test!(
    out_of_credit_tells_codex_to_stop_and_limits_hold,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        // The hold for this request is about 0.041 (4096 output tokens at 10/M plus the input):
        // a daily limit of 0.042 admits the first, which spends 0.002145, and not the second.
        let world = world(app, &fake, 10 * DOLLAR, |o| o.daily_limit = Some(42_000)).await;
        let request = json!({"model": GPT, "input": "hi", "max_output_tokens": 4096});
        let first = world
            .post("/v1/responses", &request)
            .bearer_auth(&world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let second = world
            .post("/v1/responses", &request)
            .bearer_auth(&world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(second.headers().get("x-should-retry").is_none());
        let body: Value = second.json().await.unwrap();
        assert_eq!(body["error"]["code"], "insufficient_quota");
        assert_eq!(body["error"]["type"], "insufficient_quota");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("daily spend limit"));
        // A smaller request still fits under what is left of the limit (once the first one
        // has settled: its answer comes before its bookkeeping).
        wait_for_records(&world, 2).await;
        let small = world
            .post(
                "/v1/responses",
                &json!({"model": GPT, "input": "hi", "max_output_tokens": 100}),
            )
            .bearer_auth(&world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(small.status(), StatusCode::OK);
        wait_for_records(&world, 3).await;
        assert_eq!(world.available().await, 10 * DOLLAR - 2 * GPT_BILL);
        world.assert_ledger_sound().await;

        // Revoked: the next request is refused.
        let token_id = api_tokens::list(&world.app.db.conn, world.customer.user_id)
            .await
            .unwrap()[0]
            .id;
        api_tokens::revoke(
            &world.app.db.conn,
            world.customer.user_id,
            token_id,
            Utc::now(),
        )
        .await
        .unwrap();
        let revoked = world
            .post("/v1/responses", &request)
            .bearer_auth(&world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    }
);

proxy_test!(
    failover_happens_only_before_the_first_byte,
    |app: TestApp| async move {
        let good = FakeUpstream::start().await;
        let broken = FakeUpstream::start_with("status:529").await;
        let world = world(app, &good, 10 * DOLLAR, |_| {}).await;
        // The broken provider is tried first.
        add_provider(
            &world.app,
            "anthropic-broken",
            &broken.base_url,
            Protocol::Anthropic,
            -1,
        )
        .await;
        let answered = world
            .post("/v1/messages", &claude_request(true))
            .header("x-api-key", &world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), StatusCode::OK);
        answered.text().await.unwrap();
        let records = wait_for_records(&world, 1).await;
        assert_eq!(records[0].provider_label, "anthropic-main");
        assert_eq!(records[0].charge, CLAUDE_BILL, "billed once");
        assert_eq!(broken.seen().len(), 1);

        // A stream whose first event is an error also moves on to the next provider.
        let answered = world
            .post("/v1/messages", &claude_request(true))
            .header("x-api-key", &world.token)
            .header("x-fake", "error-first")
            .send()
            .await
            .unwrap();
        // Both providers see the header: both fail, and the client gets one clean error.
        assert_eq!(answered.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = answered.json().await.unwrap();
        assert_eq!(body["error"]["type"], "overloaded_error");
        let records = wait_for_records(&world, 2).await;
        assert_eq!(records[1].status, "upstream_error");
        assert_eq!(records[1].charge, 0);
        assert_eq!(world.available().await, 10 * DOLLAR - CLAUDE_BILL);
        world.assert_ledger_sound().await;
    }
);

proxy_test!(
    cut_abandoned_and_incomplete_streams_bill_what_was_produced,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 10 * DOLLAR, |_| {}).await;

        // Cut after content_block_delta: no message_delta, so the output count is the one
        // message_start reported (1), never a guess from the text.
        let cut = world
            .post("/v1/messages", &claude_request(true))
            .header("x-api-key", &world.token)
            .header("x-fake", "cut:4")
            .send()
            .await
            .unwrap();
        assert_eq!(cut.status(), StatusCode::OK);
        cut.text().await.unwrap();
        let records = wait_for_records(&world, 1).await;
        let cut_bill = CLAUDE_BILL - 72 * 15;
        assert_eq!(records[0].status, "upstream_error");
        assert_eq!(records[0].output_tokens, 1);
        assert_eq!(records[0].charge, cut_bill);

        // The client leaves after the first chunk; the proxy reads on and bills it all.
        abandon_slow_stream(&world, 150).await;
        let records = wait_for_records(&world, 2).await;
        assert_eq!(records[1].status, "client_cancelled");
        assert_eq!(records[1].charge, CLAUDE_BILL);

        let incomplete = world
            .post(
                "/v1/responses",
                &json!({"model": GPT, "stream": true, "input": "hi"}),
            )
            .bearer_auth(&world.token)
            .header("x-fake", "incomplete")
            .send()
            .await
            .unwrap();
        assert!(incomplete
            .text()
            .await
            .unwrap()
            .contains("response.incomplete"));
        let records = wait_for_records(&world, 3).await;
        assert_eq!(records[2].status, "incomplete");
        assert_eq!(records[2].charge, GPT_BILL);

        // A stall after the first event ends at the idle timeout, billed for what was reported.
        let stalled = world
            .post("/v1/messages", &claude_request(true))
            .header("x-api-key", &world.token)
            .header("x-fake", "stall")
            .send()
            .await
            .unwrap();
        stalled.text().await.unwrap();
        let records = wait_for_records(&world, 4).await;
        assert_eq!(records[3].output_tokens, 1);

        assert_eq!(
            world.available().await,
            10 * DOLLAR - cut_bill - CLAUDE_BILL - GPT_BILL - records[3].charge
        );
        world.assert_ledger_sound().await;
    }
);

proxy_test!(
    fifty_simultaneous_holds_of_ten_cents_against_a_dollar_admit_ten_across_two_processes,
    |app: TestApp| async move {
        // Each stream takes about three seconds, so every hold is still pending when the last
        // of the fifty requests arrives.
        let fake = FakeUpstream::start_with("slow:500").await;
        let world = world(app, &fake, DOLLAR, |_| {}).await;
        // max_tokens 1000 holds exactly 0.10.
        price_output_only(&world).await;
        let replica = world.app.spawn_process_beside().await;
        let mut request = claude_request(true);
        request["max_tokens"] = json!(1000);
        let (admitted, refused) = race(&world, &replica.address, &request, 50).await;
        assert_eq!((admitted, refused), (10, 40));
        let records = wait_for_records(&world, 50).await;
        let charged: i64 = records.iter().map(|r| r.charge).sum();
        // 73 output tokens at 100 per million each.
        assert_eq!(charged, 10 * 7_300);
        assert_eq!(world.available().await, DOLLAR - 10 * 7_300);
        world.assert_ledger_sound().await;
    }
);

/// `bytes` compressed by the system's gzip.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gzip = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(gzip.stdin.as_mut().unwrap(), bytes).unwrap();
    gzip.wait_with_output().unwrap().stdout
}

/// Sends `count` requests at once, alternating between this server and `replica`; returns how
/// many were admitted and how many refused for credit.
async fn race(world: &World, replica: &str, request: &Value, count: usize) -> (usize, usize) {
    let mut racers = Vec::new();
    for n in 0..count {
        let base = if n % 2 == 0 {
            world.app.address.clone()
        } else {
            replica.to_owned()
        };
        let client = world.app.client.clone();
        let token = world.token.clone();
        let request = request.clone();
        racers.push(tokio::spawn(async move {
            let response = client
                .post(format!("{base}/v1/messages"))
                .header("x-api-key", token)
                .json(&request)
                .send()
                .await
                .unwrap();
            let status = response.status();
            response.text().await.unwrap();
            status
        }));
    }
    let mut admitted = 0;
    let mut refused = 0;
    for racer in racers {
        match racer.await.unwrap() {
            StatusCode::OK => admitted += 1,
            StatusCode::PAYMENT_REQUIRED => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (admitted, refused)
}

/// Output at 100 per million tokens, everything else free: a request's hold is exactly
/// `max_tokens` × 100 micro-units.
async fn price_output_only(world: &World) {
    pricing::set_price(
        &world.app.db.conn,
        NewModelPrice {
            model: CLAUDE.to_owned(),
            per_mtok: PriceSheet {
                output: 100 * DOLLAR,
                ..PriceSheet::default()
            },
            effective_from: Utc::now() - Duration::minutes(1),
        },
    )
    .await
    .unwrap();
}

proxy_test!(
    two_hundred_streams_against_credit_for_fifty_overdraw_only_by_the_upstreams_excess,
    |s: &mut app::server::config::Settings| {
        s.proxy.max_concurrent_per_token = 200;
    },
    |app: TestApp| async move {
        let fake = FakeUpstream::start_with("slow:400").await;
        // max_tokens 50 holds 0.005; 0.25 covers exactly fifty holds. The provider then
        // reports 73 output tokens (0.0073): each admitted request costs 0.0023 more than it
        // held, and that excess is the only way below zero.
        let world = world(app, &fake, 250_000, |_| {}).await;
        price_output_only(&world).await;
        let replica = world.app.spawn_process_beside().await;
        let mut request = claude_request(true);
        request["max_tokens"] = json!(50);
        let (admitted, refused) = race(&world, &replica.address, &request, 200).await;
        assert_eq!((admitted, refused), (50, 150));
        wait_for_records(&world, 200).await;
        let excess_allowed = 50 * (7_300 - 5_000);
        assert_eq!(world.available().await, 250_000 - 50 * 7_300);
        assert!(world.available().await >= -excess_allowed);
        // Below zero, nothing more is admitted.
        let after = world
            .post("/v1/messages", &request)
            .header("x-api-key", &world.token)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), StatusCode::PAYMENT_REQUIRED);
        world.assert_ledger_sound().await;
    }
);

// Every capture's request replayed through the proxy against a provider answering what the
// capture recorded: the client gets every event back, and the bill is what the recorded usage
// says (counts read off the captures by hand: input, 5-minute write, 1-hour write, cache read,
// output, reasoning).
proxy_test!(
    captured_exchanges_replay_with_every_event_and_the_exact_bill,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 50 * DOLLAR, |_| {}).await;
        let claude_models = [
            "claude-opus-5-5",
            "claude-opus-4-8",
            "claude-haiku-4-5-20251001",
        ];
        let gpt_models = ["gpt-6.2-sol", "gpt-5"];
        for (models, prices, protocol) in [
            (&claude_models[..], CLAUDE_PRICES, Protocol::Anthropic),
            (&gpt_models[..], GPT_PRICES, Protocol::OpenAi),
        ] {
            for model in models {
                pricing::set_price(
                    &world.app.db.conn,
                    NewModelPrice {
                        model: (*model).to_owned(),
                        per_mtok: prices,
                        effective_from: Utc::now() - Duration::hours(1),
                    },
                )
                .await
                .unwrap();
            }
            let served = models
                .iter()
                .map(|m| ((*m).to_owned(), String::new()))
                .collect();
            add_provider_serving(
                &world.app,
                &format!("replay-{}", protocol.as_str()),
                &fake.base_url,
                protocol,
                5,
                served,
            )
            .await;
        }
        type Counts = (i64, i64, i64, i64, i64, i64);
        let cases: [(&str, Counts, &str); 10] = [
            (
                "claude-2.1.332/0038_POST_v1_messages_200.json",
                (1, 12374, 0, 0, 7, 0),
                "ok",
            ),
            (
                "claude-cut1/0023_POST_v1_messages_200.json",
                (1547, 17768, 0, 0, 1, 0),
                "upstream_error",
            ),
            (
                "claude-tool-roundtrip/0001_POST_v1_messages_200.json",
                (1547, 17740, 0, 0, 7, 0),
                "ok",
            ),
            (
                "claude-tool-roundtrip/0002_POST_v1_messages_200.json",
                (1, 1707, 0, 17643, 7, 0),
                "ok",
            ),
            (
                "py-anthropic-stream/0002_POST_v1_messages_200.json",
                (2, 192, 0, 0, 7, 0),
                "ok",
            ),
            (
                "py-anthropic-nonstream/0001_POST_v1_messages_200.json",
                (2, 0, 0, 0, 7, 0),
                "ok",
            ),
            (
                "codex-vanilla/0040_POST_v1_responses_200.json",
                (15096, 0, 0, 0, 15, 8),
                "ok",
            ),
            (
                "py-openai-responses-stream/0005_POST_v1_responses_200.json",
                (14, 0, 0, 0, 7, 0),
                "ok",
            ),
            (
                "py-openai-responses-nonstream/0006_POST_v1_responses_200.json",
                (14, 0, 0, 0, 7, 0),
                "ok",
            ),
            (
                "py-openai-chat-stream/0007_POST_v1_chat_completions_200.json",
                (10, 0, 0, 0, 7, 0),
                "ok",
            ),
        ];
        let mut spent = 0;
        for (number, (file, counts, status)) in cases.iter().enumerate() {
            let recorded_exchange = capture(file);
            let request = &recorded_exchange["request"];
            let path = request["path"].as_str().unwrap();
            let anthropic = path.starts_with("/v1/messages");
            let query = if request["query"]["beta"].is_array() {
                "?beta=true"
            } else {
                ""
            };
            let mut call = world
                .post(&format!("{path}{query}"), &request["body"])
                .header("x-fake", format!("replay:{file}"));
            call = if anthropic {
                call.header("x-api-key", &world.token)
            } else {
                call.bearer_auth(&world.token)
            };
            let answer = call.send().await.unwrap();
            assert_eq!(answer.status(), StatusCode::OK, "{file}");
            let body = answer.text().await.unwrap();
            let recorded = recorded_exchange["response"]["sse_events"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if recorded.is_empty() {
                let sent: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(sent, recorded_exchange["response"]["body"], "{file}");
            } else {
                let names: Vec<String> = recorded
                    .iter()
                    .filter_map(|e| e["event"].as_str().map(str::to_owned))
                    .collect();
                assert_eq!(event_names(&body), names, "{file}");
                let data_lines = body.lines().filter(|l| l.starts_with("data: ")).count();
                assert_eq!(data_lines, recorded.len(), "{file}");
            }
            let records = wait_for_records(&world, number + 1).await;
            let record = &records[number];
            let (input, write_5m, write_1h, read, output, _reasoning) = *counts;
            assert_eq!(
                (
                    record.input_tokens,
                    record.cache_write_5m_tokens,
                    record.cache_write_1h_tokens,
                    record.cache_read_tokens,
                    record.output_tokens,
                    record.reasoning_tokens
                ),
                *counts,
                "{file}"
            );
            assert_eq!(record.status, *status, "{file}");
            let prices = if anthropic { CLAUDE_PRICES } else { GPT_PRICES };
            // Each count at its price, summed exactly in millionths, rounded once (halves up).
            let exact = i128::from(input) * i128::from(prices.input)
                + i128::from(write_5m) * i128::from(prices.cache_write_5m)
                + i128::from(write_1h) * i128::from(prices.cache_write_1h)
                + i128::from(read) * i128::from(prices.cache_read)
                + i128::from(output) * i128::from(prices.output);
            let expected = i64::try_from((exact + 500_000) / 1_000_000).unwrap();
            assert_eq!(record.charge, expected, "{file}");
            spent += expected;
        }

        // A Responses stream that fails in-band with no usage is not billed.
        let failing = capture("codex-failed-quota/0001_POST_v1_responses_200.json");
        let failed = world
            .post("/v1/responses", &failing["request"]["body"])
            .header(
                "x-fake",
                "replay:codex-failed-quota/0001_POST_v1_responses_200.json",
            )
            .bearer_auth(&world.token)
            .send()
            .await
            .unwrap();
        assert!(failed.text().await.unwrap().contains("response.failed"));
        let records = wait_for_records(&world, cases.len() + 1).await;
        let last = records.last().unwrap();
        assert_eq!((last.status.as_str(), last.charge), ("failed", 0));

        // The provider refusing our own account (402, 429 quota) never reaches the customer as
        // their own billing problem: they get a retryable "unavailable".
        for file in [
            "claude-err-402/0022_POST_v1_messages_402.json",
            "codex-err-429-quota/0004_POST_v1_responses_429.json",
        ] {
            let recorded_exchange = capture(file);
            let path = recorded_exchange["request"]["path"].as_str().unwrap();
            let refused = world
                .post(path, &recorded_exchange["request"]["body"])
                .header("x-fake", format!("replay:{file}"))
                .header("x-api-key", &world.token)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE, "{file}");
        }
        assert_eq!(world.available().await, 50 * DOLLAR - spent);
        world.assert_ledger_sound().await;
    }
);

proxy_test!(token_rules_hold_at_the_proxy, |app: TestApp| async move {
    let fake = FakeUpstream::start().await;
    // Only from 10.0.0.0/8: this test's requests come from 203.0.113.7.
    let fenced = world(app, &fake, 10 * DOLLAR, |o| {
        o.allowed_ips = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let refused = fenced
        .post("/v1/messages", &claude_request(false))
        .header("x-api-key", &fenced.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused.headers()["x-should-retry"], "false");
    let from_inside = fenced
        .app
        .client
        .post(fenced.app.url("/v1/messages"))
        .header("x-forwarded-for", "10.1.2.3")
        .header("x-api-key", &fenced.token)
        .json(&claude_request(false))
        .send()
        .await
        .unwrap();
    assert_eq!(from_inside.status(), StatusCode::OK);

    // Rotation with a day of grace: old and new both work; with none, the old one stops.
    let db = fenced.app.db.conn.clone();
    let customer = fenced.customer.clone();
    let now = Utc::now();
    let open = api_tokens::create(
        &db,
        &customer,
        TokenOptions {
            name: "open".to_owned(),
            expires_at: Some(now + Duration::days(30)),
            daily_limit: None,
            monthly_limit: None,
            total_limit: None,
            allowed_models: Vec::new(),
            allowed_ips: Vec::new(),
            billing_source: BillingSource::TokenWallet,
        },
        now,
    )
    .await
    .unwrap();
    let old = open.secret.expose().to_owned();
    let call = |token: String| {
        let request = fenced
            .post("/v1/messages", &claude_request(false))
            .header("x-api-key", token);
        async move { request.send().await.unwrap().status() }
    };
    let graced = api_tokens::rotate(&db, customer.user_id, open.row.id, 1, now)
        .await
        .unwrap();
    let new = graced.secret.expose().to_owned();
    assert_eq!(
        call(old.clone()).await,
        StatusCode::OK,
        "old token in its grace"
    );
    assert_eq!(call(new.clone()).await, StatusCode::OK);
    let replaced = api_tokens::rotate(&db, customer.user_id, graced.row.id, 0, now)
        .await
        .unwrap();
    assert_eq!(
        call(new).await,
        StatusCode::UNAUTHORIZED,
        "no grace: stopped"
    );
    let current = replaced.secret.expose().to_owned();
    assert_eq!(call(current.clone()).await, StatusCode::OK);

    // Suspending the owner stops the token (which the proxy has seen) from the next request.
    let staff =
        common::accounts::viewer_for(&fenced.app, "staff@example.com", Role::Admin, true).await;
    let client = app::server::services::accounts::Client {
        ip: None,
        user_agent: None,
        device: None,
    };
    admin_users::set_suspended(&db, &staff, customer.user_id, true, &client, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        call(current.clone()).await,
        StatusCode::FORBIDDEN,
        "suspended"
    );
    admin_users::set_suspended(&db, &staff, customer.user_id, false, &client, Utc::now())
        .await
        .unwrap();
    assert_eq!(call(current).await, StatusCode::OK, "reinstated");
    fenced.assert_ledger_sound().await;
});

proxy_test!(
    admins_set_up_providers_and_prices_that_the_proxy_then_uses,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let root = common::accounts::admin(&app, "chief@example.com", "198.51.100.60").await;
        let provider = [
            ("name", "Anthropic direct"),
            ("protocol", "anthropic"),
            ("base_url", fake.base_url.as_str()),
            ("api_key", "sk-ant-admin-entered-key-1234"),
            ("priority", "0"),
            ("weight", "1"),
            ("models", "claude-live\nclaude-alias=claude-live"),
        ];
        let added = root.call("admin_add_provider", &provider).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let price = [
            ("model", "claude-live"),
            ("input", "3"),
            ("output", "15"),
            ("cache_write_5m", "3.75"),
            ("cache_write_1h", "6"),
            ("cache_read", "0.30"),
        ];
        let priced = root.call("admin_set_price", &price).await;
        assert_eq!(priced.status, StatusCode::OK, "{}", priced.body);
        let listed: Value =
            serde_json::from_str(&root.call("admin_list_providers", &[]).await.body).unwrap();
        assert_eq!(listed[0]["name"], "Anthropic direct");
        assert_eq!(listed[0]["key_hint"], "…1234");
        assert!(
            !listed.to_string().contains("sk-ant-admin-entered"),
            "the key is never shown"
        );
        let page = root.get("/admin/providers").await;
        assert!(page.body.contains("Anthropic direct") && page.body.contains("claude-live"));
        assert!(!page.body.contains("sk-ant-admin-entered"));
        let stored = common::accounts::database_text(&app).await;
        assert!(
            !stored.contains("sk-ant-admin-entered-key"),
            "sealed at rest"
        );

        // A customer cannot change them.
        let customer =
            common::accounts::viewer_for(&app, "dev@example.com", Role::Customer, true).await;
        let browser = common::accounts::Browser::new(&app, "198.51.100.61");
        assert_eq!(
            browser
                .log_in("dev@example.com", common::accounts::PASSWORD)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            browser.call("admin_set_price", &price).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            browser.call("admin_list_providers", &[]).await.status,
            StatusCode::FORBIDDEN
        );

        // The proxy uses what was set: the provider, its key, the price.
        let root_viewer =
            common::accounts::viewer_for(&app, "cfo@example.com", Role::Admin, true).await;
        let now = Utc::now();
        wallets::admin_adjust(
            &app.db.conn,
            &root_viewer,
            customer.user_id,
            WalletKind::Token,
            DOLLAR,
            "credit",
            "c1",
            now,
        )
        .await
        .unwrap();
        let token = api_tokens::create(&app.db.conn, &customer, TokenOptions::open("t"), now)
            .await
            .unwrap();
        let mut request = claude_request(false);
        request["model"] = json!("claude-live");
        let answered = app
            .client
            .post(app.url("/v1/messages"))
            .header("x-api-key", token.secret.expose())
            .json(&request)
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), StatusCode::OK);
        assert_eq!(
            fake.seen()[0].headers["x-api-key"],
            "sk-ant-admin-entered-key-1234"
        );
        let mut record = None;
        for _ in 0..200 {
            record = usage_records::Entity::find()
                .one(&app.db.conn)
                .await
                .unwrap();
            if record.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(record.unwrap().charge, CLAUDE_BILL);

        // Disabled, the provider is no longer used.
        let id = listed[0]["id"].to_string();
        let off = root
            .call(
                "admin_set_provider_enabled",
                &[("provider_id", id.as_str()), ("enabled", "false")],
            )
            .await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        let unavailable = app
            .client
            .post(app.url("/v1/messages"))
            .header("x-api-key", token.secret.expose())
            .json(&request)
            .send()
            .await
            .unwrap();
        assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
);

proxy_test!(
    customers_see_filter_and_export_only_their_own_usage,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 10 * DOLLAR, |_| {}).await;
        for model in [CLAUDE, "claude-unknown"] {
            let mut request = claude_request(false);
            request["model"] = json!(model);
            world
                .post("/v1/messages", &request)
                .header("x-api-key", &world.token)
                .send()
                .await
                .unwrap();
        }
        let records = wait_for_records(&world, 2).await;
        let browser = common::accounts::Browser::new(&world.app, "198.51.100.70");
        let signed_in = browser
            .log_in("coder@example.com", common::accounts::PASSWORD)
            .await;
        assert_eq!(signed_in.status, StatusCode::OK);

        let page = browser.get("/account/usage").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&records[0].request_id));
        assert!(page.body.contains("Spend per day"));
        let all: Value = serde_json::from_str(&browser.call("get_usage", &[]).await.body).unwrap();
        assert_eq!(all["rows"].as_array().unwrap().len(), 2);
        assert_eq!(all["days"].as_array().unwrap().len(), 30);
        let charged: i64 = all["days"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["charge"].as_i64().unwrap())
            .sum();
        assert_eq!(charged, CLAUDE_BILL);
        assert_eq!(all["models"][0]["model"], CLAUDE);
        let refused: Value = serde_json::from_str(
            &browser
                .call("get_usage", &[("status", "rejected")])
                .await
                .body,
        )
        .unwrap();
        assert_eq!(refused["rows"].as_array().unwrap().len(), 1);
        assert_eq!(refused["rows"][0]["model"], "claude-unknown");
        let bad = browser.call("get_usage", &[("status", "paid")]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        let csv = browser.get("/account/usage/requests.csv?status=ok").await;
        assert_eq!(csv.status, StatusCode::OK);
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines.len(), 2, "{}", csv.body);
        assert!(lines[0].starts_with("started_utc,request_id,endpoint,model"));
        assert!(lines[1].contains(&format!(",{CLAUDE},")));
        assert!(lines[1].contains(&format!(",{CLAUDE_BILL},")));
        assert!(!csv.body.contains(&world.token));

        // Someone else sees none of it.
        common::accounts::create_user(&world.app, "other@example.com", Role::Customer).await;
        let other = common::accounts::Browser::new(&world.app, "198.51.100.71");
        other
            .log_in("other@example.com", common::accounts::PASSWORD)
            .await;
        let theirs: Value = serde_json::from_str(&other.call("get_usage", &[]).await.body).unwrap();
        assert_eq!(theirs["rows"].as_array().unwrap().len(), 0);
        let token_id = records[0].api_token_id.unwrap().to_string();
        let probing: Value = serde_json::from_str(
            &other
                .call("get_usage", &[("token", token_id.as_str())])
                .await
                .body,
        )
        .unwrap();
        assert_eq!(probing["rows"].as_array().unwrap().len(), 0);
        let export = other.get("/account/usage/requests.csv").await;
        assert_eq!(export.body.lines().count(), 1);
    }
);

proxy_test!(
    tokens_are_held_to_their_request_rate_and_concurrency,
    |s: &mut app::server::config::Settings| {
        s.proxy.requests_per_minute = 4;
        s.proxy.max_concurrent_per_token = 2;
    },
    |app: TestApp| async move {
        // The budget is per clock minute: start early in one, so all five starts share it.
        let into_minute = Utc::now().timestamp() % 60;
        if into_minute > 40 {
            let wait = u64::try_from(61 - into_minute).unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        }
        let fake = FakeUpstream::start_with("slow:300").await;
        let world = world(app, &fake, 10 * DOLLAR, |_| {}).await;
        let send = || {
            world
                .post("/v1/messages", &claude_request(true))
                .header("x-api-key", &world.token)
                .send()
        };
        // Two streams run; a third at the same time is turned away, without a charge.
        let (first, second) = (send().await.unwrap(), send().await.unwrap());
        let third = send().await.unwrap();
        assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(third.headers()["retry-after"], "1");
        let body: Value = third.json().await.unwrap();
        assert_eq!(body["error"]["type"], "rate_limit_error");
        assert_eq!(first.status(), StatusCode::OK);
        first.text().await.unwrap();
        second.text().await.unwrap();
        wait_for_records(&world, 2).await;
        // The fourth start in this minute is allowed, the fifth is not.
        let fourth = send().await.unwrap();
        assert_eq!(fourth.status(), StatusCode::OK);
        fourth.text().await.unwrap();
        let fifth = send().await.unwrap();
        assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = fifth.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait));
        // Refusals for rate are not billed or recorded: three requests ran.
        wait_for_records(&world, 3).await;
        assert_eq!(world.available().await, 10 * DOLLAR - 3 * CLAUDE_BILL);
    }
);

proxy_test!(
    bodies_are_capped_after_decompression,
    |s: &mut app::server::config::Settings| {
        s.server.max_body_bytes = 8 * 1024;
    },
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 10 * DOLLAR, |_| {}).await;
        let mut request = claude_request(false);
        request["messages"][0]["content"] = json!("a".repeat(64 * 1024));
        let plain = serde_json::to_vec(&request).unwrap();
        // A real gzip: 64 KiB of one letter shrinks far below the cap.
        let compressed = gzip(&plain);
        assert!(compressed.len() < 8 * 1024);
        let post_gzipped = |compressed: Vec<u8>| {
            world
                .app
                .client
                .post(world.app.url("/v1/messages"))
                .header("x-api-key", &world.token)
                .header("content-type", "application/json")
                .header("content-encoding", "gzip")
                .body(compressed)
                .send()
        };
        let response = post_gzipped(compressed).await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["type"], "request_too_large");
        assert!(fake.seen().is_empty());

        // A small compressed request is inflated and forwarded as plain JSON.
        let small = serde_json::to_vec(&claude_request(false)).unwrap();
        let response = post_gzipped(gzip(&small)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let seen = fake.seen();
        assert_eq!(seen[0].body["model"], "claude-test-upstream");
        assert!(seen[0].headers.get("content-encoding").is_none());
    }
);

proxy_test!(
    staff_see_everyones_usage_and_provider_error_rates,
    |app: TestApp| async move {
        let good = FakeUpstream::start().await;
        let broken = FakeUpstream::start_with("status:500").await;
        let world = world(app, &good, 10 * DOLLAR, |_| {}).await;
        add_provider(
            &world.app,
            "anthropic-flaky",
            &broken.base_url,
            Protocol::Anthropic,
            -1,
        )
        .await;
        for _ in 0..2 {
            let answered = world
                .post("/v1/messages", &claude_request(false))
                .header("x-api-key", &world.token)
                .send()
                .await
                .unwrap();
            assert_eq!(answered.status(), StatusCode::OK);
        }
        wait_for_records(&world, 2).await;
        let support =
            common::accounts::admin(&world.app, "helper@example.com", "198.51.100.80").await;
        let view: Value =
            serde_json::from_str(&support.call("admin_get_usage", &[]).await.body).unwrap();
        assert_eq!(view["page"]["rows"].as_array().unwrap().len(), 2);
        assert_eq!(view["page"]["rows"][0]["user_id"], world.customer.user_id);
        // Both requests failed on the flaky provider first, then the main one answered: the
        // error rates count every attempt.
        let providers = view["providers"].as_array().unwrap();
        let rates: Vec<(&str, i64, i64, i64)> = providers
            .iter()
            .map(|p| {
                (
                    p["provider"].as_str().unwrap(),
                    p["requests"].as_i64().unwrap(),
                    p["errors"].as_i64().unwrap(),
                    p["errors_per_mille"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rates,
            [("anthropic-flaky", 2, 2, 1000), ("anthropic-main", 2, 0, 0)]
        );
        let records = world.records().await;
        assert!(records
            .iter()
            .all(|r| r.failed_over_from.as_deref() == Some(r#"["anthropic-flaky"]"#)));
        let health: Value =
            serde_json::from_str(&support.call("admin_list_providers", &[]).await.body).unwrap();
        let flaky = health
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "anthropic-flaky")
            .unwrap();
        assert_eq!(flaky["consecutive_failures"], 2);
        let filtered: Value = serde_json::from_str(
            &support
                .call("admin_get_usage", &[("user", "999999")])
                .await
                .body,
        )
        .unwrap();
        assert_eq!(filtered["page"]["rows"].as_array().unwrap().len(), 0);
        let page = support.get("/admin/usage").await;
        assert!(page.body.contains("anthropic-main"));
        assert!(page.body.contains("anthropic-flaky"));
        assert!(page.body.contains("100.0%"));
        let customer = common::accounts::Browser::new(&world.app, "198.51.100.81");
        customer
            .log_in("coder@example.com", common::accounts::PASSWORD)
            .await;
        assert_eq!(
            customer.call("admin_get_usage", &[]).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

// Prices live in each process's memory; a change made anywhere is in force on every replica
// from the next request that starts after it, and a price scheduled for later is not used
// before its time.
proxy_test!(
    a_new_price_is_in_force_on_every_replica_from_the_next_request,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let world = world(app, &fake, 10 * DOLLAR, |_| {}).await;
        let replica = world.app.spawn_process_beside().await;
        let send_to = |base: String| {
            let request = world
                .app
                .client
                .post(format!("{base}/v1/messages"))
                .header("x-api-key", &world.token)
                .json(&claude_request(false));
            async move {
                let answer = request.send().await.unwrap();
                assert_eq!(answer.status(), StatusCode::OK);
            }
        };
        // Both processes load their catalogue at the first price.
        send_to(world.app.url("")).await;
        send_to(replica.address.clone()).await;
        wait_for_records(&world, 2).await;

        let doubled = PriceSheet {
            input: 2 * CLAUDE_PRICES.input,
            output: 2 * CLAUDE_PRICES.output,
            cache_write_5m: 2 * CLAUDE_PRICES.cache_write_5m,
            cache_write_1h: 2 * CLAUDE_PRICES.cache_write_1h,
            cache_read: 2 * CLAUDE_PRICES.cache_read,
        };
        let tripled_later = PriceSheet {
            input: 3 * CLAUDE_PRICES.input,
            ..doubled
        };
        for (per_mtok, effective_from) in [
            (doubled, Utc::now()),
            (tripled_later, Utc::now() + Duration::hours(1)),
        ] {
            pricing::set_price(
                &world.app.db.conn,
                NewModelPrice {
                    model: CLAUDE.to_owned(),
                    per_mtok,
                    effective_from,
                },
            )
            .await
            .unwrap();
        }
        send_to(replica.address.clone()).await;
        send_to(world.app.url("")).await;
        let records = wait_for_records(&world, 4).await;
        let mut charges: Vec<i64> = records.iter().map(|r| r.charge).collect();
        charges.sort_unstable();
        assert_eq!(
            charges,
            [CLAUDE_BILL, CLAUDE_BILL, 2 * CLAUDE_BILL, 2 * CLAUDE_BILL]
        );
        world.assert_ledger_sound().await;
    }
);

// Shutting down waits (within the grace period) for streams still being read and for
// settlements after an answer: a request that was answered is billed before the process ends.
proxy_test!(
    shutdown_waits_for_requests_still_settling,
    |app: TestApp| async move {
        let fake = FakeUpstream::start().await;
        let mut world = world(app, &fake, 10 * DOLLAR, |_| {}).await;
        // The client leaves after the first chunk; the rest arrives over about a second.
        abandon_slow_stream(&world, 120).await;
        world.app.shutdown().await.unwrap();
        // The request ran on a credit line, released at shutdown rather than left held.
        let holds = entity::ledger_holds::Entity::find()
            .all(&world.app.db.conn)
            .await
            .unwrap();
        assert_eq!(holds.len(), 1);
        assert!(holds[0]
            .reference
            .as_deref()
            .unwrap()
            .starts_with("credit line"));
        assert_eq!(holds[0].status, "voided");
        let records = world.records().await;
        assert_eq!(records.len(), 1, "billed before the process stopped");
        assert_eq!(records[0].status, "client_cancelled");
        assert_eq!(records[0].charge, CLAUDE_BILL);
        assert_eq!(world.available().await, 10 * DOLLAR - CLAUDE_BILL);
        world.assert_ledger_sound().await;
    }
);

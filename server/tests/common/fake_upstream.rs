//! A fake model provider on loopback that speaks the Anthropic and OpenAI wire protocols, as
//! the captures in `fixtures/captures` show them. A request header `x-fake` (which the proxy
//! passes through, like any client header) picks a misbehaviour:
//!
//! - `status:<code>`: answer that status with a protocol error body (`retry-after: 0`);
//! - `error-first`: a stream whose first event is an error;
//! - `empty`: a stream with no events;
//! - `cut:<n>`: a stream cut after `n` events (no terminal event);
//! - `stall`: a stream that sends its first event, then nothing;
//! - `incomplete`: a Responses stream ending in `response.incomplete`;
//! - `slow:<ms>`: pause between events (lets a test disconnect mid-stream);
//! - `echo:<text>`: put `text` in the answer (canary tests);
//! - `replay:<dir/file>`: answer exactly what a capture in `fixtures/captures` recorded.
//!
//! Usage reported is fixed per protocol (see the constants) so tests know the exact bill.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Anthropic usage: input 1547, cache write 17768 (17000 5-minute, 768 1-hour), cache read 100,
/// output 73.
pub const ANTHROPIC_USAGE: (i64, i64, i64, i64, i64) = (1547, 17000, 768, 100, 73);
/// OpenAI usage: input 15096 of which 15000 cached, output 15 of which 8 reasoning.
pub const OPENAI_USAGE: (i64, i64, i64, i64) = (15096, 15000, 15, 8);

/// What the fake saw of one request (headers only; tests assert what was forwarded).
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Clone)]
pub struct FakeUpstream {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeUpstream {
    pub async fn start() -> Self {
        Self::start_with("").await
    }

    /// A fake that behaves as `scenario` says unless a request's `x-fake` header says otherwise.
    pub async fn start_with(scenario: &str) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            seen: seen.clone(),
            default: scenario.to_owned(),
        };
        let app = Router::new()
            .route("/v1/messages", post(messages))
            .route("/v1/messages/count_tokens", post(count_tokens))
            .route("/v1/responses", post(responses))
            .route("/v1/chat/completions", post(chat))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            seen,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    default: String,
}

fn scenario(shared: &Shared, headers: &HeaderMap) -> String {
    headers
        .get("x-fake")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| shared.default.clone())
}

fn remember(shared: &Shared, path: &str, headers: &HeaderMap, body: &Bytes) -> Value {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    shared.seen.lock().unwrap().push(Seen {
        path: path.to_owned(),
        headers: headers.clone(),
        body: value.clone(),
    });
    value
}

fn echo(scenario: &str) -> String {
    scenario
        .strip_prefix("echo:")
        .map(|text| format!("Hi from the fake upstream! {text}"))
        .unwrap_or_else(|| "Hi from the fake upstream!".to_owned())
}

/// A capture from `tests/fixtures/captures` (`dir/file.json`).
pub fn capture(file: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/captures/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The recorded answer of a capture, for `replay:` scenarios.
fn replay(scenario: &str) -> Option<Response> {
    let recorded = capture(scenario.strip_prefix("replay:")?);
    let answer = &recorded["response"];
    let status = StatusCode::from_u16(answer["status"].as_u64().unwrap() as u16).unwrap();
    let events = answer["sse_events"].as_array().cloned().unwrap_or_default();
    if events.is_empty() {
        return Some((status, axum::Json(answer["body"].clone())).into_response());
    }
    let text: String = events
        .iter()
        .map(|event| {
            let data = match &event["data"] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            match event["event"].as_str() {
                Some(name) => format!("event: {name}\ndata: {data}\n\n"),
                None => format!("data: {data}\n\n"),
            }
        })
        .collect();
    Some(
        Response::builder()
            .status(status)
            .header("content-type", "text/event-stream; charset=utf-8")
            .body(Body::from(text))
            .unwrap(),
    )
}

fn failure(scenario: &str, anthropic: bool) -> Option<Response> {
    let code: u16 = scenario.strip_prefix("status:")?.parse().ok()?;
    let status = StatusCode::from_u16(code).ok()?;
    let body = if anthropic {
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "fake failure"}})
    } else {
        json!({"error": {"message": "fake failure", "type": "server_error", "code": null}})
    };
    Some((status, [("retry-after", "0")], axum::Json(body)).into_response())
}

/// An SSE answer of `events` (name, data), shaped by the scenario.
fn sse(events: Vec<(Option<&'static str>, Value)>, scenario: &str) -> Response {
    let mut events = events;
    if scenario == "error-first" {
        events.insert(
            0,
            (
                Some("error"),
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}),
            ),
        );
        events.truncate(1);
    }
    if scenario == "empty" {
        events.clear();
    }
    if let Some(n) = scenario.strip_prefix("cut:").and_then(|n| n.parse().ok()) {
        events.truncate(n);
    }
    let stall = scenario == "stall";
    let pause = scenario
        .strip_prefix("slow:")
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis);
    let stream = async_stream(events, stall, pause);
    Response::builder()
        .header("content-type", "text/event-stream; charset=utf-8")
        .body(Body::from_stream(stream))
        .unwrap()
}

fn async_stream(
    events: Vec<(Option<&'static str>, Value)>,
    stall: bool,
    pause: Option<Duration>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold(
        (events.into_iter(), 0_usize),
        move |(mut rest, sent)| async move {
            if stall && sent == 1 {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            if let (Some(pause), true) = (pause, sent > 0) {
                tokio::time::sleep(pause).await;
            }
            let (name, data) = rest.next()?;
            let text = match name {
                Some(name) => format!("event: {name}\ndata: {data}\n\n"),
                None if data == Value::String("[DONE]".to_owned()) => "data: [DONE]\n\n".to_owned(),
                None => format!("data: {data}\n\n"),
            };
            Some((Ok(Bytes::from(text)), (rest, sent + 1)))
        },
    )
}

fn anthropic_usage(output: i64) -> Value {
    let (input, write_5m, write_1h, read, _) = ANTHROPIC_USAGE;
    json!({
        "input_tokens": input,
        "cache_creation_input_tokens": write_5m + write_1h,
        "cache_read_input_tokens": read,
        "output_tokens": output,
        "cache_creation": {"ephemeral_5m_input_tokens": write_5m, "ephemeral_1h_input_tokens": write_1h},
    })
}

async fn messages(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let request = remember(&shared, "/v1/messages", &headers, &body);
    let scenario = scenario(&shared, &headers);
    if let Some(answer) = replay(&scenario).or_else(|| failure(&scenario, true)) {
        return answer;
    }
    let model = request["model"].clone();
    let text = echo(&scenario);
    let output = ANTHROPIC_USAGE.4;
    if request["stream"] != json!(true) {
        return axum::Json(json!({
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": anthropic_usage(output),
        }))
        .into_response();
    }
    let mut start_usage = anthropic_usage(1);
    start_usage["service_tier"] = json!("standard");
    sse(
        vec![
            (
                Some("message_start"),
                json!({"type": "message_start", "message": {"id": "msg_fake", "type": "message",
                    "role": "assistant", "model": model, "content": [], "stop_reason": null,
                    "stop_sequence": null, "usage": start_usage}}),
            ),
            (
                Some("content_block_start"),
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ),
            (Some("ping"), json!({"type": "ping"})),
            (
                Some("content_block_delta"),
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
            ),
            (
                Some("content_block_stop"),
                json!({"type": "content_block_stop", "index": 0}),
            ),
            (
                Some("message_delta"),
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                    "usage": {"output_tokens": output}}),
            ),
            (Some("message_stop"), json!({"type": "message_stop"})),
        ],
        &scenario,
    )
}

async fn count_tokens(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    remember(&shared, "/v1/messages/count_tokens", &headers, &body);
    if let Some(answer) = replay(&scenario(&shared, &headers)) {
        return answer;
    }
    axum::Json(json!({"input_tokens": 1234})).into_response()
}

fn openai_usage() -> Value {
    let (input, cached, output, reasoning) = OPENAI_USAGE;
    json!({
        "input_tokens": input, "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": output, "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input + output,
    })
}

fn response_object(model: &Value, status: &str, text: &str, usage: Value) -> Value {
    json!({
        "id": "resp_fake", "object": "response", "created_at": 1_795_791_535, "model": model,
        "status": status,
        "output": [{"id": "msg_fake", "type": "message", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}],
        "usage": usage,
    })
}

async fn responses(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let request = remember(&shared, "/v1/responses", &headers, &body);
    let scenario = scenario(&shared, &headers);
    if let Some(answer) = replay(&scenario).or_else(|| failure(&scenario, false)) {
        return answer;
    }
    let model = request["model"].clone();
    let text = echo(&scenario);
    if request["stream"] != json!(true) {
        return axum::Json(response_object(&model, "completed", &text, openai_usage()))
            .into_response();
    }
    let (terminal, status) = if scenario == "incomplete" {
        ("response.incomplete", "incomplete")
    } else {
        ("response.completed", "completed")
    };
    let mut created = response_object(&model, "in_progress", "", Value::Null);
    created["output"] = json!([]);
    sse(
        vec![
            (
                Some("response.created"),
                json!({"type": "response.created", "response": created, "sequence_number": 0}),
            ),
            (
                Some("response.in_progress"),
                json!({"type": "response.in_progress", "response": created, "sequence_number": 1}),
            ),
            (
                Some("response.output_text.delta"),
                json!({"type": "response.output_text.delta", "item_id": "msg_fake", "output_index": 0,
                    "content_index": 0, "delta": text, "sequence_number": 2}),
            ),
            (
                Some(terminal),
                json!({"type": terminal, "response": response_object(&model, status, &text, openai_usage()),
                    "sequence_number": 3}),
            ),
        ],
        &scenario,
    )
}

async fn chat(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let request = remember(&shared, "/v1/chat/completions", &headers, &body);
    let scenario = scenario(&shared, &headers);
    if let Some(answer) = replay(&scenario).or_else(|| failure(&scenario, false)) {
        return answer;
    }
    let model = request["model"].clone();
    let text = echo(&scenario);
    let (input, cached, output, reasoning) = OPENAI_USAGE;
    let usage = json!({
        "prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output,
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    });
    if request["stream"] != json!(true) {
        return axum::Json(json!({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_795_791_787, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": usage,
        }))
        .into_response();
    }
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_795_791_787,
            "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": null})
    };
    let mut events = vec![
        (
            None,
            chunk(json!({"role": "assistant", "content": ""}), Value::Null),
        ),
        (None, chunk(json!({"content": text}), Value::Null)),
        (None, chunk(json!({}), json!("stop"))),
    ];
    if request["stream_options"]["include_usage"] == json!(true) {
        events.push((
            None,
            json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_795_791_787,
                "model": model, "choices": [], "usage": usage}),
        ));
    }
    events.push((None, Value::String("[DONE]".to_owned())));
    sse(events, &scenario)
}

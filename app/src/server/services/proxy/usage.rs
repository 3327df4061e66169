//! Reading token usage out of upstream answers, and pricing it.
//!
//! Each protocol counts differently, and these rules are pinned by golden tests:
//! - Anthropic: `input_tokens` excludes cache reads and writes; `cache_creation_input_tokens` is
//!   every cache write, split into 5-minute and 1-hour writes by `cache_creation` (all 5-minute
//!   when the split is missing). In a stream, `message_start` carries the input side and
//!   `message_delta` the cumulative `output_tokens` (and, from newer servers, the input side
//!   again): the latest value of each field wins, never a sum.
//! - OpenAI Responses: `input_tokens` includes `input_tokens_details.cached_tokens` (and cache
//!   writes, when reported); `output_tokens` includes `output_tokens_details.reasoning_tokens`.
//! - OpenAI Chat Completions: `prompt_tokens` includes `prompt_tokens_details.cached_tokens`;
//!   `completion_tokens` includes reasoning.
//!
//! Reasoning tokens are billed as output (they are part of the output count) and recorded
//! separately for information only. Nothing here reads or keeps message text.

use crate::pricing::PriceSheet;
use serde_json::Value;

/// Token counts of one request, normalised so that each count is billed at exactly one price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Input tokens neither read from nor written to the prompt cache.
    pub input: i64,
    /// Output tokens, reasoning included.
    pub output: i64,
    pub cache_read: i64,
    pub cache_write_5m: i64,
    pub cache_write_1h: i64,
    /// The reasoning part of `output` (informational; already in `output`).
    pub reasoning: i64,
}

/// No single request has ever used anywhere near this many tokens of one kind; a count above it
/// is an upstream bug, clamped and flagged rather than billed.
pub const ABSURD_TOKENS: i64 = 50_000_000;

impl Usage {
    /// The same usage with every count inside `0..=ABSURD_TOKENS`, and whether any was not.
    pub fn clamped(self) -> (Usage, bool) {
        let mut flagged = false;
        let mut clamp = |n: i64| {
            let kept = n.clamp(0, ABSURD_TOKENS);
            flagged |= kept != n;
            kept
        };
        let usage = Usage {
            input: clamp(self.input),
            output: clamp(self.output),
            cache_read: clamp(self.cache_read),
            cache_write_5m: clamp(self.cache_write_5m),
            cache_write_1h: clamp(self.cache_write_1h),
            reasoning: clamp(self.reasoning),
        };
        (usage, flagged)
    }
}

/// What a request costs, in micro-units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    /// 5-minute and 1-hour writes together.
    pub cache_write: i64,
    /// What is charged: the exact sum of the components, rounded once.
    pub total: i64,
}

/// Millionths of a micro-unit: prices are per million tokens.
const PER_MTOK: i128 = 1_000_000;

/// `tokens × price-per-million` rounded to the nearest micro-unit, halves up.
fn rounded(exact: i128) -> i64 {
    i64::try_from((exact + PER_MTOK / 2) / PER_MTOK).unwrap_or(i64::MAX)
}

/// Prices `usage`. Each component is computed exactly (in millionths of a micro-unit) and the
/// total is rounded once, to the nearest micro-unit, halves up; the components shown beside it
/// are each rounded the same way, so they may differ from the total by a micro-unit.
pub fn cost(usage: &Usage, prices: &PriceSheet) -> Cost {
    let exact = |tokens: i64, price: i64| i128::from(tokens) * i128::from(price);
    let input = exact(usage.input, prices.input);
    let output = exact(usage.output, prices.output);
    let cache_read = exact(usage.cache_read, prices.cache_read);
    let cache_write = exact(usage.cache_write_5m, prices.cache_write_5m)
        + exact(usage.cache_write_1h, prices.cache_write_1h);
    Cost {
        input: rounded(input),
        output: rounded(output),
        cache_read: rounded(cache_read),
        cache_write: rounded(cache_write),
        total: rounded(input + output + cache_read + cache_write),
    }
}

fn count(value: &Value, pointer: &str) -> Option<i64> {
    value.pointer(pointer).and_then(Value::as_i64)
}

/// How an answer ended, as far as billing is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Not seen yet (a stream still running, or cut before its terminal event).
    Open,
    Completed,
    /// `response.incomplete` (e.g. the output cap was hit): still billed.
    Incomplete,
    /// `response.failed` or an in-stream `error` event: billed for what usage says.
    Failed,
}

/// Which answer format is being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    AnthropicMessages,
    OpenAiResponses,
    OpenAiChat,
}

/// Follows an answer (a JSON body, or a stream event by event) and keeps its usage.
#[derive(Clone, Debug)]
pub struct Meter {
    dialect: Dialect,
    usage: Usage,
    seen_usage: bool,
    ending: Ending,
    /// An error the upstream reported in-band (its type or code), never its message text.
    pub error_code: Option<String>,
}

impl Meter {
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            usage: Usage::default(),
            seen_usage: false,
            ending: Ending::Open,
            error_code: None,
        }
    }

    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Whether any usage was reported at all.
    pub fn has_usage(&self) -> bool {
        self.seen_usage
    }

    pub fn ending(&self) -> Ending {
        self.ending
    }

    /// Reads a complete (non-streaming) JSON answer.
    /// Reads a whole (non-streamed) answer as received. Only the top-level fields the meter
    /// uses are built; the content, usually most of the answer, is skipped over.
    pub fn read_answer(&mut self, body: &[u8]) {
        #[derive(serde::Deserialize)]
        struct Metered {
            usage: Option<Value>,
            #[serde(rename = "type")]
            kind: Option<Value>,
            status: Option<Value>,
            error: Option<Value>,
        }
        let Ok(fields) = serde_json::from_slice::<Metered>(body) else {
            return;
        };
        let object: serde_json::Map<String, Value> = [
            ("usage", fields.usage),
            ("type", fields.kind),
            ("status", fields.status),
            ("error", fields.error),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key.to_owned(), value?)))
        .collect();
        self.read_body(&Value::Object(object));
    }

    fn read_body(&mut self, body: &Value) {
        match self.dialect {
            Dialect::AnthropicMessages => {
                if let Some(usage) = body.get("usage") {
                    self.anthropic_usage(usage);
                }
                if body.get("type").and_then(Value::as_str) == Some("error") {
                    self.fail(body.pointer("/error/type"));
                } else {
                    self.ending = Ending::Completed;
                }
            }
            Dialect::OpenAiResponses => self.openai_response(body),
            Dialect::OpenAiChat => {
                if let Some(usage) = body.get("usage").filter(|u| u.is_object()) {
                    self.chat_usage(usage);
                }
                self.ending = Ending::Completed;
            }
        }
    }

    /// Reads one stream event (`event` is the SSE event name, when given; `data` its JSON).
    pub fn read_event(&mut self, event: Option<&str>, data: &Value) {
        let kind = data
            .get("type")
            .and_then(Value::as_str)
            .or(event)
            .unwrap_or("");
        match self.dialect {
            Dialect::AnthropicMessages => match kind {
                "message_start" => {
                    if let Some(usage) = data.pointer("/message/usage") {
                        self.anthropic_usage(usage);
                    }
                }
                "message_delta" => {
                    if let Some(usage) = data.get("usage") {
                        self.anthropic_usage(usage);
                    }
                }
                "message_stop" => self.ending = Ending::Completed,
                "error" => self.fail(data.pointer("/error/type")),
                _ => {}
            },
            Dialect::OpenAiResponses => match kind {
                "response.completed" | "response.incomplete" | "response.failed" => {
                    if let Some(response) = data.get("response") {
                        self.openai_response(response);
                    }
                }
                "error" => self.fail(data.get("code").or_else(|| data.pointer("/error/code"))),
                _ => {}
            },
            Dialect::OpenAiChat => {
                if let Some(usage) = data.get("usage").filter(|u| u.is_object()) {
                    self.chat_usage(usage);
                    // The usage chunk is the last one before `[DONE]`.
                    self.ending = Ending::Completed;
                }
                if data.get("error").is_some() {
                    self.fail(data.pointer("/error/code"));
                }
            }
        }
    }

    /// Reads one server-sent event. Named events that cannot carry usage or the ending (text
    /// deltas, pings: nearly all of a stream) are skipped without parsing their JSON.
    pub fn read_sse(&mut self, event: &super::sse::Event) {
        if event.data == "[DONE]" {
            self.read_done();
            return;
        }
        if let Some(name) = event.name.as_deref() {
            let relevant = match self.dialect {
                Dialect::AnthropicMessages => matches!(
                    name,
                    "message_start" | "message_delta" | "message_stop" | "error"
                ),
                Dialect::OpenAiResponses => matches!(
                    name,
                    "response.completed" | "response.incomplete" | "response.failed" | "error"
                ),
                // Chat chunks are unnamed; a named one is read in full.
                Dialect::OpenAiChat => true,
            };
            if !relevant {
                return;
            }
        }
        if let Ok(data) = serde_json::from_str::<Value>(&event.data) {
            self.read_event(event.name.as_deref(), &data);
        }
    }

    /// The chat stream's `data: [DONE]`.
    pub fn read_done(&mut self) {
        if self.ending == Ending::Open {
            self.ending = Ending::Completed;
        }
    }

    fn fail(&mut self, code: Option<&Value>) {
        self.ending = Ending::Failed;
        self.error_code = code
            .and_then(Value::as_str)
            .map(|c| c.chars().take(64).collect());
    }

    fn anthropic_usage(&mut self, usage: &Value) {
        self.seen_usage = true;
        let u = &mut self.usage;
        if let Some(n) = count(usage, "/input_tokens") {
            u.input = n;
        }
        if let Some(n) = count(usage, "/output_tokens") {
            u.output = n;
        }
        if let Some(n) = count(usage, "/cache_read_input_tokens") {
            u.cache_read = n;
        }
        if let Some(total) = count(usage, "/cache_creation_input_tokens") {
            let one_hour = count(usage, "/cache_creation/ephemeral_1h_input_tokens").unwrap_or(0);
            u.cache_write_1h = one_hour.min(total);
            u.cache_write_5m = total - u.cache_write_1h;
        }
    }

    fn openai_response(&mut self, response: &Value) {
        self.ending = match response.get("status").and_then(Value::as_str) {
            Some("incomplete") => Ending::Incomplete,
            Some("failed") => {
                self.error_code = response
                    .pointer("/error/code")
                    .and_then(Value::as_str)
                    .map(|c| c.chars().take(64).collect());
                Ending::Failed
            }
            _ => Ending::Completed,
        };
        let Some(usage) = response.get("usage").filter(|u| u.is_object()) else {
            return;
        };
        self.seen_usage = true;
        let total_in = count(usage, "/input_tokens").unwrap_or(0);
        let cached = count(usage, "/input_tokens_details/cached_tokens").unwrap_or(0);
        let written = count(usage, "/input_tokens_details/cache_write_tokens").unwrap_or(0);
        self.usage = Usage {
            input: (total_in - cached - written).max(0),
            output: count(usage, "/output_tokens").unwrap_or(0),
            cache_read: cached,
            cache_write_5m: written,
            cache_write_1h: 0,
            reasoning: count(usage, "/output_tokens_details/reasoning_tokens").unwrap_or(0),
        };
    }

    fn chat_usage(&mut self, usage: &Value) {
        self.seen_usage = true;
        let prompt = count(usage, "/prompt_tokens").unwrap_or(0);
        let cached = count(usage, "/prompt_tokens_details/cached_tokens").unwrap_or(0);
        self.usage = Usage {
            input: (prompt - cached).max(0),
            output: count(usage, "/completion_tokens").unwrap_or(0),
            cache_read: cached,
            cache_write_5m: 0,
            cache_write_1h: 0,
            reasoning: count(usage, "/completion_tokens_details/reasoning_tokens").unwrap_or(0),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PRICES: PriceSheet = PriceSheet {
        input: 3_000_000,
        output: 15_000_000,
        cache_write_5m: 3_750_000,
        cache_write_1h: 6_000_000,
        cache_read: 300_000,
    };

    #[test]
    fn anthropic_input_excludes_the_cache_and_the_latest_count_wins() {
        let mut meter = Meter::new(Dialect::AnthropicMessages);
        meter.read_event(
            Some("message_start"),
            &json!({"type": "message_start", "message": {"usage": {
                "input_tokens": 1547, "cache_creation_input_tokens": 17768,
                "cache_read_input_tokens": 100, "output_tokens": 1,
                "cache_creation": {"ephemeral_5m_input_tokens": 17000, "ephemeral_1h_input_tokens": 768}
            }}}),
        );
        assert_eq!(meter.ending(), Ending::Open);
        meter.read_event(
            Some("message_delta"),
            &json!({"type": "message_delta", "usage": {"output_tokens": 40}}),
        );
        meter.read_event(
            Some("message_delta"),
            &json!({"type": "message_delta", "usage": {"output_tokens": 73}}),
        );
        meter.read_event(Some("message_stop"), &json!({"type": "message_stop"}));
        assert_eq!(
            meter.usage(),
            Usage {
                input: 1547,
                output: 73,
                cache_read: 100,
                cache_write_5m: 17000,
                cache_write_1h: 768,
                reasoning: 0
            }
        );
        assert_eq!(meter.ending(), Ending::Completed);
    }

    #[test]
    fn openai_input_includes_cached_tokens_and_reasoning_is_output() {
        let mut meter = Meter::new(Dialect::OpenAiResponses);
        meter.read_event(
            Some("response.completed"),
            &json!({"type": "response.completed", "response": {"status": "completed", "usage": {
                "input_tokens": 15096, "input_tokens_details": {"cached_tokens": 15000},
                "output_tokens": 15, "output_tokens_details": {"reasoning_tokens": 8}
            }}}),
        );
        assert_eq!(
            meter.usage(),
            Usage {
                input: 96,
                output: 15,
                cache_read: 15000,
                reasoning: 8,
                ..Usage::default()
            }
        );
        let mut chat = Meter::new(Dialect::OpenAiChat);
        chat.read_event(
            None,
            &json!({"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 7,
                "prompt_tokens_details": {"cached_tokens": 4},
                "completion_tokens_details": {"reasoning_tokens": 2}}}),
        );
        assert_eq!(
            chat.usage(),
            Usage {
                input: 6,
                output: 7,
                cache_read: 4,
                reasoning: 2,
                ..Usage::default()
            }
        );
    }

    #[test]
    fn stream_events_without_usage_are_skipped_and_the_rest_read() {
        use super::super::sse::Event;
        let event = |name: &str, data: &str| Event {
            name: Some(name.to_owned()),
            data: data.to_owned(),
        };
        let mut meter = Meter::new(Dialect::AnthropicMessages);
        // Malformed on purpose: a delta is never parsed, so it cannot disturb the meter.
        meter.read_sse(&event("content_block_delta", "{not json"));
        meter.read_sse(&event(
            "message_delta",
            r#"{"type":"message_delta","usage":{"output_tokens":9}}"#,
        ));
        meter.read_sse(&event("message_stop", r#"{"type":"message_stop"}"#));
        assert_eq!(meter.usage().output, 9);
        assert_eq!(meter.ending(), Ending::Completed);
        let mut chat = Meter::new(Dialect::OpenAiChat);
        chat.read_sse(&Event {
            name: None,
            data: "[DONE]".to_owned(),
        });
        assert_eq!(chat.ending(), Ending::Completed);
    }

    #[test]
    fn incomplete_and_failed_answers_keep_their_usage() {
        let mut meter = Meter::new(Dialect::OpenAiResponses);
        meter.read_event(
            None,
            &json!({"type": "response.incomplete", "response": {"status": "incomplete",
                "usage": {"input_tokens": 10, "output_tokens": 500}}}),
        );
        assert_eq!(meter.ending(), Ending::Incomplete);
        assert_eq!(meter.usage().output, 500);
        let mut failed = Meter::new(Dialect::OpenAiResponses);
        failed.read_event(
            None,
            &json!({"type": "response.failed", "response": {"status": "failed", "usage": null,
                "error": {"code": "insufficient_quota", "message": "quota"}}}),
        );
        assert_eq!(failed.ending(), Ending::Failed);
        assert!(!failed.has_usage());
        assert_eq!(failed.error_code.as_deref(), Some("insufficient_quota"));
    }

    #[test]
    fn cost_is_exact_and_rounded_once() {
        let usage = Usage {
            input: 1547,
            output: 73,
            cache_read: 100,
            cache_write_5m: 17000,
            cache_write_1h: 768,
            reasoning: 0,
        };
        let cost = cost(&usage, &PRICES);
        // 1547×3 + 73×15 + 100×0.3 + 17000×3.75 + 768×6 = 4641 + 1095 + 30 + 63750 + 4608
        assert_eq!(cost.total, 74_124);
        assert_eq!(cost.input, 4_641);
        assert_eq!(cost.cache_write, 68_358);
        // A third of a micro-unit per token, three times, is one micro-unit, not zero.
        let thirds = PriceSheet {
            input: 333_334,
            ..PriceSheet::default()
        };
        let one = Usage {
            input: 3,
            ..Usage::default()
        };
        assert_eq!(self::cost(&one, &thirds).total, 1);
        assert_eq!(self::cost(&Usage::default(), &PRICES).total, 0);
    }

    #[test]
    fn absurd_counts_are_clamped_and_flagged() {
        let (usage, flagged) = Usage {
            input: -5,
            output: i64::MAX,
            ..Usage::default()
        }
        .clamped();
        assert!(flagged);
        assert_eq!(usage.input, 0);
        assert_eq!(usage.output, ABSURD_TOKENS);
        assert!(!Usage::default().clamped().1);
        let huge = cost(&usage, &PRICES);
        assert!(huge.total > 0, "no overflow at the clamp");
    }
}

//! An incremental reader of server-sent events. The proxy forwards the upstream's bytes
//! untouched and feeds a copy through this to find the usage events; chunk boundaries can fall
//! anywhere, even inside a line or a `\r\n`.

/// One event: its `event:` name, if any, and its `data:` lines joined by newlines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub name: Option<String>,
    pub data: String,
}

/// Lines longer than this are not parsed (they are still forwarded): an event that large
/// carries content, never the usage the meter needs.
const MAX_PENDING: usize = 4 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct SseReader {
    pending: Vec<u8>,
    name: Option<String>,
    data: Vec<String>,
    skipping_line: bool,
}

impl SseReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk; returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        for &byte in chunk {
            if byte == b'\n' {
                let line = std::mem::take(&mut self.pending);
                if std::mem::take(&mut self.skipping_line) {
                    continue;
                }
                let line = line.strip_suffix(b"\r").unwrap_or(&line);
                if let Some(event) = self.line(line) {
                    events.push(event);
                }
            } else if !self.skipping_line {
                if self.pending.len() >= MAX_PENDING {
                    self.pending.clear();
                    self.skipping_line = true;
                } else {
                    self.pending.push(byte);
                }
            }
        }
        events
    }

    /// Ends the stream: an event without its closing blank line still counts.
    pub fn finish(&mut self) -> Option<Event> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() && !self.skipping_line {
            let rest = rest.strip_suffix(b"\r").unwrap_or(&rest);
            if let Some(event) = self.line(rest) {
                return Some(event);
            }
        }
        self.dispatch()
    }

    fn line(&mut self, line: &[u8]) -> Option<Event> {
        if line.is_empty() {
            return self.dispatch();
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        match field {
            "event" => self.name = Some(value.to_owned()),
            "data" => self.data.push(value.to_owned()),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<Event> {
        let name = self.name.take();
        if self.data.is_empty() {
            return None;
        }
        Some(Event {
            name,
            data: std::mem::take(&mut self.data).join("\n"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_survive_any_chunking() {
        let stream = b"event: message_start\r\ndata: {\"a\":1}\r\n\r\n: comment\n\ndata: x\ndata: y\n\nevent: ping\ndata: {}\n\n";
        for size in 1..stream.len() {
            let mut reader = SseReader::new();
            let mut events = Vec::new();
            for chunk in stream.chunks(size) {
                events.extend(reader.feed(chunk));
            }
            events.extend(reader.finish());
            assert_eq!(
                events,
                vec![
                    Event {
                        name: Some("message_start".to_owned()),
                        data: "{\"a\":1}".to_owned()
                    },
                    Event {
                        name: None,
                        data: "x\ny".to_owned()
                    },
                    Event {
                        name: Some("ping".to_owned()),
                        data: "{}".to_owned()
                    },
                ],
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn a_cut_stream_yields_its_last_event() {
        let mut reader = SseReader::new();
        assert!(reader.feed(b"data: [DONE]").is_empty());
        assert_eq!(reader.finish().map(|e| e.data), Some("[DONE]".to_owned()));
    }
}

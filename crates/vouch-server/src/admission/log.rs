//! Structured logs: one JSON object per line, through `tracing` and `tracing-subscriber`.
//!
//! tracing's fields are named in the source, while a decision's log is a JSON object the
//! library builds; so each event carries its fields as one JSON text (`fields`) and [`JsonLine`]
//! writes them as members of the line beside `timestamp`, `level`, `target` and `message`
//! (which win over a member of the same name). Each server has its own dispatcher, so servers
//! in one process (tests) keep their logs apart. Nothing here sees headers or bodies: a line
//! holds what the library put in its `log`, the endpoint and the latency.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};
use tracing::Subscriber;
use tracing::dispatcher::{self, Dispatch};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime as _;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use super::Endpoint;

/// Where a server's log lines go.
#[derive(Debug, Clone, Default)]
pub enum LogTo {
    /// Standard error (the default).
    #[default]
    Stderr,
    /// A buffer in memory (tests read the lines from it).
    Memory(Arc<Mutex<Vec<u8>>>),
}

#[derive(Clone)]
pub struct Log {
    dispatch: Dispatch,
}

const TARGET: &str = "vouch::admission";

impl Log {
    pub fn new(to: &LogTo) -> Log {
        let builder = tracing_subscriber::fmt()
            .event_format(JsonLine)
            .with_max_level(tracing::Level::INFO);
        let dispatch = match to {
            LogTo::Stderr => Dispatch::new(builder.with_writer(std::io::stderr).finish()),
            LogTo::Memory(buffer) => {
                let buffer = buffer.clone();
                Dispatch::new(
                    builder
                        .with_writer(move || MemoryWriter(buffer.clone()))
                        .finish(),
                )
            }
        };
        Log { dispatch }
    }

    pub fn info(&self, message: &str, fields: Value) {
        let fields = fields.to_string();
        dispatcher::with_default(&self.dispatch, || {
            tracing::info!(target: TARGET, fields = %fields, "{message}");
        });
    }

    pub fn warn(&self, message: &str, fields: Value) {
        let fields = fields.to_string();
        dispatcher::with_default(&self.dispatch, || {
            tracing::warn!(target: TARGET, fields = %fields, "{message}");
        });
    }

    pub fn error(&self, message: &str, fields: Value) {
        let fields = fields.to_string();
        dispatcher::with_default(&self.dispatch, || {
            tracing::error!(target: TARGET, fields = %fields, "{message}");
        });
    }

    /// The line of one decision: the library's `log` object, the endpoint and the latency.
    pub fn decision(&self, log: Value, endpoint: Endpoint, latency: Duration) {
        let mut fields = match log {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("log".to_owned(), other);
                map
            }
        };
        fields.insert("endpoint".to_owned(), json!(endpoint.as_str()));
        fields.insert(
            "latency_ms".to_owned(),
            json!((latency.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0),
        );
        self.info("decision", Value::Object(fields));
    }
}

struct MemoryWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for MemoryWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut lines = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("log buffer poisoned"))?;
        lines.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes an event as one JSON object on one line.
struct JsonLine;

#[derive(Default)]
struct Fields {
    message: String,
    members: Map<String, Value>,
}

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        match field.name() {
            "message" => self.message = text,
            "fields" => {
                if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&text) {
                    self.members.extend(map);
                }
            }
            name => {
                self.members.insert(name.to_owned(), Value::String(text));
            }
        }
    }
}

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut timestamp = String::new();
        tracing_subscriber::fmt::time::SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
        let mut line = Map::new();
        line.insert("timestamp".to_owned(), json!(timestamp));
        line.insert(
            "level".to_owned(),
            json!(event.metadata().level().as_str().to_ascii_lowercase()),
        );
        line.insert("target".to_owned(), json!(event.metadata().target()));
        line.insert("message".to_owned(), json!(fields.message));
        for (key, value) in fields.members {
            line.entry(key).or_insert(value);
        }
        let text = serde_json::to_string(&Value::Object(line)).map_err(|_| std::fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

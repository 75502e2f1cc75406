//! Bounds for YAML input (and JSON, which vouch reads as YAML where a file may be either),
//! checked before the input is parsed into values.
//!
//! libyaml, which `yaml_serde` parses with, keeps one "simple key" slot per open flow collection
//! and scans every slot on every token, so `[[[[…` or `{a: {a: …` takes time quadratic in the
//! nesting depth (a 600 KB file took a minute). `yaml_serde` also collects every event of a
//! document before its own recursion limit applies, so deep input costs memory as well.
//! [`check_depth`] walks the same libyaml events one at a time, keeps none of them, and stops at
//! the first collection nested deeper than the limit: with the depth bounded, libyaml's work per
//! token is bounded, and the whole check is linear in the input.
//!
//! ```
//! use vouch_yaml::{MAX_DEPTH, check_depth};
//! assert!(check_depth("a: {b: [1, 2]}\n", MAX_DEPTH).is_ok());
//! let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
//! let err = check_depth(&deep, MAX_DEPTH).unwrap_err();
//! assert_eq!((err.line, err.column, err.limit), (1, 129, 128));
//! ```

use std::mem::MaybeUninit;

use libyaml_rs as sys;

mod load;

pub use load::{LineIndex, Seg, YamlError, load_all};

/// Why a YAML document could not be deserialised by [`from_str`] / [`from_slice`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Mappings and sequences nested deeper than [`MAX_DEPTH`] (checked before parsing).
    #[error(transparent)]
    TooDeep(#[from] DepthError),
    /// Not YAML, or not the shape `T` expects; the parser's error, with its location.
    #[error(transparent)]
    Parse(#[from] yaml_serde::Error),
}

/// Deserialises one YAML document into `T` after checking its nesting depth against
/// [`MAX_DEPTH`] ([`check_depth`]): the one way vouch parses YAML into a typed value.
///
/// ```
/// let v: std::collections::BTreeMap<String, u32> = vouch_yaml::from_str("a: 1\n").unwrap();
/// assert_eq!(v["a"], 1);
/// let deep = format!("a: {}{}", "[".repeat(200), "]".repeat(200));
/// assert!(matches!(
///     vouch_yaml::from_str::<serde_json::Value>(&deep),
///     Err(vouch_yaml::Error::TooDeep(_))
/// ));
/// ```
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    check_depth(text, MAX_DEPTH)?;
    Ok(yaml_serde::from_str(text)?)
}

/// [`from_str`] for bytes (UTF-8 expected; invalid UTF-8 is a [`Error::Parse`]).
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    check_depth(bytes, MAX_DEPTH)?;
    Ok(yaml_serde::from_slice(bytes)?)
}

/// The nesting limit vouch applies to YAML and JSON input: 128 levels of mappings and sequences
/// (flow or block), the same as `serde_json`'s and `yaml_serde`'s recursion limits. Real
/// configuration files and lockfiles stay under 20.
pub const MAX_DEPTH: usize = 128;

/// A collection nested deeper than the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nesting deeper than the limit of {limit} levels at line {line}, column {column}")]
pub struct DepthError {
    /// 1-based line of the first collection over the limit.
    pub line: u64,
    /// 1-based column of that collection.
    pub column: u64,
    /// The limit that was exceeded.
    pub limit: usize,
}

/// Walks the YAML event stream of `input` (every document; UTF-8 text, or bytes that are meant to
/// be) and fails at the first mapping or sequence nested more than `limit` levels deep. Syntax
/// errors (invalid UTF-8 included) are not reported here: the check stops at one (everything
/// before it was within the limit) and the real parser reports it.
pub fn check_depth(input: impl AsRef<[u8]>, limit: usize) -> Result<(), DepthError> {
    let mut parser = Parser::new(input.as_ref());
    let mut depth = 0usize;
    while let Some(event) = parser.next() {
        match event {
            Event::Open(mark) => {
                depth += 1;
                if depth > limit {
                    return Err(DepthError {
                        line: mark.line + 1,
                        column: mark.column + 1,
                        limit,
                    });
                }
            }
            Event::Close => depth = depth.saturating_sub(1),
            Event::Other => {}
        }
    }
    Ok(())
}

enum Event {
    Open(sys::yaml_mark_t),
    Close,
    Other,
}

/// A libyaml parser over borrowed bytes. Boxed because libyaml keeps a pointer to the parser
/// itself (its read handler's data) and to the input.
struct Parser<'a> {
    sys: Box<MaybeUninit<sys::yaml_parser_t>>,
    _input: std::marker::PhantomData<&'a [u8]>,
    done: bool,
}

impl<'a> Parser<'a> {
    fn new(input: &'a [u8]) -> Self {
        let mut sys = Box::new(MaybeUninit::<sys::yaml_parser_t>::uninit());
        let ptr = sys.as_mut_ptr();
        // SAFETY: `ptr` points to a boxed (so never moving) parser that lives as long as `self`;
        // `yaml_parser_initialize` zeroes and sets it up; `input` outlives the parser ('a).
        #[allow(unsafe_code)]
        let ok = unsafe {
            if sys::yaml_parser_initialize(ptr).fail {
                false
            } else {
                sys::yaml_parser_set_encoding(ptr, sys::YAML_UTF8_ENCODING);
                sys::yaml_parser_set_input_string(ptr, input.as_ptr(), input.len() as u64);
                true
            }
        };
        // Initialisation fails only when allocation fails, which aborts in Rust first.
        assert!(ok, "libyaml parser initialisation failed");
        Self {
            sys,
            _input: std::marker::PhantomData,
            done: false,
        }
    }

    /// The next event, or `None` at the end of the stream or at a syntax error.
    fn next(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        let parser = self.sys.as_mut_ptr();
        let mut event = MaybeUninit::<sys::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised in `new`; `yaml_parser_parse` fills `event` (zeroed
        // when it has nothing to give), which is deleted before it goes out of scope.
        #[allow(unsafe_code)]
        let out = unsafe {
            let ev = event.as_mut_ptr();
            if sys::yaml_parser_parse(parser, ev).fail {
                None
            } else {
                let out = match (*ev).type_ {
                    sys::YAML_SEQUENCE_START_EVENT | sys::YAML_MAPPING_START_EVENT => {
                        Some(Event::Open((*ev).start_mark))
                    }
                    sys::YAML_SEQUENCE_END_EVENT | sys::YAML_MAPPING_END_EVENT => {
                        Some(Event::Close)
                    }
                    sys::YAML_NO_EVENT | sys::YAML_STREAM_END_EVENT => None,
                    _ => Some(Event::Other),
                };
                sys::yaml_event_delete(ev);
                out
            }
        };
        if out.is_none() {
            self.done = true;
        }
        out
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` (which panics otherwise) and deleted exactly once.
        #[allow(unsafe_code)]
        unsafe {
            sys::yaml_parser_delete(self.sys.as_mut_ptr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow_seq(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn typed_loading_checks_depth_then_parses() {
        type Doc = std::collections::BTreeMap<String, String>;
        let doc: Doc = from_slice(b"name: x\n").unwrap();
        assert_eq!(doc["name"], "x");
        match from_slice::<serde_json::Value>(flow_seq(MAX_DEPTH + 1).as_bytes()) {
            Err(Error::TooDeep(e)) => assert_eq!((e.line, e.column), (1, 129)),
            other => panic!("{other:?}"),
        }
        // Exactly at the limit is parsed.
        assert!(from_str::<serde_json::Value>(&flow_seq(MAX_DEPTH)).is_ok());
        match from_str::<Doc>("name: [1\n") {
            Err(Error::Parse(e)) => assert!(e.location().is_some()),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            from_slice::<Doc>(b"\xff\xfe"),
            Err(Error::Parse(_))
        ));
    }

    fn flow_map(depth: usize) -> String {
        format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth))
    }

    fn block_map(depth: usize) -> String {
        let mut s = String::new();
        for i in 0..depth {
            s.push_str(&" ".repeat(i));
            s.push_str("a:\n");
        }
        s.push_str(&" ".repeat(depth));
        s.push_str("b: 1\n");
        s
    }

    fn json(depth: usize) -> String {
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    }

    #[test]
    fn over_the_limit_is_refused_at_the_first_collection_over_it() {
        let err = check_depth(flow_seq(MAX_DEPTH + 1), MAX_DEPTH).unwrap_err();
        assert_eq!(
            err,
            DepthError {
                line: 1,
                column: 129,
                limit: 128
            }
        );
        assert_eq!(
            err.to_string(),
            "nesting deeper than the limit of 128 levels at line 1, column 129"
        );
        let err = check_depth(flow_map(200), MAX_DEPTH).unwrap_err();
        assert_eq!((err.line, err.column), (1, 1 + 128 * 4));
        let err = check_depth(json(200), MAX_DEPTH).unwrap_err();
        assert_eq!((err.line, err.column), (1, 1 + 128 * 5));
        // Block mappings: `a:` at level n opens mapping n+1, which starts on line n+1.
        let err = check_depth(block_map(200), MAX_DEPTH).unwrap_err();
        assert_eq!((err.line, err.column), (129, 129));
    }

    #[test]
    fn at_the_limit_passes_and_yaml_serde_reads_it() {
        for text in [
            flow_seq(MAX_DEPTH),
            flow_map(MAX_DEPTH),
            json(MAX_DEPTH),
            block_map(MAX_DEPTH - 1),
        ] {
            check_depth(&text, MAX_DEPTH).unwrap();
            let _: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
        }
    }

    #[test]
    fn later_documents_are_checked_and_syntax_errors_are_left_to_the_parser() {
        let text = format!("a: 1\n---\n{}\n", flow_seq(300));
        assert_eq!(check_depth(&text, MAX_DEPTH).unwrap_err().line, 3);
        assert!(check_depth("a: [1, 2\nb: {", MAX_DEPTH).is_ok());
        assert!(check_depth("", MAX_DEPTH).is_ok());
    }
}

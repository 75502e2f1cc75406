use crate::{ParseError, Parsed, Source};

pub fn parse(_source: &Source<'_>) -> Result<Parsed, ParseError> {
    Err(ParseError::new("PLACEHOLDER: parser not written yet"))
}

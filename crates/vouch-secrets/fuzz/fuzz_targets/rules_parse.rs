//! The rule-file parser must reject bad input with an error, never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(rules) = vouch_secrets::RuleSet::parse(text) {
            // a parsed rule set must also scan its own examples without panicking
            for rule in rules.rules() {
                for ex in &rule.positive_examples {
                    let _ = rules.scan(ex.as_bytes());
                }
            }
        }
    }
});

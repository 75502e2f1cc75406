//! Progress on stderr: shown only on a terminal, and only once work has run for a second.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner counting entries walked and files parsed. Hidden until a second has passed;
/// never drawn when stderr is not a terminal (indicatif checks that for its stderr target).
pub struct WalkProgress {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
    entries: AtomicU64,
    parsed: AtomicU64,
}

impl WalkProgress {
    pub fn new(what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(what.to_owned());
        Self {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            entries: AtomicU64::new(0),
            parsed: AtomicU64::new(0),
        }
    }

    fn tick(&self) {
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= Duration::from_secs(1)
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
        if self.shown.load(Ordering::Relaxed) {
            self.bar.set_message(format!(
                "{} entries walked, {} files parsed",
                self.entries.load(Ordering::Relaxed),
                self.parsed.load(Ordering::Relaxed)
            ));
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl vouch_inventory::walk::Progress for WalkProgress {
    fn entry(&self) {
        if self
            .entries
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(256)
        {
            self.tick();
        }
    }

    fn parsed(&self, _path: &str) {
        self.parsed.fetch_add(1, Ordering::Relaxed);
        self.tick();
    }
}

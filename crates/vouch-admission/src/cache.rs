//! The decision cache: the gate's decision for (image name, manifest digest, policy digest,
//! trust digest), kept `ttl` when it passed and `negative_ttl` when it denied or could not be
//! evaluated; identical concurrent verifications coalesced (the first caller computes, the
//! others wait for its answer). Only the gate's decision is cached: rules, namespaces, modes
//! and `unmatched` are applied to every request.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use vouch_digest::Digest;
use vouch_oci::reference::Name;

/// Most entries kept; past it, expired entries are dropped, then the oldest half.
pub const MAX_ENTRIES: usize = 16_384;

/// What a verification produced: the decision, or why there is none.
pub type Answer = Result<Arc<vouch_gate::Decision>, String>;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub name: Name,
    pub digest: Digest,
    pub policy: Digest,
    pub trust: Digest,
}

/// A verification running now, which other requests for the same key wait on.
pub struct Pending {
    answer: Mutex<Option<Answer>>,
    ready: Condvar,
    started: Instant,
}

/// A verification running longer than this is taken as hung: requests stop waiting on it and
/// the next one starts its own (the registry client gives up after 120 s; this is past it).
pub const STALE_AFTER: Duration = Duration::from_secs(150);

impl Pending {
    /// The answer once the running verification has one, or `None` when `deadline` comes
    /// first.
    pub fn wait_until(&self, deadline: Instant) -> Option<Answer> {
        let mut answer = lock(&self.answer);
        while answer.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            answer = self
                .ready
                .wait_timeout(answer, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        answer.clone()
    }
}

/// What the cache holds for a key right now.
pub enum Lookup {
    /// A decision still within its TTL; `refresh` is true for exactly one lookup of a pass in
    /// the last tenth of its TTL: that caller verifies the image again (see [`Cache::refresh`])
    /// while every request keeps this answer, so an entry in steady use never expires into a
    /// burst of waiting requests.
    Fresh { answer: Answer, refresh: bool },
    /// A verification is running: wait on it rather than starting another.
    Running(Arc<Pending>),
    /// Nothing, or only an expired decision.
    Absent,
}

enum Slot {
    Done {
        answer: Answer,
        until: Instant,
        /// A pass being verified again before it expires (at most one refresh at a time).
        refreshing: bool,
    },
    Running(Arc<Pending>),
}

pub struct Cache {
    ttl: Duration,
    negative_ttl: Duration,
    stale_after: Duration,
    slots: Mutex<HashMap<Key, Slot>>,
}

/// Whether an answer came from the cache (or from another request's verification).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Hit,
    Computed,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves the map consistent (every write is one insert).
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Cache {
    pub fn new(ttl: Duration, negative_ttl: Duration) -> Self {
        Cache {
            ttl,
            negative_ttl,
            stale_after: STALE_AFTER,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// What the cache holds for `key` now (no waiting).
    pub fn lookup(&self, key: &Key) -> Lookup {
        let now = Instant::now();
        match lock(&self.slots).get_mut(key) {
            Some(Slot::Done {
                answer,
                until,
                refreshing,
            }) if now < *until => {
                let passed = matches!(answer, Ok(d) if d.passed());
                let refresh = passed && !*refreshing && *until - now <= self.ttl / 10;
                if refresh {
                    *refreshing = true;
                }
                Lookup::Fresh {
                    answer: answer.clone(),
                    refresh,
                }
            }
            Some(Slot::Running(p)) if p.started.elapsed() < self.stale_after => {
                Lookup::Running(p.clone())
            }
            _ => Lookup::Absent,
        }
    }

    /// Verifies `key` again for the caller that [`Cache::lookup`] asked to: a decision
    /// replaces the entry with a full TTL (a denial, with the negative TTL: the image is
    /// denied from now on); an error keeps the pass until it expires (no second refresh),
    /// when the next request verifies it the ordinary way.
    pub fn refresh(&self, key: &Key, compute: impl FnOnce() -> Answer) {
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(compute))
            .unwrap_or_else(|_| Err("the verification panicked".to_owned()));
        // One refresh per entry: after an error the pass is not retried before it expires.
        let Ok(decision) = answer else {
            return;
        };
        let ttl = if decision.passed() {
            self.ttl
        } else {
            self.negative_ttl
        };
        let mut slots = lock(&self.slots);
        // A verification running for this key (the entry expired meanwhile) will store its
        // own answer; waiters are on it, so leave it be.
        if !matches!(slots.get(key), Some(Slot::Running(_))) {
            slots.insert(
                key.clone(),
                Slot::Done {
                    answer: Ok(decision),
                    until: Instant::now() + ttl,
                    refreshing: false,
                },
            );
        }
    }

    /// The answer for `key`: cached, or awaited from the verification already running, or
    /// computed by `compute` (a panic in it is an error answer, never a hang for the waiters).
    pub fn get_or_compute(&self, key: &Key, compute: impl FnOnce() -> Answer) -> (Answer, Source) {
        let pending = {
            let mut slots = lock(&self.slots);
            match slots.get(key) {
                Some(Slot::Done { answer, until, .. }) if Instant::now() < *until => {
                    return (answer.clone(), Source::Hit);
                }
                Some(Slot::Running(p)) if p.started.elapsed() < self.stale_after => Some(p.clone()),
                _ => {
                    if slots.len() >= MAX_ENTRIES {
                        evict(&mut slots);
                    }
                    slots.insert(
                        key.clone(),
                        Slot::Running(Arc::new(Pending {
                            answer: Mutex::new(None),
                            ready: Condvar::new(),
                            started: Instant::now(),
                        })),
                    );
                    None
                }
            }
        };
        if let Some(p) = pending {
            let mut answer = lock(&p.answer);
            while answer.is_none() {
                answer = p
                    .ready
                    .wait(answer)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            let a = answer.clone().unwrap_or_else(|| Err("no answer".into()));
            return (a, Source::Hit);
        }
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(compute))
            .unwrap_or_else(|_| Err("the verification panicked".to_owned()));
        let ttl = match &answer {
            Ok(d) if d.passed() => self.ttl,
            _ => self.negative_ttl,
        };
        let previous = lock(&self.slots).insert(
            key.clone(),
            Slot::Done {
                answer: answer.clone(),
                until: Instant::now() + ttl,
                refreshing: false,
            },
        );
        if let Some(Slot::Running(p)) = previous {
            *lock(&p.answer) = Some(answer.clone());
            p.ready.notify_all();
        }
        (answer, Source::Computed)
    }

    /// How many entries are held (running or done).
    pub fn len(&self) -> usize {
        lock(&self.slots).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn evict(slots: &mut HashMap<Key, Slot>) {
    let now = Instant::now();
    slots.retain(|_, s| match s {
        Slot::Done { until, .. } => *until > now,
        Slot::Running(_) => true,
    });
    if slots.len() >= MAX_ENTRIES {
        let mut done: Vec<(Instant, Key)> = slots
            .iter()
            .filter_map(|(k, s)| match s {
                Slot::Done { until, .. } => Some((*until, k.clone())),
                Slot::Running(_) => None,
            })
            .collect();
        done.sort_by_key(|(u, _)| *u);
        for (_, k) in done.into_iter().take(MAX_ENTRIES / 2) {
            slots.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            name: Name::parse("registry.example.com/team/app").unwrap(),
            digest: Digest::sha256(b"image"),
            policy: Digest::sha256(b"policy"),
            trust: Digest::sha256(b"trust"),
        }
    }

    #[test]
    fn a_hung_verification_is_not_waited_on_past_stale_after() {
        let mut cache = Cache::new(Duration::from_secs(60), Duration::from_secs(10));
        cache.stale_after = Duration::from_millis(100);
        let cache = Arc::new(cache);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hung = {
            let cache = cache.clone();
            std::thread::spawn(move || {
                cache.get_or_compute(&key(), move || {
                    let _ = hold.recv();
                    Err("released".into())
                })
            })
        };
        let started = Instant::now();
        while !matches!(cache.lookup(&key()), Lookup::Running(_)) {
            assert!(started.elapsed() < Duration::from_secs(5));
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(150));
        assert!(matches!(cache.lookup(&key()), Lookup::Absent));
        // The next request verifies on its own instead of waiting forever.
        let (answer, source) = cache.get_or_compute(&key(), || Err("computed again".into()));
        assert_eq!(answer.err().as_deref(), Some("computed again"));
        assert_eq!(source, Source::Computed);
        release.send(()).unwrap();
        assert_eq!(hung.join().unwrap().1, Source::Computed);
    }
}

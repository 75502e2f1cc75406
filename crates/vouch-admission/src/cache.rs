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
}

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
    /// A decision still within its TTL.
    Fresh(Answer),
    /// A verification is running: wait on it rather than starting another.
    Running(Arc<Pending>),
    /// Nothing, or only an expired decision.
    Absent,
}

enum Slot {
    Done { answer: Answer, until: Instant },
    Running(Arc<Pending>),
}

pub struct Cache {
    ttl: Duration,
    negative_ttl: Duration,
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
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// What the cache holds for `key` now (no waiting).
    pub fn lookup(&self, key: &Key) -> Lookup {
        match lock(&self.slots).get(key) {
            Some(Slot::Done { answer, until }) if Instant::now() < *until => {
                Lookup::Fresh(answer.clone())
            }
            Some(Slot::Running(p)) => Lookup::Running(p.clone()),
            _ => Lookup::Absent,
        }
    }

    /// The answer for `key`: cached, or awaited from the verification already running, or
    /// computed by `compute` (a panic in it is an error answer, never a hang for the waiters).
    pub fn get_or_compute(&self, key: &Key, compute: impl FnOnce() -> Answer) -> (Answer, Source) {
        let pending = {
            let mut slots = lock(&self.slots);
            match slots.get(key) {
                Some(Slot::Done { answer, until }) if Instant::now() < *until => {
                    return (answer.clone(), Source::Hit);
                }
                Some(Slot::Running(p)) => Some(p.clone()),
                _ => {
                    if slots.len() >= MAX_ENTRIES {
                        evict(&mut slots);
                    }
                    slots.insert(
                        key.clone(),
                        Slot::Running(Arc::new(Pending {
                            answer: Mutex::new(None),
                            ready: Condvar::new(),
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

//! Maven versions, ordered as Maven's `ComparableVersion` orders them (port of
//! `org.apache.maven.artifact.versioning.ComparableVersion`, apache/maven master, with
//! `CombinationItem`; <https://maven.apache.org/pom.html#version-order-specification>).
//!
//! The version is lower-cased and cut at `.`, `-` and digit/letter transitions into numbers,
//! qualifiers and combinations (`rc1`); `-` (and a digit/letter transition) opens a nested list.
//! Trailing "null" items (0, `""`, `ga`, `final`, `release`) are dropped. Qualifiers order
//! `alpha` (`a1`) < `beta` (`b1`) < `milestone` (`m1`) < `rc` = `cr` < `snapshot` < release
//! (`""`, `ga`, `final`, `release`) < `sp` < other qualifiers (alphabetically) < numbers.
//! Like Maven, versions longer than 256 characters are rejected. Unlike Maven, only ASCII digits
//! count as digits, and strings compare by bytes rather than UTF-16 units.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// Maven's `MAX_VERSION_LENGTH`.
const MAX_VERSION_LENGTH: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros (`""` is zero).
    Num(String),
    Str(String),
    Comb(String, Box<Item>),
    List(Vec<Item>),
}

fn cmp_num(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `comparableQualifier`, without building strings: Maven compares `"<index>"` for known
/// qualifiers and `"7-<qualifier>"` for others as strings, which is this pair's order.
fn comparable_qualifier(q: &str) -> (u8, &str) {
    const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
    if matches!(q, "ga" | "final" | "release") {
        return (RELEASE, "");
    }
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => (u8::try_from(i).unwrap_or(RELEASE), ""),
        None => (7, q),
    }
}

/// Index of the release qualifier `""`.
const RELEASE: u8 = 5;

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let value = match (followed_by_digit, value) {
        (true, "a") => "alpha",
        (true, "b") => "beta",
        (true, "m") => "milestone",
        (_, "cr") => "rc",
        (_, v) => v,
    };
    Item::Str(value.to_owned())
}

fn numeric_item(buf: &str) -> Item {
    Item::Num(buf.trim_start_matches('0').to_owned())
}

fn combination_item(value: &str) -> Item {
    let index = value.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let (s, d) = value.split_at(index);
    let digits: String = d.chars().filter(char::is_ascii_digit).collect();
    Item::Comb(
        match string_item(s, true) {
            Item::Str(s) => s,
            _ => String::new(),
        },
        Box::new(numeric_item(&digits)),
    )
}

fn parse_item(is_combination: bool, is_digit: bool, buf: &str) -> Item {
    if is_combination {
        combination_item(&buf.replace('-', ""))
    } else if is_digit {
        numeric_item(buf)
    } else {
        string_item(buf, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Num(n) => n.is_empty(),
            Item::Str(s) => s.is_empty(),
            Item::Comb(..) => false,
            Item::List(l) => l.is_empty(),
        }
    }

    /// `compareTo(null)`.
    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Num(n) => {
                if n.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Item::Str(s) => str_cmp_null(s),
            Item::Comb(s, d) => match str_cmp_null(s) {
                Ordering::Equal => d.cmp_null(),
                o => o,
            },
            Item::List(l) => l
                .iter()
                .map(Item::cmp_null)
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
        }
    }

    /// `compareTo(item)`.
    fn cmp_item(&self, other: &Item) -> Ordering {
        use Item::{Comb, List, Num, Str};
        match (self, other) {
            (Num(a), Num(b)) => cmp_num(a, b),
            (Num(_), _) => Ordering::Greater,
            (Str(_), Num(_)) => Ordering::Less,
            (Str(a), Str(b)) => comparable_qualifier(a).cmp(&comparable_qualifier(b)),
            (Str(a), Comb(bs, bd)) => match str_cmp(a, bs) {
                Ordering::Equal => {
                    if str_cmp_null(a) == Ordering::Equal {
                        bd.cmp_null().reverse()
                    } else {
                        Ordering::Less
                    }
                }
                o => o,
            },
            (Str(_) | Comb(..), List(_)) => other.cmp_item(self).reverse(),
            (Comb(..), Num(_)) => Ordering::Less,
            (Comb(s, d), Str(b)) => match str_cmp(s, b) {
                Ordering::Equal => {
                    if str_cmp_null(s) == Ordering::Equal {
                        d.cmp_null()
                    } else {
                        Ordering::Greater
                    }
                }
                o => o,
            },
            (Comb(a, ad), Comb(b, bd)) => match str_cmp(a, b) {
                Ordering::Equal => ad.cmp_item(bd),
                o => o,
            },
            (List(_), Num(_)) => Ordering::Less,
            (List(l), Str(_) | Comb(..)) => {
                let mut result = match l.first() {
                    None => other.cmp_null().reverse(),
                    Some(first) => first.cmp_item(other),
                };
                for item in l.iter().skip(1) {
                    if result != Ordering::Equal {
                        break;
                    }
                    result = item.cmp_null();
                }
                result
            }
            (List(a), List(b)) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for k in 0..n {
        let result = match (a.get(k), b.get(k)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => r.cmp_null().reverse(),
            (Some(l), None) => l.cmp_null(),
            (Some(l), Some(r)) => l.cmp_item(r),
        };
        if result != Ordering::Equal {
            return result;
        }
    }
    Ordering::Equal
}

fn str_cmp(a: &str, b: &str) -> Ordering {
    comparable_qualifier(a).cmp(&comparable_qualifier(b))
}

fn str_cmp_null(a: &str) -> Ordering {
    comparable_qualifier(a).cmp(&(RELEASE, ""))
}

/// `ListItem.normalize()`.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let Some(item) = list.get(i) else { continue };
        if item.is_null() {
            let remove = match list.get(i + 1) {
                None | Some(Item::Str(_)) => true,
                Some(Item::List(next)) => {
                    matches!(next.first(), Some(Item::Comb(..) | Item::Str(_)))
                }
                Some(_) => false,
            };
            if remove {
                list.remove(i);
            }
        }
    }
    if list.len() == 1
        && let Some(Item::List(inner)) = list.first()
    {
        let inner = inner.clone();
        *list = inner;
    }
}

/// A Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    items: Vec<Item>,
}

impl MavenVersion {
    /// Parses a Maven version; any string of at most 256 characters is a version.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let chars: Vec<char> = s.to_lowercase().chars().collect();
        if chars.len() > MAX_VERSION_LENGTH {
            return Err(VersionError::invalid(
                Scheme::Maven,
                s,
                0,
                "maven versions are at most 256 characters long",
            ));
        }
        let text =
            |a: usize, b: usize| -> String { chars.get(a..b).unwrap_or(&[]).iter().collect() };
        let is_digit = |c: Option<&char>| c.is_some_and(char::is_ascii_digit);
        // The lists being built, outermost first; each list's last item is the next one.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut digit = false;
        let mut combination = false;
        let mut start = 0usize;
        let mut i = 0usize;
        while let Some(&c) = chars.get(i) {
            let list_empty = stack.last().is_none_or(Vec::is_empty);
            if c == '.' {
                let item = if i == start {
                    Item::Num(String::new())
                } else {
                    parse_item(combination, digit, &text(start, i))
                };
                push(&mut stack, item);
                combination = false;
                start = i + 1;
            } else if c == '-' {
                if i == start {
                    push(&mut stack, Item::Num(String::new()));
                } else {
                    // `X-1` is treated as `X1`.
                    if !digit && i + 1 != chars.len() && is_digit(chars.get(i + 1)) {
                        combination = true;
                        i += 1;
                        continue;
                    }
                    push(&mut stack, parse_item(combination, digit, &text(start, i)));
                }
                start = i + 1;
                if !stack.last().is_none_or(Vec::is_empty) {
                    stack.push(Vec::new());
                }
                combination = false;
            } else if c.is_ascii_digit() {
                if !digit && i > start {
                    combination = true;
                    if !list_empty {
                        stack.push(Vec::new());
                    }
                }
                digit = true;
            } else {
                if digit && i > start {
                    push(&mut stack, parse_item(combination, true, &text(start, i)));
                    start = i;
                    stack.push(Vec::new());
                    combination = false;
                }
                digit = false;
            }
            i += 1;
        }
        if chars.len() > start {
            // `1.0.0.X1` < `1.0.0-X2`: treat `.X` as `-X` for a string qualifier.
            if !digit && !stack.last().is_none_or(Vec::is_empty) {
                stack.push(Vec::new());
            }
            push(
                &mut stack,
                parse_item(combination, digit, &text(start, chars.len())),
            );
        }
        let mut items = Vec::new();
        while let Some(mut list) = stack.pop() {
            normalize(&mut list);
            match stack.last_mut() {
                Some(parent) => parent.push(Item::List(list)),
                None => items = list,
            }
        }
        Ok(MavenVersion { items })
    }

    /// Maven's canonical form (`ComparableVersion.getCanonical`).
    pub fn canonical(&self) -> String {
        fn render(items: &[Item], out: &mut String) {
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(if matches!(item, Item::List(_)) {
                        '-'
                    } else {
                        '.'
                    });
                }
                match item {
                    Item::Num(n) if n.is_empty() => out.push('0'),
                    Item::Num(n) | Item::Str(n) => out.push_str(n),
                    Item::Comb(s, d) => {
                        out.push_str(s);
                        render(std::slice::from_ref(d), out);
                    }
                    Item::List(l) => render(l, out),
                }
            }
        }
        let mut out = String::new();
        render(&self.items, &mut out);
        out
    }
}

fn push(stack: &mut [Vec<Item>], item: Item) {
    if let Some(list) = stack.last_mut() {
        list.push(item);
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

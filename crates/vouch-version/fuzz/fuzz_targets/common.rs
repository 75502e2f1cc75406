//! Shared body of the `compare_*` targets.
use vouch_version::{Scheme, compare, parse};

pub fn check(scheme: Scheme, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\n').unwrap_or((&text, ""));
    let ab = compare(scheme, a, b);
    let ba = compare(scheme, b, a);
    match (ab, ba) {
        (Ok(x), Ok(y)) => assert_eq!(x, y.reverse(), "{a:?} vs {b:?}"),
        (Err(_), Err(_)) => {}
        (x, y) => panic!("asymmetric errors: {x:?} / {y:?}"),
    }
    if let Ok(v) = parse(scheme, a) {
        assert_eq!(v.cmp(&v), std::cmp::Ordering::Equal);
        let _ = v.to_string();
    }
}

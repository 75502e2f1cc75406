//! The dashboard in a real browser: Debian's headless Chromium driven over WebDriver by
//! chromedriver (scripts/test-setup.d/chromium.sh installs both), against a real server seeded
//! with real SBOMs. The checks read what a person sees (the rendered text of elements), and
//! each page is kept as a screenshot under `target/test-artifacts/serve/`. The test fails,
//! never skips, when Chromium or chromedriver is missing.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

struct Driver {
    child: Child,
    url: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.url, self.session))
            .send();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    fn start() -> Driver {
        let chromium = which("chromium");
        let chromedriver = which("chromedriver");
        let port = free_port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let start = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{url}/status")).send()
                && r.status().is_success()
            {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "chromedriver did not answer on {url}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let r = send(http.post(format!("{url}/session")), Some(caps));
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {r}"))
            .to_owned();
        Driver {
            child,
            url,
            session,
            http,
            _profile: profile,
        }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.url, self.session);
        let r = send(self.http.request(method, url), body);
        assert!(
            r["value"].get("error").is_none(),
            "WebDriver {path}: {}",
            r["value"]
        );
        r["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})));
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v["element-6066-11e4-a52e-4f735466cecf"]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_owned()
    }

    /// The text a person sees in the first element matching `css`.
    fn text(&self, css: &str) -> String {
        let id = self.element(css);
        self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// What the input matching `css` holds (its `value` property).
    fn value(&self, css: &str) -> String {
        let id = self.element(css);
        self.call(
            reqwest::Method::GET,
            &format!("/element/{id}/property/value"),
            None,
        )
        .as_str()
        .unwrap()
        .to_owned()
    }

    fn count(&self, css: &str) -> usize {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .unwrap()
        .len()
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        );
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        );
    }

    fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits (10 s at most) until the page's address ends with `suffix`: a click that submits
    /// a form returns before the browser has navigated.
    fn wait_for_url(&self, suffix: &str) {
        let start = Instant::now();
        loop {
            let url = self.current_url();
            if url.ends_with(suffix) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "still at {url}, expected …{suffix}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn title(&self) -> String {
        self.call(reqwest::Method::GET, "/title", None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Saves a PNG of the page and checks it is one.
    fn screenshot(&self, name: &str) -> PathBuf {
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// Sends a WebDriver command and reads its JSON answer.
fn send(req: reqwest::blocking::RequestBuilder, body: Option<Value>) -> Value {
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&b).unwrap()),
        None => req,
    };
    serde_json::from_slice(&req.send().unwrap().bytes().unwrap()).unwrap()
}

/// `target/test-artifacts/serve` (beside CARGO_TARGET_TMPDIR, which is `target/tmp`).
fn artifacts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts/serve")
}

fn which(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found on PATH: run scripts/test-setup.d/chromium.sh"))
}

#[test]
fn a_person_searches_the_fleet_in_chromium() {
    let server = common::start(common::Setup {
        slo: true,
        ..common::Setup::default()
    });
    let base = &server.base;
    let browser = Driver::start();

    // The front page: every artifact with its counts, the changes since the rescan.
    browser.goto(&format!("{base}/"));
    assert_eq!(browser.title(), "vouch fleet");
    let components: usize = common::CURRENT
        .iter()
        .map(|(name, rel)| {
            let mut store =
                vouch_fleet::Store::open(&vouch_fleet::Location::Sqlite(server.store.clone()))
                    .unwrap();
            let n = store.artifact(name).unwrap().component_list.len();
            assert!(n > 0 && n <= common::purls(rel).len(), "{name}");
            n
        })
        .sum();
    assert_eq!(
        browser.text("#artifact-count"),
        format!("4 artifacts, {components} components in total")
    );
    assert_eq!(browser.count("#artifact-list tbody tr"), 4);
    let php_row = browser.text("#artifact-list tbody tr:nth-child(3)");
    assert!(php_row.starts_with("php"), "{php_row}");
    assert!(
        php_row.contains(" 6 1 "),
        "6 components, 1 vulnerability: {php_row}"
    );
    assert_eq!(
        browser.text("#last-rescan").split(':').next().unwrap(),
        "last rescan 2026-12-02T00"
    );
    assert!(
        browser
            .text("#change-count")
            .ends_with("package changes since then")
    );
    browser.screenshot("front");

    // Typing into the search box and pressing the button.
    browser.type_into("#q", "pkg:npm/debug@4.4.3");
    browser.click("#search");
    browser.wait_for_url("/?q=pkg%3Anpm%2Fdebug%404.4.3");
    let expected = common::holding("pkg:npm/debug@4.4.3");
    assert_eq!(
        browser.text("#result-count"),
        format!("{} artifacts contain pkg:npm/debug@4.4.3", expected.len())
    );
    assert_eq!(browser.count("#hits tbody tr"), expected.len());
    let first = browser.text("#hits tbody tr:first-child td:first-child");
    assert!(expected.contains(&first), "{first}");
    browser.screenshot("search-package");

    // The search as a link, for a package no artifact holds.
    browser.goto(&format!("{base}/?q=pkg:npm/lodash@4.17.20"));
    assert_eq!(
        browser.text("#result-count"),
        "0 artifacts contain pkg:npm/lodash@4.17.20"
    );
    // The search box keeps what was searched.
    assert_eq!(browser.value("#q"), "pkg:npm/lodash@4.17.20");
    // An advisory by its CVE alias.
    browser.goto(&format!("{base}/?q=CVE-2021-32708"));
    assert_eq!(
        browser.text("#result-count"),
        "1 artifact affected by CVE-2021-32708 (GHSA-9f46-5r25-5wfm)"
    );
    assert!(
        browser
            .text("#hits tbody tr")
            .starts_with("php GHSA-9f46-5r25-5wfm CVE-2021-32708")
    );
    browser.screenshot("search-advisory");

    // Following the artifact link to its page.
    browser.click("#hits tbody tr a");
    browser.wait_for_url("/artifact/php");
    assert_eq!(browser.text("#artifact-name"), "php");
    assert_eq!(browser.text("#component-count"), "6 components");
    assert_eq!(browser.count("#component-list tbody tr"), 6);
    assert!(
        browser
            .text("#vulnerability-count")
            .starts_with("1 vulnerability at the last rescan (2026-12-02T00:00:00Z)")
    );
    assert_eq!(
        browser.text("#verification-state"),
        "signature not recorded\nprovenance not recorded\nverification summary (VSA) not recorded"
    );
    assert_eq!(browser.text("#fact-labels"), "team=team-php");
    browser.screenshot("artifact-php");

    // The SLO panel (no pipeline events in this store: not evaluated, said so).
    browser.goto(&format!("{base}/"));
    assert_eq!(
        browser.text("#slo-summary"),
        "3 SLOs over 0 pipeline events in their windows at 2026-12-03T12:00:00Z"
    );
    assert!(
        browser.text("#slo-list tbody tr").contains("not evaluated"),
        "{}",
        browser.text("#slo-list tbody tr")
    );
}

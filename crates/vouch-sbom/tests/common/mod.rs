//! Shared test helpers: offline schema validation and a realistic hand-built inventory.
#![allow(dead_code)]

use std::collections::BTreeMap;

use vouch_inventory::{
    Distro, Ecosystem, FileKind, Hash, HashAlgorithm, Inventory, Package, PackageRef, Parsed,
    Scope, SourcePackage,
};

#[allow(unused_imports)] // each test binary uses a different subset
pub use vouch_test::{assert_valid_cyclonedx, assert_valid_spdx, cyclonedx_errors, spdx_errors};

fn sha256(seed: &str) -> Hash {
    Hash::from_hex(
        HashAlgorithm::Sha256,
        &vouch_digest::Digest::sha256(seed.as_bytes()).hex(),
    )
    .expect("hex")
}

/// A realistic inventory covering: npm scoped (in a lockfile and installed), PyPI, Cargo with
/// a checksum, Debian with an epoch, distro and source package, apk, dev and optional scope,
/// licences (single id, compound expression, free text, several), dependency edges, a
/// resolved URL and a non-URL resolved source.
pub fn sample_inventory() -> Inventory {
    let mut babel = Package::new(Ecosystem::Npm, "@babel/core", "7.24.0");
    babel.licenses.push("MIT".into());
    babel.resolved = Some("https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz".into());
    babel.hashes.push(
        Hash::from_sri("sha512-fQfkg0Gjkza3nf0c7/w6Xf34BW4YvzNfACRLmmb7XRLa6XHdR+K9AlJlxneFfWYf6uhOzuzZVTjF/8KfndZANw==")
            .expect("sri"),
    );
    babel.dependencies.push(PackageRef {
        name: "debug".into(),
        version: Some("4.3.4".into()),
    });
    babel.line = Some(12);
    let mut debug = Package::new(Ecosystem::Npm, "debug", "4.3.4");
    debug.licenses.push("MIT".into());
    debug.dependencies.push(PackageRef {
        name: "ms".into(),
        version: None,
    });
    let mut ms = Package::new(Ecosystem::Npm, "ms", "2.1.2");
    ms.licenses.push("MIT".into());
    let mut jest = Package::new(Ecosystem::Npm, "jest", "29.7.0");
    jest.scope = Scope::Dev;
    jest.licenses.push("MIT".into());
    let mut fsevents = Package::new(Ecosystem::Npm, "fsevents", "2.3.3");
    fsevents.scope = Scope::Optional;
    fsevents.licenses.push("MIT".into());
    let lock = Parsed {
        packages: vec![babel.clone(), debug, ms, jest, fsevents],
        warnings: vec![],
    };

    let mut babel_installed = babel;
    babel_installed.line = None;
    babel_installed.resolved = None;
    let installed = Parsed {
        packages: vec![babel_installed],
        warnings: vec![],
    };

    let mut requests = Package::new(Ecosystem::PyPi, "Requests", "2.31.0");
    requests.licenses.push("Apache 2.0".into());
    requests.hashes.push(sha256("requests-2.31.0"));
    let mut pydantic = Package::new(Ecosystem::PyPi, "pydantic", "2.5.0");
    pydantic.licenses.push("MIT".into());
    pydantic.licenses.push("Apache-2.0 OR BSD-3-Clause".into());
    let py = Parsed {
        packages: vec![requests, pydantic],
        warnings: vec![],
    };

    let mut serde = Package::new(Ecosystem::Cargo, "serde", "1.0.197");
    serde.licenses.push("MIT OR Apache-2.0".into());
    serde.resolved = Some("registry+https://github.com/rust-lang/crates.io-index".into());
    serde.hashes.push(
        Hash::from_hex(
            HashAlgorithm::Sha256,
            "3fb1c873e1b9b056a4dc4c0c198b24c3ffa059243875552b2bd0933b1aee4ce2",
        )
        .expect("hex"),
    );
    let cargo = Parsed {
        packages: vec![serde],
        warnings: vec![],
    };

    let mut libc = Package::new(Ecosystem::Debian, "libc6", "2.36-9+deb12u4");
    libc.qualifiers = BTreeMap::from([("arch".to_owned(), "amd64".to_owned())]);
    libc.source_package = Some(SourcePackage {
        name: "glibc".into(),
        version: "2.36-9+deb12u4".into(),
    });
    libc.licenses
        .push("GPL-2.0-or-later AND LGPL-2.1-or-later".into());
    let mut perl = Package::new(Ecosystem::Debian, "perl-base", "5.36.0-7+deb12u1");
    perl.qualifiers = BTreeMap::from([("arch".to_owned(), "amd64".to_owned())]);
    perl.dependencies.push(PackageRef {
        name: "libc6".into(),
        version: Some("2.36-9+deb12u4".into()),
    });
    let mut tzdata = Package::new(Ecosystem::Debian, "tzdata", "2024a-0+deb12u1");
    tzdata.qualifiers = BTreeMap::from([("arch".to_owned(), "all".to_owned())]);
    let mut sensible = Package::new(Ecosystem::Debian, "sensible-utils", "0.0.17+nmu1");
    sensible.qualifiers = BTreeMap::from([("arch".to_owned(), "all".to_owned())]);
    let mut passwd = Package::new(Ecosystem::Debian, "passwd", "1:4.13+dfsg1-1+b1");
    passwd.qualifiers = BTreeMap::from([("arch".to_owned(), "amd64".to_owned())]);
    passwd.source_package = Some(SourcePackage {
        name: "shadow".into(),
        version: "1:4.13+dfsg1-1".into(),
    });
    passwd.dependencies.push(PackageRef {
        name: "libc6".into(),
        version: None,
    });
    let dpkg = Parsed {
        packages: vec![libc, perl, tzdata, sensible, passwd],
        warnings: vec![],
    };

    let mut musl = Package::new(Ecosystem::Alpine, "musl", "1.2.4-r2");
    musl.licenses.push("MIT".into());
    musl.source_package = Some(SourcePackage {
        name: "musl".into(),
        version: "1.2.4-r2".into(),
    });
    let apk = Parsed {
        packages: vec![musl],
        warnings: vec![],
    };

    Inventory::build(
        "demo-image",
        Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        }),
        vec![
            ("app/package-lock.json".into(), FileKind::NpmLock, lock),
            (
                "app/node_modules/@babel/core/package.json".into(),
                FileKind::NodeModule,
                installed,
            ),
            ("svc/requirements.txt".into(), FileKind::Requirements, py),
            ("tool/Cargo.lock".into(), FileKind::CargoLock, cargo),
            ("var/lib/dpkg/status".into(), FileKind::DpkgStatus, dpkg),
            ("lib/apk/db/installed".into(), FileKind::ApkInstalled, apk),
        ],
        vec![],
    )
}

/// A small inventory without a distro: an application's source tree.
pub fn app_inventory() -> Inventory {
    let mut a = Package::new(Ecosystem::Cargo, "anyhow", "1.0.80");
    a.licenses.push("MIT OR Apache-2.0".into());
    let mut b = Package::new(Ecosystem::Go, "github.com/spf13/cobra", "v1.8.0");
    b.dependencies.push(PackageRef {
        name: "github.com/spf13/pflag".into(),
        version: Some("v1.0.5".into()),
    });
    let c = Package::new(Ecosystem::Go, "github.com/spf13/pflag", "v1.0.5");
    let mut d = Package::new(Ecosystem::Packagist, "guzzlehttp/guzzle", "7.4.4");
    d.licenses.push("MIT".into());
    Inventory::build(
        "my-app",
        None,
        vec![
            (
                "Cargo.lock".into(),
                FileKind::CargoLock,
                Parsed {
                    packages: vec![a],
                    warnings: vec![],
                },
            ),
            (
                "go.mod".into(),
                FileKind::GoMod,
                Parsed {
                    packages: vec![b, c],
                    warnings: vec![],
                },
            ),
            (
                "composer.lock".into(),
                FileKind::ComposerLock,
                Parsed {
                    packages: vec![d],
                    warnings: vec![],
                },
            ),
        ],
        vec![],
    )
}

pub fn options() -> vouch_sbom::WriteOptions {
    vouch_sbom::WriteOptions::new("0.1.0")
        .timestamp("2026-01-02T03:04:05Z".parse().expect("timestamp"))
}

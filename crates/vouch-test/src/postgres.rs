//! A PostgreSQL cluster of a test's own (Debian's `initdb` + `pg_ctl` run as the `postgres`
//! user, listening only on a Unix socket in a temporary folder, fsync off), for the fleet
//! store's tests and the CLI's; the test fails, never skips, when PostgreSQL is missing
//! (scripts/test-setup.d/postgres.sh installs it).

use std::path::PathBuf;
use std::process::Command;

/// A PostgreSQL cluster of its own, stopped when dropped.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl Cluster {
    pub fn start() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is required (scripts/test-setup.d/postgres.sh installs it)")
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").exists())
            .expect("no /usr/lib/postgresql/*/bin/initdb: run scripts/test-setup.d/postgres.sh");
        let dir = tempfile::tempdir().unwrap();
        let owner = |args: &[&str]| {
            let out = Command::new("id")
                .args(args)
                .arg("postgres")
                .output()
                .unwrap();
            String::from_utf8(out.stdout)
                .unwrap()
                .trim()
                .parse::<u32>()
                .expect("user postgres")
        };
        let (uid, gid) = (owner(&["-u"]), owner(&["-g"]));
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        let run = |tool: &str, args: &[&str]| {
            let out = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(bin.join(tool))
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{tool}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let data = dir.path().join("data");
        let data = data.to_str().unwrap();
        run(
            "initdb",
            &["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        let opts = format!(
            "-k {} -c listen_addresses= -c fsync=off",
            dir.path().display()
        );
        let log = dir.path().join("log");
        run(
            "pg_ctl",
            &[
                "-D",
                data,
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
        Cluster { dir, bin }
    }

    /// The libpq connection string of the cluster (`vouch_fleet::Location::Postgres`).
    pub fn conninfo(&self) -> String {
        format!(
            "host={} user=postgres dbname=postgres",
            self.dir.path().display()
        )
    }

    /// The store URL `--store` takes.
    pub fn url(&self) -> String {
        format!(
            "postgresql:///postgres?host={}&user=postgres",
            self.dir.path().display()
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .output();
    }
}

#!/usr/bin/env python3
"""Generate a labelled corpus for secret-scanner accuracy.

Usage: bench/secrets-corpus.py OUT_DIR [--source DIR] [--seed N]

Takes real source files from --source (default: the vendored crates under ~/.cargo/registry/src),
copies a deterministic sample into OUT_DIR/files/, and plants:
  * positives: well-formed fake tokens for every vouch rule (bench/secrets_templates.py), each on
    its own line, several per rule, in a comment or assignment style that suits the file;
  * hard negatives: sha1/sha256/md5 hex digests, UUIDs, base64 test vectors, npm lockfile
    `integrity` strings, Go sum lines, documentation example keys (AKIAIOSFODNN7EXAMPLE, the
    Slack and Stripe docs placeholders), `${VAR}` templates and short dummy passwords.
Writes OUT_DIR/labels.json: {"positives": [{"file","line","rule"}], "negatives": [{"file","line","kind"}]}.
The untouched lines of the real files are unlabelled: a finding there counts as a false positive
too (they are real code; a few may really contain test keys, which then cost every tool alike).
"""
import argparse, base64, hashlib, json, os, random, shutil, sys, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secrets_templates import TEMPLATES, expand, pem_body  # noqa: E402

EXTS = {".rs": "//", ".py": "#", ".toml": "#", ".sh": "#", ".js": "//", ".go": "//", ".c": "//", ".h": "//", ".yml": "#", ".yaml": "#", ".md": ""}


def negatives(rng):
    h = lambda n: "".join(rng.choice("0123456789abcdef") for _ in range(n))
    b64 = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode()
    return [
        ("sha1", f'let expected = "{hashlib.sha1(os.urandom(8)).hexdigest()}";'),
        ("sha256", f'checksum = "sha256:{hashlib.sha256(os.urandom(8)).hexdigest()}"'),
        ("md5", f'md5sum: {hashlib.md5(os.urandom(8)).hexdigest()}'),
        ("uuid", f'id = "{uuid.UUID(int=rng.getrandbits(128))}"'),
        ("git-commit", f'rev = "{h(40)}"'),
        ("base64-vector", f'const TEST_VECTOR: &str = "{b64}";'),
        ("npm-integrity", f'"integrity": "sha512-{base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()}",'),
        ("go-sum", f'github.com/pkg/errors v0.9.1 h1:{base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode()}'),
        ("doc-aws", 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'),
        ("doc-aws-secret", 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
        ("doc-slack", 'SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'),
        ("doc-stripe", 'stripe.api_key = "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"'),
        ("template-var", 'password = "${DB_PASSWORD}"'),
        ("template-url", 'DATABASE_URL=postgres://app:${PGPASSWORD}@db:5432/app'),
        ("placeholder", 'api_key = "<your-api-key>"'),
        ("dummy-password", 'password = "password"'),
        ("localhost-url", 'url = "postgres://postgres:postgres@localhost:5432/test"'),
        ("jwt-doc", 'token: eyJhbGciOiJIUzI1NiJ9.e30.'),
        ("hex-color-table", f'const PALETTE: [&str; 4] = ["#{h(6)}", "#{h(6)}", "#{h(6)}", "#{h(6)}"];'),
        ("cargo-checksum", f'checksum = "{h(64)}"'),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--source", default=os.path.expanduser("~/.cargo/registry/src"))
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--per-rule", type=int, default=4)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "files"))

    candidates = []
    for dirpath, dirnames, filenames in os.walk(args.source):
        dirnames.sort()
        for f in sorted(filenames):
            ext = os.path.splitext(f)[1]
            p = os.path.join(dirpath, f)
            if ext in EXTS and 500 < os.path.getsize(p) < 60_000:
                candidates.append(p)
    rng.shuffle(candidates)
    chosen = candidates[: args.files]
    files = []  # (relpath, lines, comment)
    for i, p in enumerate(chosen):
        ext = os.path.splitext(p)[1]
        try:
            text = open(p, encoding="utf-8").read()
        except UnicodeDecodeError:
            continue
        rel = f"files/{i:04d}_{os.path.basename(p)}"
        files.append([rel, text.split("\n"), EXTS[ext]])

    plants = []  # (file index, text, label)
    for rule, temps in sorted(TEMPLATES.items()):
        for k in range(args.per_rule):
            t = temps[k % len(temps)]
            token_line = expand(t, rng).replace("@PEM@", pem_body(rng, 8))
            plants.append((rng.randrange(len(files)), token_line, ("pos", rule)))
    for k in range(6):
        for kind, line in negatives(rng):
            plants.append((rng.randrange(len(files)), line, ("neg", kind)))

    # insert lines from the bottom up so earlier line numbers stay valid
    per_file = {}
    for fi, text, label in plants:
        per_file.setdefault(fi, []).append((rng.randrange(len(files[fi][1]) + 1), text, label))
    labels = {"positives": [], "negatives": []}
    for fi, items in per_file.items():
        lines = files[fi][1]
        comment = files[fi][2]
        items.sort(key=lambda x: x[0])
        offset = 0
        for at, text, label in items:
            block = text.split("\n")
            if comment:
                block = [f"{comment} {b}" if b else comment for b in block]
            pos = at + offset
            lines[pos:pos] = block
            offset += len(block)
            entry = {"file": files[fi][0], "line": pos + 1, "last_line": pos + len(block)}
            if label[0] == "pos":
                entry["rule"] = label[1]
                labels["positives"].append(entry)
            else:
                entry["kind"] = label[1]
                labels["negatives"].append(entry)
    for rel, lines, _ in files:
        with open(os.path.join(out, rel), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
    with open(os.path.join(out, "labels.json"), "w") as fh:
        json.dump(labels, fh, indent=1, sort_keys=True)
    print(f"{len(files)} files, {len(labels['positives'])} positives, {len(labels['negatives'])} hard negatives -> {out}")


if __name__ == "__main__":
    main()

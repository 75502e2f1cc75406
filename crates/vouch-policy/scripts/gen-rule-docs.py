#!/usr/bin/env python3
"""Write docs/rules/<id>.md for every built-in rule from its METADATA block and fixtures.

Run from the repository root: python3 crates/vouch-policy/scripts/gen-rule-docs.py
Pages are regenerated whole; edit the Rego METADATA, not the page.
"""
import os, re, pathlib

root = pathlib.Path(__file__).resolve().parents[3]
rules = root / "crates/vouch-policy/rules"
fixtures = root / "crates/vouch-policy/tests/fixtures/rules"
out = root / "docs/rules"
out.mkdir(parents=True, exist_ok=True)
KINDS = {"dockerfile": "Dockerfile", "gitlab": "GitLab CI", "github": "GitHub Actions workflows and actions",
         "workload": "Kubernetes manifests and docker-compose", "packages": "package-manager settings, manifests and lockfiles",
         "terraform": "Terraform / OpenTofu HCL (`*.tf`, `*.tofu`) and plan JSON (`terraform show -json`)"}

def meta(text):
    fields, cur = {}, None
    for line in text.splitlines():
        if line.startswith("package "):
            break
        if line.startswith("#   ") and cur:
            fields[cur] += " " + line[4:].strip()
        elif line.startswith("# ") and ":" in line and line != "# METADATA":
            k, v = line[2:].split(":", 1)
            cur = k.strip(); fields[cur] = v.strip()
    return fields

def example(rule_id, which):
    d = fixtures / rule_id / which
    files = sorted(p for p in d.rglob("*") if p.is_file() and p.stat().st_size > 0)
    if not files:
        return ""
    p = files[0]
    lang = "dockerfile" if p.name == "Dockerfile" else ("yaml" if p.suffix in (".yml", ".yaml") else ("json" if p.suffix == ".json" else ("toml" if p.suffix == ".toml" else ("hcl" if p.suffix in (".tf", ".tofu") else "text"))))
    return f"`{p.relative_to(d)}`:\n\n```{lang}\n{p.read_text().rstrip()}\n```\n"

for group in sorted(os.listdir(rules)):
    if group == "image":
        # Image rules run over ImageInput JSON (tests/fixtures/image/<id>/), not files; their
        # pages carry a "What counts" section and are edited by hand.
        continue
    for f in sorted(os.listdir(rules / group)):
        if f == "lib.rego":
            continue
        m = meta((rules / group / f).read_text())
        rid = m["id"]
        expected = (fixtures / rid / "expected.txt").read_text().strip() if (fixtures / rid / "expected.txt").exists() else ""
        page = f"""# {rid}: {m['title']}

| | |
|---|---|
| Severity | {m['severity']} |
| Applies to | {KINDS[group]} |
| Source | `crates/vouch-policy/rules/{group}/{f}` |

## Why

{m['rationale']}

## Fix

{m['remediation']}

## Example that fails

{example(rid, 'fail')}
Findings:

```text
{expected}
```

## Example that passes

{example(rid, 'pass')}
## Suppressing

On the line or the line above: `# vouch:ignore {rid} <reason>`, or an entry in
`.vouch/ignore.toml` (see [docs/check.md](../check.md#suppressing-findings)).
"""
        (out / f"{rid}.md").write_text(page)
print("ok")

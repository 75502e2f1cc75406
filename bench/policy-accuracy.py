#!/usr/bin/env python3
"""Agreement of trivy, hadolint and checkov with the labelled fixtures vouch is tested on.

Usage (from the repository root, peers in /opt/peers/bin):
  L=crates/vouch-policy/tests/fixtures/labelled
  (cd $L && trivy config --quiet --skip-check-update --format json . > /tmp/lab-trivy.json)
  (cd $L && checkov -d . --framework dockerfile kubernetes github_actions -o json --quiet --compact --skip-download > /tmp/lab-checkov.json)
  (cd $L && for f in $(find checkov-dockerfile -name Dockerfile); do echo "$f $(hadolint --no-fail -f json $f | python3 -c 'import json,sys; print(",".join(sorted({x["code"] for x in json.load(sys.stdin)})))')"; done) > /tmp/lab-hadolint.txt
  python3 bench/policy-accuracy.py
vouch's own agreement is printed by `cargo test -p vouch-policy --test labelled -- --nocapture`.
A peer without an equivalent check for a rule is shown as "n/a".
"""
import json, collections, pathlib

L = pathlib.Path("crates/vouch-policy/tests/fixtures/labelled")
rows = [l.split("\t") for l in (L / "verdicts.tsv").read_text().splitlines() if l and not l.startswith("#")]

TRIVY = {
    "dockerfile-latest-tag": {"DS001"}, "dockerfile-user-root": {"DS002"},
    "workload-latest-tag": {"KSV013"}, "workload-run-as-root": {"KSV012"}, "workload-privileged": {"KSV017"},
    "workload-privilege-escalation": {"KSV001"}, "workload-host-namespace": {"KSV008", "KSV009", "KSV010"},
    "workload-host-path": {"KSV023"}, "workload-no-resource-limits": {"KSV011", "KSV018"},
}
HADOLINT = {"dockerfile-latest-tag": {"DL3006", "DL3007"}, "dockerfile-user-root": {"DL3002"}}
CHECKOV = {
    "dockerfile-latest-tag": {"CKV_DOCKER_7"}, "dockerfile-user-root": {"CKV_DOCKER_8", "CKV_DOCKER_3"},
    "workload-image-not-pinned": {"CKV_K8S_43"}, "workload-latest-tag": {"CKV_K8S_14"},
    "workload-run-as-root": {"CKV_K8S_23"}, "workload-privileged": {"CKV_K8S_16"},
    "workload-privilege-escalation": {"CKV_K8S_20"}, "workload-host-namespace": {"CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"},
    "workload-host-path": {"CKV_K8S_27"}, "workload-no-resource-limits": {"CKV_K8S_11", "CKV_K8S_13"},
    "github-excessive-permissions": {"CKV2_GHA_1"}, "github-script-injection": {"CKV_GHA_2"},
    "github-action-not-pinned": set(),
}

def trivy_fails():
    out = collections.defaultdict(set)
    data = json.load(open("/tmp/lab-trivy.json"))
    for r in data.get("Results") or []:
        for m in r.get("Misconfigurations") or []:
            if m.get("Status") == "FAIL":
                out[r["Target"]].add(m["ID"])
    return out

def checkov_fails():
    out = collections.defaultdict(set)
    data = json.load(open("/tmp/lab-checkov.json"))
    for rep in data if isinstance(data, list) else [data]:
        for c in rep.get("results", {}).get("failed_checks", []):
            # checkov reports paths from the git root; keep the part under labelled/.
            out[c["file_path"].split("/labelled/", 1)[-1].lstrip("/")].add(c["check_id"])
    return out

def hadolint_fails():
    out = {}
    for l in open("/tmp/lab-hadolint.txt"):
        parts = l.split()
        out[parts[0]] = set(parts[1].split(",")) if len(parts) > 1 else set()
    return out

tools = {"trivy": (TRIVY, trivy_fails()), "hadolint": (HADOLINT, hadolint_fails()), "checkov": (CHECKOV, checkov_fails())}
score = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
for path, rule, expected, _ in rows:
    for name, (mapping, fails) in tools.items():
        ids = mapping.get(rule)
        if not ids:
            continue
        got = "FAIL" if fails.get(path, set()) & ids else "PASS"
        s = score[rule][name]
        s[0] += got == expected
        s[1] += 1
rules = sorted({r[1] for r in rows})
print("| rule | " + " | ".join(tools) + " |")
print("|---|" + "---|" * len(tools))
tot = {t: [0, 0] for t in tools}
for rule in rules:
    cells = []
    for t in tools:
        s = score[rule].get(t)
        if s:
            cells.append(f"{s[0]}/{s[1]}")
            tot[t][0] += s[0]; tot[t][1] += s[1]
        else:
            cells.append("n/a")
    print(f"| {rule} | " + " | ".join(cells) + " |")
print("| **total (where the tool has a check)** | " + " | ".join(f"{v[0]}/{v[1]}" for v in tot.values()) + " |")

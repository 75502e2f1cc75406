#!/usr/bin/env python3
"""Score vouch's Terraform rules against labelled checkov and trivy-checks fixtures.

Usage: bench/terraform-accuracy.py VERDICTS_TSV FINDINGS_JSON [KNOWN_DIFFERENCES_TSV]
  VERDICTS_TSV  rows: path, rule, address (`*` = the folder as a whole), expected, source
  FINDINGS_JSON `vouch check --format json` over the folder the paths are relative to
Prints, per rule and label source (checkov, trivy): TP FP FN TN, precision and recall, then
every disagreement (marked `known` when listed in the known-differences file).
"""
import json, re, sys
from collections import defaultdict


def fired(findings, path, rule, addr):
    for f in findings:
        if f["rule_id"] != rule or f.get("suppressed"):
            continue
        loc = (f.get("location") or {}).get("path", "")
        if not (loc == path or loc.startswith(path + "/")):
            continue
        if addr == "*" or re.search(r"(?<![\w.-])" + re.escape(addr) + r"(?![\w-])", f["message"]):
            return True
    return False


def main():
    rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
    report = json.load(open(sys.argv[2]))
    findings = report.get("findings", [])
    known = set()
    if len(sys.argv) > 3:
        known = {tuple(l.split("\t")[:3]) for l in open(sys.argv[3]) if l.strip() and not l.startswith("#")}
    score = defaultdict(lambda: [0, 0, 0, 0])
    diffs = []
    for path, rule, addr, expected, source in rows:
        got = fired(findings, path, rule, addr)
        src = source.split()[0]
        s = score[(rule, src)]
        if expected == "FAIL":
            s[0 if got else 2] += 1
        else:
            s[1 if got else 3] += 1
        if got != (expected == "FAIL"):
            mark = "known" if (path, rule, addr) in known else "NEW"
            diffs.append(f"{mark}\t{path}\t{rule}\t{addr}\texpected {expected}, vouch {'FAIL' if got else 'PASS'}\t{source}")
    print(f"{'rule':<36} {'labels':<8} {'TP':>3} {'FP':>3} {'FN':>3} {'TN':>3} {'precision':>9} {'recall':>7}")
    tot = defaultdict(lambda: [0, 0, 0, 0])
    for (rule, src), (tp, fp, fn, tn) in sorted(score.items()):
        for i, v in enumerate((tp, fp, fn, tn)):
            tot[src][i] += v
        p = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        r = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
        print(f"{rule:<36} {src:<8} {tp:>3} {fp:>3} {fn:>3} {tn:>3} {p:>9} {r:>7}")
    for src, (tp, fp, fn, tn) in sorted(tot.items()):
        p = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        r = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
        print(f"{'total':<36} {src:<8} {tp:>3} {fp:>3} {fn:>3} {tn:>3} {p:>9} {r:>7}")
    print(f"\ndisagreements ({len(diffs)}):")
    for d in diffs:
        print(d)


if __name__ == "__main__":
    main()

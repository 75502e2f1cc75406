#!/usr/bin/env python3
"""Score secret-scanner output against bench/secrets-corpus.py labels.

Usage: bench/secrets-score.py CORPUS_DIR TOOL OUTPUT_FILE
TOOL: vouch | trivy | detect-secrets | trufflehog3. Prints one JSON line.

A finding is a distinct (file, line). It is a true positive if it falls inside a planted
positive's line range; every other finding is a false positive (hard negatives and untouched real
code alike). Recall counts planted positives with at least one finding in their range.
"""
import json, os, sys


def norm(corpus, path):
    path = path.replace("\\", "/")
    if os.path.isabs(path):
        path = os.path.relpath(path, corpus)
    if path.startswith("./"):
        path = path[2:]
    # tools scan CORPUS/files; labels say files/<name>
    if not path.startswith("files/"):
        path = "files/" + path
    return path


def findings(tool, corpus, data):
    out = set()
    if tool == "vouch":
        for f in data["findings"]:
            if f.get("suppressed"):
                continue
            out.add((norm(corpus, f["location"]["path"]), f["location"]["line"]))
    elif tool == "trivy":
        for r in data.get("Results") or []:
            for s in r.get("Secrets") or []:
                out.add((norm(corpus, r["Target"]), s["StartLine"]))
    elif tool == "detect-secrets":
        for path, items in data["results"].items():
            for s in items:
                out.add((norm(corpus, path), s["line_number"]))
    elif tool == "trufflehog3":
        for s in data:
            out.add((norm(corpus, s["path"]), int(s["line"])))
    return out


def main():
    corpus, tool, output = sys.argv[1], sys.argv[2], sys.argv[3]
    labels = json.load(open(os.path.join(corpus, "labels.json")))
    text = open(output).read().strip()
    data = json.loads(text) if text else ([] if tool == "trufflehog3" else {})
    found = findings(tool, corpus, data)
    pos = labels["positives"]
    ranges = {}
    for p in pos:
        ranges.setdefault(p["file"], []).append((p["line"], p["last_line"]))
    hit = sum(1 for p in pos if any(f == p["file"] and p["line"] <= l <= p["last_line"] for f, l in found))
    tp = sum(1 for f, l in found if any(a <= l <= b for a, b in ranges.get(f, [])))
    fp = len(found) - tp
    neg_hits = sum(1 for n in labels["negatives"] if (n["file"], n["line"]) in found)
    missed = sorted({p["rule"] for p in pos if not any(f == p["file"] and p["line"] <= l <= p["last_line"] for f, l in found)})
    print(json.dumps({
        "tool": tool,
        "positives": len(pos),
        "detected": hit,
        "recall": round(hit / len(pos), 4) if pos else None,
        "findings": len(found),
        "false_positives": fp,
        "hard_negative_hits": neg_hits,
        "precision": round(tp / len(found), 4) if found else None,
        "missed_rules": missed,
    }))


if __name__ == "__main__":
    main()

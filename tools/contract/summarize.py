"""Short summaries for tools/contract/run.sh (standard library only).

summarize.py ROLE DIR...            Schemathesis findings of one role: the JSON run
                                    reports (DIR/report.json) of its passes, merged,
                                    counted by check.
summarize.py --python-client LOG    openapi-python-client's warnings, counted by kind,
                                    with the schemas and operations they concern.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

SHOWN = 6  # operations or schemas listed per line before "…"


def listing(items: list[str]) -> str:
    items = sorted(set(items))
    shown = ", ".join(items[:SHOWN])
    return shown + (f", … ({len(items)} in all)" if len(items) > SHOWN else "")


def fuzz_summary(role: str, directories: list[str]) -> None:
    reports = [Path(d) / "report.json" for d in directories if (Path(d) / "report.json").is_file()]
    if not reports:
        print(f"contract: {role}: no Schemathesis report (the run did not finish; see its output.txt)")
        return
    failures: dict[tuple[str, str], dict] = {}
    errors: Counter[str] = Counter()
    warnings: dict[str, list[str]] = defaultdict(list)
    generated = tested = selected = 0
    stop = []
    for path in reports:
        document = json.loads(path.read_text(encoding="utf-8"))
        cases = document.get("test_cases") or {}
        generated += cases.get("generated", 0)
        operations = document.get("operations") or {}
        tested += operations.get("tested", 0)
        selected += operations.get("selected", 0)
        stop.append(document.get("stop_reason", "?"))
        for group in document.get("failures", []):
            key = (group["code"], group["title"])
            entry = failures.setdefault(key, {"count": 0, "operations": []})
            entry["count"] += group.get("count", 0)
            entry["operations"] += group.get("operations", [])
        for error in document.get("errors", []):
            errors[error["title"]] += error.get("count", 0)
        found = document.get("warnings") or {}
        if isinstance(found, dict):
            for name, labels in found.items():
                warnings[name] += labels if isinstance(labels, list) else [str(labels)]
        elif isinstance(found, list):
            for name in found:
                warnings[str(name)].append("(no operations named)")
    print(
        f"contract: {role}: {generated} test cases on {tested}/{selected} operations "
        f"(stopped: {', '.join(stop)}); {sum(e['count'] for e in failures.values())} failures "
        f"of {len(failures)} kinds, {sum(errors.values())} errors"
    )
    for (code, title), entry in sorted(failures.items(), key=lambda item: -len(set(item[1]["operations"]))):
        operations = entry["operations"]
        print(f"  {code:<30} {title}: {entry['count']} on {len(set(operations))} operations: {listing(operations)}")
    for title, count in errors.most_common():
        print(f"  error: {title} ×{count}")
    for name, labels in sorted(warnings.items()):
        labels = [label for label in labels if label]
        if labels:
            print(f"  warning {name}: {listing(labels)}")


# openapi-python-client prints "WARNING parsing METHOD PATH within TAG." followed by a
# reason, or "Unable to process schema /components/schemas/X:" followed by a reason and
# "Failure to process schema has resulted in the removal of:" with the removed schemas.
OPERATION = re.compile(r"^WARNING parsing (\S+ \S+) within")
SCHEMA = re.compile(r"^Unable to process schema (\S+):")
REMOVED = re.compile(r"^(/components/schemas/\S+)$")
OBJECT = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>")


def python_client_summary(log: str) -> None:
    lines = Path(log).read_text(encoding="utf-8", errors="replace").splitlines()
    reasons: dict[str, list[str]] = defaultdict(list)
    removed: list[str] = []
    subject = None
    for line in lines:
        line = line.strip()
        if match := OPERATION.match(line):
            subject = match.group(1)
            continue
        if match := SCHEMA.match(line):
            subject = match.group(1).rsplit("/", 1)[-1]
            continue
        if match := REMOVED.match(line):
            removed.append(match.group(1).rsplit("/", 1)[-1])
            continue
        if subject and line and not line.startswith(("{", "}", '"', "Failure to process")):
            reason = OBJECT.sub("…", line)
            reason = re.sub(r"status code … \(", "status code (", reason)
            reasons[reason].append(subject)
            subject = None
    total = sum(len(subjects) for subjects in reasons.values())
    print(f"contract: openapi-python-client: {total} warnings")
    for reason, subjects in sorted(reasons.items(), key=lambda item: -len(item[1])):
        print(f"  {len(subjects):>3} × {reason}\n        {listing(subjects)}")
    if removed:
        print(f"  schemas removed from the client ({len(set(removed))}): {listing(removed)}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--python-client":
        python_client_summary(sys.argv[2])
    elif len(sys.argv) >= 3:
        fuzz_summary(sys.argv[1], sys.argv[2:])
    else:
        sys.exit(__doc__)

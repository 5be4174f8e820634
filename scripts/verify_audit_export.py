#!/usr/bin/env python3
"""Check an audit export offline, with nothing but Python's standard library (no Tierflow code needed).

    python3 scripts/verify_audit_export.py audit.json [--head SEQ:HASH]

Each row's `hash` must equal SHA-256 over its canonical content (below, the same rule Tierflow applies when
it writes the row, for the row's chain version `v`); consecutive rows (seq n, n+1) must link (`prev_hash` of n+1 = `hash` of n); with
`--head`, the last row must be the chain head you were given (from the /audit/ page or the admin).
Exits 1 naming the first row that fails.
"""
import hashlib
import json
import sys


def canonical(row: dict) -> bytes:
    """Version 2 (`"v": 2`) hashes every column; version 1 (rows before version 2 began) left out `actor_id`."""
    if row.get("v", 1) == 1:
        subject_type, _, subject_id = row["subject"].partition(":")
        payload = {"seq": row["seq"], "at": row["at"], "actor": row["actor"], "event": row["event"],
                   "subject": f"{subject_type}:{subject_id}", "party": row["party"], "data": row["data"],
                   "prev": row["prev_hash"]}
    else:
        payload = {"v": row["v"], "seq": row["seq"], "at": row["at"], "actor_id": row["actor_id"], "actor": row["actor"],
                   "event": row["event"], "subject_type": row["subject_type"], "subject_id": row["subject_id"],
                   "party": row["party"], "data": row["data"], "prev": row["prev_hash"]}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 2
    rows = json.load(open(argv[0], encoding="utf-8"))
    previous = None
    for row in rows:
        if hashlib.sha256(canonical(row)).hexdigest() != row["hash"]:
            print(f"BROKEN: event #{row['seq']} does not match its hash (changed after it was written)")
            return 1
        if previous is not None and row["seq"] == previous["seq"] + 1 and row["prev_hash"] != previous["hash"]:
            print(f"BROKEN: event #{row['seq']} does not link to event #{previous['seq']}")
            return 1
        previous = row
    if "--head" in argv:
        seq, _, digest = argv[argv.index("--head") + 1].partition(":")
        if previous is None or (str(previous["seq"]), previous["hash"]) != (seq, digest):
            print(f"BROKEN: the export ends at #{previous and previous['seq']}, not at the head #{seq}")
            return 1
    print(f"OK: {len(rows)} events re-hashed" + (", chain links checked" if rows else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

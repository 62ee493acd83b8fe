"""The licenses a datanet can carry, as SPDX identifiers. Plain data."""

LICENSES: list[tuple[str, str]] = [
    ("CC0-1.0", "CC0 1.0 — public domain dedication"),
    ("CC-BY-4.0", "CC BY 4.0 — attribution"),
    ("CC-BY-SA-4.0", "CC BY-SA 4.0 — attribution, share-alike"),
    ("CC-BY-NC-4.0", "CC BY-NC 4.0 — attribution, non-commercial"),
    ("CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0 — attribution, non-commercial, share-alike"),
    ("CDLA-Permissive-2.0", "Community Data License Agreement — Permissive 2.0"),
    ("CDLA-Sharing-1.0", "Community Data License Agreement — Sharing 1.0"),
    ("ODC-By-1.0", "Open Data Commons Attribution 1.0"),
    ("ODbL-1.0", "Open Database License 1.0"),
    ("PDDL-1.0", "Open Data Commons Public Domain Dedication 1.0"),
    ("Apache-2.0", "Apache License 2.0"),
    ("MIT", "MIT License"),
]
LICENSE_IDS = {spdx for spdx, _ in LICENSES}

DOMAINS: list[tuple[str, str]] = [
    ("general", "General"),
    ("medicine", "Medicine & health"),
    ("law", "Law"),
    ("finance", "Finance"),
    ("science", "Science"),
    ("code", "Software & code"),
    ("education", "Education"),
    ("climate", "Climate & environment"),
    ("web3", "Web3 & crypto"),
    ("customer-support", "Customer support"),
    ("languages", "Languages & translation"),
    ("other", "Other"),
]

"""The dataset card (README.md) of a release, in the form dataset hubs read: YAML front matter
(license, size category, language, task, pretty name, data files) and a markdown body. Pure."""

import yaml

# Hubs spell licenses in lowercase and drop the version of the Open Data Commons ones.
HUB_LICENSES = {"ODC-By-1.0": "odc-by", "ODbL-1.0": "odbl", "PDDL-1.0": "pddl"}
SIZE_CATEGORIES = [
    (1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
]
TASKS = {"languages": "translation", "customer-support": "question-answering"}
# A datanet has no language field yet; records are English unless its owner says otherwise.
LANGUAGE = "en"


def hub_license(spdx: str) -> str:
    return HUB_LICENSES.get(spdx, spdx.lower())


def size_category(n: int) -> str:
    for bound, name in SIZE_CATEGORIES:
        if n < bound:
            return name
    return "n>10B"


def front_matter(*, name: str, license: str, domain: str, tags: list[str], record_count: int,
                 files: dict[str, str]) -> dict:
    return {
        "pretty_name": name,
        "license": hub_license(license),
        "language": [LANGUAGE],
        "size_categories": [size_category(record_count)],
        "task_categories": [TASKS.get(domain, "text-generation")],
        "tags": [domain, *tags],
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": files["parquet"]}]}],
    }


def render_card(*, name: str, slug: str, version: int, summary: str, description: str, license: str,
                domain: str, tags: list[str], record_count: int, contributor_count: int,
                near_dup_threshold: float, min_quality: float, approvals_required: int,
                auto_accept_above: float | None, changes: dict, merkle_root: str, files: dict[str, str]) -> str:
    meta = front_matter(name=name, license=license, domain=domain, tags=tags, record_count=record_count,
                        files=files)
    previous = changes.get("previous")
    since = (f"Since v{previous}: {changes.get('added', 0):,} added, {len(changes.get('removed', [])):,} removed "
             "by moderation." if previous else "This is the first release.")
    auto = (f"Records scoring at least {auto_accept_above} were accepted without review."
            if auto_accept_above is not None else "Every record was reviewed by curators.")
    body = f"""# {name} — v{version}

{summary}

## Description

{description.strip() or "No description was written for this datanet."}

## Curation

Every record in this release passed, in order:

- validation against the datanet's record schema;
- exact deduplication (same normalized text) and near-duplicate detection (MinHash LSH, estimated
  Jaccard similarity threshold **{near_dup_threshold}**);
- a quality score of at least **{min_quality}** (sentence embeddings and text heuristics);
- curator review: **{approvals_required}** approval{"s" if approvals_required != 1 else ""} needed. {auto}

## Contents

- Records: **{record_count:,}** from **{contributor_count:,}** contributor{"s" if contributor_count != 1 else ""}
- License: {license}
- {since}

## Files

| File | What it holds |
|---|---|
| `{files["jsonl"]}` | one JSON object per record: `record_id`, `text`, `fields`, `contributor`, `content_hash`, `quality_score` |
| `{files["parquet"]}` | the same rows; `fields` is a JSON string |
| `{files["manifest"]}` | one row per record: `record_id`, `content_hash`, `contributor`, `license` |

## Verifying this release

Merkle root of the manifest: `{merkle_root}`

Leaf: sha256(0x00 ‖ "record_id\\tcontent_hash\\tcontributor\\tlicense" in UTF-8), rows in manifest order.
Node: sha256(0x01 ‖ left ‖ right), pairs taken from the left; an odd node at the end of a level moves
up unchanged. Source: datanet `{slug}`, release v{version}.
"""
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n" + body


def split_front_matter(card: str) -> tuple[str, str]:
    """(front matter YAML, markdown body) of a card; ("", card) when it has none."""
    if card.startswith("---\n"):
        end = card.find("\n---\n", 4)
        if end != -1:
            return card[4:end + 1], card[end + 5:].lstrip("\n")
    return "", card

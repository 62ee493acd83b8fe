"""The decisions of ingest for one chunk, under the datanet's ingest lock: exact duplicate, near
duplicate, quality, and where each record goes. Every decision leaves a receipt on the record
that names the check, the measured value, the threshold and the model or method version."""

from typing import Any

import numpy as np
from django.utils import timezone

from curation import bulk_sql, dedup, lsh, minhash, scoring
from datanets.models import Datanet, Record, Submission

NEAR_DUP_METHOD = "minhash-lsh/1"


def _near_duplicate(datanet: Datanet, cand: Any, stored: dict[int, tuple[np.ndarray, str]],
                    chunk_index: lsh.InMemoryBandStore, chunk_records: dict[str, Any]) -> tuple[Any, float, str] | None:
    """The record this one nearly duplicates (an existing record's id, or an earlier candidate
    of this chunk), its similarity and how it was measured; None when there is none."""
    threshold = datanet.near_dup_threshold
    best: tuple[Any, float, str] | None = None
    for rid in sorted(cand.stored_candidates):
        if rid in stored:
            sig, text = stored[rid]
            sim, how = dedup.similarity(datanet, cand.signature, cand.text, sig, text)
            # Strictly greater: on a tie the earliest (lowest id) keeps the credit.
            if sim >= threshold and (best is None or sim > best[1]):
                best = (rid, sim, how)
    if best is None:
        for key in chunk_index.lookup(cand.band_keys):
            earlier = chunk_records[key]
            sim, how = dedup.similarity(datanet, cand.signature, cand.text, earlier.signature, earlier.text)
            if sim >= threshold and (best is None or sim > best[1]):
                best = (earlier, sim, how)
    return best


def route(*, datanet: Datanet, submission: Submission, candidates: list[Any]) -> dict[str, int]:
    counts = {"exact_dup": 0, "near_dup": 0, "low_quality": 0, "queued": 0, "accepted": 0}
    store = dedup.band_store(datanet)
    bands, rows = dedup.band_params(datanet)
    chunk_index = lsh.InMemoryBandStore()
    chunk_records: dict[str, Any] = {}
    now = timezone.now()
    params = {"num_perm": datanet.minhash_num_perm, "shingle_size": datanet.shingle_size, "bands": bands, "rows": rows}
    fresh = [c for c in candidates if c.signature is not None]
    for cand, keys in zip(fresh, store.keys_of(np.stack([c.signature for c in fresh])) if fresh else []):
        cand.band_keys = keys
    # One round trip for the whole chunk: LSH candidates, then their signatures and texts.
    hits = store.lookup_many([c.band_keys for c in fresh]) if fresh else []
    for cand, found in zip(fresh, hits):
        cand.stored_candidates = found
    stored = dedup.signatures_of(set().union(*hits)) if hits else {}
    originals: list[Any] = []
    later: list[Any] = []  # rows that point at a record of this chunk: created after it
    common = dict(datanet_id=datanet.pk, submission_id=submission.pk, contributor_id=submission.contributor_id,
                  decided_at=now)

    for cand in candidates:
        cand.receipt = [{"check": "schema", "outcome": "pass"}]
        values = dict(common, row=cand.row, fields=cand.fields, text=cand.text, content_hash=cand.hash)
        cand.record = values
        if cand.duplicate_of is not None or cand.copy_of is not None:
            counts["exact_dup"] += 1
            cand.receipt.append({"check": "exact_duplicate", "outcome": "fail", "value": cand.hash,
                                 "duplicate_of": cand.duplicate_of})
            values.update(status=Record.Status.REJECTED_DUPLICATE, duplicate_of_id=cand.duplicate_of, similarity=1.0,
                          receipt=cand.receipt)
            (later if cand.copy_of is not None else originals).append(cand)
            continue
        cand.receipt.append({"check": "exact_duplicate", "outcome": "pass"})
        match = _near_duplicate(datanet, cand, stored, chunk_index, chunk_records)
        if match is not None:
            target, sim, how = match
            counts["near_dup"] += 1
            target_id = target if isinstance(target, int) else None
            cand.receipt.append({"check": "near_duplicate", "outcome": "fail", "value": round(sim, 4),
                                 "threshold": datanet.near_dup_threshold, "duplicate_of": target_id,
                                 "measured": how, "method": NEAR_DUP_METHOD, "params": params})
            values.update(status=Record.Status.REJECTED_DUPLICATE, duplicate_of_id=target_id, similarity=sim,
                          minhash=minhash.signature_to_bytes(cand.signature), receipt=cand.receipt)
            if target_id is None:
                cand.copy_of = target
                later.append(cand)
            else:
                originals.append(cand)
            continue
        cand.receipt.append({"check": "near_duplicate", "outcome": "pass", "threshold": datanet.near_dup_threshold,
                             "method": NEAR_DUP_METHOD, "params": params})
        chunk_index.add(str(cand.row), cand.band_keys)
        chunk_records[str(cand.row)] = cand
        values.update(status=Record.Status.PENDING, minhash=minhash.signature_to_bytes(cand.signature),
                      embedding=scoring.embedding_to_bytes(cand.embedding))
        originals.append(cand)

    scored = [c for c in originals if c.record["status"] == Record.Status.PENDING]
    if scored:
        heuristics = [c.heuristics for c in scored]
        results = scoring.score(datanet, [c.text for c in scored], np.stack([c.embedding for c in scored]),
                                heuristics=None if any(h is None for h in heuristics) else heuristics)
        for cand, result in zip(scored, results):
            _route_by_quality(datanet, cand, result, counts)

    _insert(originals)
    # A row may copy a row that itself copies another of this chunk: insert in rounds, each
    # pointing at records the rounds before created (the earliest waiting row always can).
    while later:
        ready = [c for c in later if c.copy_of.record_id is not None]
        later = [c for c in later if c.copy_of.record_id is None]
        for cand in ready:
            source_id = cand.copy_of.record_id
            cand.record["duplicate_of_id"] = source_id
            for entry in cand.receipt:
                if entry.get("outcome") == "fail" and entry["check"] in ("exact_duplicate", "near_duplicate"):
                    entry["duplicate_of"] = source_id
        _insert(ready)
    indexed = [c for c in originals if c.record["status"] != Record.Status.REJECTED_DUPLICATE]
    store.add_many([(c.record_id, c.band_keys) for c in indexed])
    return counts


def _insert(candidates: list[Any]) -> None:
    ids = bulk_sql.records_insert([c.record for c in candidates])
    for cand in candidates:
        cand.record_id = ids[cand.row]


def _route_by_quality(datanet: Datanet, cand: Any, result: Any, counts: dict[str, int]) -> None:
    record = cand.record
    record.update(quality_score=result.score, quality_components=result.components, model_version=result.model_version)
    passed = result.score >= datanet.min_quality
    cand.receipt.append({"check": "quality", "outcome": "pass" if passed else "fail", "value": round(result.score, 4),
                         "threshold": datanet.min_quality, "components": result.components,
                         "weights": result.weights, "model": result.model_version})
    if not passed:
        record["status"] = Record.Status.REJECTED_QUALITY
        counts["low_quality"] += 1
    elif datanet.auto_accept_above is not None and result.score >= datanet.auto_accept_above:
        record["status"] = Record.Status.ACCEPTED
        counts["accepted"] += 1
        cand.receipt.append({"check": "route", "outcome": "accepted", "rule": "auto_accept_above",
                             "threshold": datanet.auto_accept_above, "value": round(result.score, 4)})
    else:
        record["status"] = Record.Status.IN_REVIEW
        counts["queued"] += 1
        rule = "always review" if datanet.auto_accept_above is None else "below auto_accept_above"
        cand.receipt.append({"check": "route", "outcome": "in_review", "rule": rule,
                             "threshold": datanet.auto_accept_above})
    record["receipt"] = cand.receipt

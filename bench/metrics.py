"""nDCG@k and Recall@k with pytrec_eval / BEIR conventions (graded gains, linear, log2 discount)."""

from __future__ import annotations

import math

Qrels = dict[str, dict[str, int]]
Run = dict[str, list[str]]


def ndcg_at(relevant: dict[str, int], ranked: list[str], k: int) -> float:
    """nDCG@k of one ranked list: gain = relevance grade, discount 1/log2(rank+1)."""
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(relevant: dict[str, int], ranked: list[str], k: int) -> float:
    """Share of the relevant documents (grade > 0) found in the top k."""
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted.intersection(ranked[:k])) / len(wanted) if wanted else 0.0


def evaluate(qrels: Qrels, run: Run) -> dict[str, float]:
    """Mean nDCG@10 and Recall@100 over the judged queries (a query with no results scores 0)."""
    judged = [q for q, rel in qrels.items() if any(g > 0 for g in rel.values())]
    if not judged:
        return {"ndcg@10": 0.0, "recall@100": 0.0}
    ndcg = sum(ndcg_at(qrels[q], run.get(q, []), 10) for q in judged) / len(judged)
    recall = sum(recall_at(qrels[q], run.get(q, []), 100) for q in judged) / len(judged)
    return {"ndcg@10": round(ndcg, 4), "recall@100": round(recall, 4)}

"""Prometheus metrics of the ingest worker, served on its own port (`/metrics`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RECORDS = Counter(
    "waybill_ingest_records_total",
    "Decoded records by outcome: stored, duplicate or ignored.",
    ["outcome"],
)
DEAD_LETTERS = Counter(
    "waybill_ingest_dead_letters_total", "Messages that became dead letters, by reason.", ["reason"]
)
MESSAGES = Counter("waybill_ingest_messages_total", "Messages taken from the broker.")
BATCH_SIZE = Histogram(
    "waybill_ingest_batch_messages",
    "Messages per committed batch.",
    buckets=(1, 10, 50, 100, 500, 1000, 2000, 5000, 10000, 20000),
)
COMMIT_SECONDS = Histogram(
    "waybill_ingest_commit_seconds",
    "Time to write and commit one batch.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
QUEUE_DEPTH = Gauge("waybill_ingest_queue_depth", "Messages received and not yet committed.")
DB_ERRORS = Counter("waybill_ingest_db_errors_total", "Batches retried after a database error.")

"""EPCIS 2.0 event repository, capture jobs, and the read-point projection's progress.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per capture request (`POST /epcis/capture`): its state is what
    # `GET /epcis/capture/{id}` answers. A capture is all or nothing.
    op.execute(
        """CREATE TABLE epcis_capture_jobs (
            id text PRIMARY KEY,
            state text NOT NULL CHECK (state IN ('running', 'success', 'failed')),
            created_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            created_by text,
            event_count integer,
            stored_count integer,
            errors jsonb NOT NULL DEFAULT '[]'
        )"""
    )
    op.execute("CREATE INDEX epcis_capture_jobs_created ON epcis_capture_jobs (created_at, id)")
    # The events: the typed columns are what queries filter on; `json` is the normalised
    # JSON-LD that is emitted. `event_id` is unique, so the same event captured twice (or
    # projected twice from the same reads) is stored once.
    op.execute(
        """CREATE TABLE epcis_events (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id text NOT NULL UNIQUE,
            hash_id text NOT NULL,
            type text NOT NULL CHECK (type IN ('ObjectEvent', 'AggregationEvent',
                'TransactionEvent', 'TransformationEvent', 'AssociationEvent')),
            event_time timestamptz NOT NULL,
            event_time_zone_offset text NOT NULL,
            record_time timestamptz NOT NULL DEFAULT now(),
            action text CHECK (action IN ('ADD', 'OBSERVE', 'DELETE')),
            biz_step text,
            disposition text,
            read_point text,
            biz_location text,
            parent_id text,
            transformation_id text,
            capture_id text REFERENCES epcis_capture_jobs (id),
            json jsonb NOT NULL
        )"""
    )
    # Pages are keyset pages on (event_time, pk).
    op.execute("CREATE INDEX epcis_events_time ON epcis_events (event_time, pk)")
    op.execute("CREATE INDEX epcis_events_record_time ON epcis_events (record_time)")
    op.execute("CREATE INDEX epcis_events_hash ON epcis_events (hash_id)")
    op.execute("CREATE INDEX epcis_events_biz_step ON epcis_events (biz_step, event_time)")
    op.execute("CREATE INDEX epcis_events_read_point ON epcis_events (read_point, event_time)")
    op.execute("CREATE INDEX epcis_events_biz_location ON epcis_events (biz_location, event_time)")
    # Every EPC an event names, by role. The "C" collation makes the primary key serve
    # `epc LIKE 'urn:epc:id:sgtin:0614141.%'`, which is what MATCH_ patterns become.
    op.execute(
        """CREATE TABLE epcis_event_epcs (
            epc text COLLATE "C" NOT NULL,
            role text NOT NULL CHECK (role IN ('epc', 'child', 'input', 'output', 'parent')),
            event_pk bigint NOT NULL REFERENCES epcis_events (pk) ON DELETE CASCADE,
            PRIMARY KEY (epc, role, event_pk)
        )"""
    )
    op.execute("CREATE INDEX epcis_event_epcs_event ON epcis_event_epcs (event_pk)")
    op.execute(
        """CREATE TABLE epcis_biz_transactions (
            event_pk bigint NOT NULL REFERENCES epcis_events (pk) ON DELETE CASCADE,
            type text NOT NULL DEFAULT '',
            id text NOT NULL,
            PRIMARY KEY (event_pk, type, id)
        )"""
    )
    op.execute("CREATE INDEX epcis_biz_transactions_id ON epcis_biz_transactions (id)")
    # The read-point projection's work queue: one row per reader, claimed with
    # FOR UPDATE SKIP LOCKED. `watermark` is the read time up to which the reader's
    # tag_reads were consumed; `state` the smoothers' open sessions at that time. Both
    # change in the transaction that writes the events they produced.
    # The projection reads one reader's tag_reads by read time; the primary key leads with
    # (device_pk, antenna, epc), which does not serve that range.
    op.execute("CREATE INDEX tag_reads_device_time ON tag_reads (device_pk, read_time)")
    op.execute(
        """CREATE TABLE readpoint_progress (
            device_pk integer PRIMARY KEY REFERENCES devices (pk),
            watermark timestamptz,
            state jsonb NOT NULL DEFAULT '{}',
            reads_consumed bigint NOT NULL DEFAULT 0,
            events_written bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE readpoint_progress")
    op.execute("DROP INDEX IF EXISTS tag_reads_device_time")
    op.execute("DROP TABLE epcis_biz_transactions")
    op.execute("DROP TABLE epcis_event_epcs")
    op.execute("DROP TABLE epcis_events")
    op.execute("DROP TABLE epcis_capture_jobs")

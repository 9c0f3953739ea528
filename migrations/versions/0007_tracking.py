"""Tracking projections: vehicle state, the dirty-device queue, per-device progress and
checkpoints, trips and stops, geofences and their transitions, vehicle loads, shipment
ETAs and public tracking links.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The latest fix of each device by device time; the projector's upsert only moves it
    # forward (WHERE vehicle_state.device_time < excluded.device_time).
    op.execute(
        """CREATE TABLE vehicle_state (
            device_pk integer PRIMARY KEY REFERENCES devices (pk),
            device_time timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            geom geometry(Point, 4326) NOT NULL,
            speed_mps real,
            heading_deg real,
            accuracy_m real,
            recent_speed_mps real,
            last_seen_at timestamptz NOT NULL,
            link_status text CHECK (link_status IN ('online', 'offline')),
            link_status_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    # Devices with fixes not yet projected. Ingest upserts a row in the transaction of its
    # rows (`since` = the oldest device time written); a runner claims rows with
    # FOR UPDATE SKIP LOCKED and deletes them in the transaction of its output.
    op.execute(
        """CREATE TABLE tracking_dirty (
            device_pk integer PRIMARY KEY,
            since timestamptz NOT NULL,
            marked_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )"""
    )
    op.execute(
        """CREATE TABLE tracking_progress (
            device_pk integer PRIMARY KEY REFERENCES devices (pk),
            watermark timestamptz,
            state jsonb NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute(
        """CREATE TABLE tracking_checkpoints (
            device_pk integer NOT NULL REFERENCES devices (pk),
            watermark timestamptz NOT NULL,
            state jsonb NOT NULL,
            PRIMARY KEY (device_pk, watermark)
        )"""
    )
    op.execute(
        """CREATE TABLE trips (
            device_pk integer NOT NULL REFERENCES devices (pk),
            start_time timestamptz NOT NULL,
            end_time timestamptz NOT NULL,
            distance_m double precision NOT NULL,
            end_reason text NOT NULL,
            decided_at timestamptz NOT NULL,
            geom geometry(LineString, 4326) NOT NULL,
            PRIMARY KEY (device_pk, start_time)
        )"""
    )
    op.execute("CREATE INDEX trips_decided ON trips (device_pk, decided_at)")
    op.execute("CREATE INDEX trips_geom_gist ON trips USING gist (geom)")
    op.execute(
        """CREATE TABLE stops (
            device_pk integer NOT NULL REFERENCES devices (pk),
            start_time timestamptz NOT NULL,
            end_time timestamptz NOT NULL,
            fix_count integer NOT NULL,
            decided_at timestamptz NOT NULL,
            geom geometry(Point, 4326) NOT NULL,
            PRIMARY KEY (device_pk, start_time)
        )"""
    )
    op.execute("CREATE INDEX stops_decided ON stops (device_pk, decided_at)")
    op.execute("CREATE INDEX stops_geom_gist ON stops USING gist (geom)")
    op.execute(
        """CREATE TABLE geofences (
            pk integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            fence_id text NOT NULL UNIQUE,
            name text NOT NULL DEFAULT '',
            kind text NOT NULL CHECK (kind IN ('warehouse', 'market', 'customer', 'other')),
            depot_id text,
            geojson jsonb NOT NULL,
            radius_m double precision,
            geom geometry(Geometry, 4326) NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX geofences_geom_gist ON geofences USING gist (geom)")
    op.execute(
        """CREATE TABLE geofence_transitions (
            device_pk integer NOT NULL REFERENCES devices (pk),
            fence_key text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('enter', 'exit')),
            at timestamptz NOT NULL,
            confirmed_at timestamptz NOT NULL,
            geom geometry(Point, 4326) NOT NULL,
            PRIMARY KEY (device_pk, fence_key, confirmed_at)
        )"""
    )
    op.execute("CREATE INDEX geofence_transitions_fence ON geofence_transitions (fence_key, at)")
    # Which vehicle carries a shipment (set by a dispatcher or a loading event).
    op.execute(
        """CREATE TABLE vehicle_loads (
            shipment_pk bigint PRIMARY KEY REFERENCES shipments (pk),
            device_pk integer NOT NULL REFERENCES devices (pk),
            loaded_at timestamptz NOT NULL DEFAULT now(),
            unloaded_at timestamptz
        )"""
    )
    op.execute(
        "CREATE INDEX vehicle_loads_device ON vehicle_loads (device_pk) WHERE unloaded_at IS NULL"
    )
    op.execute(
        """CREATE TABLE shipment_eta (
            shipment_pk bigint PRIMARY KEY REFERENCES shipments (pk),
            device_pk integer REFERENCES devices (pk),
            eta timestamptz,
            method text NOT NULL CHECK (method IN ('plan', 'live')),
            distance_m double precision,
            as_of timestamptz NOT NULL,
            computed_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )"""
    )
    op.execute(
        """CREATE TABLE shipment_public_links (
            token_hash bytea PRIMARY KEY,
            shipment_pk bigint NOT NULL REFERENCES shipments (pk),
            expires_at timestamptz NOT NULL,
            created_by text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX shipment_public_links_shipment ON shipment_public_links (shipment_pk)")
    # EPCIS events already turned into shipment evidence (packing, loading).
    op.execute(
        """CREATE TABLE tracking_epcis_seen (
            event_pk bigint PRIMARY KEY,
            seen_at timestamptz NOT NULL DEFAULT now()
        )"""
    )


def downgrade() -> None:
    for table in (
        "tracking_epcis_seen",
        "shipment_public_links",
        "shipment_eta",
        "vehicle_loads",
        "geofence_transitions",
        "geofences",
        "stops",
        "trips",
        "tracking_checkpoints",
        "tracking_progress",
        "tracking_dirty",
        "vehicle_state",
    ):
        op.execute(f"DROP TABLE {table}")

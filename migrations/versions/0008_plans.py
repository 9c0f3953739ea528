"""Route plans: depots, the fleet, plans with their progress, routes and stops, and the
plan job queue that any number of workers claim with FOR UPDATE SKIP LOCKED.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PLAN_STATUSES = "'queued', 'running', 'succeeded', 'failed', 'cancelled', 'approved'"


def upgrade() -> None:
    op.execute(
        """CREATE TABLE depots (
            depot_id text PRIMARY KEY,
            name text NOT NULL DEFAULT '',
            geom geometry(Point, 4326) NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    # Shift times are local times of the warehouses (settings: epcis.site_utc_offset).
    op.execute(
        """CREATE TABLE fleet_vehicles (
            vehicle_id text PRIMARY KEY,
            depot_id text NOT NULL REFERENCES depots (depot_id),
            capacity_kg integer NOT NULL CHECK (capacity_kg >= 0),
            capacity_l integer NOT NULL CHECK (capacity_l >= 0),
            shift_start time NOT NULL,
            shift_end time NOT NULL CHECK (shift_end > shift_start),
            max_shift_s integer CHECK (max_shift_s > 0),
            skills text[] NOT NULL DEFAULT '{}',
            fixed_cost double precision NOT NULL DEFAULT 0 CHECK (fixed_cost >= 0),
            cost_per_km double precision NOT NULL DEFAULT 1 CHECK (cost_per_km >= 0),
            cost_per_hour double precision NOT NULL DEFAULT 0 CHECK (cost_per_hour >= 0),
            device_id text,
            active boolean NOT NULL DEFAULT true,
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX fleet_vehicles_depot ON fleet_vehicles (depot_id) WHERE active")
    # `spec` is the whole problem as planned (coordinates, not matrix indices): a plan can
    # be re-solved, audited or re-planned from it alone. Progress columns are written by
    # the worker while it solves; `cancel_requested` is read by it between solver rounds.
    op.execute(
        f"""CREATE TABLE plans (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            plan_id text NOT NULL UNIQUE,
            depot_id text NOT NULL,
            plan_date date NOT NULL,
            status text NOT NULL DEFAULT 'queued' CHECK (status IN ({PLAN_STATUSES})),
            parent_plan_id text REFERENCES plans (plan_id),
            params jsonb NOT NULL,
            spec jsonb NOT NULL,
            backend text,
            elapsed_s double precision,
            best_cost double precision,
            progress_at timestamptz,
            cancel_requested boolean NOT NULL DEFAULT false,
            summary jsonb,
            error text,
            created_by text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            started_at timestamptz,
            finished_at timestamptz,
            approved_at timestamptz,
            approved_by text
        )"""
    )
    op.execute("CREATE INDEX plans_depot_date ON plans (depot_id, plan_date)")
    op.execute(
        """CREATE TABLE plan_routes (
            plan_pk bigint NOT NULL REFERENCES plans (pk) ON DELETE CASCADE,
            vehicle_id text NOT NULL,
            route_id text NOT NULL UNIQUE,
            distance_m integer NOT NULL,
            duration_s integer NOT NULL,
            cost double precision NOT NULL,
            PRIMARY KEY (plan_pk, vehicle_id)
        )"""
    )
    op.execute(
        """CREATE TABLE plan_stops (
            plan_pk bigint NOT NULL,
            vehicle_id text NOT NULL,
            seq integer NOT NULL,
            kind text NOT NULL CHECK (kind IN ('start', 'pickup', 'delivery', 'end')),
            job_id text,
            shipment_id text,
            fixed boolean NOT NULL DEFAULT false,
            geom geometry(Point, 4326) NOT NULL,
            arrival_at timestamptz NOT NULL,
            start_at timestamptz NOT NULL,
            departure_at timestamptz NOT NULL,
            load_kg integer NOT NULL,
            load_l integer NOT NULL,
            distance_m integer NOT NULL,
            PRIMARY KEY (plan_pk, vehicle_id, seq),
            FOREIGN KEY (plan_pk, vehicle_id) REFERENCES plan_routes (plan_pk, vehicle_id)
                ON DELETE CASCADE
        )"""
    )
    op.execute("CREATE INDEX plan_stops_shipment ON plan_stops (shipment_id)")
    # One row per plan to solve. A worker claims the oldest available row with
    # FOR UPDATE SKIP LOCKED and leases it; a lease that runs out (the worker died) lets
    # another worker take it again.
    op.execute(
        """CREATE TABLE plan_jobs (
            plan_pk bigint PRIMARY KEY REFERENCES plans (pk) ON DELETE CASCADE,
            state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
            worker text,
            attempts integer NOT NULL DEFAULT 0,
            lease_until timestamptz,
            created_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX plan_jobs_open ON plan_jobs (created_at) WHERE state <> 'done'")


def downgrade() -> None:
    for table in ("plan_jobs", "plan_stops", "plan_routes", "plans", "fleet_vehicles", "depots"):
        op.execute(f"DROP TABLE {table}")

"""Mall orders, shipments, packages with their SSCC labels and tags, the shipment timeline,
and the webhook outbox.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATUSES = (
    "'created', 'packed', 'loaded', 'in_transit', 'out_for_delivery', 'arriving', "
    "'delivered', 'delivery_failed', 'returned', 'exception', 'cancelled'"
)
KINDS = "'epcis_event', 'geofence', 'route_plan', 'proof_of_delivery', 'manual'"


def upgrade() -> None:
    # The order row is also the lock of its shipments and the counter of its webhooks:
    # every writer of an order's shipments locks it first, so outbox sequence numbers are
    # handed out in commit order.
    op.execute(
        """CREATE TABLE orders (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            mall_order_id text NOT NULL UNIQUE,
            buyer_id text NOT NULL,
            shop_id text NOT NULL,
            priority smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),
            status text NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'completed', 'cancelled')),
            delivery_address text NOT NULL,
            delivery_geom geometry(Point, 4326) NOT NULL,
            recipient_name text,
            recipient_phone text,
            idempotency_key text UNIQUE,
            fingerprint bytea NOT NULL,
            webhook_seq integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX orders_buyer ON orders (buyer_id)")
    op.execute("CREATE INDEX orders_shop ON orders (shop_id)")
    op.execute(
        """CREATE TABLE order_delivery_windows (
            order_pk bigint NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
            starts_at timestamptz NOT NULL,
            ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
            PRIMARY KEY (order_pk, starts_at)
        )"""
    )
    # Buyer and shop are copied from the order (they never change) so that every list
    # query is scoped by an indexed column of the table it pages through.
    op.execute(
        f"""CREATE TABLE shipments (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            shipment_id text NOT NULL UNIQUE,
            order_pk bigint NOT NULL REFERENCES orders (pk),
            buyer_id text NOT NULL,
            shop_id text NOT NULL,
            depot_id text NOT NULL,
            status text NOT NULL DEFAULT 'created' CHECK (status IN ({STATUSES})),
            status_since timestamptz NOT NULL DEFAULT now(),
            shipped_at timestamptz,
            route_id text,
            planned_departure_at timestamptz,
            planned_arrival_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX shipments_order ON shipments (order_pk)")
    op.execute("CREATE INDEX shipments_page ON shipments (created_at DESC, shipment_id DESC)")
    for party in ("buyer", "shop"):
        op.execute(
            f"""CREATE INDEX shipments_{party}_page
                ON shipments ({party}_id, created_at DESC, shipment_id DESC)"""
        )
    op.execute(
        """CREATE TABLE order_items (
            order_pk bigint NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
            line integer NOT NULL,
            shipment_pk bigint NOT NULL REFERENCES shipments (pk),
            sku text,
            gtin text,
            quantity integer NOT NULL CHECK (quantity > 0),
            weight_kg double precision NOT NULL CHECK (weight_kg >= 0),
            volume_m3 double precision NOT NULL CHECK (volume_m3 >= 0),
            depot_id text,
            PRIMARY KEY (order_pk, line),
            CHECK (sku IS NOT NULL OR gtin IS NOT NULL)
        )"""
    )
    op.execute("CREATE INDEX order_items_shipment ON order_items (shipment_pk)")
    # Serial references of our SSCCs: never reused, whatever is rolled back.
    op.execute("CREATE SEQUENCE sscc_serial_refs AS bigint START 1")
    op.execute(
        """CREATE TABLE packages (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            shipment_pk bigint NOT NULL REFERENCES shipments (pk),
            sscc char(18) NOT NULL UNIQUE,
            epc_uri text NOT NULL UNIQUE,
            hex text NOT NULL,
            weight_kg double precision CHECK (weight_kg >= 0),
            created_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute("CREATE INDEX packages_shipment ON packages (shipment_pk)")
    # Tags are pure identity URIs; a tag may be reused once its old shipment is over, so
    # the key is (package, tag) and lookups take the newest link.
    op.execute(
        """CREATE TABLE package_tags (
            package_pk bigint NOT NULL REFERENCES packages (pk),
            epc text NOT NULL,
            linked_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (package_pk, epc)
        )"""
    )
    op.execute("CREATE INDEX package_tags_epc ON package_tags (epc, linked_at DESC)")
    op.execute(
        f"""CREATE TABLE shipment_events (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            shipment_pk bigint NOT NULL REFERENCES shipments (pk),
            kind text NOT NULL CHECK (kind IN ({KINDS})),
            evidence_id text NOT NULL,
            status text NOT NULL CHECK (status IN ({STATUSES})),
            from_status text NOT NULL CHECK (from_status IN ({STATUSES})),
            applied boolean NOT NULL,
            occurred_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            source text NOT NULL DEFAULT '',
            evidence jsonb NOT NULL DEFAULT '{{}}',
            UNIQUE (shipment_pk, kind, evidence_id)
        )"""
    )
    # One row per webhook delivery; `seq` numbers an order's deliveries in commit order
    # and a delivery is sent only when every lower one of its order has succeeded.
    op.execute(
        """CREATE TABLE webhook_outbox (
            pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            delivery_id uuid NOT NULL UNIQUE,
            order_pk bigint NOT NULL REFERENCES orders (pk),
            seq integer NOT NULL,
            event text NOT NULL,
            body bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            attempts integer NOT NULL DEFAULT 0,
            delivered_at timestamptz,
            last_error text,
            UNIQUE (order_pk, seq)
        )"""
    )
    op.execute(
        """CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at)
           WHERE delivered_at IS NULL"""
    )
    op.execute(
        """CREATE INDEX webhook_outbox_pending_order ON webhook_outbox (order_pk, seq)
           WHERE delivered_at IS NULL"""
    )
    op.execute(
        """CREATE TABLE webhook_attempts (
            delivery_pk bigint NOT NULL REFERENCES webhook_outbox (pk) ON DELETE CASCADE,
            attempt integer NOT NULL,
            attempted_at timestamptz NOT NULL,
            status_code integer,
            error text,
            duration_ms integer NOT NULL,
            PRIMARY KEY (delivery_pk, attempt)
        )"""
    )


def downgrade() -> None:
    for table in (
        "webhook_attempts",
        "webhook_outbox",
        "shipment_events",
        "package_tags",
        "packages",
        "order_items",
        "shipments",
        "order_delivery_windows",
        "orders",
    ):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP SEQUENCE sscc_serial_refs")

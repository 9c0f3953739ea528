"""Accounts: people with roles, their sessions, the mall's API keys, an audit log, rate limits.

Passwords are argon2id hashes. Access and refresh tokens and API key secrets are long random
strings, so a SHA-256 digest is enough to keep them (no KDF needed: nothing to guess); only
digests are stored. A session keeps the digest of its previous refresh token too: presenting
that one again means a copy was stolen, and the whole session is revoked.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE users (
            user_pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            username text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
            password_hash text NOT NULL,
            role text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'seller', 'buyer')),
            shop_id text,
            buyer_id text,
            display_name text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            disabled_at timestamptz,
            CHECK ((role = 'seller') = (shop_id IS NOT NULL)),
            CHECK ((role = 'buyer') = (buyer_id IS NOT NULL))
        );
        CREATE UNIQUE INDEX users_username ON users (username);

        CREATE TABLE auth_sessions (
            session_pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_pk bigint NOT NULL REFERENCES users ON DELETE CASCADE,
            access_digest bytea NOT NULL,
            access_expires_at timestamptz NOT NULL,
            refresh_digest bytea NOT NULL,
            previous_refresh_digest bytea,
            refresh_expires_at timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            refreshed_at timestamptz,
            revoked_at timestamptz,
            revoked_reason text
        );
        CREATE UNIQUE INDEX auth_sessions_access ON auth_sessions (access_digest);
        CREATE UNIQUE INDEX auth_sessions_refresh ON auth_sessions (refresh_digest);
        CREATE INDEX auth_sessions_previous ON auth_sessions (previous_refresh_digest)
            WHERE previous_refresh_digest IS NOT NULL;
        CREATE INDEX auth_sessions_user ON auth_sessions (user_pk);

        CREATE TABLE api_keys (
            key_pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            prefix text NOT NULL,
            secret_digest bytea NOT NULL,
            name text NOT NULL,
            role text NOT NULL DEFAULT 'integration' CHECK (role = 'integration'),
            created_by text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            rotated_at timestamptz,
            revoked_at timestamptz
        );
        CREATE UNIQUE INDEX api_keys_prefix ON api_keys (prefix);

        CREATE TABLE audit_log (
            audit_pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            actor text NOT NULL,
            actor_role text NOT NULL,
            action text NOT NULL,
            target text NOT NULL,
            details jsonb NOT NULL DEFAULT '{}',
            remote_addr text
        );
        CREATE INDEX audit_log_at ON audit_log (at, audit_pk);
        CREATE INDEX audit_log_action ON audit_log (action, at);

        -- Fixed-window counters shared by every API process; losing them in a crash only
        -- forgives a minute of attempts, so they are not worth the WAL.
        CREATE UNLOGGED TABLE rate_limit_hits (
            bucket text NOT NULL,
            window_start timestamptz NOT NULL,
            hits integer NOT NULL,
            PRIMARY KEY (bucket, window_start)
        );
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE rate_limit_hits, audit_log, api_keys, auth_sessions, users CASCADE")

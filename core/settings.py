"""The one settings object. Read by entry points only and passed down.

Every field is documented in the README's settings table; `tests/test_settings_doc.py`
keeps the two in step. Environment variables use the `WAYBILL_` prefix and `__` between
a group and its field, e.g. `WAYBILL_DB__URL`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DbSettings(BaseModel):
    url: str = Field(
        "postgresql://waybill:waybill@127.0.0.1:5432/waybill",
        description="PostgreSQL connection URL (libpq form).",
    )
    pool_max: int = Field(10, ge=1, description="Largest connection pool of one process.")


class MqttSettings(BaseModel):
    host: str = Field("127.0.0.1", description="MQTT broker host.")
    port: int = Field(18830, description="MQTT broker port (the project's own Mosquitto).")
    username: str | None = Field(None, description="Broker account this process connects as.")
    password: str | None = Field(None, description="Password of that account.")
    keepalive_s: int = Field(30, ge=5, description="MQTT keepalive interval.")
    session_expiry_s: int = Field(
        86400, ge=0, description="How long the broker keeps a worker's queued messages."
    )


class BrokerSettings(BaseModel):
    state_dir: str = Field(
        ".run/mosquitto",
        description="Where `waybill broker start` keeps the broker's config, data and log.",
    )
    control_username: str = Field(
        "waybill-admin", description="Broker account that provisions devices (dynamic security)."
    )
    control_password: str | None = Field(
        None, description="Its password; unset: read from the broker's state directory."
    )
    tls_port: int = Field(
        0, ge=0, description="Port of a TLS listener for devices on the internet; 0: none."
    )
    tls_certfile: str | None = Field(None, description="PEM certificate of the TLS listener.")
    tls_keyfile: str | None = Field(None, description="PEM private key of the TLS listener.")


class IngestSettings(BaseModel):
    batch_size: int = Field(5000, ge=1, description="Most messages committed in one batch.")
    batch_ms: int = Field(50, ge=1, description="Longest wait to fill a batch, in ms.")
    receive_maximum: int = Field(
        20000, ge=1, le=65535, description="Unacknowledged messages the broker may send us."
    )
    max_payload_bytes: int = Field(
        262144, ge=256, description="Larger payloads go to dead letters as payload_too_large."
    )
    max_future_s: int = Field(
        600, ge=0, description="Device times further ahead of our clock are rejected."
    )
    client_id: str = Field("waybill-ingest", description="MQTT client id prefix of workers.")
    share_group: str = Field(
        "ingest", description="MQTT 5 shared-subscription group the workers split the load in."
    )
    metrics_port: int = Field(
        9108, ge=0, description="Port of a worker's /metrics (worker N adds N-1); 0: off."
    )


class TelemetrySettings(BaseModel):
    retention_days: int = Field(
        90, ge=1, description="Telemetry partitions older than this are dropped."
    )
    premake_days: int = Field(7, ge=1, description="Daily partitions created ahead of time.")
    late_after_s: int = Field(
        300, ge=0, description="A fix received this long after its device time is marked late."
    )


class ApiSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(8000, description="Port the API listens on.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Browser origins allowed to call the API, JSON: ["https://mall.example"].',
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses (or CIDRs) of TLS-terminating proxies whose X-Forwarded-For/"
        "-Proto are believed; empty: none.",
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest request body (EPCIS capture has its own)."
    )
    max_track_points: int = Field(100000, ge=1, description="Most points in one track answer.")
    stale_after_s: int = Field(
        300, ge=1, description="A position older than this is reported as stale."
    )


class EpcisSettings(BaseModel):
    max_capture_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest EPCIS capture body; larger is 413."
    )
    max_capture_events: int = Field(
        10000, ge=1, description="Most events in one EPCIS capture document; more is 413."
    )
    site_utc_offset: str = Field(
        "+08:00",
        pattern=r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$",
        description="UTC offset of the warehouses: eventTimeZoneOffset of projected events.",
    )
    settle_s: float = Field(
        10.0,
        ge=0,
        description="The projection reads tag reads older than this only, so late commits land.",
    )
    project_interval_s: float = Field(
        2.0, gt=0, description="Pause between two runs of `waybill epcis project`."
    )
    project_batch_reads: int = Field(
        50000, ge=100, description="Most tag reads one reader's projection step takes at once."
    )


class OrdersSettings(BaseModel):
    sscc_company_prefix: str = Field(
        "0614141",
        pattern=r"^\d{6,12}$",
        description="GS1 company prefix of our SSCC labels (the default is GS1's example).",
    )
    sscc_extension: int = Field(0, ge=0, le=9, description="SSCC extension digit of our labels.")
    default_depot: str = Field(
        "main", description="Warehouse an order ships from when the mall names none."
    )


class MallSettings(BaseModel):
    webhook_url: str | None = Field(
        None, description="Where shipment webhooks are POSTed; unset: the sender refuses to run."
    )
    webhook_secret: str | None = Field(
        None, description="HMAC-SHA256 key of the Waybill-Signature header."
    )
    timeout_s: float = Field(10.0, gt=0, description="How long one webhook attempt may take.")
    retry_base_s: float = Field(
        5.0, gt=0, description="Delay after a webhook's first failure; doubles per failure."
    )
    retry_max_s: float = Field(
        3600.0, gt=0, description="Longest delay between two attempts of a webhook."
    )


class ConsoleSettings(BaseModel):
    tile_url: str | None = Field(
        None,
        description="Map tile URL template ({z}/{x}/{y}); unset: the console draws its own "
        "geometry on a plain background.",
    )
    tile_crs: Literal["wgs84", "gcj02", "bd09"] = Field(
        "wgs84", description="Coordinate system of those tiles; the console converts for display."
    )
    time_zone: str = Field(
        "Asia/Shanghai", description="IANA time zone the console shows times in."
    )
    language: Literal["auto", "zh", "en"] = Field(
        "zh", description="Default console language (auto: the browser's); users can switch."
    )


class AuthSettings(BaseModel):
    access_ttl_s: int = Field(900, ge=60, description="Lifetime of an access token.")
    refresh_ttl_s: int = Field(
        14 * 86400, ge=300, description="Lifetime of a session's refresh token."
    )
    password_min_length: int = Field(10, ge=8, description="Shortest password accepted.")
    argon2_time_cost: int = Field(3, ge=1, description="Argon2id passes per password hash.")
    argon2_memory_kib: int = Field(
        65536, ge=8192, description="Argon2id memory per password hash, in KiB."
    )
    login_per_minute: int = Field(
        10, ge=1, description="Failed sign-ins per minute, per username and per address."
    )
    refresh_per_minute: int = Field(30, ge=1, description="Token refreshes per minute per address.")
    public_link_per_minute: int = Field(
        120, ge=1, description="Public tracking link reads per minute per address."
    )


class TrackingSettings(BaseModel):
    """The projector's evidence thresholds (docs/tracking.md explains each default)."""

    stop_radius_m: float = Field(50.0, gt=0, description="A stop: fixes within this radius ...")
    stop_min_duration_s: float = Field(180.0, gt=0, description="... for at least this long.")
    gap_s: float = Field(600.0, gt=0, description="Silence that closes a trip (offline).")
    enter_dwell_s: float = Field(30.0, ge=0, description="Time inside before a fence entry.")
    exit_dwell_s: float = Field(60.0, ge=0, description="Time outside before a fence exit.")
    exit_buffer_m: float = Field(
        10.0, ge=0, description="Extra margin beyond a fix's accuracy before it counts as out."
    )
    arriving_radius_m: float = Field(
        500.0, gt=0, description="A van this close to the delivery point is `arriving`."
    )
    road_factor: float = Field(
        1.35, ge=1, description="Road distance over great-circle distance, for ETAs."
    )
    default_speed_mps: float = Field(
        6.0, gt=0, description="Speed an ETA assumes before a van has a recent speed."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WAYBILL_", env_nested_delimiter="__", extra="ignore"
    )

    db: DbSettings = DbSettings()
    mqtt: MqttSettings = MqttSettings()
    broker: BrokerSettings = BrokerSettings()
    ingest: IngestSettings = IngestSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    api: ApiSettings = ApiSettings()
    auth: AuthSettings = AuthSettings()
    tracking: TrackingSettings = TrackingSettings()
    epcis: EpcisSettings = EpcisSettings()
    orders: OrdersSettings = OrdersSettings()
    mall: MallSettings = MallSettings()
    console: ConsoleSettings = ConsoleSettings()


def load() -> Settings:
    """Settings from the environment; the only place that reads it."""
    return Settings()


def markdown_table(settings_type: type[BaseSettings] = Settings) -> str:
    """The README's settings table, rendered from the code so the two cannot drift."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for group_name, group in settings_type.model_fields.items():
        model = group.annotation
        for field_name, field in model.model_fields.items():  # type: ignore[union-attr]
            variable = f"WAYBILL_{group_name.upper()}__{field_name.upper()}"
            value = field.get_default(call_default_factory=True)
            default = "(unset)" if value is None else f"`{value}`"
            lines.append(f"| `{variable}` | {default} | {field.description} |")
    return "\n".join(lines)

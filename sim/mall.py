"""The mall: buyers' orders from the market's shops, sent to `POST /v1/orders`.

Each order is one shop's goods for one buyer, shipped from the warehouse the shop keeps
its stock in, with a delivery window over the next hours of the market's day (the next
morning when the evening is too far gone). Sent with the mall's API key and an
`Idempotency-Key`, as the mall's integration would; a retried request is answered with
the stored order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from epc.sscc import check_digit
from sim.api_client import Api
from sim.world import COMPANY_PREFIX, Product, Shop, World

LAST_HOUR = 20  # later than this (local), orders are for the next day


@dataclass(frozen=True, slots=True)
class Line:
    product: Product
    quantity: int


@dataclass(frozen=True, slots=True)
class Placed:
    mall_order_id: str
    shop_id: str
    shipment_ids: tuple[str, ...]
    lines: tuple[Line, ...]


def delivery_window(
    now: datetime, tz: timedelta, later_h: float = 0.0, hours: float = 3.0
) -> tuple[datetime, datetime]:
    """A slot of `hours` from a quarter of an hour plus `later_h` from now, or from 08:00 the
    next day when the market's evening is too far gone."""
    local = now + tz
    if local.hour >= LAST_HOUR:
        morning = datetime(local.year, local.month, local.day, tzinfo=UTC) + timedelta(days=1)
        start = morning - tz + timedelta(hours=8)
    else:
        start = now + timedelta(minutes=15)
    start += timedelta(hours=later_h)
    return start, start + timedelta(hours=hours)


class Mall:
    def __init__(self, api: Api, world: World, run_id: str, seed: int = 11,
                 tz: timedelta = timedelta(hours=8)) -> None:  # fmt: skip
        self.api = api
        self.world = world
        self.run_id = run_id
        self.tz = tz
        self.rng = random.Random(seed)
        self.count = 0

    def shops_of(self, depot_id: str) -> list[Shop]:
        return [s for s in self.world.shops if s.depot_id == depot_id] or list(self.world.shops)

    def order(self, depot_id: str, now: datetime) -> tuple[dict, tuple[Line, ...]]:
        self.count += 1
        shop = self.rng.choice(self.shops_of(depot_id))
        buyer = self.rng.choice(self.world.buyers)
        lines = tuple(
            Line(p, self.rng.randrange(5, 41))
            for p in self.rng.sample(shop.products, self.rng.randint(1, len(shop.products)))
        )
        start, end = delivery_window(now, self.tz, later_h=self.rng.choice((0, 0, 0.5, 1.0)))
        local = now + self.tz
        body = {
            "mall_order_id": f"{self.world.prefix}MO-{local:%Y%m%d}-{self.run_id}-{self.count:04d}",
            "buyer_id": buyer.buyer_id,
            "shop_id": shop.shop_id,
            "priority": 5 if self.rng.random() < 0.1 else 1,
            "depot_id": depot_id,
            "delivery": {
                "address": buyer.address,
                "location": {"type": "Point", "coordinates": [buyer.lon, buyer.lat]},
                "windows": [{"start": start.isoformat(), "end": end.isoformat()}],
                "recipient_name": buyer.name,
            },
            "items": [
                {"gtin": gtin14(line.product), "sku": f"{shop.shop_id}-{line.product.name}",
                 "quantity": line.quantity,
                 "weight_kg": round(line.product.unit_kg * line.quantity, 2),
                 "volume_m3": round(line.product.unit_m3 * line.quantity, 4)}
                for line in lines
            ],
        }  # fmt: skip
        return body, lines

    def place(self, depot_id: str, now: datetime | None = None) -> Placed:
        body, lines = self.order(depot_id, now or datetime.now(UTC))
        answer = self.api.post(
            "/v1/orders", body, headers={"Idempotency-Key": body["mall_order_id"]}
        )
        return Placed(
            body["mall_order_id"],
            body["shop_id"],
            tuple(s["shipment_id"] for s in answer["shipments"]),
            lines,
        )


def gtin14(product: Product) -> str:
    """The product's GTIN-14: indicator digit, company prefix, item reference, check digit."""
    body = product.gtin_item_ref[0] + COMPANY_PREFIX + product.gtin_item_ref[1:]
    return body + str(check_digit(body))

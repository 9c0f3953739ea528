"""The layout of the demo market: warehouses and their readers, vans, shops, buyers, goods.

A wholesale clothing market in Hangzhou by default: three warehouses (each a depot with a
dock-door reader of two antennas, inside and outside, and a reader serving four packing
stations), vans shared out among them (every
third one a driver's phone running OwnTracks), the market's shops with their stalls and
products, and buyers across the city. Built from a seed, so the same options give the same
market; `prefix` puts every id of one run in a namespace of its own (tests). Pure: no
database, no network, no clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from devices.models import Antenna, AntennaRole, DeviceKind
from epc import encode_uri
from gis.geodesy import offset

COMPANY_PREFIX = "0614141"  # GS1's example prefix, as the SSCC default of the settings

# (short name, display name, lat, lon): the Sijiqing garment market and two satellite
# warehouses, north-east in Jiubao and south across the river in Binjiang.
WAREHOUSES = (
    ("sijiqing", "Sijiqing garment market warehouse", 30.2605, 120.2002),
    ("jiubao", "Jiubao clothing city warehouse", 30.3262, 120.2648),
    ("binjiang", "Binjiang logistics park", 30.2085, 120.2105),
)
# Neighbourhoods the buyers' shops are in (approximate centres), with a street to name.
DISTRICTS = (
    ("Wulin", 30.2745, 120.1635, "Wulin Road"),
    ("Gongshu", 30.2906, 120.1580, "Hushu South Road"),
    ("Qianjiang New City", 30.2470, 120.2120, "Fuchun Road"),
    ("Jianggan", 30.2955, 120.2140, "Gensan Road"),
    ("Binjiang", 30.2100, 120.2000, "Jiangnan Avenue"),
    ("Xixi", 30.2700, 120.1350, "Wenyi West Road"),
    ("Xiasha", 30.3050, 120.3000, "Xuezheng Street"),
    ("Xiaoshan", 30.1800, 120.2650, "Shixin Road"),
)
GARMENTS = ("T-shirt", "jeans", "down jacket", "silk scarf", "qipao", "hoodie", "skirt",
            "sweater", "trench coat", "school uniform")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reader:
    device_id: str
    format: str  # zebra or impinj
    role: str  # dock or packing
    antennas: tuple[Antenna, ...]


@dataclass(frozen=True, slots=True)
class Warehouse:
    depot_id: str
    name: str
    lat: float
    lon: float
    dock: Reader
    packing: Reader


@dataclass(frozen=True, slots=True)
class Van:
    device_id: str
    vehicle_id: str
    depot_id: str
    owntracks: bool
    capacity_kg: int = 800
    capacity_l: int = 6000

    @property
    def kind(self) -> DeviceKind:
        return DeviceKind.PHONE if self.owntracks else DeviceKind.GPS_UNIT

    @property
    def format(self) -> str:
        return "owntracks" if self.owntracks else "native"


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    gtin_item_ref: str  # 6 digits after the company prefix: SGTIN-96 partition 5
    unit_kg: float
    unit_m3: float


@dataclass(frozen=True, slots=True)
class Shop:
    shop_id: str
    name: str
    stall: str
    depot_id: str  # the warehouse its goods are kept in
    products: tuple[Product, ...]


@dataclass(frozen=True, slots=True)
class Buyer:
    buyer_id: str
    name: str
    address: str
    lat: float
    lon: float


@dataclass(frozen=True)
class World:
    prefix: str
    warehouses: tuple[Warehouse, ...]
    vans: tuple[Van, ...]
    shops: tuple[Shop, ...]
    buyers: tuple[Buyer, ...]
    by_depot: dict[str, Warehouse] = field(default_factory=dict)

    def warehouse(self, depot_id: str) -> Warehouse:
        return self.by_depot[depot_id]

    def readers(self) -> list[Reader]:
        return [r for w in self.warehouses for r in (w.dock, w.packing)]


def sgtin_hex(product: Product, serial: int) -> str:
    """The SGTIN-96 to write to one unit's tag (filter 1: a retail item)."""
    return encode_uri(f"urn:epc:tag:sgtin-96:1.{COMPANY_PREFIX}.{product.gtin_item_ref}.{serial}")


def sgln(location_ref: str, extension: str) -> str:
    return f"urn:epc:id:sgln:{COMPANY_PREFIX}.{location_ref}.{extension}"


def _warehouse(prefix: str, number: int, short: str, name: str, lat: float, lon: float,
               formats: tuple[str, str]) -> Warehouse:  # fmt: skip
    location = f"{number:05d}"  # the warehouse's GLN location reference
    # SGLN extensions may be alphanumeric: a run's prefix keeps its read points its own.
    ext = prefix.replace("-", "").upper()
    site = sgln(location, f"{ext}0")
    dock = Reader(
        f"{prefix}rfid-{short}-dock",
        formats[0],
        "dock",
        (
            Antenna(1, sgln(location, f"{ext}D1"), AntennaRole.DOCK_INSIDE, site),
            Antenna(2, sgln(location, f"{ext}D1"), AntennaRole.DOCK_OUTSIDE, site),
        ),
    )
    packing = Reader(
        f"{prefix}rfid-{short}-pack",
        formats[1],
        "packing",
        tuple(
            Antenna(k, sgln(location, f"{ext}P{k}"), AntennaRole.PACKING_STATION, site)
            for k in (1, 2, 3, 4)  # four packing stations, one antenna each
        ),
    )
    return Warehouse(f"{prefix}wh-{short}", name, lat, lon, dock, packing)


def build(*, vans: int = 20, warehouses: int = 3, shops: int = 12, buyers: int = 24,
          prefix: str = "", seed: int = 7) -> World:  # fmt: skip
    """The market: `warehouses` of the three, `vans` shared out in turn, shops, buyers."""
    rng = random.Random(seed)
    houses = tuple(
        _warehouse(
            prefix,
            n,
            *WAREHOUSES[n - 1],
            formats=("zebra", "impinj") if n % 2 else ("impinj", "zebra"),
        )
        for n in range(1, min(warehouses, len(WAREHOUSES)) + 1)
    )
    fleet = []
    for number in range(1, vans + 1):
        owntracks = number % 3 == 0
        device = f"{prefix}{'phone' if owntracks else 'van'}-{number:02d}"
        depot = houses[(number - 1) % len(houses)].depot_id
        fleet.append(Van(device, f"{prefix}VAN-{number:02d}", depot, owntracks))
    shop_list = []
    for number in range(1, shops + 1):
        items = tuple(
            Product(
                f"{rng.choice(GARMENTS)} #{k}",
                f"{number:03d}{k:03d}",
                unit_kg=round(rng.uniform(0.2, 1.5), 2),
                unit_m3=round(rng.uniform(0.001, 0.008), 4),
            )
            for k in range(1, 4)
        )
        shop_list.append(
            Shop(
                f"{prefix}shop-{100 + number}",
                f"Stall {100 + number} fashions",
                f"Hall {1 + number % 4}, stall {100 + number}",
                houses[(number - 1) % len(houses)].depot_id,
                items,
            )
        )
    buyer_list = []
    for number in range(1, buyers + 1):
        district, lat, lon, street = DISTRICTS[(number - 1) % len(DISTRICTS)]
        lat, lon = offset(lat, lon, rng.uniform(-1500, 1500), rng.uniform(-1500, 1500))
        buyer_list.append(
            Buyer(
                f"{prefix}buyer-{number:03d}",
                f"{district} boutique {number}",
                f"No. {rng.randrange(1, 400)} {street}, {district}, Hangzhou",
                round(lat, 6),
                round(lon, 6),
            )
        )
    return World(
        prefix,
        houses,
        tuple(fleet),
        tuple(shop_list),
        tuple(buyer_list),
        {w.depot_id: w for w in houses},
    )

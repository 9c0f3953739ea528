// Coordinate systems for display: WGS-84 -> GCJ-02 -> BD-09. A mirror of gis/crs.py (the
// API's own conversion, tested there): the same region rectangles, the same Krasovsky
// series, the same identity outside mainland China. Only the forward direction is
// needed here: we store WGS-84 and draw on tiles that may use GCJ-02 or BD-09.

const A = 6378245.0;
const EE = 0.00669342162296594323;
const X_PI = (Math.PI * 3000.0) / 180.0;

const INCLUDE = [
  [42.8899, 79.4462, 49.2204, 96.33],
  [39.3742, 109.6872, 54.1415, 135.0002],
  [29.5297, 73.1246, 42.8899, 124.143255],
  [26.7186, 82.9684, 29.5297, 97.0352],
  [20.414096, 97.0253, 29.5297, 124.367395],
  [17.871542, 107.975793, 20.414096, 111.744104],
];
const EXCLUDE = [
  [21.785006, 119.921265, 25.398623, 122.497559],
  [20.0988, 101.8652, 22.284, 106.665],
  [20.4878, 106.4525, 21.5422, 108.051],
  [50.3257, 109.0323, 55.8175, 119.127],
  [49.5574, 127.4568, 55.8175, 137.0227],
  [42.5692, 131.2662, 44.8922, 137.0227],
];

const inRect = ([s, w, n, e], lat, lon) => s <= lat && lat <= n && w <= lon && lon <= e;

export function inMainlandChina(lat, lon) {
  return INCLUDE.some((r) => inRect(r, lat, lon)) && !EXCLUDE.some((r) => inRect(r, lat, lon));
}

function shift(lat, lon) {
  const x = lon - 105.0;
  const y = lat - 35.0;
  const wobble = ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  let dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dlat += wobble;
  dlat += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  dlat += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  let dlon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dlon += wobble;
  dlon += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  dlon += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  const radLat = (lat * Math.PI) / 180;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const meridian = (A * (1 - EE)) / (magic * sqrtMagic);
  const parallel = (A / sqrtMagic) * Math.cos(radLat);
  return [(dlat * 180) / (meridian * Math.PI), (dlon * 180) / (parallel * Math.PI)];
}

export function wgs84ToGcj02(lat, lon) {
  if (!inMainlandChina(lat, lon)) return [lat, lon];
  const [dlat, dlon] = shift(lat, lon);
  return [lat + dlat, lon + dlon];
}

function gcj02ToBd09Unchecked(lat, lon) {
  const z = Math.hypot(lon, lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
  return [z * Math.sin(theta) + 0.006, z * Math.cos(theta) + 0.0065];
}

export function wgs84ToBd09(lat, lon) {
  if (!inMainlandChina(lat, lon)) return [lat, lon];
  return gcj02ToBd09Unchecked(...wgs84ToGcj02(lat, lon));
}

/** A stored WGS-84 point in the coordinate system of the map's tiles. */
export function fromWgs84(lat, lon, crs) {
  if (crs === "gcj02") return wgs84ToGcj02(lat, lon);
  if (crs === "bd09") return wgs84ToBd09(lat, lon);
  return [lat, lon];
}

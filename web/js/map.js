// Our own map: geometry drawn as SVG over a plain background (or over raster tiles when the
// console is configured with a tile URL). Web Mercator, like every tile scheme, so the two
// line up; points are converted to the tiles' coordinate system (GCJ-02, BD-09) first.
//
// Layers are lists of plain items, redrawn whole on change; a city's worth of vans, fences
// and routes is a few hundred elements.
//   {type: "polygon", rings: [[[lon, lat], ...]], fill, stroke, label}
//   {type: "circle", center: [lon, lat], radius_m, fill, stroke, label}
//   {type: "line", coords: [[lon, lat], ...], stroke, width, dash}
//   {type: "point", at: [lon, lat], r, fill, stroke, title, id, onClick}
//   {type: "vehicle", at: [lon, lat], heading, label, fill, id, stale, onClick}
import { fromWgs84 } from "./crs.js";

const SVG = "http://www.w3.org/2000/svg";
const TILE = 256;
const ORDER = ["fences", "routes", "track", "stops", "depots", "vehicles", "overlay"];

function mercator(lat, lon) {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

function unmercator(x, y) {
  const lon = x * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return [lat, lon];
}

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

export class MapView {
  constructor(container, { tile_url = null, tile_crs = "wgs84" } = {}) {
    this.container = container;
    container.classList.add("map");
    this.tileUrl = tile_url;
    this.crs = tile_url ? tile_crs : "wgs84";
    this.tiles = document.createElement("div");
    this.tiles.className = "tiles";
    container.appendChild(this.tiles);
    this.svg = el("svg", { "data-testid": "map" }, container);
    this.gridLayer = el("g", { class: "grid" }, this.svg);
    this.groups = {};
    for (const name of ORDER) this.groups[name] = el("g", { class: `layer-${name}` }, this.svg);
    this.legend = document.createElement("div");
    this.legend.className = "legend";
    container.appendChild(this.legend);
    this.layers = {};
    this.center = mercator(30.29, 120.21);
    this.zoom = 13;
    this.fitted = false;
    this.bindGestures();
    new ResizeObserver(() => this.draw()).observe(container);
  }

  get scale() { return TILE * 2 ** this.zoom; }

  project(lon, lat) {
    const [la, lo] = fromWgs84(lat, lon, this.crs);
    const [x, y] = mercator(la, lo);
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    return [(x - this.center[0]) * this.scale + w / 2, (y - this.center[1]) * this.scale + h / 2];
  }

  setLayer(name, items) {
    this.layers[name] = items;
    this.drawLayer(name);
  }

  /** Frame all given [lon, lat] points (once, unless `force`). */
  fit(points, { force = false, padding = 40 } = {}) {
    if ((this.fitted && !force) || !points.length) return;
    const ms = points.map(([lon, lat]) => mercator(...fromWgs84(lat, lon, this.crs)));
    const xs = ms.map((m) => m[0]);
    const ys = ms.map((m) => m[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    this.center = [(x0 + x1) / 2, (y0 + y1) / 2];
    const w = Math.max(100, this.container.clientWidth - 2 * padding);
    const h = Math.max(100, this.container.clientHeight - 2 * padding);
    const span = Math.max((x1 - x0) / w, (y1 - y0) / h, 1e-9);
    // A lone point would zoom to the street; a city block is a more useful first view.
    this.zoom = Math.max(3, Math.min(16, Math.log2(1 / (span * TILE))));
    this.fitted = true;
    this.draw();
  }

  bindGestures() {
    let drag = null;
    this.svg.addEventListener("pointerdown", (e) => {
      if (e.target.closest("[data-clickable]")) return;
      drag = { x: e.clientX, y: e.clientY, c: [...this.center] };
      this.svg.setPointerCapture(e.pointerId);
    });
    this.svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      this.center = [drag.c[0] - (e.clientX - drag.x) / this.scale,
        drag.c[1] - (e.clientY - drag.y) / this.scale];
      this.draw();
    });
    this.svg.addEventListener("pointerup", () => { drag = null; });
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const rect = this.svg.getBoundingClientRect();
      const px = e.clientX - rect.left - rect.width / 2;
      const py = e.clientY - rect.top - rect.height / 2;
      const before = [this.center[0] + px / this.scale, this.center[1] + py / this.scale];
      this.zoom = Math.max(3, Math.min(19, this.zoom - Math.sign(e.deltaY) * 0.25));
      this.center = [before[0] - px / this.scale, before[1] - py / this.scale];
      this.draw();
    }, { passive: false });
  }

  draw() {
    if (!this.container.clientWidth) return;
    this.drawTiles();
    this.drawGrid();
    for (const name of ORDER) this.drawLayer(name);
  }

  drawTiles() {
    this.tiles.replaceChildren();
    if (!this.tileUrl) return;
    const z = Math.round(this.zoom);
    const n = 2 ** z;
    const k = this.scale / (TILE * n);
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    const left = this.center[0] * n - w / 2 / (TILE * k);
    const top = this.center[1] * n - h / 2 / (TILE * k);
    for (let tx = Math.floor(left); tx < left + w / (TILE * k); tx++) {
      for (let ty = Math.floor(top); ty < top + h / (TILE * k); ty++) {
        if (ty < 0 || ty >= n) continue;
        const img = document.createElement("img");
        img.alt = "";
        img.src = this.tileUrl.replace("{z}", z).replace("{x}", ((tx % n) + n) % n).replace("{y}", ty);
        img.style.transform = `translate(${(tx - left) * TILE * k}px, ${(ty - top) * TILE * k}px) scale(${k})`;
        img.style.transformOrigin = "0 0";
        this.tiles.appendChild(img);
      }
    }
  }

  drawGrid() {
    const g = this.gridLayer;
    g.replaceChildren();
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    const [north, west] = unmercator(this.center[0] - w / 2 / this.scale, this.center[1] - h / 2 / this.scale);
    const [south, east] = unmercator(this.center[0] + w / 2 / this.scale, this.center[1] + h / 2 / this.scale);
    const steps = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
    const step = steps.find((s) => (east - west) / s <= 10) ?? 10;
    const digits = Math.max(0, -Math.floor(Math.log10(step)));
    // Grid lines are in the map's own coordinates: straight lines of constant lat or lon.
    for (let lon = Math.ceil(west / step) * step; lon <= east; lon += step) {
      const x = (mercator(0, lon)[0] - this.center[0]) * this.scale + w / 2;
      el("line", { x1: x, x2: x, y1: 0, y2: h, stroke: "#d8dde5", "stroke-width": 1 }, g);
      el("text", { x: x + 3, y: h - 4, class: "grid-label" }, g).textContent = `${lon.toFixed(digits)}°E`;
    }
    for (let lat = Math.ceil(south / step) * step; lat <= north; lat += step) {
      const y = (mercator(lat, 0)[1] - this.center[1]) * this.scale + h / 2;
      el("line", { x1: 0, x2: w, y1: y, y2: y, stroke: "#d8dde5", "stroke-width": 1 }, g);
      if (y < h - 20) {  // clear of the longitude labels along the bottom
        el("text", { x: 4, y: y - 3, class: "grid-label" }, g).textContent = `${lat.toFixed(digits)}°N`;
      }
    }
    const [clat] = unmercator(...this.center);
    const mPerPx = (40075016.7 * Math.cos((clat * Math.PI) / 180)) / this.scale;
    const bar = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000].find((m) => m / mPerPx >= 60) ?? 50000;
    const label = bar >= 1000 ? `${bar / 1000} km` : `${bar} m`;
    this.legend.innerHTML = `<span style="display:inline-block;width:${(bar / mPerPx).toFixed(0)}px;` +
      `border-bottom:2px solid #5b6478;margin-right:6px"></span>${label} · ${this.crs.toUpperCase()}`;
  }

  drawLayer(name) {
    const g = this.groups[name];
    if (!g) return;
    g.replaceChildren();
    for (const item of this.layers[name] || []) this.drawItem(g, item);
  }

  drawItem(g, item) {
    const P = (c) => this.project(c[0], c[1]);
    let node;
    if (item.type === "polygon") {
      const d = item.rings.map((ring) => `M${ring.map((c) => P(c).join(",")).join("L")}Z`).join("");
      node = el("path", { d, fill: item.fill || "rgba(31,111,235,.08)", stroke: item.stroke || "#1f6feb",
        "stroke-width": 1.5, "fill-rule": "evenodd" }, g);
      if (item.label) this.label(g, item.rings[0], item.label);
    } else if (item.type === "circle") {
      const [x, y] = P(item.center);
      const [lat] = [item.center[1]];
      const r = item.radius_m / ((40075016.7 * Math.cos((lat * Math.PI) / 180)) / this.scale);
      node = el("circle", { cx: x, cy: y, r: Math.max(r, 3), fill: item.fill || "rgba(31,111,235,.08)",
        stroke: item.stroke || "#1f6feb", "stroke-width": 1.5 }, g);
      if (item.label) el("text", { x: x + r + 3, y, class: "fence-label" }, g).textContent = item.label;
    } else if (item.type === "line") {
      if (item.coords.length < 2) return;
      node = el("polyline", { points: item.coords.map((c) => P(c).join(",")).join(" "), fill: "none",
        stroke: item.stroke || "#1f6feb", "stroke-width": item.width || 3, "stroke-linejoin": "round",
        "stroke-linecap": "round", "stroke-dasharray": item.dash, opacity: item.opacity ?? 0.85 }, g);
    } else if (item.type === "point") {
      const [x, y] = P(item.at);
      node = el("circle", { cx: x, cy: y, r: item.r || 5, fill: item.fill || "#1f6feb",
        stroke: item.stroke || "#fff", "stroke-width": 1.5 }, g);
      if (item.text) {
        el("text", { x: x + 7, y: y + 4, class: "fence-label" }, g).textContent = item.text;
      }
    } else if (item.type === "vehicle") {
      const [x, y] = P(item.at);
      node = el("g", { transform: `translate(${x},${y})`, class: "vehicle" }, g);
      el("circle", { r: 11, fill: item.fill || "#172033", stroke: "#fff", "stroke-width": 2,
        opacity: item.stale ? 0.45 : 1 }, node);
      if (item.heading != null) {
        el("path", { d: "M0,-7 L4,3 L0,1 L-4,3 Z", fill: "#fff",
          transform: `rotate(${item.heading})` }, node);
      }
      el("text", { x: 14, y: 4, class: "vehicle-label" }, node).textContent = item.label || "";
    }
    if (node && item.title) el("title", {}, node).textContent = item.title;
    if (node && item.id) node.setAttribute("data-id", item.id);
    if (node && item.testid) node.setAttribute("data-testid", item.testid);
    if (node && item.status) node.setAttribute("data-status", item.status);
    if (node && item.onClick) {
      node.setAttribute("data-clickable", "1");
      node.style.cursor = "pointer";
      node.addEventListener("click", (e) => { e.stopPropagation(); item.onClick(item); });
    }
  }

  label(g, ring, text) {
    const pts = ring.map((c) => this.project(c[0], c[1]));
    const x = pts.reduce((s, p) => s + p[0], 0) / pts.length;
    const y = Math.min(...pts.map((p) => p[1]));
    el("text", { x, y: y - 4, "text-anchor": "middle", class: "fence-label" }, g).textContent = text;
  }
}

/** Map items of geofences as the API answers them (GeoJSON Features, WGS-84). */
export function fenceItems(fences) {
  const colours = { warehouse: "#6639ba", market: "#b35900", customer: "#1a7f37", other: "#5b6478" };
  const items = [];
  for (const f of fences) {
    const c = colours[f.properties.kind] || colours.other;
    // A warehouse's fence sits on its depot's marker, which carries the name already.
    const label = f.properties.kind === "warehouse" && f.properties.depot_id ? "" : f.properties.name || f.id;
    const fill = `${c}1a`;
    if (f.geometry.type === "Polygon") {
      items.push({ type: "polygon", rings: f.geometry.coordinates, stroke: c, fill, label,
        title: f.properties.name || f.id });
    } else if (f.geometry.type === "Point" && f.properties.radius_m) {
      items.push({ type: "circle", center: f.geometry.coordinates, radius_m: f.properties.radius_m,
        stroke: c, fill, label, title: f.properties.name || f.id });
    }
  }
  return items;
}

// Dispatcher's live map: warehouses, geofences, today's approved routes with stops coloured
// by their shipment's status, and every van moving as its fixes arrive (one SSE stream of
// the fleet). Clicking a van opens its panel, which follows that van's own stream.
import { get, stream } from "../api.js";
import { t } from "../i18n.js";
import { ago, esc, kmh, statusBadge, statusColour, time } from "../format.js";
import { MapView, fenceItems } from "../map.js";

const ROUTE_COLOURS = ["#1f6feb", "#b35900", "#1a7f37", "#6639ba", "#c62828", "#0b7285",
  "#d6336c", "#5c940d", "#364fc7", "#e8590c"];
const DONE = new Set(["delivered", "delivery_failed", "returned", "cancelled"]);

export async function render(view, { config, params, go }) {
  view.innerHTML = `
    <div class="grid2">
      <div>
        <div class="row" style="margin-bottom:8px"><label><span data-i18n="depot"></span>
          <select id="depot-filter" data-testid="depot-filter"><option value="" data-i18n="all_depots"></option></select></label></div>
        <div id="map" data-testid="dispatch-map"></div>
        <p class="muted small"><span id="live" data-testid="live" data-state="connecting">○
          <span data-i18n="live"></span></span> ·
          <span data-i18n="vehicles"></span>: <b id="fleet-count">0</b> ·
          <span data-i18n="routes_today"></span>: <b id="route-count">0</b></p>
      </div>
      <aside class="panel">
        <h2 data-i18n="vehicles"></h2>
        <div class="vehicle-list"><table><thead><tr><th data-i18n="vehicle"></th>
          <th data-i18n="speed"></th><th data-i18n="last_seen"></th></tr></thead>
          <tbody id="vehicle-rows"></tbody></table></div>
        <div id="vehicle-panel" data-testid="vehicle-panel">
          <p class="muted" data-i18n="select_vehicle"></p></div>
      </aside>
    </div>`;
  const map = new MapView(view.querySelector("#map"), config);
  const vehicles = new Map();
  let routes = [];
  let selected = null;
  let panelStream = null;

  const depotId = params.get("depot") || "";
  const only = depotId ? `depot_id=${encodeURIComponent(depotId)}` : "";
  const [allDepots, allFences, fleet, todays] = await Promise.all([
    get("/v1/console/depots"), get("/v1/geofences?limit=1000").catch(() => []),
    get(`/v1/console/fleet?${only}`), get(`/v1/console/routes?${only}`),
  ]);
  const filter = view.querySelector("#depot-filter");
  filter.insertAdjacentHTML("beforeend", allDepots.map((d) =>
    `<option value="${esc(d.depot_id)}">${esc(d.name || d.depot_id)}</option>`).join(""));
  filter.value = depotId;
  filter.addEventListener("change", () => go(filter.value ? `#/map?depot=${encodeURIComponent(filter.value)}` : "#/map"));
  const depots = depotId ? allDepots.filter((d) => d.depot_id === depotId) : allDepots;
  const fences = depotId ? allFences.filter((f) => !f.properties.depot_id || f.properties.depot_id === depotId)
    : allFences;
  routes = todays;
  map.setLayer("fences", fenceItems(fences));
  map.setLayer("depots", depots.map((d) => ({
    type: "point", at: [d.lon, d.lat], r: 8, fill: "#6639ba", text: d.name || d.depot_id,
    title: `${t("depot")} ${d.depot_id}`, testid: "depot",
  })));
  drawRoutes();
  for (const v of fleet) vehicles.set(v.device_id, v);
  drawVehicles();
  const points = [...depots.map((d) => [d.lon, d.lat]),
    ...fleet.filter((v) => v.lat != null).map((v) => [v.lon, v.lat]),
    ...routes.flatMap((r) => r.stops.map((s) => [s.lon, s.lat]))];
  for (const f of fences) {
    if (f.properties.depot_id && f.properties.depot_id === depotId && f.geometry.type === "Point") {
      points.push(f.geometry.coordinates);
    }
  }
  map.fit(points.length ? points : [[120.21, 30.29]]);

  const live = stream(`/v1/console/fleet/stream?${only}`, (changed) => {
    for (const v of changed) vehicles.set(v.device_id, v);
    drawVehicles();
    if (selected && changed.some((v) => v.device_id === selected)) drawPanel();
  }, { onState: (state) => {
    const badge = view.querySelector("#live");
    badge.dataset.state = state;
    badge.innerHTML = state === "open" ? `<b style="color:#1a7f37">●</b> ${esc(t("live"))}`
      : `<b style="color:#b35900">○</b> ${esc(t("reconnecting"))}`;
  } });
  const refresh = setInterval(async () => {
    try {
      routes = await get(`/v1/console/routes?${only}`);
      drawRoutes();
      if (selected) drawPanel();
    } catch { /* next time */ }
  }, 30000);

  function routeOf(deviceId) { return routes.find((r) => r.device_id === deviceId); }

  function drawRoutes() {
    view.querySelector("#route-count").textContent = routes.length;
    map.setLayer("routes", routes.map((r, i) => ({
      type: "line", coords: r.stops.map((s) => [s.lon, s.lat]),
      stroke: ROUTE_COLOURS[i % ROUTE_COLOURS.length], width: 3, dash: "6 4", opacity: 0.7,
    })));
    map.setLayer("stops", routes.flatMap((r) => r.stops.filter((s) => s.shipment_id).map((s) => ({
      type: "point", at: [s.lon, s.lat], r: 6, fill: statusColour(s.status), testid: "stop", status: s.status,
      title: `${r.vehicle_id} #${s.seq} ${s.shipment_id} · ${t(`st.${s.status}`)} · ${t("eta")} ${time(s.eta || s.arrival_at)}`,
    }))));
  }

  function drawVehicles() {
    const list = [...vehicles.values()].filter((v) => v.lat != null);
    view.querySelector("#fleet-count").textContent = list.length;
    map.setLayer("vehicles", list.map((v) => ({
      type: "vehicle", at: [v.lon, v.lat], heading: v.heading_deg, label: v.vehicle_id || v.device_id,
      fill: v.device_id === selected ? "#1f6feb" : "#172033", stale: v.stale, id: v.device_id,
      testid: "vehicle", title: `${v.device_id} · ${kmh(v.speed_mps)} · ${time(v.as_of, { seconds: true })}`,
      onClick: () => select(v.device_id),
    })));
    // Vans reporting now first; then by name.
    const rows = [...vehicles.values()].sort((a, b) => (a.stale - b.stale)
      || String(a.vehicle_id || a.device_id).localeCompare(String(b.vehicle_id || b.device_id)));
    view.querySelector("#vehicle-rows").innerHTML = rows.map((v) => `
      <tr data-device="${esc(v.device_id)}" class="${v.device_id === selected ? "selected" : ""}">
        <td>${esc(v.vehicle_id || v.device_id)}<div class="muted small">${esc(v.device_id)}</div></td>
        <td>${kmh(v.speed_mps)}</td>
        <td>${ago(v.as_of)}${v.stale ? ` <span class="badge">${esc(t("stale"))}</span>` : ""}</td>
      </tr>`).join("");
    for (const tr of view.querySelectorAll("#vehicle-rows tr")) {
      tr.addEventListener("click", () => select(tr.dataset.device));
    }
  }

  function select(deviceId) {
    selected = deviceId;
    panelStream?.stop();
    // The van's own stream: its position the moment it changes, independent of the fleet poll.
    panelStream = stream(`/v1/vehicles/${encodeURIComponent(deviceId)}/stream`, (fix) => {
      const v = vehicles.get(deviceId);
      if (!v) return;
      Object.assign(v, { lat: fix.lat, lon: fix.lon, speed_mps: fix.speed_mps,
        heading_deg: fix.heading_deg, as_of: fix.as_of });
      drawVehicles();
      drawPanel();
    });
    drawVehicles();
    drawPanel();
  }

  function drawPanel() {
    const v = vehicles.get(selected);
    const panel = view.querySelector("#vehicle-panel");
    if (!v) return;
    const r = routeOf(v.device_id);
    const next = r ? r.stops.filter((s) => s.shipment_id && !DONE.has(s.status)).slice(0, 5) : [];
    panel.innerHTML = `
      <h2 data-testid="panel-title">${esc(v.vehicle_id || v.device_id)}</h2>
      <dl class="kv">
        <dt>${esc(t("device"))}</dt><dd>${esc(v.device_id)} · ${esc(t(v.link_status || "online"))}</dd>
        <dt>${esc(t("speed"))}</dt><dd data-testid="panel-speed">${kmh(v.speed_mps)}</dd>
        <dt>${esc(t("last_seen"))}</dt><dd data-testid="panel-as-of">${time(v.as_of, { seconds: true })} (${ago(v.as_of)})</dd>
        <dt>${esc(t("route"))}</dt><dd>${r ? esc(r.route_id) : esc(t("no_route"))}</dd>
      </dl>
      ${next.length ? `<h3>${esc(t("next_stops"))}</h3><table><tbody>${next.map((s) => `
        <tr><td>#${s.seq}</td><td><a href="#/shipment/${encodeURIComponent(s.shipment_id)}">${esc(s.shipment_id)}</a>
        <div>${statusBadge(s.status)}</div></td><td>${esc(t("eta"))} ${time(s.eta || s.arrival_at)}</td></tr>`).join("")}
        </tbody></table>` : ""}
      <p><a href="#/replay?device=${encodeURIComponent(v.device_id)}">${esc(t("replay"))} →</a></p>`;
  }

  return () => { live.stop(); panelStream?.stop(); clearInterval(refresh); };
}

// The public tracking page of a shipment's link: status, ETA and a coarse position (the API
// rounds it to about a kilometre), nothing else. No sign-in; refreshes every 30 s.
import { bindSwitch, initLanguage, t, translate } from "./i18n.js";
import { esc, setTimeZone, statusBadge, time } from "./format.js";
import { MapView } from "./map.js";

const token = decodeURIComponent(location.pathname.split("/").pop());
const view = document.getElementById("view");
let config = { time_zone: "Asia/Shanghai", tile_url: null, tile_crs: "wgs84", language: "zh" };
let map = null;

async function draw() {
  const r = await fetch(`/v1/public/track/${encodeURIComponent(token)}`);
  if (!r.ok) {
    view.innerHTML = `<div class="panel"><h1 data-i18n="public_title"></h1>
      <p class="error" data-testid="public-error">${esc(t("link_expired"))}</p></div>`;
    translate(view);
    return;
  }
  const body = await r.json();
  view.innerHTML = `
    <div class="panel" data-testid="public-card">
      <h1 data-i18n="public_title"></h1>
      <dl class="kv">
        <dt data-i18n="status"></dt><dd data-testid="public-status">${statusBadge(body.status)}
          <span class="muted small">${time(body.status_since, { date: true })}</span></dd>
        <dt data-i18n="eta"></dt><dd data-testid="public-eta">${body.eta?.eta ? time(body.eta.eta, { date: true }) : "—"}</dd>
        <dt data-i18n="coarse_position"></dt><dd data-testid="public-position">${body.position
          ? `${body.position.lat.toFixed(2)}, ${body.position.lon.toFixed(2)} · ${esc(t("as_of"))} ${time(body.position.as_of)}`
          : "—"}</dd>
      </dl>
      <div id="map" class="map small" style="margin-top:12px" ${body.position ? "" : "hidden"}></div>
      <p class="muted small" data-i18n="public_note"></p>
    </div>`;
  translate(view);
  if (body.position) {
    map = new MapView(view.querySelector("#map"), config);
    const at = [body.position.lon, body.position.lat];
    // A kilometre-wide circle, not a pin: the position is only known to about that.
    map.setLayer("fences", [{ type: "circle", center: at, radius_m: 700, fill: "rgba(31,111,235,.15)" }]);
    map.fit([[at[0] - 0.02, at[1] - 0.015], [at[0] + 0.02, at[1] + 0.015]], { force: true });
  }
}

async function start() {
  try { config = { ...config, ...(await (await fetch("/console/config.json")).json()) }; } catch { /* defaults */ }
  initLanguage(config.language);
  setTimeZone(config.time_zone);
  bindSwitch(document.getElementById("lang"), draw);
  await draw();
  setInterval(() => draw().catch(() => {}), 30000);
}

start();

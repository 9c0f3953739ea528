// Trip replay: a van's track over a time range, its route of the day, the stops it made with
// their durations, its speed over time, and a time slider that moves the van along.
import { get } from "../api.js";
import { t } from "../i18n.js";
import { esc, km, kmh, localDate, minutes, time } from "../format.js";
import { MapView } from "../map.js";

function localInput(d) {
  // <input type="datetime-local"> in the browser's zone; the API gets full ISO times.
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export async function render(view, { config, params, go }) {
  const now = new Date();
  view.innerHTML = `
    <div class="row panel">
      <label><span data-i18n="device"></span> <select id="device" data-testid="replay-device"></select></label>
      <label><span data-i18n="from"></span> <input id="from" type="datetime-local"></label>
      <label><span data-i18n="to"></span> <input id="to" type="datetime-local"></label>
      <button id="load" data-i18n="load"></button>
      <span id="summary" class="muted"></span>
    </div>
    <div class="grid2" style="margin-top:12px">
      <div>
        <div id="map"></div>
        <div class="row" style="margin-top:8px">
          <button id="play" class="secondary" type="button" data-testid="play">▶</button>
          <input id="slider" type="range" min="0" max="0" value="0" style="flex:1" data-testid="slider">
          <b id="cursor-time" data-testid="cursor-time">—</b> <span id="cursor-speed"></span>
        </div>
        <h3 data-i18n="speed_over_time"></h3>
        <canvas id="chart" class="chart" width="900" height="140" data-testid="speed-chart"></canvas>
      </div>
      <aside class="panel"><h2 data-i18n="stops"></h2>
        <table data-testid="replay-stops"><thead><tr><th data-i18n="arrival"></th><th data-i18n="departure"></th>
          <th data-i18n="stay"></th></tr></thead><tbody id="stops"></tbody></table>
        <h2 data-i18n="trips"></h2><table><tbody id="trips"></tbody></table></aside>
    </div>`;
  const $ = (s) => view.querySelector(s);
  const map = new MapView($("#map"), config);
  const fleet = await get("/v1/console/fleet");
  $("#device").innerHTML = fleet.map((v) =>
    `<option value="${esc(v.device_id)}">${esc(v.vehicle_id || v.device_id)} (${esc(v.device_id)})</option>`).join("");
  if (params.get("device")) $("#device").value = params.get("device");
  $("#from").value = localInput(params.get("from") ? new Date(params.get("from")) : new Date(now - 8 * 3600e3));
  $("#to").value = localInput(params.get("to") ? new Date(params.get("to")) : now);
  let track = { coords: [], times: [], speeds: [] };

  async function load() {
    const device = $("#device").value;
    if (!device) return;
    const from = new Date($("#from").value).toISOString();
    const to = new Date($("#to").value).toISOString();
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const id = encodeURIComponent(device);
    const [fc, segments, routes] = await Promise.all([
      get(`/v1/devices/${id}/track?${q}`), get(`/v1/devices/${id}/trips?${q}`),
      get(`/v1/console/routes?date=${localDate(new Date(to))}`),
    ]);
    const f = fc.features[0];
    track = f ? { coords: f.geometry.coordinates, times: f.properties.times.map((x) => new Date(x)),
      speeds: f.properties.speeds_mps } : { coords: [], times: [], speeds: [] };
    const route = routes.find((r) => r.device_id === device);
    map.setLayer("routes", route ? [{ type: "line", coords: route.stops.map((s) => [s.lon, s.lat]),
      stroke: "#8a93a6", width: 2, dash: "6 4" }] : []);
    map.setLayer("track", [{ type: "line", coords: track.coords, stroke: "#1f6feb", width: 3 }]);
    map.setLayer("stops", segments.stops.map((s) => ({ type: "point", at: [s.lon, s.lat], r: 6,
      fill: "#b35900", title: `${time(s.start)}–${time(s.end)}` })));
    map.fit([...track.coords, ...(route ? route.stops.map((s) => [s.lon, s.lat]) : [])], { force: true });
    $("#stops").innerHTML = segments.stops.map((s) => `<tr><td>${time(s.start)}</td><td>${time(s.end)}</td>
      <td>${minutes((new Date(s.end) - new Date(s.start)) / 1000)}</td></tr>`).join("") ||
      `<tr><td class="muted">${esc(t("none"))}</td></tr>`;
    $("#trips").innerHTML = segments.trips.map((s) => `<tr><td>${time(s.start)}–${time(s.end)}</td>
      <td>${km(s.distance_m)}</td></tr>`).join("");
    $("#summary").textContent = track.coords.length
      ? `${track.coords.length} ${t("fixes")} · ${route ? route.route_id : t("no_route")}` : t("no_track");
    $("#slider").max = Math.max(0, track.coords.length - 1);
    $("#slider").value = $("#slider").max;
    moveTo(Number($("#slider").value));
  }

  function moveTo(i) {
    drawChart(i);
    if (!track.coords.length) {
      map.setLayer("vehicles", []);
      $("#cursor-time").textContent = "—";
      return;
    }
    map.setLayer("vehicles", [{ type: "vehicle", at: track.coords[i], label: $("#device").value, testid: "replay-vehicle" }]);
    $("#cursor-time").textContent = time(track.times[i], { seconds: true });
    $("#cursor-speed").textContent = kmh(track.speeds[i]);
  }

  function drawChart(cursor) {
    const canvas = $("#chart");
    const ctx = canvas.getContext("2d");
    const w = canvas.width;
    const h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    if (track.times.length < 2) return;
    const t0 = track.times[0].getTime();
    const span = Math.max(1, track.times.at(-1).getTime() - t0);
    const top = Math.max(10, ...track.speeds.map((s) => (s || 0) * 3.6));
    const X = (d) => 30 + ((d.getTime() - t0) / span) * (w - 40);
    const Y = (s) => h - 18 - ((s || 0) * 3.6 / top) * (h - 30);
    ctx.strokeStyle = "#dde1e8"; ctx.fillStyle = "#8a93a6"; ctx.font = "10px sans-serif";
    for (const k of [0, 0.5, 1]) {
      const y = h - 18 - k * (h - 30);
      ctx.beginPath(); ctx.moveTo(30, y); ctx.lineTo(w - 10, y); ctx.stroke();
      ctx.fillText(`${Math.round(top * k)}`, 2, y + 3);
    }
    ctx.fillText(time(track.times[0]), 30, h - 4);
    ctx.fillText(time(track.times.at(-1)), w - 60, h - 4);
    ctx.strokeStyle = "#1f6feb"; ctx.lineWidth = 1.5; ctx.beginPath();
    track.times.forEach((d, i) => (i ? ctx.lineTo(X(d), Y(track.speeds[i])) : ctx.moveTo(X(d), Y(track.speeds[i]))));
    ctx.stroke();
    const x = X(track.times[cursor]);
    ctx.strokeStyle = "#c62828"; ctx.beginPath(); ctx.moveTo(x, 8); ctx.lineTo(x, h - 18); ctx.stroke();
  }

  let playing = null;
  function stopPlaying() {
    clearInterval(playing);
    playing = null;
    $("#play").textContent = "▶";
  }
  $("#play").addEventListener("click", () => {
    if (playing) return stopPlaying();
    const slider = $("#slider");
    if (Number(slider.value) >= Number(slider.max)) slider.value = 0;
    $("#play").textContent = "❚❚";
    // About twenty seconds for a whole range, whatever its number of fixes.
    const step = Math.max(1, Math.round(track.coords.length / 200));
    playing = setInterval(() => {
      const next = Math.min(Number(slider.max), Number(slider.value) + step);
      slider.value = next;
      moveTo(next);
      if (next >= Number(slider.max)) stopPlaying();
    }, 100);
  });
  $("#slider").addEventListener("input", () => { stopPlaying(); moveTo(Number($("#slider").value)); });
  $("#load").addEventListener("click", load);
  $("#device").addEventListener("change", load);
  await load();
  return stopPlaying;
}

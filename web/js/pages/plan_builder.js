// Plan builder: pick a depot and a day, see its ready shipments, run the optimizer (a plan
// job solved by `waybill plan worker`) with a progress bar, compare the day's plans by
// cost, distance and vehicles, and approve one.
import { get, post } from "../api.js";
import { t } from "../i18n.js";
import { esc, km, localDate, minutes, num, time } from "../format.js";
import { MapView } from "../map.js";

const COLOURS = ["#1f6feb", "#b35900", "#1a7f37", "#6639ba", "#c62828", "#0b7285", "#d6336c"];

export async function render(view, { config, params }) {
  view.innerHTML = `
    <div class="row panel">
      <label><span data-i18n="depot"></span> <select id="depot" data-testid="depot"></select></label>
      <label><span data-i18n="date"></span> <input id="day" type="date" data-testid="date"></label>
      <label><span data-i18n="time_limit"></span> <input id="limit" type="number" min="1" max="600" value="10" style="width:5em"
        data-testid="time-limit"></label>
      <button id="run" data-i18n="run_optimizer" data-testid="run"></button>
      <button id="cancel" class="secondary" data-i18n="cancel" hidden></button>
      <div style="flex:1;min-width:200px">
        <div class="progress"><div id="bar" style="width:0%" data-testid="progress"></div></div>
        <div class="muted small" id="progress-text"></div>
      </div>
    </div>
    <div class="grid2" style="margin-top:12px">
      <div><div id="map" class="map"></div>
        <table id="shown-routes" style="margin-top:8px" data-testid="shown-routes"></table>
        <h2 data-i18n="compare_plans"></h2>
        <table data-testid="plans"><thead><tr><th data-i18n="plan"></th><th data-i18n="status"></th>
          <th data-i18n="cost"></th><th data-i18n="distance"></th><th data-i18n="duration"></th>
          <th data-i18n="vehicles_used"></th><th data-i18n="jobs"></th><th data-i18n="unassigned"></th>
          <th data-i18n="created"></th><th></th></tr></thead><tbody id="plan-rows"></tbody></table>
      </div>
      <aside class="panel"><h2><span data-i18n="ready_shipments"></span>
        (<span id="ready-count" data-testid="ready-count">0</span>)</h2>
        <div style="max-height:480px;overflow:auto"><table><tbody id="ready-rows"></tbody></table></div>
      </aside>
    </div>`;
  const $ = (s) => view.querySelector(s);
  const map = new MapView($("#map"), config);
  const depots = await get("/v1/console/depots");
  $("#depot").innerHTML = depots.map((d) =>
    `<option value="${esc(d.depot_id)}">${esc(d.name || d.depot_id)} (${esc(d.depot_id)})</option>`).join("");
  if (params.get("depot")) $("#depot").value = params.get("depot");
  $("#day").value = params.get("date") || localDate();
  let polling = null;
  let shown = null;

  async function load() {
    const depot = depots.find((d) => d.depot_id === $("#depot").value);
    if (!depot) return;
    const q = `depot_id=${encodeURIComponent(depot.depot_id)}&date=${$("#day").value}`;
    const [ready, plans] = await Promise.all([get(`/v1/console/ready?${q}`), get(`/v1/console/plans?${q}`)]);
    $("#ready-count").textContent = ready.length;
    $("#ready-rows").innerHTML = ready.map((s) => `<tr><td>${esc(s.shipment_id)}</td>
      <td>${num(s.weight_kg, 1)} kg</td><td class="small">${s.windows.map((w) =>
        `${time(w[0])}–${time(w[1])}`).join(", ")}</td></tr>`).join("") ||
      `<tr><td class="muted">${esc(t("none"))}</td></tr>`;
    map.setLayer("depots", [{ type: "point", at: [depot.lon, depot.lat], r: 9, fill: "#6639ba",
      text: depot.name || depot.depot_id }]);
    if (!shown) {
      map.setLayer("stops", ready.map((s) => ({ type: "point", at: [s.lon, s.lat], r: 5, fill: "#8a93a6",
        title: s.shipment_id })));
    }
    map.fit([[depot.lon, depot.lat], ...ready.map((s) => [s.lon, s.lat])]);
    drawPlans(plans);
    if (!shown && !ready.length && plans.length) await show(plans[0].plan_id);
  }

  function drawPlans(plans) {
    $("#plan-rows").innerHTML = plans.map((p) => `
      <tr data-plan="${esc(p.plan_id)}" data-status="${esc(p.status)}">
        <td><a href="#" data-show="${esc(p.plan_id)}">${esc(p.plan_id)}</a></td>
        <td><span class="badge">${esc(t(`ps.${p.status}`))}</span></td>
        <td>${num(p.cost, 0)}</td><td>${km(p.distance_m)}</td><td>${minutes(p.duration_s)}</td>
        <td>${p.vehicles ?? "—"}</td><td>${p.jobs ?? "—"}</td><td>${p.unassigned ?? 0}</td>
        <td>${time(p.created_at)}</td>
        <td>${p.status === "succeeded" ? `<button data-approve="${esc(p.plan_id)}" data-testid="approve">${esc(t("approve"))}</button>` : ""}</td>
      </tr>`).join("");
    for (const a of view.querySelectorAll("[data-show]")) {
      a.addEventListener("click", (e) => { e.preventDefault(); show(a.dataset.show); });
    }
    for (const b of view.querySelectorAll("[data-approve]")) {
      b.addEventListener("click", async () => {
        b.disabled = true;
        try {
          await post(`/v1/plans/${b.dataset.approve}/approve`);
        } catch (err) { alert(err.message); }
        await load();
      });
    }
  }

  async function show(planId) {
    const plan = await get(`/v1/plans/${planId}`);
    shown = planId;
    map.setLayer("routes", plan.routes.map((r, i) => ({ type: "line",
      coords: r.stops.map((s) => [s.lon, s.lat]), stroke: COLOURS[i % COLOURS.length], width: 3 })));
    map.setLayer("stops", plan.routes.flatMap((r, i) => r.stops.filter((s) => s.shipment_id).map((s) => ({
      type: "point", at: [s.lon, s.lat], r: 5, fill: COLOURS[i % COLOURS.length],
      title: `${r.vehicle_id} #${s.seq} ${s.shipment_id} ${time(s.arrival_at)}`,
    }))));
    for (const tr of view.querySelectorAll("#plan-rows tr")) {
      tr.classList.toggle("selected", tr.dataset.plan === planId);
    }
    $("#shown-routes").innerHTML = `<thead><tr><th>${esc(plan.plan_id)}</th><th>${esc(t("stops"))}</th>
      <th>${esc(t("distance"))}</th><th>${esc(t("duration"))}</th><th>${esc(t("departure"))}</th>
      <th>${esc(t("arrival"))}</th></tr></thead><tbody>${plan.routes.map((r, i) => {
        const stops = r.stops.filter((x) => x.shipment_id);
        return `<tr><td><span style="color:${COLOURS[i % COLOURS.length]}">■</span> ${esc(r.vehicle_id)}</td>
          <td>${stops.length}</td><td>${km(r.distance_m)}</td><td>${minutes(r.duration_s)}</td>
          <td>${time(r.stops[0]?.departure_at)}</td><td>${time(r.stops.at(-1)?.arrival_at)}</td></tr>`;
      }).join("")}</tbody>`;
    return plan;
  }

  function progress(plan, limit) {
    const elapsed = plan.progress.elapsed_s || 0;
    const done = !["queued", "running"].includes(plan.status);
    const pct = done ? 100 : Math.min(99, (elapsed / limit) * 100);
    $("#bar").style.width = `${pct.toFixed(0)}%`;
    $("#bar").dataset.status = plan.status;
    $("#progress-text").textContent = `${plan.plan_id} · ${t(`ps.${plan.status}`)} · ${t("elapsed")} ` +
      `${num(elapsed, 1)} s · ${t("best_cost")} ${num(plan.progress.best_cost, 0)}` +
      (plan.error ? ` · ${plan.error}` : "");
  }

  $("#run").addEventListener("click", async () => {
    const limit = Number($("#limit").value) || 10;
    $("#run").disabled = true;
    try {
      const queued = await post("/v1/plans", { depot_id: $("#depot").value, date: $("#day").value,
        params: { time_limit_s: limit } });
      $("#cancel").hidden = false;
      $("#cancel").onclick = () => post(`/v1/plans/${queued.plan_id}/cancel`).catch(() => {});
      clearInterval(polling);
      polling = setInterval(async () => {
        const plan = await get(`/v1/plans/${queued.plan_id}`);
        progress(plan, limit);
        if (!["queued", "running"].includes(plan.status)) {
          clearInterval(polling);
          $("#run").disabled = false;
          $("#cancel").hidden = true;
          await load();
          await show(plan.plan_id);
        }
      }, 700);
    } catch (err) {
      $("#progress-text").textContent = err.message;
      $("#run").disabled = false;
    }
  });
  $("#depot").addEventListener("change", () => { shown = null; load(); });
  $("#day").addEventListener("change", () => { shown = null; load(); });
  await load();
  return () => clearInterval(polling);
}

// One shipment: status, ETA, delivery, cartons, the tracking timeline with the evidence of
// each step, and a map with the delivery point and, while it is on its way, the van's
// position with its as_of. Follows the shipment's SSE stream. Staff can make a public link.
import { get, post, stream } from "../api.js";
import { t } from "../i18n.js";
import { esc, num, statusBadge, time } from "../format.js";
import { MapView } from "../map.js";

const MOVING = new Set(["loaded", "in_transit", "out_for_delivery", "arriving"]);
const ENDED = new Set(["delivered", "delivery_failed", "returned", "cancelled"]);

// The fields of each kind of evidence worth a line; the rest stays in the API's answer.
const EVIDENCE_FIELDS = {
  epcis_event: ["biz_step", "bizStep", "read_point"],
  geofence: ["transition", "fence"],
  route_plan: ["route_id", "planned_arrival_at"],
  proof_of_delivery: ["method", "recipient_name", "failure_reason"],
  manual: ["reason", "by"],
};

function evidenceText(e) {
  const fields = EVIDENCE_FIELDS[e.kind];
  const entries = Object.entries(e.evidence || {})
    .filter(([k, v]) => v != null && v !== "" && (!fields || fields.includes(k)))
    .slice(0, 4).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`);
  return [e.source, ...entries].filter(Boolean).join(" · ");
}

export async function render(view, { arg, config, session }) {
  const id = encodeURIComponent(arg);
  const staff = session.role === "admin" || session.role === "dispatcher";
  let s;
  try {
    s = await get(`/v1/shipments/${id}`);
  } catch (err) {
    view.innerHTML = `<p class="error">${esc(err.message)}</p>`;
    return null;
  }
  view.innerHTML = `
    <p><a href="javascript:history.back()">← ${esc(t("back"))}</a></p>
    <h1>${esc(t("shipment"))} <span data-testid="shipment-id">${esc(s.shipment_id)}</span>
      <span id="status" data-testid="shipment-status"></span></h1>
    <div class="grid2">
      <div>
        <div class="cards">
          <div class="panel"><div class="muted" data-i18n="eta"></div>
            <div class="big" id="eta" data-testid="eta"></div><div class="muted small" id="eta-note"></div></div>
          <div class="panel"><div class="muted" data-i18n="position"></div>
            <div id="pos" data-testid="position"></div></div>
        </div>
        <div id="map" class="map small" style="margin-top:12px"></div>
        <div class="panel" style="margin-top:12px"><dl class="kv">
          <dt data-i18n="order"></dt><dd>${esc(s.mall_order_id)}</dd>
          <dt data-i18n="address"></dt><dd>${esc(s.delivery.address)}</dd>
          <dt data-i18n="window"></dt><dd>${s.delivery.windows.map((w) => `${time(w.start, { date: true })}–${time(w.end)}`).join(", ") || "—"}</dd>
          <dt data-i18n="planned_arrival"></dt><dd>${time(s.planned_arrival_at, { date: true })}</dd>
          <dt data-i18n="route"></dt><dd>${esc(s.route_id || "—")}</dd>
          <dt>kg</dt><dd>${num(s.weight_kg, 1)}</dd>
        </dl>
        ${s.packages.length ? `<p class="small muted">SSCC: ${s.packages.map((p) => esc(p.sscc || p.package_id || "")).join(", ")}</p>` : ""}
        ${staff ? `<p><button class="secondary" id="make-link" data-testid="make-link">${esc(t("make_public_link"))}</button>
          <a id="link" target="_blank" data-testid="public-link"></a></p>` : ""}
        </div>
      </div>
      <aside class="panel"><h2 data-i18n="timeline"></h2>
        <ol class="timeline" id="timeline" data-testid="timeline"></ol></aside>
    </div>`;
  const $ = (q) => view.querySelector(q);
  const map = new MapView($("#map"), config);
  const door = s.delivery.location.coordinates;
  map.setLayer("depots", [{ type: "point", at: door, r: 7, fill: "#1a7f37", text: t("address") }]);
  map.fit([door]);

  function drawTimeline(entries) {
    // Evidence of a status already reached (every reader that saw the carton at the
    // packing station, say) is folded into the step it confirms.
    const steps = [];
    for (const e of entries) {
      const last = steps.at(-1);
      if (!e.applied && last && last.status === e.status) last.more += 1;
      else steps.push({ ...e, more: 0 });
    }
    $("#timeline").innerHTML = steps.reverse().map((e) => `
      <li data-kind="${esc(e.kind)}"><div>${statusBadge(e.status)} <b>${time(e.occurred_at, { date: true })}</b>
        ${e.applied ? "" : `<span class="badge" title="${esc(t("late_evidence_note"))}">${esc(t("late_evidence"))}</span>`}</div>
        <div class="evidence">${esc(t("evidence"))}: ${esc(t(`ek.${e.kind}`))} — ${esc(evidenceText(e))}</div>
        ${e.more ? `<div class="evidence">${esc(t("more_evidence").replace("{n}", e.more))}</div>` : ""}</li>`)
      .join("");
  }

  function drawTracking(tr) {
    $("#status").innerHTML = statusBadge(tr.status);
    const eta = tr.eta;
    if (ENDED.has(tr.status)) {
      // No arrival to expect any more: when it was delivered, or nothing.
      $("#eta").textContent = tr.status === "delivered" ? time(tr.status_since, { date: true }) : "—";
      $("#eta-note").textContent = t(`st.${tr.status}`);
    } else {
      $("#eta").textContent = eta?.eta ? time(eta.eta, { date: true }) : "—";
      $("#eta-note").textContent = eta ? `${t(`method_${eta.method}`)} · ${t("as_of")} ${time(eta.as_of, { seconds: true })}` +
        (eta.stale ? ` · ${t("stale")}` : "") : "";
    }
    const p = tr.position;
    const show = p && MOVING.has(tr.status);
    $("#pos").innerHTML = show ? `<b>${esc(p.device_id)}</b><div class="small" data-testid="position-as-of">${esc(t("as_of"))}
      ${time(p.as_of, { seconds: true })}${p.stale ? ` · ${esc(t("stale"))}` : ""}</div>` : "—";
    map.setLayer("vehicles", show ? [{ type: "vehicle", at: [p.lon, p.lat], heading: p.heading_deg,
      label: p.device_id, stale: p.stale, testid: "shipment-van" }] : []);
    if (show) map.fit([door, [p.lon, p.lat]], { force: !map.sawVan });
    if (show) map.sawVan = true;
  }

  drawTimeline(s.timeline);
  drawTracking(s.tracking);
  if (staff) {
    $("#make-link").addEventListener("click", async () => {
      const link = await post(`/v1/shipments/${id}/public-link`, { ttl_s: 7 * 86400 });
      const page = `${location.origin}/track/${link.token}`;
      $("#link").href = page;
      $("#link").textContent = page;
    });
  }
  let lastStatus = s.tracking.status;
  const live = stream(`/v1/shipments/${id}/events/stream`, async (tr) => {
    drawTracking(tr);
    if (tr.status !== lastStatus) {
      lastStatus = tr.status;
      try { drawTimeline((await get(`/v1/shipments/${id}/tracking`)).timeline); } catch { /* next event */ }
    }
  });
  return () => live.stop();
}

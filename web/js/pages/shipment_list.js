// Shipments the signed-in person may see: a seller's shop's, a buyer's own ("my orders"),
// staff all. Problems (late, failed, exception) first; filter by status, search by id,
// order or address.
import { get } from "../api.js";
import { t } from "../i18n.js";
import { esc, problemBadge, statusBadge, time } from "../format.js";

const STATUSES = ["created", "packed", "loaded", "in_transit", "out_for_delivery", "arriving",
  "delivered", "delivery_failed", "returned", "exception", "cancelled"];

export async function render(view, { session, page }) {
  const buyer = session.role === "buyer";
  view.innerHTML = `
    <h1>${esc(t(buyer ? "my_orders" : "shipments"))}${session.shop_id ? ` · ${esc(session.shop_id)}` : ""}</h1>
    <div class="row panel">
      <input id="q" type="search" placeholder="${esc(t("search"))}" data-testid="search" style="min-width:240px">
      <select id="status" data-testid="status-filter"><option value="">${esc(t("all_statuses"))}</option>
        ${STATUSES.map((s) => `<option value="${s}">${esc(t(`st.${s}`))}</option>`).join("")}</select>
      <label><input id="pf" type="checkbox" checked> <span data-i18n="problems_first"></span></label>
      <span class="muted" id="count"></span>
    </div>
    <table style="margin-top:12px" data-testid="shipments"><thead><tr>
      <th data-i18n="shipment"></th><th data-i18n="order"></th>${buyer ? "" : '<th data-i18n="buyer"></th>'}
      <th data-i18n="status"></th><th data-i18n="problem"></th><th data-i18n="eta"></th>
      <th data-i18n="window"></th><th data-i18n="address"></th></tr></thead>
      <tbody id="rows"></tbody></table>`;
  const $ = (s) => view.querySelector(s);
  let timer = null;

  async function load() {
    const q = new URLSearchParams({ problems_first: $("#pf").checked, limit: 200 });
    if ($("#q").value.trim()) q.set("q", $("#q").value.trim());
    if ($("#status").value) q.set("status", $("#status").value);
    const rows = await get(`/v1/console/shipments?${q}`);
    $("#count").textContent = `${rows.length}`;
    $("#rows").innerHTML = rows.map((s) => `
      <tr class="${s.problem ? "problem" : ""}" data-shipment="${esc(s.shipment_id)}">
        <td><a href="#/shipment/${encodeURIComponent(s.shipment_id)}">${esc(s.shipment_id)}</a></td>
        <td>${esc(s.mall_order_id)}</td>${buyer ? "" : `<td>${esc(s.buyer_id)}</td>`}
        <td>${statusBadge(s.status)}</td><td>${problemBadge(s.problem)}</td>
        <td>${time(s.eta || s.planned_arrival_at)}</td><td>${time(s.window_end)}</td>
        <td class="small">${esc(s.address)}</td></tr>`).join("") ||
      `<tr><td colspan="8" class="muted">${esc(t("no_shipments"))}</td></tr>`;
  }

  $("#q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  $("#status").addEventListener("change", load);
  $("#pf").addEventListener("change", load);
  await load();
  const refresh = setInterval(() => load().catch(() => {}), 20000);
  return () => { clearInterval(refresh); clearTimeout(timer); };
}

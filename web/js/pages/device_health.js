// Device health: every device's last word, its link, battery where a format reports it,
// pending dead letters by device and by reason; admins replay them after a fix.
import { get, post } from "../api.js";
import { t } from "../i18n.js";
import { ago, esc, time } from "../format.js";

export async function render(view, { session }) {
  const admin = session.role === "admin";
  view.innerHTML = `
    <div class="grid2">
      <div class="panel"><h2 data-i18n="devices"></h2>
        <table data-testid="devices"><thead><tr><th data-i18n="device"></th><th data-i18n="kind"></th>
          <th data-i18n="format"></th><th data-i18n="vehicle"></th><th data-i18n="last_seen"></th>
          <th data-i18n="battery"></th><th data-i18n="dead_letters"></th><th></th></tr></thead>
          <tbody id="rows"></tbody></table></div>
      <aside class="panel"><h2 data-i18n="dead_letters_by_reason"></h2>
        <table data-testid="dead-letters"><thead><tr><th data-i18n="reason"></th><th data-i18n="count"></th>
          <th></th></tr></thead><tbody id="reasons"></tbody></table>
        <p class="muted small" id="replay-note"></p></aside>
    </div>`;
  const $ = (s) => view.querySelector(s);
  if (!admin) $("#replay-note").textContent = t("admin_only");

  async function load() {
    const health = await get("/v1/console/devices");
    $("#rows").innerHTML = health.devices.map((d) => `
      <tr data-device="${esc(d.device_id)}">
        <td>${esc(d.device_id)}<div class="muted small">${esc(d.name)}</div></td>
        <td>${esc(t(`kind.${d.kind}`))}</td><td>${esc(d.format)}</td><td>${esc(d.vehicle_id || "")}</td>
        <td>${d.last_seen_at ? `${time(d.last_seen_at)} <span class="muted small">(${ago(d.last_seen_at)})</span>` : "—"}
          ${d.link_status ? `<span class="badge">${esc(t(d.link_status))}</span>` : ""}
          ${d.stale && d.last_seen_at ? `<span class="badge">${esc(t("stale"))}</span>` : ""}</td>
        <td>${d.battery_pct == null ? "—" : `${d.battery_pct}%`}</td>
        <td>${d.dead_letters || ""}</td>
        <td>${admin && d.dead_letters ? `<button class="secondary" data-device-replay="${esc(d.device_id)}">${esc(t("replay_letters"))}</button>` : ""}</td>
      </tr>`).join("");
    const reasons = Object.entries(health.dead_letters_by_reason);
    $("#reasons").innerHTML = reasons.map(([reason, n]) => `
      <tr data-reason="${esc(reason)}"><td><code>${esc(reason)}</code></td><td>${n}</td>
      <td>${admin ? `<button class="secondary" data-reason-replay="${esc(reason)}">${esc(t("replay_letters"))}</button>` : ""}</td></tr>`)
      .join("") || `<tr><td class="muted">${esc(t("none"))}</td></tr>`;
    for (const b of view.querySelectorAll("[data-reason-replay]")) {
      b.addEventListener("click", () => replay({ reason: b.dataset.reasonReplay }, b));
    }
    for (const b of view.querySelectorAll("[data-device-replay]")) {
      b.addEventListener("click", () => replay({ device_id: b.dataset.deviceReplay }, b));
    }
  }

  async function replay(body, button) {
    button.disabled = true;
    try {
      const answer = await post("/v1/dead-letters/replay", body);
      $("#replay-note").textContent = `${t("replay_done")}: ${answer.replayed} · ${t("stored")} ` +
        `${answer.stored} · ${t("still_rejected")} ${answer.still_rejected}`;
    } catch (err) {
      $("#replay-note").textContent = err.message;
    }
    await load();
  }

  await load();
  const timer = setInterval(() => load().catch(() => {}), 15000);
  return () => clearInterval(timer);
}

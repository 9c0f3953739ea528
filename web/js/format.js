// Formatting for display: times in the market's time zone, units, status badges, escaping.
import { language, t } from "./i18n.js";

let zone = "Asia/Shanghai";

export function setTimeZone(name) { zone = name || zone; }
export function timeZone() { return zone; }

function locale() { return language() === "zh" ? "zh-CN" : "en-GB"; }

/** "14:05:09" in the market's zone; with the date when it is not today there. */
export function time(value, { seconds = false, date = "auto" } = {}) {
  if (!value) return "—";
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return "—";
  const opts = { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false };
  if (seconds) opts.second = "2-digit";
  const withDate = date === true || (date === "auto" && localDate(d) !== localDate(new Date()));
  if (withDate) Object.assign(opts, { month: "2-digit", day: "2-digit" });
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}

/** The calendar date (YYYY-MM-DD) of a moment in the market's zone. */
export function localDate(d = new Date()) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
  }).format(d);
  return parts;
}

export function ago(value) {
  if (!value) return "—";
  const s = Math.max(0, (Date.now() - new Date(value).getTime()) / 1000);
  const zh = language() === "zh";
  if (s < 60) return zh ? `${Math.round(s)} 秒前` : `${Math.round(s)} s ago`;
  if (s < 3600) return zh ? `${Math.round(s / 60)} 分钟前` : `${Math.round(s / 60)} min ago`;
  if (s < 86400) return zh ? `${Math.round(s / 3600)} 小时前` : `${Math.round(s / 3600)} h ago`;
  return time(value, { date: true });
}

export function kmh(mps) { return mps == null ? "—" : `${(mps * 3.6).toFixed(0)} km/h`; }
export function km(m) { return m == null ? "—" : `${(m / 1000).toFixed(1)} km`; }
export function minutes(s) {
  if (s == null) return "—";
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
export function num(x, digits = 0) { return x == null ? "—" : Number(x).toFixed(digits); }

export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

export function statusBadge(status) {
  return `<span class="badge st-${esc(status)}" data-status="${esc(status)}">${esc(t(`st.${status}`))}</span>`;
}

export function problemBadge(problem) {
  return problem ? `<span class="badge pb-${esc(problem)}">${esc(t(problem))}</span>` : "";
}

/** Colour of a stop or a marker by shipment status. */
export function statusColour(status) {
  return {
    delivered: "#1a7f37", delivery_failed: "#c62828", exception: "#c62828", returned: "#c62828",
    out_for_delivery: "#1f6feb", arriving: "#1f6feb", in_transit: "#1f6feb",
    packed: "#6639ba", loaded: "#6639ba", cancelled: "#9aa1ae",
  }[status] || "#8a93a6";
}

// The console's shell: configuration, the signed-in session, the navigation by role and a
// router over the URL fragment (#/map, #/shipment/ID ...). Each page is a module with
// `render(view, ctx)` that may return a function to stop its timers and streams.
import { loadMe, session, signOut, whenSignedOut } from "./api.js";
import { bindSwitch, initLanguage, t, translate } from "./i18n.js";
import { esc, setTimeZone } from "./format.js";

const PAGES = {
  signin: () => import("./pages/signin.js"),
  map: () => import("./pages/dispatch_map.js"),
  plans: () => import("./pages/plan_builder.js"),
  devices: () => import("./pages/device_health.js"),
  replay: () => import("./pages/trip_replay.js"),
  shipments: () => import("./pages/shipment_list.js"),
  orders: () => import("./pages/shipment_list.js"),
  shipment: () => import("./pages/shipment_page.js"),
};

const NAV = {
  admin: ["map", "plans", "devices", "replay", "shipments"],
  dispatcher: ["map", "plans", "devices", "replay", "shipments"],
  seller: ["shipments"],
  buyer: ["orders"],
};
const NAV_TEXT = { map: "map", plans: "plans", devices: "devices", replay: "replay",
  shipments: "shipments", orders: "my_orders" };

const view = document.getElementById("view");
let config = { time_zone: "Asia/Shanghai", tile_url: null, tile_crs: "wgs84", language: "zh" };
let cleanup = null;
let renders = 0;

function parseHash() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [page = "", ...rest] = path.split("/");
  return { page, arg: rest.map(decodeURIComponent).join("/"), params: new URLSearchParams(query) };
}

export function go(hash) { location.hash = hash; }

function home(role) { return (NAV[role] || ["signin"])[0]; }

function renderChrome(s) {
  const nav = document.getElementById("nav");
  const { page } = parseHash();
  nav.innerHTML = s ? (NAV[s.role] || []).map((p) =>
    `<a href="#/${p}" data-nav="${p}" class="${p === page ? "active" : ""}">${esc(t(NAV_TEXT[p]))}</a>`).join("") : "";
  document.getElementById("who").textContent = s ? `${s.username || ""} · ${s.role}` : "";
  document.getElementById("signout").hidden = !s;
}

async function route() {
  if (cleanup) { try { cleanup(); } catch { /* a page's own teardown */ } cleanup = null; }
  const s = session();
  let { page, arg, params } = parseHash();
  if (!s) {
    if (page !== "signin") return go("#/signin");
  } else if (page === "signin" || !page || !PAGES[page]) {
    return go(`#/${home(s.role)}`);
  } else if (!(NAV[s.role] || []).includes(page) && page !== "shipment") {
    return go(`#/${home(s.role)}`);
  }
  renderChrome(s);
  // Each render gets its own root: a page still loading when the route changes again
  // writes into a detached element, and its timers are stopped as soon as it returns.
  const token = ++renders;
  const root = document.createElement("div");
  view.replaceChildren(root);
  const module = await PAGES[page]();
  const ctx = { config, session: s, arg, params, page, go };
  const stop = (await module.render(root, ctx)) || null;
  if (token !== renders) {
    if (stop) stop();
    return;
  }
  cleanup = stop;
  translate(root);
}

function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// A failed request inside a page's event handler: a 401 has already sent us to sign-in;
// anything else is shown, not lost in the console.
window.addEventListener("unhandledrejection", (event) => {
  const status = event.reason?.status;
  if (status === undefined) return;
  event.preventDefault();
  if (status !== 401) toast(event.reason.message);
});

async function start() {
  try {
    config = { ...config, ...(await (await fetch("/console/config.json")).json()) };
  } catch { /* defaults */ }
  initLanguage(config.language);
  setTimeZone(config.time_zone);
  translate();
  bindSwitch(document.getElementById("lang"), route);
  document.getElementById("signout").addEventListener("click", async () => {
    await signOut();
    go("#/signin");
  });
  whenSignedOut(() => go("#/signin"));
  if (session()) {
    try { await loadMe(); } catch { /* a 401 sends us to sign-in */ }
  }
  window.addEventListener("hashchange", route);
  route();
}

start();

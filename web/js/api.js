// The console's one door to the API: the signed-in session (sessionStorage), bearer
// headers, refreshing the access token before it expires, and back to sign-in on 401.
// Server-Sent Events are read with fetch() and a stream reader, because EventSource
// cannot send an Authorization header.

const KEY = "waybill.session";
const REFRESH_EARLY_MS = 60_000;
let refreshing = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
  }
}

export function session() {
  try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch { return null; }
}

function save(s) { sessionStorage.setItem(KEY, JSON.stringify(s)); }

export function whenSignedOut(callback) { onSignedOut = callback; }

function fromTokenAnswer(body, previous = {}) {
  return {
    ...previous,
    access_token: body.access_token,
    refresh_token: body.refresh_token ?? previous.refresh_token ?? null,
    expires_at: Date.now() + (body.expires_in ?? 900) * 1000,
    role: body.role ?? previous.role,
    username: body.username ?? previous.username,
  };
}

async function problemOf(response) {
  try { return await response.json(); } catch { return null; }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function signIn(username, password) {
  const form = new URLSearchParams({ grant_type: "password", username, password });
  let r;
  for (let attempt = 0; attempt < 2; attempt++) {
    r = await fetch("/v1/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    });
    if (r.status !== 503) break;
    await pause(500);  // the API lost its database connection; a new one is likely fine
  }
  if (!r.ok) throw new ApiError(r.status, await problemOf(r));
  const s = fromTokenAnswer(await r.json());
  save(s);
  await loadMe();
  return session();
}

/** Who the token speaks for (shop, buyer); kept in the session. */
export async function loadMe() {
  const s = session();
  if (!s) return null;
  try {
    const me = await get("/v1/me");
    save({ ...session(), ...me });
  } catch (e) {
    if (e.status === 401) throw e;
  }
  return session();
}

async function refresh() {
  const s = session();
  if (!s?.refresh_token) return false;
  refreshing ??= (async () => {
    try {
      const r = await fetch("/v1/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: s.refresh_token }),
      });
      if (!r.ok) return false;
      save(fromTokenAnswer(await r.json(), session() || {}));
      return true;
    } finally {
      setTimeout(() => { refreshing = null; }, 0);
    }
  })();
  return refreshing;
}

export async function signOut() {
  const s = session();
  if (s?.access_token) {
    fetch("/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${s.access_token}` } })
      .catch(() => {});
  }
  sessionStorage.removeItem(KEY);
}

async function bearer() {
  let s = session();
  if (s?.expires_at && s.refresh_token && s.expires_at - Date.now() < REFRESH_EARLY_MS) {
    await refresh();
    s = session();
  }
  return s?.access_token;
}

/**
 * fetch() with the bearer header; one refresh and retry on 401, then back to sign-in. A read
 * answered 503 (the API between two database connections) is tried once more.
 */
export async function request(path, { method = "GET", body, headers = {}, signal, raw = false } = {}) {
  let retried = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = await bearer();
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h["Content-Type"] = "application/json";
    const r = await fetch(path, {
      method, headers: h, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status === 401 && attempt === 0 && await refresh()) continue;
    if (r.status === 503 && method === "GET" && !retried) {
      retried = true;
      attempt -= 1;
      await pause(500);
      continue;
    }
    if (r.status === 401) {
      sessionStorage.removeItem(KEY);
      onSignedOut();
      throw new ApiError(401, await problemOf(r));
    }
    if (!r.ok) throw new ApiError(r.status, await problemOf(r));
    if (raw) return r;
    if (r.status === 204) return null;
    return r.json();
  }
  throw new ApiError(401, null);
}

export const get = (path, opts) => request(path, opts);
export const post = (path, body, opts) => request(path, { ...opts, method: "POST", body });

/**
 * Follow a Server-Sent Events stream; `onEvent(data)` gets each `update` event's JSON.
 * Reconnects after a dropped connection (with a growing pause) until `stop()` is called;
 * `onState("open" | "reconnecting")` says which it is doing.
 */
export function stream(path, onEvent, { onError = () => {}, onState = () => {} } = {}) {
  const controller = new AbortController();
  let stopped = false;
  let backoff = 1000;

  (async () => {
    while (!stopped) {
      try {
        const r = await request(path, { signal: controller.signal, raw: true,
          headers: { Accept: "text/event-stream" } });
        backoff = 1000;
        onState("open");
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split("\n").filter((l) => l.startsWith("data:"))
              .map((l) => l.slice(5).trimStart()).join("\n");
            if (data) {
              try { onEvent(JSON.parse(data)); } catch (e) { onError(e); }
            }
          }
        }
      } catch (e) {
        if (stopped || e.name === "AbortError") return;
        onError(e);
        if (e.status === 404 || e.status === 403 || e.status === 401) return;
      }
      if (stopped) return;
      onState("reconnecting");
      await pause(backoff);
      backoff = Math.min(backoff * 2, 15000);
    }
  })();

  return { stop() { stopped = true; controller.abort(); } };
}

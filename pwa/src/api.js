// HTTP to the server: JSON in and out, the CSRF header, and errors in the server's shape.
import { meta } from "./store.js";
import { t } from "./messages.js";

export class NetworkError extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `${t.serverError} (${status})`);
    this.status = status;
    this.code = body && body.error;
    this.detail = body && body.detail;
  }
}

export async function request(method, path, { json, body, contentType, timeoutMs = 60000 } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    const csrf = await meta.get("csrf");
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (contentType) {
    headers["Content-Type"] = contentType;
  }
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: "same-origin", signal: ctrl.signal, cache: "no-store" });
  } catch (err) {
    throw new NetworkError(t.offline);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  const type = res.headers.get("content-type") || "";
  if (type.includes("json")) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, json) => request("POST", path, { json }),
  put: (path, json) => request("PUT", path, { json }),
  patch: (path, json) => request("PATCH", path, { json }),
};

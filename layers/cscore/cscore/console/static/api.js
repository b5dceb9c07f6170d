// The product's API, same origin: the page is at <base>/admin/, the API at <base>/v1/...
// The credential lives in this tab's session storage only.
import { lang } from "./i18n.js";

const STORE = "cs-console-credential";
export const API_BASE = new URL("../", window.location.href);

export class ApiError extends Error {
  constructor(status, code, message, data) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

export function credential() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

export function forget() {
  sessionStorage.removeItem(STORE);
}

export function keep(value) {
  sessionStorage.setItem(STORE, JSON.stringify(value));
}

export function url(path, query) {
  const target = new URL(path, API_BASE);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null) target.searchParams.set(name, String(value));
  }
  return target;
}

function authHeaders(given) {
  const headers = { "Accept-Language": lang() };
  const held = given || credential();
  if (held?.kind === "key") headers.accesskey = held.key;
  if (held?.kind === "bearer") headers.Authorization = `Bearer ${held.token}`;
  return headers;
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

async function envelope(response) {
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) {
    if (!response.ok) throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText, null);
    return response;
  }
  const body = await response.json();
  if (body.result === false || !response.ok) {
    const message = body.localizedErrorDesc || body.errorDesc || body.message || response.statusText;
    throw new ApiError(response.status, body.errorCode || `HTTP_${response.status}`, message, body.data);
  }
  return body.data;
}

/** Calls the API; answers the envelope's data, or throws ApiError with its code and message. */
export async function call(method, path, { body, query, credentials, raw } = {}) {
  const headers = authHeaders(credentials);
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url(path, query), init);
  if (response.status === 401 && !credentials) onUnauthorized();
  if (raw && response.ok) return response;
  return envelope(response);
}

/** An M2M client's short-lived token (client id and secret as HTTP Basic). */
export async function clientToken(clientId, secret) {
  const response = await fetch(url("v1/users/m2m/oauth/token"), {
    method: "POST",
    headers: {
      Authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
      "Content-Type": "application/x-www-form-urlencoded",
      "Accept-Language": lang(),
    },
    body: "grant_type=client_credentials",
  });
  const body = await response.json();
  if (!response.ok || !body.access_token) {
    const message = body.localizedErrorDesc || body.errorDesc || body.error_description || body.error || "Unauthorized";
    throw new ApiError(response.status, body.errorCode || body.error || "GS_APIG_2401", message, null);
  }
  return { kind: "bearer", token: body.access_token, expires: Date.now() + body.expires_in * 1000 };
}

/** Saves an answer (a CSV, say) as a file the browser downloads. */
export async function download(path, fileName, query) {
  const response = await call("GET", path, { query, raw: true });
  const type = response.headers.get("Content-Type") || "";
  let blob;
  if (type.includes("json")) {
    const data = await envelope(response);
    // Large files come as a short-lived pre-signed URL.
    const target = data?.url || data?.downloadUrl;
    if (!target) throw new ApiError(500, "GU_1101", "no file", data);
    window.location.assign(target);
    return;
  }
  blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

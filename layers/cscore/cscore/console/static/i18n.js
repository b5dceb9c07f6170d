// The page's language (English or Japanese): the switch's choice for this tab, else the
// browser's preferred languages. Dates and numbers in the user's own locale and time zone.
import { en } from "./messages-en.js";
import { ja } from "./messages-ja.js";

export const LANGUAGES = { en, ja };
const STORE = "cs-console-language";

function fromBrowser() {
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

let current = sessionStorage.getItem(STORE) || fromBrowser();
if (!(current in LANGUAGES)) current = "en";

export function lang() {
  return current;
}

export function setLang(language) {
  current = language in LANGUAGES ? language : "en";
  sessionStorage.setItem(STORE, current);
  document.documentElement.lang = current;
}

/** The message for a key in the page's language, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const text = LANGUAGES[current][key] ?? LANGUAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** A date (epoch milliseconds, epoch seconds below 1e11, or ISO text) in the user's time zone. */
export function formatDate(value) {
  if (value === null || value === undefined || value === "") return "";
  let date;
  if (typeof value === "number") date = new Date(value < 1e11 ? value * 1000 : value);
  else date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(current === "ja" ? "ja-JP" : undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(date);
}

export function formatNumber(value) {
  return new Intl.NumberFormat(current === "ja" ? "ja-JP" : undefined).format(value ?? 0);
}

export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

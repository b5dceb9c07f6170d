// The console's shell: sign-in, the header (tenant, user, rate-limit usage), the menu,
// the language switch and a hash router (#/users, #/teams?...).
import { ApiError, call, clientToken, credential, forget, keep, whenUnauthorized } from "./api.js";
import { h, replace } from "./dom.js";
import { LANGUAGES, formatNumber, lang, setLang, t } from "./i18n.js";
import * as bulk from "./page-bulk.js";
import * as connectors from "./page-connectors.js";
import * as jobs from "./page-jobs.js";
import * as permissions from "./page-permissions.js";
import * as teams from "./page-teams.js";
import * as users from "./page-users.js";
import { button, field, input, messages } from "./ui.js";

// adminOnly: the API answers these to super admins only; others get the 403 page.
const PAGES = [
  { name: "connectors", page: connectors, adminOnly: true },
  { name: "jobs", page: jobs, adminOnly: true },
  { name: "teams", page: teams, adminOnly: false },
  { name: "permissions", page: permissions, adminOnly: true },
  { name: "bulk", page: bulk, adminOnly: true },
  { name: "users", page: users, adminOnly: true },
];

const root = document.getElementById("app");
let me = null;
let signInNotice = null;

function languageSwitch() {
  const choice = h(
    "select",
    { id: "language", onChange: (e) => { setLang(e.target.value); start(); } },
    Object.keys(LANGUAGES).map((code) => h("option", { value: code, selected: code === lang() }, LANGUAGES[code]["language.name"])),
  );
  return h("div", { class: "language" }, h("label", { for: "language" }, t("language.label")), choice);
}

function signInPage() {
  document.title = `${t("signIn.title")} — CS Platform`;
  const msgs = messages();
  if (signInNotice) msgs.error(signInNotice);
  signInNotice = null;
  const key = input({ type: "password", name: "accesskey", autocomplete: "off", required: true });
  const clientId = input({ name: "clientId", required: true });
  const secret = input({ type: "password", name: "clientSecret", required: true });
  async function enter(event, makeCredential) {
    event.preventDefault();
    const submit = event.target.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      msgs.clear();
      const held = await makeCredential();
      await call("GET", "v1/tenant", { credentials: held });
      keep(held);
      if (!window.location.hash || window.location.hash === "#/") window.location.hash = "#/connectors";
      await start();
    } catch (error) {
      msgs.error(error);
    } finally {
      submit.disabled = false;
    }
  }
  replace(
    root,
    h("header", { class: "topbar" }, h("span", { class: "brand" }, "CS Platform"), languageSwitch()),
    h(
      "main",
      { id: "main", class: "sign-in" },
      h("h1", {}, t("signIn.title")),
      h("p", {}, t("signIn.intro")),
      msgs.box,
      h(
        "form",
        { "aria-labelledby": "with-key", onSubmit: (e) => enter(e, async () => ({ kind: "key", key: key.value.trim() })) },
        h("h2", { id: "with-key" }, t("signIn.withKey")),
        field(t("signIn.key"), key, t("signIn.keyHint")),
        h("button", { type: "submit" }, t("signIn.submit")),
      ),
      h(
        "form",
        { "aria-labelledby": "with-client", onSubmit: (e) => enter(e, () => clientToken(clientId.value.trim(), secret.value)) },
        h("h2", { id: "with-client" }, t("signIn.withClient")),
        field(t("signIn.clientId"), clientId),
        field(t("signIn.clientSecret"), secret),
        h("button", { type: "submit", class: "secondary" }, t("signIn.submit")),
      ),
    ),
  );
  key.focus();
}

function usage(limits) {
  // The window of each family with the fewest requests left.
  return Object.entries(limits || {}).map(([family, windows]) => {
    const [name, w] = Object.entries(windows).sort((a, b) => a[1].remaining - b[1].remaining)[0];
    return h(
      "li",
      {},
      h("span", { class: "family" }, t(`limits.${family}`)),
      " ",
      t("limits.used", { used: formatNumber(w.used), limit: formatNumber(w.limit), window: t(`limits.${name}`) }),
    );
  });
}

function header() {
  return h(
    "header",
    { class: "topbar" },
    h("a", { class: "skip", href: "#main", onClick: (e) => { e.preventDefault(); document.getElementById("main").focus(); } }, t("common.skip")),
    h("span", { class: "brand" }, "CS Platform"),
    h(
      "div",
      { class: "who", "aria-label": t("header.who") },
      h("span", {}, t("header.tenant"), ": ", h("strong", { id: "tenant-name" }, me.tenantName)),
      h("span", {}, t("header.user"), ": ", h("code", { id: "user-gsid" }, me.userGsid), me.isSuperAdmin ? h("span", { class: "badge" }, t("header.superAdmin")) : null),
    ),
    h("ul", { class: "limits", "aria-label": t("header.limits"), id: "limits" }, usage(me.rateLimits)),
    languageSwitch(),
    button(t("header.signOut"), () => { forget(); me = null; start(); }, { class: "secondary" }),
  );
}

function route() {
  const [path, query] = (window.location.hash.replace(/^#\/?/, "") || "connectors").split("?");
  return { name: path || "connectors", params: new URLSearchParams(query || "") };
}

function forbiddenPage(main) {
  document.title = `${t("forbidden.title")} — CS Platform`;
  replace(main, h("h1", { id: "page-title", tabindex: "-1" }, t("forbidden.title")), h("p", { class: "forbidden" }, t("forbidden.body")));
}

async function refreshUsage() {
  try {
    me = await call("GET", "v1/tenant");
    const list = document.getElementById("limits");
    if (list) replace(list, usage(me.rateLimits));
  } catch {
    // The header's usage is informative; a failure here shows on the page's own calls.
  }
}

async function show() {
  const { name, params } = route();
  const entry = PAGES.find((p) => p.name === name) || PAGES[0];
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.page === entry.name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const main = document.getElementById("main");
  replace(main);
  if (entry.adminOnly && !me.isSuperAdmin) {
    forbiddenPage(main);
  } else {
    document.title = `${t(`nav.${entry.name}`)} — CS Platform`;
    try {
      await entry.page.render(main, { me, params, forbidden: () => forbiddenPage(main) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) forbiddenPage(main);
      else replace(main, h("h1", { id: "page-title", tabindex: "-1" }, t(`nav.${entry.name}`)), messages().box).append(h("div", { class: "alert error", role: "alert" }, error.message));
    }
  }
  document.getElementById("page-title")?.focus();
  refreshUsage();
}

export async function start() {
  document.documentElement.lang = lang();
  if (!credential()) {
    signInPage();
    return;
  }
  try {
    me = await call("GET", "v1/tenant");
  } catch (error) {
    forget();
    signInNotice = error;
    signInPage();
    return;
  }
  replace(
    root,
    header(),
    h(
      "nav",
      { "aria-label": t("nav.label") },
      h("ul", {}, PAGES.map((p) => h("li", {}, h("a", { href: `#/${p.name}`, dataset: { page: p.name } }, t(`nav.${p.name}`))))),
    ),
    h("main", { id: "main", tabindex: "-1" }),
  );
  await show();
}

whenUnauthorized(() => {
  forget();
  signInNotice = new ApiError(401, "GS_APIG_2401", t("signIn.expired"), null);
  start();
});
window.addEventListener("hashchange", () => { if (me && credential()) show(); });
setLang(lang());
start();

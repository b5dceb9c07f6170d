// Connectors (seed 000): Administration > Connectors 2.0. Create the Salesforce connection,
// Authorize (Salesforce's login in this tab; the callback sends the browser back here with
// the outcome), Re-authorize, Revoke, Company Resolution, Link Tenant.
import { call } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { busy, button, confirmAction, date, emptyState, field, input, messages, pageHeader, section, select, status } from "./ui.js";

const BASE = "v1/connectors/salesforce/connections";

function outcomeMessage(params, msgs) {
  const outcome = params.get("outcome");
  if (outcome === "authorized") msgs.success(t("connectors.authorizedBack"));
  if (outcome === "failed") {
    const code = params.get("code") || "";
    msgs.error({ code, message: t(`connectors.failed.${code}`) === `connectors.failed.${code}` ? t("connectors.failedBack") : t(`connectors.failed.${code}`) });
  }
}

export async function render(main, ctx) {
  const msgs = messages();
  const body = h("div");
  replace(main, pageHeader(t("nav.connectors")), msgs.box, body);
  outcomeMessage(ctx.params, msgs);

  async function load() {
    const { connections } = await call("GET", BASE);
    if (!connections.length) replace(body, emptyState(t("connectors.empty")), createForm());
    else replace(body, connections.map(connectionCard));
  }

  function createForm() {
    const name = input({ name: "name", required: true, maxlength: 80 });
    const orgType = select([["production", t("connectors.production")], ["sandbox", t("connectors.sandbox")]], { name: "orgType" });
    const loginUrl = input({ type: "url", name: "loginUrl", placeholder: "https://mydomain.my.salesforce.com" });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            const request = { name: name.value.trim(), orgType: orgType.value };
            if (loginUrl.value.trim()) request.loginUrl = loginUrl.value.trim();
            await call("POST", BASE, { body: request });
            msgs.success(t("connectors.created", { name: request.name }));
            await load();
          });
        },
      },
      h("div", { class: "grid" }, field(t("connectors.name"), name), field(t("connectors.orgType"), orgType), field(t("connectors.loginUrl"), loginUrl, t("connectors.loginUrlHint"))),
      h("button", { type: "submit" }, t("connectors.create")),
    );
    return section(t("connectors.createTitle"), form);
  }

  function connectionCard(c) {
    const id = encodeURIComponent(c.connectionId);
    const authorize = (again) => async (event) => {
      await busy(event.target, msgs, async () => {
        const data = await call("POST", `${BASE}/${id}/${again ? "reauthorize" : "authorize"}`);
        window.location.assign(data.authorizationUrl); // Salesforce's login, in this tab
      });
    };
    const revoke = async (event) => {
      if (!(await confirmAction(t("connectors.confirmRevoke", { name: c.name }), t("connectors.revoke")))) return;
      await busy(event.target, msgs, async () => {
        await call("POST", `${BASE}/${id}/revoke`);
        msgs.success(t("connectors.revoked", { name: c.name }));
        await load();
      });
    };
    const link = async (event) => {
      await busy(event.target, msgs, async () => {
        await call("POST", `${BASE}/${id}/link-tenant`);
        msgs.success(t("connectors.linkedDone"));
        await load();
      });
    };
    const actions = [];
    if (c.status === "CREATED") actions.push(button(t("connectors.authorize"), authorize(false)));
    else actions.push(button(t("connectors.reauthorize"), authorize(true), { class: c.status === "AUTHORIZED" ? "secondary" : "" }));
    if (c.status === "AUTHORIZED") {
      if (!c.linked) actions.push(button(t("connectors.link"), link, { class: "secondary" }));
      actions.push(button(t("connectors.revoke"), revoke, { class: "danger" }));
    }

    const source = input({ name: "sourceField", value: c.companyResolution?.sourceField || "Id", required: true });
    const target = input({ name: "targetField", value: c.companyResolution?.targetField || "SfdcAccountId", required: true });
    const resolution = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(resolution.querySelector("[type=submit]"), msgs, async () => {
            await call("PUT", `${BASE}/${id}/company-resolution`, { body: { sourceField: source.value.trim(), targetField: target.value.trim() } });
            msgs.success(t("connectors.resolutionSaved"));
          });
        },
      },
      h("div", { class: "grid" }, field(t("connectors.accountField"), source), field(t("connectors.companyField"), target)),
      h("button", { type: "submit", class: "secondary" }, t("common.save")),
    );

    const facts = [
      [t("connectors.status"), status(c.status)],
      [t("connectors.orgId"), c.orgId ? h("code", {}, c.orgId) : t("connectors.notAuthorized")],
      [t("connectors.orgType"), t(`connectors.${c.orgType}`)],
      [t("connectors.loginUrl"), c.loginUrl],
      [t("connectors.linked"), c.linked ? t("connectors.yes") : t("connectors.no")],
      [t("connectors.createdDate"), date(c.createdDate)],
      [t("connectors.authorizedDate"), date(c.authorizedDate)],
    ];
    return [
      section(
        c.name,
        h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")])),
        h("div", { class: "actions" }, actions, c.status !== "CREATED" ? h("a", { href: "#/jobs" }, t("connectors.toJobs")) : null),
      ),
      section(t("connectors.resolution"), h("p", {}, t("connectors.resolutionHint")), resolution),
    ];
  }

  await load();
}

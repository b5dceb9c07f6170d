// Data Permissions > Company (seed 001): the Public / Rule-based / Team-based switches,
// the rules editor, and "can this user see this company, and why" (the access check).
import { call } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { busy, button, checkbox, confirmAction, emptyState, field, input, messages, pageHeader, section, select, typeahead } from "./ui.js";

const OPERATORS = ["EQ", "NE", "IN", "CONTAINS", "STARTS_WITH", "IS_NULL", "IS_NOT_NULL"];

function describeWhere(where) {
  return (where?.conditions || [])
    .map((c) => `${c.name} ${c.operator} ${(c.value || []).map((v) => (v && typeof v === "object" ? `${t("permissions.usersField")} ${v.userField}` : JSON.stringify(v))).join(", ")}`)
    .join(` ${where?.expression ? `(${where.expression})` : "AND"} `);
}

function conditionFields(prefix, withUserField) {
  const name = input({ name: `${prefix}Field`, required: true, placeholder: prefix === "user" ? "Title" : "Industry" });
  const operator = select(OPERATORS.map((o) => [o, o]), { name: `${prefix}Operator` });
  const value = input({ name: `${prefix}Value`, placeholder: t("permissions.valueHint") });
  const fromUser = withUserField ? checkbox(t("permissions.compareWithUser"), { name: `${prefix}FromUser` }) : null;
  return {
    elements: [field(t(`permissions.${prefix}Field`), name), field(t(`permissions.${prefix}Operator`), operator), field(t(`permissions.${prefix}Value`), value), fromUser],
    read() {
      const raw = value.value.split(",").map((v) => v.trim()).filter(Boolean);
      const values = fromUser?.querySelector("input").checked ? raw.map((v) => ({ userField: v })) : raw;
      return { conditions: [{ name: name.value.trim(), alias: "A", operator: operator.value, value: values }] };
    },
  };
}

/** A reason's detail in the page's language (the API's detail is English or structured). */
function reasonDetail(reason, company, names) {
  switch (reason.kind) {
    case "RULE":
      return t("permissions.detail.RULE", { name: reason.detail });
    case "TEAM_MEMBER":
      return t("permissions.detail.TEAM_MEMBER", { company: company.Name });
    case "MANAGER":
      return t("permissions.detail.MANAGER", { level: reason.detail.level, member: names[reason.detail.member] || reason.detail.member });
    case "SUPER_ADMIN":
    case "PUBLIC":
      return t(`permissions.detail.${reason.kind}`);
    default:
      return typeof reason.detail === "string" ? reason.detail : JSON.stringify(reason.detail);
  }
}

export async function render(main) {
  const msgs = messages();
  let settings = await call("GET", "v1/permissions/company");
  const switches = h("div");
  const rulesBox = h("div");

  async function put(next, target, text) {
    await busy(target, msgs, async () => {
      settings = await call("PUT", "v1/permissions/company", { body: next });
      msgs.success(text);
      draw();
    });
  }

  function drawSwitches() {
    const pub = checkbox(t("permissions.public"), { checked: settings.public, name: "public", "aria-describedby": "public-hint" });
    const team = checkbox(t("permissions.teamBased"), { checked: settings.teamBased, name: "teamBased", "aria-describedby": "team-hint" });
    const form = h(
      "form",
      {
        onSubmit: (event) => {
          event.preventDefault();
          const next = { ...settings, public: pub.querySelector("input").checked, teamBased: team.querySelector("input").checked };
          put(next, form.querySelector("[type=submit]"), t("permissions.saved"));
        },
      },
      pub,
      h("small", { id: "public-hint" }, t("permissions.publicHint")),
      h("div", { class: "check" }, h("span", { class: "badge" }, settings.rules.length ? t("permissions.ruleBasedOn", { count: settings.rules.length }) : t("permissions.ruleBasedOff")), t("permissions.ruleBased")),
      team,
      h("small", { id: "team-hint" }, t("permissions.teamBasedHint")),
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("common.save"))),
    );
    replace(switches, form);
  }

  function drawRules() {
    const list = settings.rules.length
      ? h("ul", { class: "rules" }, settings.rules.map((rule, i) => h(
        "li",
        {},
        h("strong", {}, rule.name),
        h("div", {}, t("permissions.usersWhere"), " ", h("code", {}, describeWhere(rule.user))),
        h("div", {}, t("permissions.companiesWhere"), " ", h("code", {}, describeWhere(rule.company))),
        button(t("common.remove"), async (event) => {
          if (!(await confirmAction(t("permissions.confirmRemove", { name: rule.name }), t("common.remove")))) return;
          put({ ...settings, rules: settings.rules.filter((_, j) => j !== i) }, event.target, t("permissions.ruleRemoved", { name: rule.name }));
        }, { class: "danger", "aria-label": `${t("common.remove")}: ${rule.name}` }),
      )))
      : emptyState(t("permissions.noRules"));
    const name = input({ name: "ruleName", required: true });
    const user = conditionFields("user", false);
    const company = conditionFields("company", true);
    const form = h(
      "form",
      {
        onSubmit: (event) => {
          event.preventDefault();
          const rule = { name: name.value.trim(), user: user.read(), company: company.read() };
          put({ ...settings, rules: [...settings.rules, rule] }, form.querySelector("[type=submit]"), t("permissions.ruleAdded", { name: rule.name }));
        },
      },
      field(t("permissions.ruleName"), name),
      h("fieldset", {}, h("legend", {}, t("permissions.whichUsers")), h("div", { class: "grid" }, user.elements)),
      h("fieldset", {}, h("legend", {}, t("permissions.whichCompanies")), h("div", { class: "grid" }, company.elements)),
      h("button", { type: "submit" }, t("permissions.addRule")),
    );
    replace(rulesBox, list, h("h3", {}, t("permissions.newRule")), form);
  }

  function draw() {
    drawSwitches();
    drawRules();
  }

  function accessCheck() {
    let company = null;
    let user = null;
    const answer = h("div", { "aria-live": "polite" });
    const find = (type) => async (text) => (await call("POST", "v1/teams/search", { body: { type, text } }))[type === "company" ? "companies" : "users"];
    const describe = (m) => [m.Name, m.Email].filter(Boolean).join(" · ");
    const companyBox = typeahead({ label: t("permissions.checkCompany"), find: find("company"), describe, onChoose: (m) => { company = m; } });
    const userBox = typeahead({ label: t("permissions.checkUser"), find: find("user"), describe, onChoose: (m) => { user = m; } });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            if (!company || !user) throw new Error(t("permissions.chooseBoth"));
            const result = await call("GET", "v1/permissions/company/access", { query: { userId: user.Gsid, companyId: company.Gsid } });
            // A manager's reason names the team member by GSID: show the member's name.
            const names = {};
            if (result.reasons.some((r) => r.kind === "MANAGER")) {
              const { members } = await call("GET", `v1/teams/companies/${encodeURIComponent(company.Gsid)}/members`);
              for (const m of members) names[m.UserId] = m.UserName;
            }
            replace(
              answer,
              h("p", { class: `verdict ${result.allowed ? "allowed" : "denied"}` }, h("strong", {}, result.allowed ? t("permissions.allowed", { user: user.Name, company: company.Name }) : t("permissions.denied", { user: user.Name, company: company.Name }))),
              result.reasons.length
                ? h("ul", { class: "reasons", "aria-label": t("permissions.why") }, result.reasons.map((r) => h("li", {}, h("strong", {}, t(`permissions.reason.${r.kind}`)), " — ", reasonDetail(r, company, names))))
                : h("p", {}, t("permissions.noReason")),
            );
          });
        },
      },
      h("div", { class: "grid" }, companyBox.element, userBox.element),
      h("button", { type: "submit" }, t("permissions.check")),
    );
    return section(t("permissions.accessTitle"), h("p", {}, t("permissions.accessHint")), form, answer);
  }

  replace(
    main,
    pageHeader(t("permissions.title")),
    msgs.box,
    section(t("permissions.switches"), switches),
    section(t("permissions.rules"), rulesBox),
    accessCheck(),
  );
  draw();
}

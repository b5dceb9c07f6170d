// Team Management (seed 001): find a company or a user (type-ahead on POST /v1/teams/search),
// its team or its companies, assign with Team Role and User Access, remove; Team Roles.
import { call } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { busy, button, confirmAction, date, field, input, messages, pageHeader, section, select, table, typeahead } from "./ui.js";

const ACCESS = ["Member", "Admin"];

function search(type, fields) {
  return async (text) => {
    const extra = fields().split(",").map((f) => f.trim()).filter(Boolean);
    const data = await call("POST", "v1/teams/search", { body: { type, text, ...(extra.length ? { fields: extra } : {}) } });
    return type === "company" ? data.companies : data.users;
  };
}

function describe(fields) {
  return (match) => {
    const extra = fields().split(",").map((f) => f.trim()).filter(Boolean).map((f) => `${f}: ${match[f] ?? "—"}`);
    return [match.Name, match.Email, ...extra].filter(Boolean).join(" · ");
  };
}

export async function render(main, ctx) {
  const msgs = messages();
  const roles = ctx.me.isSuperAdmin ? (await call("GET", "v1/teams/roles")).roles : [{ label: "Account Manager" }];
  const kind = select([["company", t("teams.company")], ["user", t("teams.user")]], { name: "kind" });
  const fields = input({ name: "fields", placeholder: "Industry, Email" });
  const detail = h("div");
  const finder = h("div");

  function renderFinder() {
    const box = typeahead({
      label: kind.value === "company" ? t("teams.findCompany") : t("teams.findUser"),
      find: search(kind.value, () => fields.value),
      describe: describe(() => fields.value),
      onChoose: (match) => (kind.value === "company" ? showCompany(match) : showUser(match)),
    });
    replace(finder, box.element);
  }
  kind.addEventListener("change", () => { renderFinder(); replace(detail); });

  function assignmentFields() {
    const role = select(roles.map((r) => [r.label, r.label]), { name: "TeamRole" });
    const access = select(ACCESS.map((a) => [a, t(`teams.access${a}`)]), { name: "UserAccess" });
    return { role, access, elements: [field(t("teams.teamRole"), role), field(t("teams.userAccess"), access)] };
  }

  async function showCompany(company) {
    const list = h("div");
    async function load() {
      const data = await call("GET", `v1/teams/companies/${encodeURIComponent(company.Gsid)}/members`);
      replace(
        list,
        table(
          t("teams.teamOf", { name: company.Name }),
          [
            { label: t("users.name"), key: "UserName" },
            { label: t("users.email"), key: "UserEmail" },
            { label: t("teams.teamRole"), key: "TeamRole" },
            { label: t("teams.userAccess"), render: (m) => t(`teams.access${m.UserAccess}`) },
            { label: t("teams.source"), key: "UserSource" },
            { label: t("users.modified"), render: (m) => date(m.ModifiedDate) },
            { label: t("common.actions"), render: (m) => removeButton(company.Gsid, m.UserId, m.UserName, company.Name, load) },
          ],
          data.members,
          t("teams.noMembers"),
        ),
      );
    }
    let chosen = null;
    const who = typeahead({ label: t("teams.userToAssign"), find: search("user", () => ""), describe: describe(() => ""), onChoose: (m) => { chosen = m; } });
    const assign = assignmentFields();
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            if (!chosen) throw new Error(t("teams.chooseUser"));
            await call("POST", `v1/teams/companies/${encodeURIComponent(company.Gsid)}/members`, {
              body: { records: [{ UserId: chosen.Gsid, TeamRole: assign.role.value, UserAccess: assign.access.value }] },
            });
            msgs.success(t("teams.assigned", { user: chosen.Name, company: company.Name }));
            who.clear();
            chosen = null;
            await load();
          });
        },
      },
      h("div", { class: "grid" }, who.element, assign.elements),
      h("button", { type: "submit" }, t("teams.assign")),
    );
    replace(detail, section(t("teams.teamOf", { name: company.Name }), list, h("h3", {}, t("teams.assignUser")), form));
    await load();
  }

  async function showUser(user) {
    const list = h("div");
    async function load() {
      const data = await call("GET", `v1/teams/users/${encodeURIComponent(user.Gsid)}/companies`);
      replace(
        list,
        table(
          t("teams.companiesOf", { name: user.Name }),
          [
            { label: t("teams.company"), key: "CompanyName" },
            { label: t("teams.teamRole"), key: "TeamRole" },
            { label: t("teams.userAccess"), render: (m) => t(`teams.access${m.UserAccess}`) },
            { label: t("teams.source"), key: "UserSource" },
            { label: t("common.actions"), render: (m) => removeButton(m.CompanyId, user.Gsid, user.Name, m.CompanyName, load) },
          ],
          data.companies,
          t("teams.noCompanies"),
        ),
      );
    }
    let chosen = null;
    const which = typeahead({ label: t("teams.companyToAssign"), find: search("company", () => ""), describe: describe(() => ""), onChoose: (m) => { chosen = m; } });
    const assign = assignmentFields();
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            if (!chosen) throw new Error(t("teams.chooseCompany"));
            await call("POST", `v1/teams/users/${encodeURIComponent(user.Gsid)}/companies`, {
              body: { records: [{ CompanyId: chosen.Gsid, TeamRole: assign.role.value, UserAccess: assign.access.value }] },
            });
            msgs.success(t("teams.assigned", { user: user.Name, company: chosen.Name }));
            which.clear();
            chosen = null;
            await load();
          });
        },
      },
      h("div", { class: "grid" }, which.element, assign.elements),
      h("button", { type: "submit" }, t("teams.assign")),
    );
    replace(detail, section(t("teams.companiesOf", { name: user.Name }), list, h("h3", {}, t("teams.assignCompany")), form));
    await load();
  }

  function removeButton(companyId, userId, userName, companyName, reload) {
    return button(
      t("common.remove"),
      async (event) => {
        if (!(await confirmAction(t("teams.confirmRemove", { user: userName, company: companyName }), t("common.remove")))) return;
        await busy(event.target, msgs, async () => {
          await call("DELETE", `v1/teams/companies/${encodeURIComponent(companyId)}/members/${encodeURIComponent(userId)}`);
          msgs.success(t("teams.removed", { user: userName, company: companyName }));
          await reload();
        });
      },
      { class: "danger", "aria-label": t("teams.removeNamed", { user: userName, company: companyName }) },
    );
  }

  function rolesSection() {
    const list = h("ul", {}, roles.map((r) => h("li", {}, r.label, r.system ? h("span", { class: "badge" }, t("teams.systemRole")) : null)));
    const label = input({ name: "label", required: true });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            const role = await call("POST", "v1/teams/roles", { body: { label: label.value.trim() } });
            roles.push(role.role || role);
            list.append(h("li", {}, label.value.trim()));
            msgs.success(t("teams.roleAdded", { label: label.value.trim() }));
            form.reset();
          });
        },
      },
      h("div", { class: "filters" }, field(t("teams.newRole"), label), h("button", { type: "submit" }, t("teams.addRole"))),
    );
    return section(t("teams.roles"), list, ctx.me.isSuperAdmin ? form : null);
  }

  replace(
    main,
    pageHeader(t("nav.teams")),
    msgs.box,
    section(t("teams.find"), h("div", { class: "grid" }, field(t("teams.searchFor"), kind), field(t("teams.fields"), fields, t("teams.fieldsHint"))), finder),
    detail,
    ctx.me.isSuperAdmin ? rolesSection() : null,
  );
  renderFinder();
}

// Users (seed 003): list with search and filters, create, edit, activate / deactivate.
import { call } from "./api.js";
import { debounce, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { busy, button, confirmAction, date, field, input, messages, pageHeader, section, select, status, table } from "./ui.js";

const PAGE_SIZE = 25;
const SELECT = ["Name", "FirstName", "LastName", "Email", "SFDCUserName", "LicenseType", "Title", "IsActiveUser", "IsSuperAdmin", "ModifiedDate"];
const LICENSES = ["Full", "Viewer", "Viewer Analytics", "Internal Collaborator", "External"];

/** Per-record errors of a users write (the envelope's data.errors), as one message. */
function recordErrors(error) {
  const rows = error?.data?.errors || [];
  return rows.length ? `${error.message}: ${rows.map((r) => r.errorMessage).join("; ")}` : error.message;
}

export async function render(main) {
  const msgs = messages();
  const search = input({ type: "search", name: "search", placeholder: t("users.searchPlaceholder") });
  const state = select(
    [["active", t("users.filterActive")], ["inactive", t("users.filterInactive")], ["all", t("users.filterAll")]],
    { name: "status", value: "all" },
  );
  const results = h("div", { "aria-live": "polite", "aria-busy": "false" });
  let page = 0;

  async function load() {
    const conditions = [];
    const text = search.value.trim();
    if (text) conditions.push({ name: "Name", alias: "N", operator: "CONTAINS", value: [text] });
    if (state.value !== "all") conditions.push({ name: "IsActiveUser", alias: "S", operator: "EQ", value: [state.value === "active"] });
    const body = { select: SELECT, limit: PAGE_SIZE, page, includeTotal: true, orderBy: { Name: "asc" } };
    if (conditions.length) body.where = { conditions };
    results.setAttribute("aria-busy", "true");
    try {
      const data = await call("POST", "v1/users/services/list", { body });
      replace(results, usersTable(data.users), pager(data.total));
    } catch (error) {
      msgs.error(error);
    } finally {
      results.setAttribute("aria-busy", "false");
    }
  }

  function pager(total) {
    const pages = Math.max(1, Math.ceil((total || 0) / PAGE_SIZE));
    return h(
      "div",
      { class: "pager" },
      button(t("common.previous"), () => { page -= 1; load(); }, { disabled: page === 0 }),
      h("span", {}, t("common.pageOf", { page: page + 1, pages, total: total ?? 0 })),
      button(t("common.next"), () => { page += 1; load(); }, { disabled: page + 1 >= pages }),
    );
  }

  function usersTable(rows) {
    return table(
      t("users.title"),
      [
        { label: t("users.name"), render: (u) => h("span", {}, u.Name, u.IsSuperAdmin ? h("span", { class: "badge" }, t("header.superAdmin")) : null) },
        { label: t("users.email"), key: "Email" },
        { label: t("users.userName"), key: "SFDCUserName" },
        { label: t("users.license"), key: "LicenseType" },
        { label: t("users.status"), render: (u) => status(u.Status === "Active" ? "ACTIVE" : "INACTIVE") },
        { label: t("users.modified"), render: (u) => date(u.ModifiedDate) },
        { label: t("common.actions"), render: (u) => actions(u) },
      ],
      rows,
      search.value || state.value !== "all" ? t("users.noMatch") : t("users.empty"),
    );
  }

  function actions(user) {
    const edit = button(t("common.edit"), () => editForm(user), { "aria-label": t("users.editNamed", { name: user.Name }) });
    const active = user.Status === "Active";
    const toggle = button(
      active ? t("users.deactivate") : t("users.activate"),
      async (event) => {
        if (active && !(await confirmAction(t("users.confirmDeactivate", { name: user.Name }), t("users.deactivate")))) return;
        await busy(event.target, msgs, async () => {
          const data = await call("PUT", "v1/users/services/status", { query: { status: !active }, body: [user.Gsid] });
          if (data.invalidUserIds?.length) throw new Error(t("users.invalidIds", { ids: data.invalidUserIds.join(", ") }));
          msgs.success(active ? t("users.deactivated", { name: user.Name }) : t("users.activated", { name: user.Name }));
          await load();
        });
      },
      { class: active ? "danger" : "", "aria-label": `${active ? t("users.deactivate") : t("users.activate")}: ${user.Name}` },
    );
    return h("div", { class: "row-actions" }, edit, toggle);
  }

  const editor = h("div");
  function editForm(user) {
    const first = input({ name: "FirstName", value: user.FirstName || "" });
    const last = input({ name: "LastName", value: user.LastName || "" });
    const email = input({ type: "email", name: "Email", value: user.Email || "" });
    const title = input({ name: "Title", value: user.Title || "" });
    const license = select(LICENSES.map((l) => [l, l]), { name: "LicenseType", value: user.LicenseType || "Full" });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(event.submitter || form.querySelector("[type=submit]"), msgs, async () => {
            const record = { Gsid: user.Gsid, FirstName: first.value, LastName: last.value, Email: email.value, Title: title.value, LicenseType: license.value };
            try {
              await call("PUT", "v1/users/services", { query: { key: "Gsid" }, body: { records: [record] } });
            } catch (error) {
              error.message = recordErrors(error);
              throw error;
            }
            msgs.success(t("users.updated", { name: user.Name }));
            replace(editor);
            await load();
          });
        },
      },
      h("div", { class: "grid" }, field(t("users.firstName"), first), field(t("users.lastName"), last), field(t("users.email"), email), field(t("users.jobTitle"), title), field(t("users.license"), license)),
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("common.save")), button(t("common.cancel"), () => replace(editor), { class: "secondary" })),
    );
    replace(editor, section(t("users.editNamed", { name: user.Name }), form));
    first.focus();
  }

  function createForm() {
    const first = input({ name: "FirstName", required: true });
    const last = input({ name: "LastName", required: true });
    const email = input({ type: "email", name: "Email", required: true });
    const userName = input({ type: "email", name: "SFDCUserName", required: true });
    const license = select(LICENSES.map((l) => [l, l]), { name: "LicenseType", value: "Full" });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            const record = { FirstName: first.value.trim(), LastName: last.value.trim(), Email: email.value.trim(), SFDCUserName: userName.value.trim(), LicenseType: license.value };
            let data;
            try {
              data = await call("POST", "v1/users/services", { body: { records: [record] } });
            } catch (error) {
              error.message = recordErrors(error);
              throw error;
            }
            if (data.errors?.length) throw new Error(data.errors.map((r) => r.errorMessage).join("; "));
            msgs.success(t("users.created", { name: `${record.FirstName} ${record.LastName}` }));
            form.reset();
            await load();
          });
        },
      },
      h("div", { class: "grid" }, field(t("users.firstName"), first), field(t("users.lastName"), last), field(t("users.email"), email), field(t("users.userName"), userName, t("users.userNameHint")), field(t("users.license"), license)),
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("users.create"))),
    );
    return section(t("users.createTitle"), form);
  }

  const reload = debounce(() => { page = 0; load(); }, 300);
  search.addEventListener("input", reload);
  state.addEventListener("change", reload);
  replace(
    main,
    pageHeader(t("users.title")),
    msgs.box,
    section(
      t("users.listTitle"),
      h("div", { class: "filters", role: "search" }, field(t("users.search"), search), field(t("users.filterStatus"), state)),
      results,
    ),
    editor,
    createForm(),
  );
  await load();
}

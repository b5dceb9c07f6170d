// The console's shared pieces: fields, tables, messages, confirmations, progress.
import { h, replace, uid } from "./dom.js";
import { formatDate, formatNumber, t } from "./i18n.js";

export function field(label, input, hint) {
  const id = input.id || uid("field");
  input.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("small", { id: hintId }, hint) : null);
}

export function input(attrs = {}) {
  return h("input", { type: "text", autocomplete: "off", ...attrs });
}

export function select(options, attrs = {}) {
  return h(
    "select",
    attrs,
    options.map(([value, label]) => h("option", { value, selected: String(attrs.value) === String(value) }, label)),
  );
}

export function checkbox(label, attrs = {}) {
  const id = attrs.id || uid("check");
  return h("div", { class: "check" }, h("input", { type: "checkbox", id, ...attrs }), h("label", { for: id }, label));
}

export function button(label, onClick, attrs = {}) {
  return h("button", { type: "button", onClick, ...attrs }, label);
}

export function pageHeader(title, ...actions) {
  return h("div", { class: "page-header" }, h("h1", { id: "page-title", tabindex: "-1" }, title), h("div", { class: "actions" }, actions));
}

export function section(title, ...content) {
  const id = uid("section");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), content);
}

/** A message area: errors as alerts (the envelope's message in the page's language). */
export function messages() {
  const box = h("div", { class: "messages" });
  return {
    box,
    error(error) {
      const code = error?.code ? h("code", {}, error.code) : null;
      replace(box, h("div", { class: "alert error", role: "alert" }, h("strong", {}, t("common.error")), " ", error?.message || String(error), " ", code));
    },
    success(text) {
      // role=status: screen readers say it without moving focus.
      replace(box, h("div", { class: "alert success", role: "status" }, text));
    },
    clear() {
      replace(box);
    },
  };
}

export function emptyState(text, ...actions) {
  return h("div", { class: "empty", role: "note" }, h("p", {}, text), actions);
}

/** A table with a caption (for screen readers) and an empty state when there are no rows. */
export function table(caption, columns, rows, emptyText) {
  if (!rows.length) return emptyState(emptyText);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, columns.map((c) => h("td", {}, c.render ? c.render(row) : row[c.key] ?? ""))))),
    ),
  );
}

export function date(value) {
  return value ? h("time", { datetime: typeof value === "number" ? new Date(value).toISOString() : String(value) }, formatDate(value)) : "";
}

export function status(value) {
  const text = value ? t(`status.${value}`) : "";
  return h("span", { class: `badge badge-${String(value || "").toLowerCase()}` }, text);
}

/** A labelled progress bar; ``max`` 0 or unknown shows an indeterminate bar. */
export function progressBar(label) {
  const id = uid("progress");
  const bar = h("progress", { id, max: 100 });
  const text = h("span", { class: "progress-text" });
  const wrap = h("div", { class: "progress" }, h("label", { for: id }, label), bar, text);
  return {
    element: wrap,
    set(done, total, detail) {
      if (total > 0) {
        bar.max = total;
        bar.value = Math.min(done, total);
        text.textContent = `${formatNumber(done)} / ${formatNumber(total)}${detail ? ` — ${detail}` : ""}`;
      } else {
        bar.removeAttribute("value");
        text.textContent = detail || "";
      }
    },
  };
}

/** Asks before something that cannot be undone; resolves true only on the confirm button. */
export function confirmAction(message, confirmLabel) {
  return new Promise((resolve) => {
    const titleId = uid("dialog");
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": titleId },
      h("h2", { id: titleId }, t("common.confirmTitle")),
      h("p", {}, message),
      h(
        "div",
        { class: "actions" },
        button(t("common.cancel"), () => dialog.close("cancel"), { class: "secondary" }),
        button(confirmLabel, () => dialog.close("confirm"), { class: "danger" }),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("button.secondary").focus();
  });
}

/** Runs an action with its button disabled; errors go to the message area. */
export async function busy(buttonEl, msgs, action) {
  buttonEl.disabled = true;
  buttonEl.setAttribute("aria-busy", "true");
  try {
    msgs?.clear();
    return await action();
  } catch (error) {
    if (msgs) msgs.error(error);
    else throw error;
    return undefined;
  } finally {
    buttonEl.disabled = false;
    buttonEl.removeAttribute("aria-busy");
  }
}

// The console's shared pieces: fields, tables, messages, confirmations, progress.
import { debounce, h, replace, uid } from "./dom.js";
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

/**
 * A type-ahead search box (the ARIA combobox pattern): asks ``find(text)`` for matches
 * after the user stops typing, arrow keys move through them, Enter chooses, Escape closes.
 * ``describe(match)`` is each option's text.
 */
export function typeahead({ label, find, describe, onChoose, delay = 250, minLength = 1 }) {
  const listId = uid("options");
  const box = input({ role: "combobox", "aria-expanded": "false", "aria-controls": listId, "aria-autocomplete": "list" });
  const list = h("ul", { id: listId, role: "listbox", class: "suggestions", "aria-label": label, hidden: true });
  const note = h("small", { class: "typeahead-note", "aria-live": "polite" });
  let matches = [];
  let active = -1;
  let asked = 0;

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      box.setAttribute("aria-activedescendant", `${listId}-${index}`);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  }

  function choose(index) {
    const match = matches[index];
    if (!match) return;
    box.value = describe(match);
    close();
    onChoose(match);
  }

  async function search() {
    const text = box.value.trim();
    const ticket = ++asked;
    if (text.length < minLength) {
      matches = [];
      close();
      note.textContent = "";
      return;
    }
    try {
      const found = await find(text);
      if (ticket !== asked) return; // a later keystroke asked again
      matches = found;
      replace(list, found.map((m, i) => h("li", { id: `${listId}-${i}`, role: "option", "aria-selected": "false", onMousedown: (e) => { e.preventDefault(); choose(i); } }, describe(m))));
      list.hidden = !found.length;
      box.setAttribute("aria-expanded", String(found.length > 0));
      note.textContent = found.length ? t("search.results", { count: found.length }) : t("search.none");
      active = -1;
    } catch (error) {
      note.textContent = error.message;
    }
  }

  const later = debounce(search, delay);
  box.addEventListener("input", later);
  box.addEventListener("blur", () => setTimeout(close, 100));
  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && matches.length) {
      event.preventDefault();
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      highlight(Math.min(active + 1, matches.length - 1));
    } else if (event.key === "ArrowUp" && matches.length) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  const wrap = h("div", { class: "typeahead" }, field(label, box), list, note);
  return { element: wrap, input: box, clear: () => { box.value = ""; matches = []; close(); } };
}

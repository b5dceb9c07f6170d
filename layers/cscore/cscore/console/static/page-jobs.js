// Data jobs (seed 000): the jobs of a connection in chain order, Run now with live
// progress, the schedule editor, the mappings editor (direct and derived), run history
// with counts and the errors CSV.
import { call, download } from "./api.js";
import { h, replace } from "./dom.js";
import { formatNumber, t, timeZone } from "./i18n.js";
import { busy, button, checkbox, date, emptyState, field, input, messages, pageHeader, progressBar, section, select, status, table } from "./ui.js";

const FINISHED = new Set(["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "STOPPED", "CANCELLED"]);
const FREQUENCIES = ["DAILY", "WEEKDAYS", "WEEKLY", "MONTHLY", "ON_DEMAND"];
const DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
const POLL_MS = 2000;

/** Jobs in the order they run: each job after the one it depends on. */
function chainOrder(jobs) {
  const ordered = [];
  const visit = (parent, depth) => {
    for (const job of jobs.filter((j) => (j.dependsOn || null) === parent)) {
      ordered.push({ job, depth });
      visit(job.jobId, depth + 1);
    }
  };
  visit(null, 0);
  return ordered;
}

function scheduleText(schedule) {
  if (!schedule) return t("jobs.afterParent");
  if (schedule.frequency === "ON_DEMAND") return t("jobs.freq.ON_DEMAND");
  const day = schedule.dayOfWeek ? ` ${t(`jobs.day.${schedule.dayOfWeek}`)}` : schedule.dayOfMonth ? ` ${schedule.dayOfMonth}` : "";
  return `${t(`jobs.freq.${schedule.frequency}`)}${day} ${schedule.time} (${schedule.timezone})`;
}

function counts(run) {
  if (!run) return "";
  return t("jobs.counts", {
    read: formatNumber(run.read), inserted: formatNumber(run.inserted), updated: formatNumber(run.updated),
    deleted: formatNumber(run.deleted), rejected: formatNumber(run.rejected), errored: formatNumber(run.errored),
  });
}

export async function render(main, ctx) {
  const msgs = messages();
  const body = h("div");
  replace(main, pageHeader(t("nav.jobs")), msgs.box, body);
  const { connections } = await call("GET", "v1/connectors/salesforce/connections");
  if (!connections.length) {
    replace(body, emptyState(t("jobs.noConnection"), h("a", { href: "#/connectors" }, t("nav.connectors"))));
    return;
  }
  const connection = connections[0];
  let jobs = [];
  let polling = null;
  const chainBox = h("div");
  const detail = h("div");

  async function loadJobs() {
    jobs = (await call("GET", "v1/connectors/jobs", { query: { connectionId: connection.connectionId } })).jobs;
    return jobs;
  }

  function renderChain() {
    const ordered = chainOrder(jobs);
    if (!ordered.length) {
      replace(chainBox, emptyState(t("jobs.none")));
      return;
    }
    replace(
      chainBox,
      h("ol", { class: "chain", "aria-label": t("jobs.chain") }, ordered.map(({ job, depth }) => h("li", { dataset: { depth: String(depth) } }, depth ? "↳ " : "", job.name))),
      table(
        t("jobs.title"),
        [
          { label: t("jobs.name"), render: ({ job, depth }) => h("span", { class: `depth-${depth}` }, job.name) },
          { label: t("jobs.sourceTarget"), render: ({ job }) => `${job.sourceObject} → ${job.targetObject}` },
          { label: t("jobs.enabled"), render: ({ job }) => (job.enabled ? t("connectors.yes") : t("connectors.no")) },
          { label: t("jobs.schedule"), render: ({ job }) => scheduleText(job.schedule) },
          { label: t("jobs.lastRun"), render: ({ job }) => (job.lastRun ? h("span", {}, status(job.lastRun.status), " ", date(job.lastRun.endedAt || job.lastRun.startedAt || job.lastRun.queuedAt)) : t("jobs.never")) },
          {
            label: t("common.actions"),
            render: ({ job }) => h(
              "div",
              { class: "row-actions" },
              button(t("jobs.runNow"), (e) => runNow(e.target, job), { "aria-label": `${t("jobs.runNow")}: ${job.name}`, disabled: !job.enabled || connection.status !== "AUTHORIZED" }),
              button(t("common.edit"), () => openJob(job.jobId), { class: "secondary", "aria-label": `${t("common.edit")}: ${job.name}` }),
            ),
          },
        ],
        ordered,
        t("jobs.none"),
      ),
    );
  }

  const withDependents = checkbox(t("jobs.withDependents"), { checked: true, name: "withDependents" });
  const progressBox = h("div", { "aria-live": "polite" });

  async function runNow(target, job) {
    await busy(target, msgs, async () => {
      const all = withDependents.querySelector("input").checked;
      const startedAfter = new Date(Date.now() - 5000).toISOString();
      const { runId } = await call("POST", `v1/connectors/jobs/${encodeURIComponent(job.jobId)}/run`, { body: { withDependents: all } });
      msgs.success(t("jobs.started", { name: job.name }));
      watch(job, runId, all, startedAfter);
    });
  }

  /** Live progress: the run's counts, and for a chain how many of its jobs have finished. */
  function watch(job, runId, all, startedAfter) {
    clearInterval(polling);
    const chain = all ? [job, ...descendants(job.jobId)] : [job];
    const bar = progressBar(all ? t("jobs.chainProgress") : t("jobs.runProgress", { name: job.name }));
    const detailLine = h("p", { class: "run-detail" });
    replace(progressBox, section(t("jobs.progressTitle"), bar.element, detailLine));
    bar.set(0, chain.length, t("jobs.queued"));
    const tick = async () => {
      if (!progressBox.isConnected) {
        clearInterval(polling); // the page was left
        return;
      }
      try {
        const run = await call("GET", `v1/connectors/runs/${encodeURIComponent(runId)}`);
        await loadJobs();
        renderChain();
        const current = chain.map((c) => jobs.find((j) => j.jobId === c.jobId)).filter(Boolean);
        const done = current.filter((j) => j.lastRun && FINISHED.has(j.lastRun.status) && j.lastRun.queuedAt >= startedAfter);
        const failed = done.find((j) => j.lastRun.status === "FAILED");
        const running = current.find((j) => j.lastRun && !FINISHED.has(j.lastRun.status) && j.lastRun.queuedAt >= startedAfter);
        const shown = running?.lastRun || (running ? null : run);
        bar.set(done.length, chain.length, running ? `${running.name}: ${t(`status.${running.lastRun.status}`)}` : "");
        replace(detailLine, shown ? counts(shown) : "");
        if ((done.length === chain.length) || failed || (!all && FINISHED.has(run.status))) {
          clearInterval(polling);
          const outcome = failed ? "FAILED" : done.some((j) => j.lastRun.status === "PARTIAL_SUCCESS") ? "PARTIAL_SUCCESS" : run.status;
          replace(detailLine, h("span", {}, t("jobs.finished"), " ", status(outcome)));
          bar.set(done.length, chain.length, t(`status.${outcome}`));
        }
      } catch (error) {
        clearInterval(polling);
        msgs.error(error);
      }
    };
    polling = setInterval(tick, POLL_MS);
    tick();
  }

  function descendants(jobId) {
    const children = jobs.filter((j) => j.dependsOn === jobId);
    return children.flatMap((c) => [c, ...descendants(c.jobId)]);
  }

  async function openJob(jobId) {
    const job = await call("GET", `v1/connectors/jobs/${encodeURIComponent(jobId)}`);
    replace(detail, scheduleEditor(job), mappingsEditor(job), await history(job));
    detail.querySelector("h2")?.focus();
  }

  async function save(target, job, change, done) {
    await busy(target, msgs, async () => {
      await call("PUT", `v1/connectors/jobs/${encodeURIComponent(job.jobId)}`, { body: change });
      msgs.success(t("jobs.saved", { name: job.name }));
      await loadJobs();
      renderChain();
      if (done) await done();
    });
  }

  function scheduleEditor(job) {
    const enabled = checkbox(t("jobs.enabled"), { checked: job.enabled, name: "enabled" });
    const filter = h("textarea", { name: "filter", rows: 2 }, job.filter || "");
    const parts = [field(t("jobs.filter"), filter, t("jobs.filterHint")), enabled];
    let read = () => ({});
    if (!job.dependsOn) {
      const s = job.schedule || { frequency: "ON_DEMAND", time: "02:00", timezone: timeZone() };
      const frequency = select(FREQUENCIES.map((f) => [f, t(`jobs.freq.${f}`)]), { name: "frequency", value: s.frequency });
      const time = input({ type: "time", name: "time", value: s.time || "02:00" });
      const zone = input({ name: "timezone", value: s.timezone || timeZone() });
      const dayOfWeek = select(DAYS.map((d) => [d, t(`jobs.day.${d}`)]), { name: "dayOfWeek", value: s.dayOfWeek || "MON" });
      const dayOfMonth = input({ type: "number", name: "dayOfMonth", min: 1, max: 28, value: s.dayOfMonth && s.dayOfMonth !== "LAST" ? s.dayOfMonth : 1 });
      const weekly = field(t("jobs.dayOfWeek"), dayOfWeek);
      const monthly = field(t("jobs.dayOfMonth"), dayOfMonth);
      const sync = () => {
        weekly.hidden = frequency.value !== "WEEKLY";
        monthly.hidden = frequency.value !== "MONTHLY";
      };
      frequency.addEventListener("change", sync);
      sync();
      parts.unshift(h("div", { class: "grid" }, field(t("jobs.frequency"), frequency), field(t("jobs.time"), time), field(t("jobs.timezone"), zone, t("jobs.timezoneHint")), weekly, monthly));
      read = () => {
        const schedule = { frequency: frequency.value };
        if (frequency.value !== "ON_DEMAND") Object.assign(schedule, { time: time.value, timezone: zone.value.trim() });
        if (frequency.value === "WEEKLY") schedule.dayOfWeek = dayOfWeek.value;
        if (frequency.value === "MONTHLY") schedule.dayOfMonth = Number(dayOfMonth.value);
        return { schedule };
      };
    } else {
      parts.unshift(h("p", {}, t("jobs.dependentNote", { parent: jobs.find((j) => j.jobId === job.dependsOn)?.name || job.dependsOn })));
    }
    const form = h(
      "form",
      {
        onSubmit: (event) => {
          event.preventDefault();
          const change = { ...read(), enabled: enabled.querySelector("input").checked, filter: filter.value.trim() || null };
          save(form.querySelector("[type=submit]"), job, change);
        },
      },
      parts,
      h("button", { type: "submit" }, t("jobs.saveSchedule")),
    );
    return section(t("jobs.settingsOf", { name: job.name }), form);
  }

  function mappingsEditor(job) {
    const rows = job.mappings.map((m) => ({ ...m }));
    const tbody = h("tbody");
    const keyFields = input({ name: "keyFields", value: (job.keyFields || []).join(", ") });
    function draw() {
      replace(
        tbody,
        rows.map((m, i) => {
          const label = (name) => `${name} ${i + 1}`;
          const source = input({ value: m.source ?? "", "aria-label": label(t("jobs.source")), onInput: (e) => { m.source = e.target.value; } });
          const target = input({ value: m.target ?? "", "aria-label": label(t("jobs.target")), onInput: (e) => { m.target = e.target.value; } });
          const object = input({ value: m.lookup?.object ?? "", "aria-label": label(t("jobs.lookupObject")), onInput: (e) => { m.lookup = { ...(m.lookup || {}), object: e.target.value }; } });
          const by = input({ value: m.lookup?.by ?? "", "aria-label": label(t("jobs.lookupBy")), onInput: (e) => { m.lookup = { ...(m.lookup || {}), by: e.target.value }; } });
          // A derived mapping's several-match / no-match choice ("" leaves the job's default).
          const option = (name, values) =>
            m.lookup
              ? select([["", t("jobs.optionDefault")], ...values.map((v) => [v, t(`jobs.${name}.${v}`)])], {
                  value: m.lookup[name] ?? "",
                  "aria-label": label(t(`jobs.${name}`)),
                  onChange: (e) => {
                    const { [name]: _, ...rest } = m.lookup;
                    m.lookup = e.target.value ? { ...rest, [name]: e.target.value } : rest;
                  },
                })
              : "";
          return h(
            "tr",
            {},
            h("td", {}, source),
            h("td", {}, target),
            h("td", {}, m.lookup ? t("jobs.derived") : t("jobs.direct")),
            h("td", {}, object),
            h("td", {}, by),
            h("td", {}, option("multiMatchOption", ["FIRSTMATCH", "MARKASERROR"])),
            h("td", {}, option("onNoMatch", ["REJECT", "NULL"])),
            h("td", {}, button(t("common.remove"), () => { rows.splice(i, 1); draw(); }, { class: "secondary", "aria-label": `${t("common.remove")}: ${label(t("jobs.mapping"))}` })),
          );
        }),
      );
    }
    draw();
    const form = h(
      "form",
      {
        onSubmit: (event) => {
          event.preventDefault();
          const mappings = rows.map(({ lookup, ...m }) => (lookup && (lookup.object || lookup.by) ? { ...m, lookup } : m));
          const keys = keyFields.value.split(",").map((k) => k.trim()).filter(Boolean);
          save(form.querySelector("[type=submit]"), job, { mappings, keyFields: keys }, () => openJob(job.jobId));
        },
      },
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          {},
          h("caption", { class: "visually-hidden" }, t("jobs.mappingsOf", { name: job.name })),
          h("thead", {}, h("tr", {}, [t("jobs.source"), t("jobs.target"), t("jobs.kind"), t("jobs.lookupObject"), t("jobs.lookupBy"), t("jobs.multiMatchOption"), t("jobs.onNoMatch"), t("common.actions")].map((c) => h("th", { scope: "col" }, c)))),
          tbody,
        ),
      ),
      h("div", { class: "actions" }, button(t("jobs.addMapping"), () => { rows.push({ source: "", target: "" }); draw(); }, { class: "secondary" }), button(t("jobs.addDerived"), () => { rows.push({ source: "", target: "", lookup: { object: "", by: "" } }); draw(); }, { class: "secondary" })),
      field(t("jobs.keyFields"), keyFields),
      h("button", { type: "submit" }, t("jobs.saveMappings")),
    );
    return section(t("jobs.mappingsOf", { name: job.name }), h("p", {}, t("jobs.mappingsHint")), form);
  }

  async function history(job) {
    const { runs } = await call("GET", `v1/connectors/jobs/${encodeURIComponent(job.jobId)}/runs`);
    return section(
      t("jobs.historyOf", { name: job.name }),
      table(
        t("jobs.historyOf", { name: job.name }),
        [
          { label: t("jobs.status"), render: (r) => status(r.status) },
          { label: t("jobs.trigger"), render: (r) => t(`jobs.trigger.${r.trigger}`) },
          { label: t("jobs.started.at"), render: (r) => date(r.startedAt || r.queuedAt) },
          { label: t("jobs.ended"), render: (r) => date(r.endedAt) },
          { label: t("jobs.countsTitle"), render: (r) => counts(r) },
          { label: t("jobs.reason"), key: "reason" },
          {
            label: t("jobs.errors"),
            render: (r) => (r.rejected || r.errored
              ? button(t("jobs.downloadErrors"), (e) => busy(e.target, msgs, () => download(`v1/connectors/runs/${encodeURIComponent(r.runId)}/errors`, `${job.name}-${r.runId}-errors.csv`)), { class: "secondary", "aria-label": `${t("jobs.downloadErrors")}: ${date(r.startedAt).textContent || r.runId}` })
              : "—"),
          },
        ],
        runs,
        t("jobs.noRuns"),
      ),
    );
  }

  function customJobForm() {
    const name = input({ name: "customName", required: true });
    const source = input({ name: "sourceObject", required: true, placeholder: "Account" });
    const target = select(["Company", "User", "Person"].map((o) => [o, o]), { name: "targetObject" });
    const filter = h("textarea", { name: "customFilter", rows: 2 });
    const mappings = h("textarea", { name: "customMappings", rows: 4, required: true, placeholder: "Id -> SfdcAccountId\nName -> Name\nOwnerId -> Csm (User by SfdcUserId)" });
    const keys = input({ name: "customKeys", required: true, placeholder: "SfdcAccountId" });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            const parsed = mappings.value.split("\n").map((l) => l.trim()).filter(Boolean).map((line, i) => {
              const found = line.match(/^(\S+)\s*->\s*(\S+)(?:\s*\((\w+) by (\w+)\))?$/);
              if (!found) throw new Error(t("jobs.badMappingLine", { line: i + 1 }));
              const mapping = { source: found[1], target: found[2] };
              if (found[3]) mapping.lookup = { object: found[3], by: found[4] };
              return mapping;
            });
            const request = {
              connectionId: connection.connectionId, name: name.value.trim(), sourceObject: source.value.trim(), targetObject: target.value,
              filter: filter.value.trim() || null, mappings: parsed, keyFields: keys.value.split(",").map((k) => k.trim()).filter(Boolean),
            };
            await call("POST", "v1/connectors/jobs", { body: request });
            msgs.success(t("jobs.customCreated", { name: request.name }));
            form.reset();
            await loadJobs();
            renderChain();
          });
        },
      },
      h("div", { class: "grid" }, field(t("jobs.name"), name), field(t("jobs.sourceObject"), source), field(t("jobs.targetObject"), target)),
      field(t("jobs.filter"), filter, t("jobs.filterHint")),
      field(t("jobs.mappingLines"), mappings, t("jobs.mappingLinesHint")),
      field(t("jobs.keyFields"), keys),
      h("button", { type: "submit" }, t("jobs.createCustom")),
    );
    return section(t("jobs.customTitle"), form);
  }

  await loadJobs();
  renderChain();
  replace(
    body,
    section(`${connection.name} — ${t("jobs.title")}`, h("p", {}, status(connection.status)), withDependents, chainBox),
    progressBox,
    detail,
    customJobForm(),
  );
  const wanted = ctx.params.get("job");
  if (wanted) await openJob(wanted);
}

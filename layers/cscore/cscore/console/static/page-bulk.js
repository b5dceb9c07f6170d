// Bulk upload (seed 001, Company Team): a job from a CSV's header row (columns, lookups,
// keys), the upload through a pre-signed URL with its progress, then the import's progress
// until done, and the rejected rows to download.
import { call, download } from "./api.js";
import { h, replace } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { busy, button, confirmAction, date, field, input, messages, pageHeader, progressBar, section, select, status, table } from "./ui.js";

const BASE = "v1.0/admin/connector/job/bulk";
const IMPORTS = "v1.0/admin/connector/job/bulkimport";
const POLL_MS = 1500;
const FINISHED = new Set(["COMPLETED", "FAILED"]);

/** The header row of a CSV file (the first line; quoted names may hold commas). */
async function headerRow(file) {
  const text = await file.slice(0, 64 * 1024).text();
  const line = text.replace(/^\uFEFF/, "").split(/\r?\n/)[0];
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') { cell += '"'; i += 1; }
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) { cells.push(cell.trim()); cell = ""; }
    else cell += c;
  }
  cells.push(cell.trim());
  return cells.filter(Boolean);
}

/** PUT a file to a pre-signed URL, reporting upload progress (fetch cannot). */
function put(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    request.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); });
    request.addEventListener("load", () => (request.status < 300 ? resolve() : reject(new Error(t("bulk.uploadFailed", { status: request.status })))));
    request.addEventListener("error", () => reject(new Error(t("bulk.uploadFailed", { status: 0 }))));
    request.send(file);
  });
}

export async function render(main) {
  const msgs = messages();
  const jobsBox = h("div");
  const uploadBox = h("div");
  const importsBox = h("div");
  let jobs = [];
  let polling = null;

  async function loadJobs() {
    jobs = (await call("GET", BASE, { query: { pageNumber: 1, pageSize: 100 } })).jobs;
    replace(
      jobsBox,
      table(
        t("bulk.jobs"),
        [
          { label: t("bulk.jobName"), key: "name" },
          { label: t("bulk.object"), key: "objectName" },
          { label: t("bulk.columns"), render: (j) => (j.headers || []).join(", ") },
          { label: t("connectors.createdDate"), render: (j) => date(j.createdDate) },
          { label: t("common.actions"), render: (j) => h("div", { class: "row-actions" },
            button(t("bulk.imports"), () => loadImports(j), { class: "secondary", "aria-label": `${t("bulk.imports")}: ${j.name}` }),
            button(t("common.remove"), async (e) => {
              if (!(await confirmAction(t("bulk.confirmDelete", { name: j.name }), t("common.remove")))) return;
              await busy(e.target, msgs, async () => {
                await call("DELETE", `${BASE}/${encodeURIComponent(j.jobId)}`);
                msgs.success(t("bulk.deleted", { name: j.name }));
                await loadJobs();
              });
            }, { class: "danger", "aria-label": `${t("common.remove")}: ${j.name}` })) },
        ],
        jobs,
        t("bulk.noJobs"),
      ),
    );
    drawUpload();
  }

  function createForm() {
    const file = h("input", { type: "file", accept: ".csv,text/csv", name: "headerFile" });
    const name = input({ name: "jobName", required: true });
    const mapping = h("div");
    let headers = [];
    file.addEventListener("change", async () => {
      if (!file.files[0]) return;
      headers = await headerRow(file.files[0]);
      const pick = (label, nameAttr, guess) => field(label, select([["", t("bulk.notMapped")], ...headers.map((c) => [c, c])], { name: nameAttr, value: headers.find((c) => guess.test(c)) || "" }));
      replace(
        mapping,
        h("p", {}, t("bulk.foundColumns", { columns: headers.join(", ") })),
        h("div", { class: "grid" },
          pick(t("bulk.companyColumn"), "companyColumn", /company/i),
          field(t("bulk.companyBy"), select([["Name", "Name"], ["Gsid", "GSID"]], { name: "companyBy" })),
          pick(t("bulk.userColumn"), "userColumn", /mail/i),
          field(t("bulk.userBy"), select([["Email", "Email"], ["SFDCUserName", "SFDCUserName"], ["Gsid", "GSID"]], { name: "userBy" })),
          pick(t("bulk.deletedColumn"), "deletedColumn", /deleted/i),
          pick(t("bulk.roleColumn"), "roleColumn", /role/i),
        ),
      );
    });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            if (!headers.length) throw new Error(t("bulk.chooseHeaderFile"));
            const value = (n) => form.querySelector(`[name=${n}]`).value;
            const fieldMappings = {};
            if (value("deletedColumn")) fieldMappings[value("deletedColumn")] = "Deleted";
            if (value("roleColumn")) fieldMappings[value("roleColumn")] = "TeamRole";
            const lookups = {};
            if (value("companyColumn")) lookups.CompanyId = { fields: { [value("companyColumn")]: value("companyBy") }, objectName: "Company", lookupField: "Gsid" };
            if (value("userColumn")) lookups.UserId = { fields: { [value("userColumn")]: value("userBy") }, objectName: "User", lookupField: "Gsid" };
            await call("POST", BASE, { body: { name: name.value.trim(), objectName: "CompanyTeam", headers, fieldMappings, lookups, keys: ["CompanyId", "UserId"] } });
            msgs.success(t("bulk.created", { name: name.value.trim() }));
            form.reset();
            replace(mapping);
            headers = [];
            await loadJobs();
          });
        },
      },
      h("div", { class: "grid" }, field(t("bulk.jobName"), name), field(t("bulk.headerFile"), file, t("bulk.headerFileHint"))),
      mapping,
      h("button", { type: "submit" }, t("bulk.createJob")),
    );
    return section(t("bulk.createTitle"), h("p", {}, t("bulk.createHint")), form);
  }

  function drawUpload() {
    if (!jobs.length) {
      replace(uploadBox);
      return;
    }
    const job = select(jobs.map((j) => [j.jobId, j.name]), { name: "uploadJob" });
    const file = h("input", { type: "file", accept: ".csv,text/csv", name: "uploadFile", required: true });
    const progress = h("div", { "aria-live": "polite" });
    const form = h(
      "form",
      {
        onSubmit: async (event) => {
          event.preventDefault();
          await busy(form.querySelector("[type=submit]"), msgs, async () => {
            const chosen = file.files[0];
            if (!chosen) throw new Error(t("bulk.chooseFile"));
            const sending = progressBar(t("bulk.uploading", { name: chosen.name }));
            const importing = progressBar(t("bulk.importing"));
            replace(progress, sending.element, importing.element);
            sending.set(0, chosen.size);
            importing.set(0, 0, t("bulk.waitingUpload"));
            const target = await call("POST", `${IMPORTS}/upload-url`, { body: {} });
            await put(target.uploadUrl, chosen, (loaded, total) => sending.set(loaded, total));
            sending.set(chosen.size, chosen.size, t("bulk.uploaded"));
            const { statusId } = await call("POST", IMPORTS, { body: { jobId: job.value, uploadId: target.uploadId } });
            watch(statusId, importing, jobs.find((j) => j.jobId === job.value));
          });
        },
      },
      h("div", { class: "grid" }, field(t("bulk.job"), job), field(t("bulk.file"), file)),
      h("button", { type: "submit" }, t("bulk.upload")),
      progress,
    );
    replace(uploadBox, section(t("bulk.uploadTitle"), h("p", {}, t("bulk.uploadHint")), form));
  }

  function watch(statusId, bar, job) {
    clearInterval(polling);
    const tick = async () => {
      if (!bar.element.isConnected) {
        clearInterval(polling); // the page was left
        return;
      }
      try {
        const s = await call("GET", `${IMPORTS}/status/${encodeURIComponent(statusId)}`);
        bar.set(s.processed, s.total, `${t(`status.${s.status}`)} — ${t("bulk.counts", { success: formatNumber(s.success), failed: formatNumber(s.failed) })}`);
        if (FINISHED.has(s.status)) {
          clearInterval(polling);
          msgs.success(t("bulk.done", { success: formatNumber(s.success), failed: formatNumber(s.failed) }));
          if (job) await loadImports(job);
        }
      } catch (error) {
        clearInterval(polling);
        msgs.error(error);
      }
    };
    polling = setInterval(tick, POLL_MS);
    tick();
  }

  async function loadImports(job) {
    const { imports } = await call("GET", `${IMPORTS}/status`, { query: { jobId: job.jobId, pageNumber: 1, pageSize: 20 } });
    replace(
      importsBox,
      section(
        t("bulk.importsOf", { name: job.name }),
        table(
          t("bulk.importsOf", { name: job.name }),
          [
            { label: t("jobs.status"), render: (s) => status(s.status) },
            { label: t("jobs.started.at"), render: (s) => date(s.createdDate) },
            { label: t("jobs.ended"), render: (s) => date(s.completedDate) },
            { label: t("bulk.rows"), render: (s) => t("bulk.rowCounts", { total: formatNumber(s.total), success: formatNumber(s.success), failed: formatNumber(s.failed) }) },
            { label: t("jobs.reason"), key: "reason" },
            {
              label: t("jobs.errors"),
              render: (s) => (s.failed
                ? button(t("jobs.downloadErrors"), (e) => busy(e.target, msgs, () => download(`${IMPORTS}/status/${encodeURIComponent(s.statusId)}/errors`, `${job.name}-${s.statusId}-errors.csv`)), { class: "secondary" })
                : "—"),
            },
          ],
          imports,
          t("bulk.noImports"),
        ),
      ),
    );
  }

  replace(main, pageHeader(t("nav.bulk")), msgs.box, section(t("bulk.jobs"), jobsBox), uploadBox, importsBox, createForm());
  await loadJobs();
}

"use strict";
// The planner page: a programme and its runs on one side, the run on the
// other. Upload a workbook (a version of its programme), plan it (against the
// committed plan, the past kept), watch the search, read the result in tabs,
// commit it, move an exercise by hand, compare runs. Everything goes through
// /api; every name from a workbook is set as text.

const $ = (selector) => document.querySelector(selector);
const FINAL = new Set(["done", "cancelled", "failed"]);
const STATE_WORDS = { queued: "⏳ waiting", running: "▶ planning", done: "✔ done",
  cancelled: "■ stopped", failed: "✖ failed" };
// What a plan's status means, in a planner's words.
const STATUS_WORDS = { optimal: "the best plan possible", feasible: "a good plan, perhaps not the best",
  infeasible: "no plan exists", "no plan found": "no plan found in time", "invalid model": "could not be planned" };
const STAGE_WORDS = { starting: "starting", reading: "reading the workbook", searching: "searching for the best plan",
  explaining: "finding out why exercises are left out", writing: "checking and writing the files",
  waiting: "waiting for a free place" };
// The objective's terms, named and explained as a staff officer reads them.
const TERM_WORDS = {
  value: ["Value of the exercises held", "each exercise's value (its priority on the Exercises sheet) times the value weight in Settings"],
  goal_shortfall: ["Goals not met (penalty)", "for each soft goal, how far it falls short, times its weight"],
  cost: ["Spending (penalty)", "what the organizer and the partners spend, times the cost weight in Settings"],
  change: ["Changes to the committed plan (penalty)", "each move, venue change, drop, addition and partner change against the plan re-planned against"],
};
// The key figures' rows, where they are named after the objective's terms.
const FIGURE_WORDS = { value: "value of the exercises held", goal_shortfall: "goals not met (penalty)",
  cost: "spending (penalty)", change: "changes to the committed plan (penalty)",
  objective: "what the plan is worth (value less penalties)", status: "how good the plan is",
  "value held": "value points held" };
const figure = (label) => FIGURE_WORDS[label] || label.replace(/_/g, " ");
// A key figure's value as a reader takes it: amounts grouped, a plan's status in words.
const figureValue = (label, value) => (value === null || value === undefined ? "–"
  : typeof value === "number" ? number(value) : label === "status" ? STATUS_WORDS[value] || value : value);
const CHANGE_WORDS = { moved: "moved", "venue changed": "venue changed", "partners joined": "partners join",
  "partners left": "partners leave", dropped: "dropped", added: "added" };
// Every chart's Plotly config: no "Share chart" button to Plotly's cloud and
// no address to send to, no editing, no logo; the data never leaves the page.
const PLOT_CONFIG = Object.freeze({
  responsive: true, displaylogo: false, showSendToCloud: false, plotlyServerURL: "",
  editable: false, modeBarButtonsToRemove: ["sendChartToCloud"],
});
// How the API names its fields, as the form labels them (for its errors).
const FIELD_WORDS = { time_limit_s: "Time limit", workers: "Processor cores", seed: "Seed",
  samples: "Futures drawn", budget_cuts: "Budget cuts", close_quarters: "Quarters",
  start: "Start date", venue_id: "Venue", freeze_before: "Keep as it is before", note: "Note",
  exercise_id: "Exercise", top: "How many" };

let me = null;
let programmes = [];     // every programme, as /api/programmes lists them
let programme = null;    // the programme shown, with its versions, commits and pins
let upload = null;       // the upload "Plan it" plans
let runs = [];           // the runs of the programme shown
let current = null;      // the run shown
let stream = null;       // the EventSource of the run shown
let result = null;       // the run's result (view.json)
let shownPlan = 0;       // what-if: which plan is shown
let shownTab = "calendar";
let calendar = null;
let picked = null;       // the exercise picked on the calendar
let refreshTimer = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

function notice(text) {
  const box = $("#notice");
  box.textContent = text || "";
  box.hidden = !text;
}

// Plotly reads its own pseudo-HTML (<a>, <b>, <span style>, <br>) in every
// label, legend and hover text: a name from a workbook is escaped first, so
// it shows as written and never becomes a link or a style.
function plain(text) {
  return String(text === null || text === undefined ? "" : text)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// An error the API gave, as a sentence: its own words, or each refused field
// named as the form names it.
function sentence(detail) {
  if (typeof detail === "string") return detail;
  if (!Array.isArray(detail)) return "The server refused the request.";
  return detail.map((item) => {
    const field = (item.loc || []).filter((part) => part !== "body" && typeof part === "string").pop();
    const name = FIELD_WORDS[field] || (field ? field.replace(/_/g, " ") : "The request");
    const message = String(item.msg || "is not valid").replace(/^Input should be /, "should be ")
      .replace(/^Value error, /, "");
    return `${name}: ${message}.`;
  }).join(" ");
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 401 && path !== "/api/session") showSignIn();
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = sentence((await response.json()).detail);
    } catch (_) { /* not JSON */ }
    throw new Error(detail);
  }
  return response.status === 204 ? null : response.json();
}

const post = (path, body) => api(path, { method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body) });

const number = (value) => (value === null || value === undefined ? "–" :
  Math.round(value).toLocaleString("en-GB"));
const signed = (value) => (value === null || value === undefined ? "–" :
  `${value > 0 ? "+" : value < 0 ? "−" : "±"}${Math.abs(Math.round(value)).toLocaleString("en-GB")}`);
const percent = (value) => (value === null || value === undefined ? "–" :
  `${(value * 100).toFixed(2)} %`);
const seconds = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(1)} s`);
// A time the server gives (UTC), in the reader's own time zone.
const local = (iso) => (iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "–");
const day = (iso) => (iso ? new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB",
  { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }) : "–");
// A date typed as the workbook types it (2027-03-01), never in the browser's
// own order (12/05/2026 is 12 May to most of the alliance and 5 December to
// the browser): a text field, and beside it the date in words to confirm it.
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
function isoDay(text) {
  const found = ISO_DAY.exec(text);
  if (!found) return false;
  const date = new Date(Date.UTC(Number(found[1]), Number(found[2]) - 1, Number(found[3])));
  return date.toISOString().slice(0, 10) === text;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];
// "Monday 8 March 2027", the same in every browser (locales punctuate it differently).
function inWords(iso) {
  const date = new Date(`${iso}T00:00:00Z`);
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTH_NAMES[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

function sayDate(input, said, empty) {
  const text = input.value.trim();
  const fine = text ? isoDay(text) : Boolean(empty);
  input.setCustomValidity(fine ? "" : "Write the date as year-month-day, e.g. 2027-03-01.");
  said.textContent = !text ? empty || "" : fine ? inWords(text) : "year-month-day, e.g. 2027-03-01";
  said.classList.toggle("bad", !fine);
}

const sayFreeze = () => sayDate($("#freeze"), $("#freeze-said"), "nothing is kept as it is");

function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

// --- programmes ----------------------------------------------------------------------

async function loadProgrammes(chosen) {
  try {
    programmes = await api("/api/programmes");
  } catch (error) {
    notice(`The programmes could not be read: ${error.message}`);
    return;
  }
  const pick = $("#programme-pick");
  pick.replaceChildren(...programmes.map((p) => el("option", { value: p.programme_id }, `${p.title} (${p.programme_id})`)));
  $("#programme-pick-box").hidden = programmes.length < 2;
  const wanted = chosen || (programme && programme.programme_id) || (programmes[0] && programmes[0].programme_id);
  if (wanted) await openProgramme(wanted);
  else showProgramme(null);
}

async function openProgramme(programmeId) {
  try {
    showProgramme(await api(`/api/programmes/${encodeURIComponent(programmeId)}`));
  } catch (error) {
    notice(`The programme could not be read: ${error.message}`);
  }
}

function showProgramme(data) {
  const changed = !programme || !data || programme.programme_id !== data.programme_id;
  programme = data;
  $("#programme-none").hidden = Boolean(data);
  $("#programme-body").hidden = !data;
  if (!data) { refreshHistory(); return; }
  $("#programme-pick").value = data.programme_id;
  $("#programme-title").textContent = data.title;
  $("#header-programme").textContent = data.title;
  $("#programme-id").textContent = data.programme_id;
  $("#programme-versions").textContent = `${data.versions} version${data.versions === 1 ? "" : "s"} of the workbook, the newest uploaded ${local(data.updated)}.`;
  const committed = data.committed;
  const box = $("#committed-box");
  if (committed) {
    box.replaceChildren(el("div", { class: "committed" },
      el("strong", {}, "Committed plan: "), `${local(committed.at)} by ${committed.user || "–"}`,
      committed.note ? el("div", { class: "hint" }, committed.note) : null,
      el("div", {}, el("button", { class: "small", "data-testid": "open-committed",
        onclick: () => openRun(committed.run_id) }, "Open it"), " ",
      el("a", { href: `/api/runs/${committed.run_id}/calendars.zip`, download: "",
        "data-testid": "partner-calendars" }, "⬇ Partners' calendars (.zip)")),
      el("div", { class: "hint" }, "Later plans are made against it, changing as little as they must; partners' calendars come from it.")));
  } else {
    box.replaceChildren(el("div", { class: "committed none" }, "No plan committed yet: plan it, read the result, then commit it.",
      el("div", { class: "hint" }, "Once committed, a plan is what later plans change as little as they can, and its calendars go to partners.")));
  }
  $("#pins-box").hidden = !data.pins.length;
  $("#pins").replaceChildren(...data.pins.map((pin) => el("li", { "data-testid": "pin" },
    `${pin.exercise_id} at ${pin.venue_id} from ${day(pin.start)}`,
    el("span", { class: "hint" }, ` (${pin.user || "–"}, ${local(pin.at)}) `),
    el("button", { class: "small needs-planner", title: "Later plans may move it again",
      onclick: () => unpin(pin) }, "Unpin"))));
  $("#pinned-workbook").href = `/api/programmes/${encodeURIComponent(data.programme_id)}/workbook`;
  if (changed && (!upload || upload.programme_id !== data.programme_id)) {
    showUpload(data.uploads[0] || null, false);
  }
  fillPlanForm();
  if (changed) refreshHistory();
  if (current) showCommitBar(current);
}

async function unpin(pin) {
  try {
    await api(`/api/programmes/${encodeURIComponent(pin.programme_id)}/pins/${pin.id}`, { method: "DELETE" });
    await openProgramme(pin.programme_id);
  } catch (error) {
    notice(`Could not unpin: ${error.message}`);
  }
}

// --- upload and findings ----------------------------------------------------------------

function setupUpload() {
  const drop = $("#drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) send(event.dataTransfer.files[0]);
  });
  drop.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") $("#file").click();
  });
  $("#file").addEventListener("change", () => {
    if ($("#file").files.length) send($("#file").files[0]);
    $("#file").value = "";
  });
}

async function send(file) {
  notice("");
  const form = new FormData();
  form.append("file", file);
  const summary = $("#upload-summary");
  summary.hidden = false;
  summary.className = "";
  summary.textContent = `Reading ${file.name}…`;
  try {
    const data = await api("/api/uploads", { method: "POST", body: form });
    showUpload(data, true);
    if (data.validation.valid) await loadProgrammes(data.programme_id);
  } catch (error) {
    summary.textContent = "";
    notice(`${file.name} was not accepted: ${error.message}`);
  }
}

function showUpload(data, fresh) {
  upload = data && data.upload_id ? data : null;
  const summary = $("#upload-summary");
  if (fresh && data) {
    const validation = data.validation;
    summary.hidden = false;
    summary.textContent = validation.valid
      ? `${data.file_name} is valid: ${validation.summary}.`
      : `${data.file_name} has ${validation.errors.length} error(s); correct them in Excel and upload it again.`;
    summary.className = validation.valid ? "good" : "bad";
    fillFindings("#errors-block", "#error-count", validation.errors, "error");
    fillFindings("#warnings-block", "#warning-count", validation.warnings, "warning");
    $("#findings-card").hidden = !validation.errors.length && !validation.warnings.length;
    if (!validation.valid) $("#findings-card").scrollIntoView({ block: "start" });
  }
  $("#solve-card").hidden = !upload;
  if (!upload) return;
  const what = $("#what");
  const chosen = what.value;
  what.replaceChildren(el("option", { value: "" }, "The programme itself"));
  for (const name of upload.validation.scenarios) {
    what.append(el("option", { value: `scenario:${name}` }, `Scenario: ${name}`));
  }
  if (upload.validation.scenarios.length) {
    what.append(el("option", { value: "whatif" }, "The programme and every scenario (what-if)"));
  }
  if ([...what.options].some((o) => o.value === chosen)) what.value = chosen;
  const pins = upload.pins && upload.pins.length ? `, with ${upload.pins.length} pin(s) filled in` : "";
  $("#plan-workbook").textContent = `Workbook: ${upload.file_name}${pins}, uploaded ${local(upload.created)}` +
    `${upload.uploaded_by ? ` by ${upload.uploaded_by}` : ""}.`;
  fillPlanForm();
}

function fillFindings(block, count, findings, word) {
  $(block).hidden = !findings.length;
  $(count).textContent = `${findings.length} ${word}${findings.length === 1 ? "" : "s"}`;
  $(`${block} tbody`).replaceChildren(...findings.map((f) =>
    el("tr", {}, el("td", {}, f.sheet), el("td", {}, f.cell || "–"), el("td", {}, f.message))));
}

// --- planning ------------------------------------------------------------------------------

function fillPlanForm() {
  const committed = programme && programme.committed;
  const sameProgramme = upload && programme && upload.programme_id === programme.programme_id;
  $("#against-box").hidden = !(committed && sameProgramme);
  if (!$("#freeze").value) $("#freeze").value = today();
  sayFreeze();
  const pins = sameProgramme ? programme.pins.length : 0;
  $("#apply-pins-box").hidden = !pins;
  $("#pin-count").textContent = `${pins} exercise${pins === 1 ? "" : "s"}`;
}

function formOptions() {
  const limit = $("#time-limit").value;
  return {
    time_limit_s: limit ? Number(limit) : null,
    workers: Number($("#workers").value || 0),
    seed: Number($("#seed").value || 0),
    deterministic: $("#deterministic").checked,
    explain_all: $("#explain-all").checked,
  };
}

// The committed plan to re-plan against, and the freeze date, as the form asks.
function againstCommitted() {
  const committed = programme && programme.committed;
  if (!committed || $("#against-box").hidden || !$("#against").checked) return {};
  return { against: committed.run_id, freeze_before: $("#freeze").value || null };
}

async function solve(event) {
  event.preventDefault();
  notice("");
  const what = $("#what").value;
  const whatif = what === "whatif";
  const body = { upload_id: upload.upload_id, ...formOptions(), whatif,
    scenario: what.startsWith("scenario:") ? what.slice(9) : null,
    ...(whatif ? {} : againstCommitted()),
    pins: !$("#apply-pins-box").hidden && $("#apply-pins").checked };
  try {
    const run = await post("/api/runs", body);
    follow(run);
    refreshHistory();
  } catch (error) {
    notice(`The run could not start: ${error.message}`);
  }
}

const MANY_WORDS = { whatif: "the programme and every scenario", sweep: "a sweep of what-ifs", study: "a robustness study" };

function runTitle(run) {
  const plan = MANY_WORDS[run.kind] || (run.scenario ? `scenario ${run.scenario}` : "the programme");
  return `${run.file_name}, ${plan}`;
}

// The workbook and options of ``run`` in "Plan it", so it can be run again
// with other options, after a restart too.
async function recall(run) {
  if (!upload || upload.upload_id !== run.upload_id) {
    try {
      showUpload(await api(`/api/uploads/${run.upload_id}`), false);
    } catch (_) {
      return;
    }
  }
  const options = run.options || {};
  $("#time-limit").value = options.time_limit_s || "";
  $("#workers").value = options.workers || 0;
  $("#seed").value = options.seed || 0;
  $("#deterministic").checked = Boolean(options.deterministic);
  $("#explain-all").checked = options.explain_all === true;
  $("#what").value = run.kind === "whatif" ? "whatif" : (run.scenario ? `scenario:${run.scenario}` : "");
}

// --- sweeps and robustness studies --------------------------------------------------

function listOf(text, pattern) {
  return text.split(/[,;\s]+/).filter((part) => part).map((part) => {
    const match = part.toUpperCase().match(pattern);
    if (!match) throw new Error(`“${part}” is not understood`);
    return Number(match[1]);
  });
}

async function submitMany(event, body) {
  event.preventDefault();
  notice("");
  try {
    const run = await post("/api/runs", { upload_id: upload.upload_id, ...formOptions(), ...body });
    follow(run);
    refreshHistory();
  } catch (error) {
    notice(`The run could not start: ${error.message}`);
  }
}

function sweep(event) {
  let cuts, quarters;
  try {
    cuts = listOf($("#sweep-cuts").value, /^(\d+)%?$/);
    quarters = listOf($("#sweep-quarters").value, /^Q([1-4])$/);
  } catch (error) {
    event.preventDefault();
    notice(`Sweep: ${error.message}; give budget cuts as 10,20,30 and quarters as Q1,Q3.`);
    return;
  }
  submitMany(event, { sweep: { drop_each_partner: $("#sweep-drop").checked, budget_cuts: cuts, close_quarters: quarters } });
}

function study(event) {
  const committed = $("#study-plan").value;
  if (!committed) {
    event.preventDefault();
    notice("Plan the programme first: the study re-plans against a plan of it.");
    return;
  }
  submitMany(event, { study: { committed_run: committed, samples: Number($("#study-samples").value || 20),
    seed: Number($("#study-seed").value || 0) } });
}

function fillStudyPlans() {
  const plans = runs.filter((run) => run.kind === "solve" && (run.files || []).includes("schedule.json") &&
    upload && run.sha256 === upload.sha256);
  const chosen = $("#study-plan").value;
  const committed = programme && programme.committed ? programme.committed.run_id : null;
  $("#study-plan").replaceChildren(...plans.map((run) =>
    el("option", { value: run.id }, `${run.id === committed ? "★ committed, " : ""}${run.scenario || "the programme"}, ${local(run.created)}`)));
  if (plans.some((run) => run.id === chosen)) $("#study-plan").value = chosen;
  else if (plans.some((run) => run.id === committed)) $("#study-plan").value = committed;
}

function drawMany(box, data) {
  if (data.kind === "sweep") {
    box.replaceChildren(el("h3", {}, "Variants, most harmful first"),
      el("table", { "data-testid": "ranking" }));
    table("#many-result table", ["Rank", "Variant", "What changes", "Status", "Worth lost (value less penalties)", "Exercises lost", "Moved"],
      data.impacts.map((i, n) => [n + 1, i.name, i.description, STATUS_WORDS[i.status] || i.status,
        i.objective_loss === null ? "no plan" : number(i.objective_loss), i.lost, i.moved]), [0, 4, 5, 6]);
    const failed = Object.entries(data.failed || {});
    if (failed.length) box.append(el("ul", { class: "bad" }, failed.map(([name, why]) => el("li", {}, `${name}: failed twice (${why})`))));
    if (data.comparison) {
      const compared = el("div", { id: "sweep-compare" });
      box.append(compared);
      drawComparison(compared, data.comparison);
    }
    return;
  }
  const share = (count) => (data.planned ? `${count} (${Math.round((100 * count) / data.planned)} %)` : String(count));
  box.replaceChildren(
    ...(data.warnings || []).map((w) => el("p", { class: "warn" }, `⚠ ${w}`)),
    el("p", { class: "hint" }, `${data.samples} futures drawn (seed ${data.seed}), each re-planned against the plan kept.`),
    el("h3", {}, "Exercises, the most fragile first"), el("table", { id: "fates", "data-testid": "fates" }),
    el("h3", {}, "Goals"), el("table", { id: "goal-odds", "data-testid": "goal-odds" }));
  table("#fates", ["Exercise", "Name", ...data.fates], data.exercises.map((e) =>
    [e.exercise_id, e.name, ...data.fates.map((f) => share(e.counts[f] || 0))]), [2, 3, 4, 5]);
  table("#goal-odds", ["Goal", "Kind", "Met in the plan", "Still met"], data.goals.map((g) =>
    [g.goal_id, g.kind, g.met_in_plan ? "yes" : "no", share(g.met)]), [3]);
}

// --- a run: progress, then the result ---------------------------------------------------

async function openRun(runId) {
  try {
    follow(await api(`/api/runs/${runId}`));
  } catch (error) {
    notice(`That run could not be opened: ${error.message}`);
  }
}

function follow(run) {
  if (stream) stream.close();
  stream = null;
  current = run;
  picked = null;
  $("#compare-card").hidden = true;
  recall(run);
  history.replaceState(null, "", `#run=${run.id}`);
  $("#run-card").hidden = false;
  showRun(run);
  for (const node of document.querySelectorAll("#history li")) node.classList.toggle("shown", node.dataset.run === run.id);
  if (FINAL.has(run.state)) { loadResult(run); return; }
  clearResult();
  stream = new EventSource(`/api/runs/${run.id}/events`);
  stream.onmessage = (message) => {
    const snapshot = JSON.parse(message.data);
    if (!current || snapshot.id !== current.id) return;
    current = snapshot;
    showRun(snapshot);
    if (FINAL.has(snapshot.state)) {
      stream.close();
      stream = null;
      loadResult(snapshot);
      refreshHistory();
    }
  };
  stream.onerror = () => {
    // The browser reconnects by itself; say so only if the run is still open.
    if (stream && stream.readyState === EventSource.CLOSED) notice("Lost contact with the server.");
  };
}

function showRun(run) {
  $("#run-title").textContent = `${runTitle(run)}`;
  const against = run.options && run.options.against;
  const how = against ? `re-planned against ${programme && programme.committed && programme.committed.run_id === against ? "the committed plan" : "an earlier plan"}` +
    (run.options.freeze_before ? `, kept as it was before ${day(run.options.freeze_before)}` : "") : "planned from scratch";
  $("#run-meta").textContent = `${run.kind === "solve" ? `${how}; ` : ""}asked for ${local(run.created)}${run.started_by ? ` by ${run.started_by}` : ""}`;
  const finished = FINAL.has(run.state);
  $("#progress").hidden = finished && run.kind !== "sweep" && run.kind !== "study";
  const live = run.live || {};
  let state = STATE_WORDS[run.state] || run.state;
  if (run.state === "queued" && run.queue_position) state += ` (number ${run.queue_position} in line)`;
  $("#p-state").textContent = state;
  $("#p-stage").textContent = finished ? "finished" : (STAGE_WORDS[live.stage] || live.stage || "waiting");
  $("#p-elapsed").textContent = seconds(run.elapsed_s);
  $("#p-best").textContent = number(finished && run.objective !== null ? run.objective : live.objective);
  $("#p-bound").textContent = number(finished && run.bound !== null ? run.bound : live.bound);
  $("#p-gap").textContent = percent(finished && run.gap !== null ? run.gap : live.gap);
  $("#p-lines").replaceChildren(...(live.lines || []).map((line) => el("li", {}, line)));
  $("#p-runs-box").hidden = !live.runs;
  if (live.runs) $("#p-runs").textContent = `${live.runs[0]} of ${live.runs[1]}`;
  $("#cancel").hidden = finished;
  $("#cancel").textContent = run.kind === "solve" ? "Stop (keep the best plan found)" : "Stop (every plan found is kept)";
  $("#result-message").textContent = finished ? (run.message || STATE_WORDS[run.state]) :
    `${state}: ${STAGE_WORDS[live.stage] || "waiting"}…`;
  const planned = run.state === "done" && (run.objective !== null || run.kind === "sweep" || run.kind === "study");
  $("#result-message").className = `message ${finished ? (planned ? "good" : "bad") : ""}`;
  showCommitBar(run);
}

async function cancel() {
  if (!current) return;
  $("#cancel").disabled = true;
  try {
    await api(`/api/runs/${current.id}/cancel`, { method: "POST" });
  } catch (error) {
    notice(error.message);
  } finally {
    $("#cancel").disabled = false;
  }
}

// --- committing ------------------------------------------------------------------------

function hasPlan(run) {
  return run.kind === "solve" && (run.files || []).includes("schedule.json");
}

function showCommitBar(run) {
  const bar = $("#commit-bar");
  const committed = programme && programme.committed;
  const ours = programme && run.programme_id === programme.programme_id;
  if (!ours || !hasPlan(run) || !FINAL.has(run.state)) { bar.hidden = true; return; }
  bar.hidden = false;
  const planner = me && me.role !== "viewer";
  if (committed && committed.run_id === run.id) {
    bar.replaceChildren(el("strong", { class: "good", "data-testid": "is-committed" }, "★ This is the committed plan"),
      el("span", { class: "hint" }, `committed ${local(committed.at)} by ${committed.user || "–"}; partners' calendars come from it`));
    return;
  }
  if (!planner) {
    bar.replaceChildren(el("span", { class: "hint" }, committed ? "Not the committed plan." : "No plan is committed yet."));
    return;
  }
  if (run.scenario) {
    bar.replaceChildren(el("span", { class: "hint" }, "A scenario's plan is for reading; commit a plan of the programme itself."));
    return;
  }
  if (committed && (run.options || {}).against !== committed.run_id) {
    bar.replaceChildren(el("span", { class: "warn" }, "This plan was not made against the committed plan, so committing it would send partners calendars that do not follow theirs."),
      el("button", { class: "primary", "data-testid": "replan-against", onclick: () => replanAgainst(run) },
        "Re-plan it against the committed plan"));
    return;
  }
  const changes = result && result.changes ? result.changes.differences.length : null;
  bar.replaceChildren(
    el("button", { class: "primary", "data-testid": "commit", onclick: () => commit(run) }, "Commit this plan"),
    el("span", { class: "hint" }, (committed ? `${changes === null ? "It" : `${changes} change${changes === 1 ? "" : "s"} to the committed plan (see Changes); it`} replaces the committed plan of ${local(committed.at)}. ` :
      "") + "Later plans are made against it, and partners' calendars come from it."));
}

async function commit(run) {
  notice("");
  try {
    const updated = await post(`/api/programmes/${encodeURIComponent(run.programme_id)}/commits`, { run_id: run.id });
    showProgramme(updated);
    showCommitBar(run);
    refreshHistory();
  } catch (error) {
    notice(`The plan was not committed: ${error.message}`);
  }
}

async function replanAgainst(run) {
  notice("");
  try {
    const again = await post("/api/runs", { upload_id: run.upload_id, ...formOptions(),
      against: programme.committed.run_id, freeze_before: $("#freeze").value || today() });
    follow(again);
    refreshHistory();
  } catch (error) {
    notice(`The re-plan could not start: ${error.message}`);
  }
}

// --- the result ----------------------------------------------------------------------

function clearResult() {
  result = null;
  for (const part of ["#result-tabs", "#variant-tabs", "#plan-warnings", "#many-result"]) $(part).hidden = true;
  for (const panel of document.querySelectorAll(".tab-panel")) panel.hidden = true;
}

async function loadResult(run) {
  try {
    result = await api(`/api/runs/${run.id}/result`);
  } catch (_) {
    result = null;
  }
  performance.mark("result-arrived");
  shownPlan = 0;
  drawResult();
  showCommitBar(run);
}

function planOf(data) {
  if (!data) return null;
  if (data.kind === "whatif") return data.plans.length ? data.plans[shownPlan].plan : null;
  return data.plan;
}

const TABS = [["calendar", "Calendar"], ["changes", "Changes"], ["goals", "Goals"], ["budgets", "Budgets"],
  ["left-out", "Left out and why"], ["downloads", "Downloads"], ["compare", "Side by side"]];

function drawResult() {
  clearResultTabs();
  const data = result;
  const run = current;
  const many = data && (data.kind === "sweep" || data.kind === "study");
  $("#many-result").hidden = !many;
  if (many) drawMany($("#many-result"), data);
  const whatif = data && data.kind === "whatif";
  $("#variant-tabs").hidden = !whatif;
  if (whatif) {
    $("#variant-tabs").replaceChildren(...data.plans.map((plan, index) => el("button", {
      role: "tab", "aria-selected": String(index === shownPlan), "data-testid": "variant",
      onclick: () => { shownPlan = index; drawResult(); } }, `${plan.name}: ${STATUS_WORDS[plan.plan.status] || plan.plan.status}`)));
  }
  const plan = planOf(data);
  drawHeading(plan);
  const warnings = (data && !many && data.warnings) || [];
  list("#plan-warnings", warnings);
  // the first warning in full, wrapped; the others one click away
  $("#warning-summary").textContent = `${warnings.length} warning${warnings.length === 1 ? "" : "s"}: ${warnings[0] || ""}` +
    (warnings.length > 1 ? ` (and ${warnings.length - 1} more: open to read them)` : "");
  const available = new Set(["downloads"]);
  if (plan) {
    const held = plan.events.length > 0;
    if (held) available.add("calendar");
    available.add("goals").add("budgets").add("left-out");
    if (data.kind === "solve" && (data.changes || data.changes_error)) available.add("changes");
    drawTables(plan, data, run);
  }
  if (whatif && data.comparison) {
    available.add("compare");
    drawComparison($("#whatif-compare"), data.comparison);
  }
  drawDownloads(run, plan);
  if (!available.has(shownTab)) shownTab = available.has("calendar") ? "calendar" : (plan ? "left-out" : "downloads");
  const tabs = $("#result-tabs");
  tabs.hidden = many && !run.files;
  tabs.replaceChildren(...TABS.filter(([key]) => available.has(key)).map(([key, words]) => el("button", {
    role: "tab", "aria-selected": String(key === shownTab), "data-tab": key, "data-testid": `tab-${key}`,
    onclick: () => showTab(key) }, key === "changes" && data.changes ? `${words} (${data.changes.differences.length})` : words)));
  showTab(shownTab);
  if (plan && plan.events.length) {
    drawCalendar(plan, data);
    requestAnimationFrame(() => setTimeout(() => {
      performance.mark("calendar-ready");
      const measure = performance.measure("result-to-calendar", "result-arrived", "calendar-ready");
      $("#calendar").dataset.readyMs = String(Math.round(measure.duration));
    }, 0));
  }
}

// The programme's title, organisation and classification marking from its
// Settings, as the brief heads every page with them: the marking above and
// below the run, as on every printed page.
function drawHeading(plan) {
  const heading = plan ? [plan.title, plan.organisation].filter((part) => part).join(" · ") : "";
  $("#run-heading").textContent = heading;
  $("#run-heading").hidden = !heading;
  for (const marking of document.querySelectorAll("#run-card .marking")) {
    marking.textContent = plan ? plan.classification : "";
    marking.hidden = !(plan && plan.classification);
  }
}

function clearResultTabs() {
  $("#exercise-panel").hidden = true;
}

function showTab(key) {
  shownTab = key;
  for (const button of document.querySelectorAll("#result-tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === key));
  }
  for (const [name] of TABS) $(`#tab-${name}`).hidden = name !== key;
  if (key === "budgets" && result) drawSpendChart(planOf(result));
}

function colourBooks(plan) {
  const key = `planner-colours:${plan.programme_id || plan.programme}`;
  const books = { venueColours: new ColourBook(`${key}:venue`), partnerColours: new ColourBook(`${key}:partner`),
    kindColours: new ColourBook(`${key}:kind`) };
  books.venueColours.learn(Object.keys(plan.venues));
  books.partnerColours.learn(Object.keys(plan.partners));
  return books;
}

function calendarModel(plan, plans, extra = {}) {
  return {
    start: plan.planning_start, end: plan.planning_end, plans, venues: plan.venues, partners: plan.partners,
    regions: plan.regions, blackouts: plan.blackouts,
    goals: plan.goals.map((g) => ({ id: g.id, exercises: g.exercises })),
    today: today(), ...colourBooks(plan), ...extra,
  };
}

function drawCalendar(plan, data) {
  if (!calendar) calendar = new PlannerCalendar($("#calendar"), (event) => pickExercise(event));
  const freeze = current && current.options ? current.options.freeze_before : null;
  calendar.show(calendarModel(plan, [{ label: "plan", events: plan.events }], { freeze }));
}

function drawTables(plan, data, run) {
  const currency = plan.currency || "";
  $("#terms").replaceChildren(
    el("thead", {}, el("tr", {}, el("th", {}, "Part of what the plan is worth"), el("th", { class: "num" }, `Amount (${currency || "currency"})`), el("th", {}, "What it is"))),
    el("tbody", {}, [...Object.entries(plan.terms).map(([name, value]) => el("tr", {},
      el("td", {}, (TERM_WORDS[name] || [name])[0]), el("td", { class: "num" }, number(value)),
      el("td", { class: "hint" }, (TERM_WORDS[name] || ["", ""])[1]))),
    el("tr", {}, el("th", {}, "What the plan is worth"), el("th", { class: "num" }, number(plan.objective)),
      el("td", { class: "hint" }, "the sum above; planner finds the plan with the highest"))]));
  table("#spend", ["Who", "Spend", "Budget", "Used"], plan.spend.map((s) => [
    s.name, number(s.spend), s.budget === null ? "no cap" : number(s.budget),
    s.budget ? `${Math.round((100 * s.spend) / s.budget)} %${s.spend > s.budget ? " OVER" : ""}` : "–"]), [1, 2, 3]);
  const explainAll = !run.options || run.options.explain_all !== false;
  const missing = explainAll ? "no reason found in the time the search allowed" :
    "not explained: tick “Say why for every exercise left out” and plan again";
  table("#goals", ["Goal", "Kind", "Must be met", "Needed", "Reached", "Met", "Why not"], plan.goals.map((g) => [
    g.id, g.kind, g.hard ? "yes (hard)" : "no (soft)", g.target, g.achieved, g.met ? "✔ met" : "✖ not met", g.reason || (g.met ? "" : missing)]), [3, 4]);
  const weight = plan.value_weight || 0;
  $("#left-out").replaceChildren(
    el("thead", {}, el("tr", {}, el("th", {}, "Exercise"), el("th", {}, "Name"), el("th", {}, "Kind"),
      el("th", { class: "num", title: "The exercise's value on the Exercises sheet, and what holding it would add to what the plan is worth (value points × the value weight in Settings)" },
        `Value points (worth in ${currency || "money"})`),
      el("th", {}, "Why left out"), el("th", { class: "needs-planner" }, ""))),
    el("tbody", {}, plan.left_out.length ? plan.left_out.map((e) => el("tr", {},
      el("td", {}, e.exercise_id), el("td", {}, e.name), el("td", {}, e.kind),
      el("td", { class: "num" }, `${e.value} (${number(e.value * weight)})`),
      el("td", {}, e.reason || missing),
      el("td", { class: "needs-planner" }, data.kind === "solve" ? el("button", { class: "small",
        onclick: () => { showTab("calendar"); pickExercise({ ...e, start: null, end: null, venue_id: "", participants: [] }); } },
        "Where could it go?") : ""))) : [el("tr", {}, el("td", { colspan: "6" }, "Every exercise is held."))]));
  list("#conflict", [...plan.conflict, ...plan.frozen]);
  const violations = data.kind === "whatif" ? data.plans[shownPlan].violations : data.violations;
  list("#violations", violations || []);
  drawChanges(data, plan);
}

function drawSpendChart(plan) {
  const box = $("#spend-chart");
  if (!plan || !plan.spend.length || typeof Plotly === "undefined") return;
  const rows = plan.spend.filter((s) => s.budget !== null || s.spend > 0);
  const names = rows.map((s) => plain(s.name));
  Plotly.react(box, [
    { type: "bar", orientation: "h", name: "spend", y: names, x: rows.map((s) => s.spend),
      marker: { color: "#0072B2" }, hovertemplate: "%{y}: %{x:,} spent<extra></extra>" },
    { type: "bar", orientation: "h", name: "budget", y: names, x: rows.map((s) => s.budget || 0),
      marker: { color: "rgba(0,0,0,0)", line: { color: "#111", width: 2 } }, hovertemplate: "%{y}: budget %{x:,}<extra></extra>" },
  ], { barmode: "overlay", height: Math.max(220, 28 * rows.length + 90), margin: { l: 200, r: 20, t: 20, b: 40 },
    xaxis: { title: plain(plan.currency || "spend") }, yaxis: { autorange: "reversed", automargin: true },
    legend: { orientation: "h" }, font: { size: document.body.classList.contains("large") ? 17 : 13 } }, PLOT_CONFIG);
}

// The exercises pinned by hand in the workbook a run planned (its upload's pins).
function pinnedIn(run) {
  const planned = programme && run ? programme.uploads.find((u) => u.upload_id === run.upload_id) : null;
  return new Set(((planned && planned.pins) || []).map((pin) => pin.exercise_id));
}

// What changed against the committed plan, exercise by exercise, and the two
// plans on one calendar.
function drawChanges(data, plan) {
  const box = $("#changes");
  if (data.kind !== "solve" || !(data.changes || data.changes_error)) { box.replaceChildren(); return; }
  if (!data.changes) { box.replaceChildren(el("p", { class: "bad" }, `The changes could not be read: ${data.changes_error}`)); return; }
  const comparison = data.changes;
  const names = {};
  for (const p of comparison.plans) for (const e of p.exercises || []) names[e.id] = e.name;
  const byExercise = {};
  for (const d of comparison.differences) (byExercise[d.exercise_id] = byExercise[d.exercise_id] || []).push(d);
  const pinned = pinnedIn(current);
  const rows = Object.entries(byExercise).map(([id, found]) => el("tr", { "data-exercise": id },
    el("td", {}, id), el("td", {}, names[id] || ""), el("td", {}, el("ul", { class: "diff" }, found.map((d) => el("li", {}, changeWords(d))),
      pinned.has(id) ? el("li", { class: "pinned", "data-testid": "pinned-change" }, "📌 pinned here by hand") : ""))));
  const [kpiHead, ...kpiRows] = comparison.rows;
  box.replaceChildren(
    el("p", { class: "message" }, comparison.differences.length
      ? `${Object.keys(byExercise).length} exercise${Object.keys(byExercise).length === 1 ? "" : "s"} change against the committed plan (${comparison.differences.length} change${comparison.differences.length === 1 ? "" : "s"}).`
      : "Nothing changes against the committed plan."),
    comparison.warnings.length ? el("ul", { class: "warn" }, comparison.warnings.map((w) => el("li", {},
      w.includes("planned from another workbook") ? `⚠ ${pinned.size ? "The workbook has pins filled in" : "The workbook is a new version"}: some changes follow from what changed in it, not from planning.` : `⚠ ${w}`))) : "",
    rows.length ? el("table", { "data-testid": "change-list" }, el("thead", {}, el("tr", {}, el("th", {}, "Exercise"), el("th", {}, "Name"), el("th", {}, "What changes"))),
      el("tbody", {}, rows)) : "",
    el("h3", {}, "The committed plan and this one, on one calendar"),
    el("div", { id: "changes-calendar", "data-testid": "changes-calendar" }),
    el("details", {}, el("summary", {}, "Key figures, side by side"),
      el("table", { "data-testid": "change-figures" }, el("thead", {}, el("tr", {}, kpiHead.map((h, i) => el("th", i ? { class: "num" } : {}, h)))),
        el("tbody", {}, kpiRows.map((row) => el("tr", {}, row.map((cell, i) => el("td", i ? { class: "num" } : {}, i ? figureValue(row[0], cell) : figure(cell)))))))));
  const changed = {};
  for (const d of comparison.differences) (changed[d.exercise_id] = changed[d.exercise_id] || []).push(changeWords(d));
  const both = new PlannerCalendar($("#changes-calendar"), null);
  both.show(calendarModel(plan, comparison.plans.map((p) => ({ label: p.label, events: withNames(p, plan) })),
    { changed, changedOnly: true }));
}

function withNames(comparedPlan, plan) {
  const names = {};
  for (const e of comparedPlan.exercises || []) names[e.id] = e;
  return (comparedPlan.events || []).map((e) => ({ ...e, name: (names[e.exercise_id] || {}).name || "",
    kind: (names[e.exercise_id] || {}).kind || "", venue_name: plan.venues[e.venue_id] || e.venue_id }));
}

function changeWords(d) {
  const what = CHANGE_WORDS[d.change] || d.change;
  if (d.change === "moved") {
    const unit = `${d.unit}${Math.abs(d.slots) === 1 ? "" : "s"}`;
    return `moved from ${day(d.before)} to ${day(d.after)} (${d.slots > 0 ? "+" : ""}${d.slots} ${unit})`;
  }
  if (d.change === "venue changed") return `venue ${d.before} → ${d.after}`;
  if (d.change === "partners joined") return `${d.after.replace(/; /g, ", ")} join${d.after.includes(";") ? "" : "s"}`;
  if (d.change === "partners left") return `${d.before.replace(/; /g, ", ")} leave${d.before.includes(";") ? "" : "s"}`;
  if (d.change === "dropped") return `dropped (was ${d.before})`;
  if (d.change === "added") return `added (${d.after})`;
  return what;
}

function drawDownloads(run, plan) {
  const files = run.files || [];
  const link = (name, words, main = false) => (files.includes(name) ? el("a", {
    href: `/api/runs/${run.id}/files/${name}`, download: "", class: main ? "main" : "", "data-testid": `download-${name}` }, `⬇ ${words}`) : null);
  const partners = files.filter((n) => n.startsWith("calendars/partner-"));
  const venues = files.filter((n) => n.startsWith("calendars/venue-"));
  const partnerName = (name) => {
    const id = name.slice("calendars/partner-".length, -4);
    return `${id}${plan && plan.partners[id] ? ` ${plan.partners[id]}` : ""}`;
  };
  const venueName = (name) => {
    const id = name.slice("calendars/venue-".length, -4);
    return `${id}${plan && plan.venues[id] ? ` ${plan.venues[id]}` : ""}`;
  };
  const calendars = files.some((n) => n.endsWith(".ics"));
  const others = files.filter((n) => !n.endsWith(".ics") && !["brief.pdf", "brief.html", "schedule.xlsx", "schedule.json", "no-plan.xlsx", "no-plan.json"].includes(n));
  const box = $("#result-downloads");
  box.replaceChildren(
    el("h3", {}, "To brief and to keep"),
    el("div", {}, link("brief.pdf", "The brief (PDF, to print)", true), link("brief.html", "The brief (web page)"),
      link("schedule.xlsx", "The plan as a workbook (schedule.xlsx)", true), link("no-plan.xlsx", "Why there is no plan (no-plan.xlsx)", true)),
    calendars ? el("h3", {}, "Calendars for Outlook and phones") : "",
    calendars ? el("div", {}, el("a", { href: `/api/runs/${run.id}/calendars.zip`, download: "", class: "main", "data-testid": "download-calendars-zip" },
      "⬇ Every calendar in one zip"), link("schedule.ics", "The whole programme (schedule.ics)")) : "",
    partners.length ? el("details", {}, el("summary", {}, `One per partner (${partners.length})`),
      el("div", {}, partners.map((n) => link(n, partnerName(n))))) : "",
    venues.length ? el("details", {}, el("summary", {}, `One per venue (${venues.length})`),
      el("div", {}, venues.map((n) => link(n, venueName(n))))) : "",
    el("h3", {}, "The workbook this plan was made from"),
    el("div", {}, el("a", { href: `/api/uploads/${run.upload_id}/workbook`, download: "", "data-testid": "download-workbook" },
      "⬇ The workbook as planned (with any pins filled in)")),
    el("h3", {}, "For programs"),
    el("div", {}, link("schedule.json", "schedule.json"), link("no-plan.json", "no-plan.json"), others.map((n) => link(n, n))));
}

function table(selector, header, rows, numeric = []) {
  const head = el("tr", {}, header.map((h, i) => el("th", numeric.includes(i) ? { class: "num" } : {}, h)));
  const body = rows.map((row) => el("tr", {}, row.map((cell, i) =>
    el("td", numeric.includes(i) ? { class: "num" } : {}, cell))));
  $(selector).replaceChildren(el("thead", {}, head), el("tbody", {}, body));
}

function list(selector, lines) {
  $(selector).hidden = !lines.length;
  $(`${selector} ul`).replaceChildren(...lines.map((line) => el("li", {}, line)));
}

// --- moving an exercise by hand ----------------------------------------------------------

function pickExercise(event) {
  picked = event;
  const plan = planOf(result);
  const panel = $("#exercise-panel");
  panel.hidden = false;
  const held = Boolean(event.start);
  const canMove = result && result.kind === "solve" && current && hasPlan(current) && me && me.role !== "viewer";
  const changes = (result && result.changes ? result.changes.differences : []).filter((d) => d.exercise_id === event.exercise_id);
  const venues = Object.entries(plan.venues);
  panel.replaceChildren(
    el("h3", { "data-testid": "picked" }, `${event.exercise_id} ${event.name}`),
    held ? el("p", {}, `${day(event.start)} to ${day(event.end)} at ${event.venue_id} ${plan.venues[event.venue_id] || ""}`) :
      el("p", {}, "Left out of this plan."),
    held ? el("div", { class: "chips" }, "Partners: ", event.participants.length ? event.participants.map((p) => {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = colourBooks(plan).partnerColours.of(p);
      return el("span", {}, swatch, `${p} ${plan.partners[p] || ""}`);
    }) : "none") : "",
    changes.length ? el("ul", { class: "diff warn" }, changes.map((d) => el("li", {}, `Against the committed plan: ${changeWords(d)}`))) : "",
    canMove ? el("div", {},
      el("button", { "data-testid": "suggest", onclick: () => suggest(event) }, held ? "Where else could it go?" : "Where could it go?"),
      el("div", { id: "placements", "data-testid": "placements" }),
      el("h3", {}, "Or pin it where you want it"),
      el("form", { class: "pin-own", "data-testid": "pin-own", onsubmit: (e) => { e.preventDefault(); checkPin(event); } },
        el("label", {}, "Starting on", el("input", { type: "text", id: "pin-start", required: true, value: event.start || "",
          inputmode: "numeric", placeholder: "YYYY-MM-DD", autocomplete: "off", "aria-describedby": "pin-start-said",
          "data-testid": "pin-start", oninput: sayPinStart }), el("span", { class: "hint", id: "pin-start-said" })),
        el("label", {}, "At venue", el("select", { id: "pin-venue", "data-testid": "pin-venue" },
          venues.map(([id, name]) => el("option", { value: id, selected: id === event.venue_id }, `${id} ${name}`)))),
        el("button", { type: "submit", "data-testid": "pin-check" }, "Check it against every rule")),
      el("div", { id: "pin-verdict", "data-testid": "pin-verdict" })) :
      el("p", { class: "hint" }, me && me.role === "viewer" ? "A planner can move it by hand." : ""));
  if (canMove) sayPinStart();
  panel.scrollIntoView({ block: "nearest" });
}

async function suggest(event) {
  const box = $("#placements");
  box.replaceChildren(el("p", { class: "hint" }, "Looking for the best other places, the rest of the plan kept…"));
  try {
    const found = await post(`/api/runs/${current.id}/suggest`, { exercise_id: event.exercise_id, top: 5 });
    const currency = planOf(result).currency || "";
    const usable = found.suggestions.filter((s) => s.objective !== null);
    const refused = found.suggestions.filter((s) => s.objective === null);
    box.replaceChildren(
      usable.length ? el("table", { class: "placements", "data-testid": "alternatives" },
        el("thead", {}, el("tr", {}, el("th", {}, "From"), el("th", {}, "To"), el("th", {}, "Venue"), el("th", {}, "Partners"),
          el("th", { class: "num", title: "How much more (positive) or less (negative) the plan is worth with the exercise there" }, `Change in worth (${currency})`), el("th", {}, ""))),
        el("tbody", {}, usable.map((s) => el("tr", {},
          el("td", {}, day(s.start)), el("td", {}, day(s.end)), el("td", {}, s.venue_id), el("td", {}, s.participants.join(", ") || "none"),
          el("td", { class: "num" }, signed(s.change)),
          el("td", {}, el("button", { class: "small primary", "data-testid": "pin-here",
            onclick: () => pin(event, s.start, s.venue_id) }, "Pin here and re-plan")))))) : "",
      ...refused.map((s) => el("p", { class: "warn" }, s.text)),
      !found.suggestions.length ? el("p", {}, "No other place keeps the rest of the plan.") : "",
      el("p", { class: "hint" }, "Each keeps every other exercise where it is. After a pin, the plan is made again around it, changing as little as it must."));
  } catch (error) {
    box.replaceChildren(el("p", { class: "bad" }, `No answer: ${error.message}`));
  }
}

async function checkPin(event) {
  const box = $("#pin-verdict");
  const start = $("#pin-start").value;
  const venue = $("#pin-venue").value;
  box.replaceChildren(el("p", { class: "hint" }, "Checking every rule…"));
  try {
    const checked = await post(`/api/runs/${current.id}/pin-check`, { exercise_id: event.exercise_id, start, venue_id: venue,
      freeze_before: freezeForPins() });
    const currency = planOf(result).currency || "";
    const ruleList = (rules) => el("ul", {}, rules.map((v) => el("li", {}, el("strong", {}, v.says), " ", v.message)));
    if (!checked.allowed) {
      box.replaceChildren(el("div", { class: "verdict no", "data-testid": "pin-refused" },
        el("strong", {}, `${event.exercise_id} cannot be pinned at ${venue} from ${day(start)}.`),
        checked.frozen ? el("p", {}, checked.frozen) : "", ruleList(checked.broken)));
      return;
    }
    const placed = checked.event;
    const fits = checked.change !== null;
    box.replaceChildren(el("div", { class: `verdict ${fits ? "yes" : "maybe"}`, "data-testid": "pin-allowed" },
      el("strong", {}, fits ? `It fits, the rest of the plan kept: what the plan is worth changes by ${signed(checked.change)} ${currency}.`
        : "It breaks no rule by itself, but clashes with the plan as it is; re-planning moves or drops other exercises to make room:"),
      placed ? el("p", {}, `${day(placed.start)} to ${day(placed.end)} at ${placed.venue_id}, with ${placed.participants.join(", ") || "no partners"}.`) : "",
      fits ? "" : ruleList(checked.clashes),
      el("button", { class: "primary", "data-testid": "pin-replan", onclick: () => pin(event, start, venue) }, "Pin it and re-plan")));
  } catch (error) {
    box.replaceChildren(el("p", { class: "bad" }, `No answer: ${error.message}`));
  }
}

function sayPinStart() {
  sayDate($("#pin-start"), $("#pin-start-said"));
}

function freezeForPins() {
  return programme && programme.committed && $("#against").checked ? ($("#freeze").value || today()) : null;
}

async function pin(event, start, venue) {
  notice("");
  try {
    const made = await post(`/api/programmes/${encodeURIComponent(current.programme_id)}/pins`, {
      run_id: current.id, exercise_id: event.exercise_id, start, venue_id: venue,
      freeze_before: freezeForPins(), ...formOptions() });
    for (const f of made.not_written) notice(f.message);
    await openProgramme(current.programme_id);
    follow(made.run);
    refreshHistory();
  } catch (error) {
    const box = $("#pin-verdict");
    if (box) box.replaceChildren(el("div", { class: "verdict no", "data-testid": "pin-refused" }, error.message));
    else notice(`Not pinned: ${error.message}`);
  }
}

// --- the runs ----------------------------------------------------------------------------

async function refreshHistory() {
  const scope = programme ? `?programme=${encodeURIComponent(programme.programme_id)}` : "";
  try {
    runs = await api(`/api/runs${scope}`);
  } catch (error) {
    notice(`The runs could not be read: ${error.message}`);
    return;
  }
  $("#history-scope").textContent = programme ? `of ${programme.title}` : "";
  const committed = programme && programme.committed ? programme.committed.run_id : null;
  const picked = new Set([...document.querySelectorAll(".pick:checked")].map((box) => box.value));
  $("#history").replaceChildren(...runs.map((run) => {
    const plan = { whatif: "what-if (all)", sweep: "sweep", study: "robustness" }[run.kind] || run.scenario || "the programme";
    const state = `${STATE_WORDS[run.state] || run.state}${run.state === "done" && run.status ? `, ${STATUS_WORDS[run.status] || run.status}` : ""}`;
    const how = run.options && run.options.against ? (run.options.against === committed ? "against the committed plan" : "against an earlier plan") : "";
    return el("li", { "data-run": run.id, class: current && current.id === run.id ? "shown" : "" },
      el("span", {}, run.kind === "solve" && FINAL.has(run.state)
        ? el("input", { type: "checkbox", class: "pick", value: run.id, checked: picked.has(run.id), "aria-label": `compare ${runTitle(run)}` }) : ""),
      el("button", { class: "run-open", "data-testid": "open", onclick: () => follow(run) },
        el("div", { class: "run-line" }, `${local(run.created)} · ${plan}`,
          run.id === committed ? el("span", { class: "badge committed-badge", "data-testid": "committed-badge" }, "★ committed") : ""),
        el("div", { class: "run-sub" }, state, run.objective !== null ? ` · worth ${number(run.objective)}` : "",
          how ? ` · ${how}` : "", ` · by `, el("span", { "data-testid": "started-by" }, run.started_by || "–"))),
      el("span", {}), el("span", { class: "actions" },
        el("button", { class: "small needs-planner", onclick: () => rerun(run), title: "Again, with the options set in “Plan it”" }, "Re-run"),
        " ",
        el("button", { class: "small danger needs-admin", onclick: () => remove(run) }, "Delete")));
  }));
  // nothing to tick or compare before the first plan
  $("#history-empty").hidden = runs.length > 0;
  $("#compare-button").hidden = runs.length < 2;
  fillStudyPlans();
  refreshAudit();
  scheduleRefresh();
}

// While a run waits or plans, the list follows it; otherwise it looks now and then.
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  const moving = runs.some((run) => !FINAL.has(run.state));
  refreshTimer = setTimeout(() => { if (!document.hidden) refreshHistory(); else scheduleRefresh(); }, moving ? 2000 : 20000);
}

async function rerun(run) {
  try {
    const body = { ...formOptions(), scenario: run.scenario };
    const again = await post(`/api/runs/${run.id}/rerun`, body);
    follow(again);
    refreshHistory();
  } catch (error) {
    notice(`Could not run it again: ${error.message}`);
  }
}

async function remove(run) {
  if (!confirm(`Delete the run of ${runTitle(run)} and its files?`)) return;
  try {
    await api(`/api/runs/${run.id}`, { method: "DELETE" });
    if (current && current.id === run.id) {
      $("#run-card").hidden = true;
      current = null;
    }
    refreshHistory();
  } catch (error) {
    notice(error.message);
  }
}

async function compareSelected() {
  const ids = [...document.querySelectorAll(".pick:checked")].map((box) => box.value).reverse();
  if (ids.length < 2) { notice("Tick two or more finished plans to compare."); return; }
  notice("");
  try {
    const comparison = await post("/api/compare", { runs: ids });
    $("#compare-card").hidden = false;
    drawComparison($("#compare-body"), comparison);
    $("#compare-card").scrollIntoView();
  } catch (error) {
    notice(`Could not compare: ${error.message}`);
  }
}

function drawComparison(box, comparison) {
  const [, ...body] = comparison.rows;
  const kpiHead = el("tr", {}, el("th", {}, "Figure"), comparison.labels.map((l) => el("th", { class: "num" }, l)));
  const kpiRows = comparison.kpis.map((k) => el("tr", {}, el("td", {}, figure(k.label)),
    k.values.map((v) => el("td", { class: "num" }, figureValue(k.label, v)))));
  const counts = body[body.length - 1];
  const calendarBox = el("div", { class: "compare-calendar", "data-testid": "compare-calendar" });
  box.replaceChildren(
    comparison.warnings.length ? el("ul", { class: "warn" }, comparison.warnings.map((w) => el("li", {}, `⚠ ${w}`))) : "",
    el("h3", {}, "Key figures"),
    el("table", { "data-testid": "kpis" }, el("thead", {}, kpiHead), el("tbody", {}, kpiRows)),
    el("p", {}, `${counts[0]}: ${counts.slice(2).join(", ")}`),
    el("h3", {}, `Every change per exercise (${comparison.differences.length})`),
    comparison.differences.length
      ? el("ul", { class: "diff", "data-testid": "differences" }, comparison.differences.map((d) => el("li", {}, `${d.plan}: ${d.exercise_id} ${changeWords(d)}`)))
      : el("p", {}, "No exercise differs."),
    el("h3", {}, "The plans on one calendar, one lane each"),
    calendarBox);
  const base = planOf(result);
  const reference = base || { venues: {}, partners: {}, regions: { venue: {}, partner: {} }, goals: [], blackouts: [], programme: "" };
  const changed = {};
  for (const d of comparison.differences) (changed[d.exercise_id] = changed[d.exercise_id] || []).push(`${d.plan}: ${changeWords(d)}`);
  const start = comparison.plans.map((p) => p.planning_start).sort()[0];
  const end = comparison.plans.map((p) => p.planning_end).sort().slice(-1)[0];
  const model = calendarModel({ ...reference, planning_start: start, planning_end: end,
    programme_id: reference.programme_id || comparison.labels.join("|") },
  comparison.plans.map((p) => ({ label: p.label, events: withNames(p, reference) })), { changed });
  new PlannerCalendar(calendarBox, null).show(model);
}

// --- who is signed in, and the audit log ---------------------------------------------

let entered = false;

function showSignIn() {
  $("#sign-in-card").hidden = false;
  $("#work").hidden = true;
  $("#who-box").hidden = true;
  $("#sign-in-name").focus();
}

async function signIn(event) {
  event.preventDefault();
  $("#sign-in-error").textContent = "";
  try {
    const signed = await post("/api/session", { name: $("#sign-in-name").value, password: $("#sign-in-password").value });
    $("#sign-in-password").value = "";
    enter(signed);
  } catch (error) {
    $("#sign-in-error").textContent = error.message;
  }
}

async function signOut() {
  try { await api("/api/session", { method: "DELETE" }); } catch (_) { /* signed out anyway */ }
  location.hash = "";
  location.reload();
}

async function enter(who) {
  me = who;
  document.body.dataset.role = who.role;
  $("#sign-in-card").hidden = true;
  $("#work").hidden = false;
  $("#who-box").hidden = who.via === "open";
  $("#who").textContent = `${who.name} (${who.role})`;
  if (entered) return;
  entered = true;
  api("/api/info").then((info) => { $("#engine-name").textContent = info.engine; }).catch(() => {});
  const match = location.hash.match(/run=([0-9a-f]{32})/);
  let opened = null;
  if (match) opened = await api(`/api/runs/${match[1]}`).catch(() => null);
  await loadProgrammes(opened ? opened.programme_id : null);
  if (opened) follow(opened);
  else history.replaceState(null, "", "#");
}

async function refreshAudit() {
  if (document.body.dataset.role !== "admin") return;
  let entries = [];
  try {
    entries = await api("/api/audit");
  } catch (_) {
    return;
  }
  $("#audit tbody").replaceChildren(...entries.map((entry) => el("tr", {},
    el("td", {}, local(entry.at)), el("td", {}, entry.user || "–"),
    el("td", {}, entry.action), el("td", {}, entry.target), el("td", {}, entry.detail),
    el("td", {}, entry.address))));
}

// --- start ------------------------------------------------------------------------------

function start() {
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  setupUpload();
  $("#solve-form").addEventListener("submit", solve);
  $("#freeze").addEventListener("input", sayFreeze);
  $("#sweep-form").addEventListener("submit", sweep);
  $("#study-form").addEventListener("submit", study);
  $("#cancel").addEventListener("click", cancel);
  $("#compare-button").addEventListener("click", compareSelected);
  $("#programme-pick").addEventListener("change", () => openProgramme($("#programme-pick").value));
  $("#large-text").addEventListener("change", () => {
    document.body.classList.toggle("large", $("#large-text").checked);
    if (calendar && shownTab === "calendar") calendar.draw();
    if (shownTab === "budgets" && result) drawSpendChart(planOf(result));
  });
  api("/api/me").then(enter).catch(() => {});
}

document.addEventListener("DOMContentLoaded", start);

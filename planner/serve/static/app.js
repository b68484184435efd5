"use strict";
// The planner page: upload, validate, solve with live progress, read the
// result, compare runs, keep the history. Everything goes through /api.

const $ = (selector) => document.querySelector(selector);
const FINAL = new Set(["done", "cancelled", "failed"]);
// Okabe-Ito: told apart with colour blindness; every bar also carries text.
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
  "#F0E442", "#000000", "#999999"];
const STATE_WORDS = { queued: "⏳ queued", running: "▶ running", done: "✔ done",
  cancelled: "■ cancelled", failed: "✖ failed" };
const DAY_MS = 86400000;
// Every chart's Plotly config: no "Share chart" button to Plotly's cloud and
// no address to send to, no editing, no logo; the data never leaves the page.
const PLOT_CONFIG = Object.freeze({
  responsive: true, displaylogo: false, showSendToCloud: false, plotlyServerURL: "",
  editable: false, modeBarButtonsToRemove: ["sendChartToCloud"],
});

let upload = null;       // the current upload, as /api/uploads returns it
let current = null;      // the run shown in Progress and Result
let stream = null;       // the EventSource of the current run
let result = null;       // the current run's result (view.json)
let shownPlan = 0;       // what-if: which plan is shown

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
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

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 401 && path !== "/api/session") showSignIn();
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch (_) { /* not JSON */ }
    throw new Error(detail);
  }
  return response.status === 204 ? null : response.json();
}

const number = (value) => (value === null || value === undefined ? "–" :
  Math.round(value).toLocaleString("en-GB"));
const percent = (value) => (value === null || value === undefined ? "–" :
  `${(value * 100).toFixed(2)} %`);
const seconds = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(1)} s`);

// --- upload and findings -------------------------------------------------------

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
  });
}

async function send(file) {
  notice("");
  const form = new FormData();
  form.append("file", file);
  $("#upload-summary").textContent = `Reading ${file.name}…`;
  $("#upload-result").hidden = false;
  try {
    showUpload(await api("/api/uploads", { method: "POST", body: form }));
  } catch (error) {
    $("#upload-summary").textContent = "";
    notice(`${file.name} was not accepted: ${error.message}`);
  }
}

function showUpload(data) {
  upload = data;
  const validation = data.validation;
  $("#upload-result").hidden = false;
  $("#upload-summary").textContent = validation.valid
    ? `${data.file_name} is valid: ${validation.summary}.`
    : `${data.file_name} has ${validation.errors.length} error(s); correct them in Excel and upload it again.`;
  $("#upload-summary").className = validation.valid ? "good" : "bad";
  fillFindings("#errors-block", "#error-count", validation.errors, "error");
  fillFindings("#warnings-block", "#warning-count", validation.warnings, "warning");
  $("#solve-card").hidden = !validation.valid;
  const what = $("#what");
  what.replaceChildren(el("option", { value: "" }, "The base programme"));
  for (const name of validation.scenarios) {
    what.append(el("option", { value: `scenario:${name}` }, `Scenario: ${name}`));
  }
  if (validation.scenarios.length) {
    what.append(el("option", { value: "whatif" }, "The base and every scenario (what-if)"));
  }
}

function fillFindings(block, count, findings, word) {
  $(block).hidden = !findings.length;
  $(count).textContent = `${findings.length} ${word}${findings.length === 1 ? "" : "s"}`;
  $(`${block} tbody`).replaceChildren(...findings.map((f) =>
    el("tr", {}, el("td", {}, f.sheet), el("td", {}, f.cell || "–"), el("td", {}, f.message))));
}

// --- solving and progress ----------------------------------------------------------

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

async function solve(event) {
  event.preventDefault();
  notice("");
  const what = $("#what").value;
  const body = { upload_id: upload.upload_id, ...formOptions(),
    whatif: what === "whatif",
    scenario: what.startsWith("scenario:") ? what.slice(9) : null };
  try {
    const run = await api("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) });
    follow(run);
    refreshHistory();
  } catch (error) {
    notice(`The run could not start: ${error.message}`);
  }
}

const MANY_WORDS = { whatif: "base and every scenario", sweep: "sweep of what-ifs", study: "robustness study" };

function runTitle(run) {
  const plan = MANY_WORDS[run.kind] || (run.scenario ? `scenario ${run.scenario}` : "base");
  return `${run.file_name}, ${plan}`;
}

// The workbook and options of ``run`` in "Plan it", so it can be run again
// with other options, after a restart too.
async function recall(run) {
  if (!upload || upload.upload_id !== run.upload_id) {
    try {
      showUpload(await api(`/api/uploads/${run.upload_id}`));
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
    const run = await api("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ upload_id: upload.upload_id, ...formOptions(), ...body }) });
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
    notice("Solve the base first: the study re-plans against a committed plan.");
    return;
  }
  submitMany(event, { study: { committed_run: committed, samples: Number($("#study-samples").value || 20),
    seed: Number($("#study-seed").value || 0) } });
}

function fillCommitted(runs) {
  const plans = runs.filter((run) => run.kind === "solve" && (run.files || []).includes("schedule.json"));
  const chosen = $("#study-plan").value;
  $("#study-plan").replaceChildren(...plans.map((run) =>
    el("option", { value: run.id }, `${run.file_name}, ${run.scenario || "base"}, ${run.created.slice(0, 16).replace("T", " ")}`)));
  if (plans.some((run) => run.id === chosen)) $("#study-plan").value = chosen;
}

function drawMany(box, data) {
  if (data.kind === "sweep") {
    box.replaceChildren(el("h3", {}, "Variants, most harmful first"),
      el("table", { "data-testid": "ranking" }));
    table("#many-result table", ["Rank", "Variant", "What changes", "Status", "Objective lost", "Exercises lost", "Moved"],
      data.impacts.map((i, n) => [n + 1, i.name, i.description, i.status,
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
    el("h3", {}, "Exercises, the most fragile first"), el("table", { id: "fates", "data-testid": "fates" }),
    el("h3", {}, "Goals"), el("table", { id: "goal-odds", "data-testid": "goal-odds" }));
  table("#fates", ["Exercise", "Name", ...data.fates], data.exercises.map((e) =>
    [e.exercise_id, e.name, ...data.fates.map((f) => share(e.counts[f] || 0))]), [2, 3, 4, 5]);
  table("#goal-odds", ["Goal", "Kind", "Met in the plan", "Still met"], data.goals.map((g) =>
    [g.goal_id, g.kind, g.met_in_plan ? "yes" : "no", share(g.met)]), [3]);
}

function follow(run) {
  if (stream) stream.close();
  current = run;
  recall(run);
  history.replaceState(null, "", `#run=${run.id}`);
  showProgress(run);
  $("#result-card").hidden = true;
  if (FINAL.has(run.state)) { loadResult(run); return; }
  stream = new EventSource(`/api/runs/${run.id}/events`);
  stream.onmessage = (message) => {
    const snapshot = JSON.parse(message.data);
    current = snapshot;
    showProgress(snapshot);
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

function showProgress(run) {
  $("#progress-card").hidden = false;
  $("#progress-title").textContent = runTitle(run);
  const live = run.live || {};
  let state = STATE_WORDS[run.state] || run.state;
  if (run.state === "queued" && run.queue_position) state += ` (number ${run.queue_position} in line)`;
  $("#p-state").textContent = state;
  $("#p-stage").textContent = FINAL.has(run.state) ? "finished" : (live.stage || "waiting");
  $("#p-elapsed").textContent = seconds(run.elapsed_s);
  const finished = FINAL.has(run.state);
  $("#p-best").textContent = number(finished && run.objective !== null ? run.objective : live.objective);
  $("#p-bound").textContent = number(finished && run.bound !== null ? run.bound : live.bound);
  $("#p-gap").textContent = percent(finished && run.gap !== null ? run.gap : live.gap);
  $("#p-lines").replaceChildren(...(live.lines || []).map((line) => el("li", {}, line)));
  $("#p-runs-box").hidden = !live.runs;
  if (live.runs) $("#p-runs").textContent = `${live.runs[0]} of ${live.runs[1]}`;
  $("#cancel").hidden = finished;
  $("#cancel").textContent = run.kind === "solve" ? "Cancel (keep the best plan)" : "Cancel (stops every plan)";
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

// --- the result ----------------------------------------------------------------------

async function loadResult(run) {
  $("#result-card").hidden = false;
  $("#result-title").textContent = runTitle(run);
  $("#result-message").textContent = run.message || STATE_WORDS[run.state];
  const planned = run.state === "done" && (run.objective !== null || run.kind === "sweep" || run.kind === "study");
  $("#result-message").className = `message ${planned ? "good" : "bad"}`;
  $("#result-downloads").replaceChildren(...(run.files || []).map((name) =>
    el("a", { href: `/api/runs/${run.id}/files/${name}`, download: "", "data-testid": `download-${name}` },
      `⬇ ${name}`)));
  try {
    result = await api(`/api/runs/${run.id}/result`);
  } catch (_) {
    result = null;
  }
  shownPlan = 0;
  drawResult();
}

function planOf(data) {
  if (!data) return null;
  if (data.kind === "whatif") return data.plans.length ? data.plans[shownPlan].plan : null;
  return data.plan;
}

function drawResult() {
  const tabs = $("#plan-tabs");
  const whatif = result && result.kind === "whatif";
  tabs.hidden = !whatif;
  if (whatif) {
    tabs.replaceChildren(...result.plans.map((plan, index) => el("button", {
      role: "tab", "aria-selected": String(index === shownPlan),
      onclick: () => { shownPlan = index; drawResult(); } }, `${plan.name}: ${plan.plan.status}`)));
  }
  const plan = planOf(result);
  const many = result && (result.kind === "sweep" || result.kind === "study");
  $("#many-result").hidden = !many;
  if (many) drawMany($("#many-result"), result);
  list("#plan-warnings", (result && !many && result.warnings) || []);
  $("#plan-body").hidden = !plan;
  const compareBox = $("#whatif-compare");
  compareBox.hidden = !(whatif && result.comparison);
  if (whatif && result.comparison) {
    drawComparison(compareBox, result.comparison);
  }
  if (!plan) return;
  const held = plan.events.length > 0;
  for (const part of ["#gantt", ".modes", ".grid2"]) $(part).hidden = !held;
  if (held) drawGantt(plan);
  table("#terms", ["Term", `Contribution (${plan.currency || "currency"})`],
    [...Object.entries(plan.terms).map(([name, value]) => [name, number(value)]),
      ["total", number(plan.objective)]], [1]);
  table("#spend", ["Who", "Spend", "Budget", "Used"], plan.spend.map((s) => [
    s.name, number(s.spend), s.budget === null ? "no cap" : number(s.budget),
    s.budget ? `${Math.round((100 * s.spend) / s.budget)} %${s.spend > s.budget ? " OVER" : ""}` : "–"]), [1, 2, 3]);
  table("#goals", ["Goal", "Kind", "Hard", "Target", "Achieved", "Met", "Why not"], plan.goals.map((g) => [
    g.id, g.kind, g.hard ? "hard" : "soft", g.target, g.achieved, g.met ? "✔ met" : "✖ not met", g.reason || (g.met ? "" : "not explained")]), [3, 4]);
  table("#left-out", ["Exercise", "Name", "Kind", "Value", "Why left out"], plan.left_out.map((e) => [
    e.exercise_id, e.name, e.kind, e.value, e.reason || "not explained (tick “Say why for every exercise left out”)"]), [3]);
  if (!plan.left_out.length) $("#left-out").replaceChildren(el("tr", {}, el("td", {}, "Every exercise is held.")));
  list("#conflict", [...plan.conflict, ...plan.frozen]);
  const violations = result.kind === "whatif" ? result.plans[shownPlan].violations : result.violations;
  list("#violations", violations || []);
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

function addDay(date) {
  return new Date(Date.parse(date) + DAY_MS).toISOString().slice(0, 10);
}

function colours(ids) {
  const map = {};
  ids.forEach((id, i) => { map[id] = PALETTE[i % PALETTE.length]; });
  return map;
}

// One bar per (row, event); traces by venue so the legend names the colours,
// and every bar also says its exercise or venue in words.
function barTraces(items, venueNames, venueColour, outside = false) {
  const byVenue = {};
  for (const item of items) (byVenue[item.venue] = byVenue[item.venue] || []).push(item);
  return Object.entries(byVenue).map(([venue, group]) => ({
    type: "bar", orientation: "h", name: plain(venueNames[venue] ? `${venue} ${venueNames[venue]}` : venue),
    y: group.map((g) => plain(g.row)), base: group.map((g) => g.start),
    x: group.map((g) => Date.parse(addDay(g.end)) - Date.parse(g.start)),
    text: group.map((g) => plain(g.text)), textposition: outside ? "outside" : "inside",
    insidetextanchor: "start", textangle: 0, cliponaxis: false,
    hovertext: group.map((g) => g.hover), hoverinfo: "text",
    marker: { color: venueColour[venue], line: { color: "#000", width: 1 },
      pattern: { shape: group.map((g) => g.pattern || "") } },
  }));
}

function blackoutTrace(blackouts, rowOf) {
  const rows = blackouts.filter((b) => rowOf(b));
  return {
    type: "bar", orientation: "h", name: "Unavailable (blackout)",
    y: rows.map((b) => plain(rowOf(b))), base: rows.map((b) => b.start),
    x: rows.map((b) => Date.parse(addDay(b.end)) - Date.parse(b.start)),
    hovertext: rows.map((b) => `Unavailable ${b.start} to ${b.end}${b.reason ? `: ${plain(b.reason)}` : ""}`),
    hoverinfo: "text",
    marker: { color: "rgba(120,120,120,0.35)", line: { color: "#555", width: 1 }, pattern: { shape: "x", fgcolor: "#555" } },
  };
}

function drawGantt(plan) {
  const mode = document.querySelector("input[name=mode]:checked").value;
  const venueColour = colours(Object.keys(plan.venues));
  const hover = (e) => `<b>${plain(e.exercise_id)}</b> ${plain(e.name)}<br>${e.start} to ${e.end}` +
    `<br>at ${plain(e.venue_name)}<br>partners: ${plain(e.participants.join(", ")) || "none"}` +
    `${e.mandatory ? "<br>mandatory" : ""}`;
  let rows = [];
  let items = [];
  let traces = [];
  if (mode === "exercise") {
    rows = plan.events.map((e) => `${e.exercise_id}`);
    items = plan.events.map((e) => ({ row: e.exercise_id, start: e.start, end: e.end, venue: e.venue_id,
      text: e.venue_id, hover: hover(e) }));
    traces = barTraces(items, plan.venues, venueColour, true);
  } else if (mode === "partner") {
    rows = Object.entries(plan.partners).map(([id, name]) => `${id} ${name}`);
    const label = Object.fromEntries(Object.entries(plan.partners).map(([id, name]) => [id, `${id} ${name}`]));
    items = plan.events.flatMap((e) => e.participants.map((p) => ({ row: label[p], start: e.start, end: e.end,
      venue: e.venue_id, text: e.exercise_id, hover: hover(e) })));
    traces = [blackoutTrace(plan.blackouts, (b) => (b.owner_kind === "partner" ? label[b.owner_id] : null)),
      ...barTraces(items, plan.venues, venueColour)];
  } else {
    rows = Object.entries(plan.venues).map(([id, name]) => `${id} ${name}`);
    const label = Object.fromEntries(Object.entries(plan.venues).map(([id, name]) => [id, `${id} ${name}`]));
    items = plan.events.map((e) => ({ row: label[e.venue_id], start: e.start, end: e.end, venue: e.venue_id,
      text: e.exercise_id, hover: hover(e) }));
    traces = [blackoutTrace(plan.blackouts, (b) => (b.owner_kind === "venue" ? label[b.owner_id] : null)),
      ...barTraces(items, plan.venues, venueColour)];
  }
  const layout = {
    barmode: "overlay", height: Math.max(260, 34 * rows.length + 140),
    margin: { l: 160, r: 20, t: 30, b: 50 },
    xaxis: { type: "date", range: [plan.planning_start, addDay(plan.planning_end)], title: "date", gridcolor: "#ddd" },
    yaxis: { type: "category", categoryorder: "array", categoryarray: rows.map(plain), autorange: "reversed", automargin: true },
    legend: { orientation: "h", y: -0.15 }, font: { size: document.body.classList.contains("large") ? 17 : 13 },
  };
  Plotly.react("gantt", traces, layout, PLOT_CONFIG);
  $("#gantt").dataset.bars = String(items.length);
  $("#gantt").dataset.rows = rows.join("|");
}

// --- history and comparison -------------------------------------------------------------

async function refreshHistory() {
  let runs = [];
  try {
    runs = await api("/api/runs");
  } catch (error) {
    notice(`The history could not be read: ${error.message}`);
    return;
  }
  $("#history tbody").replaceChildren(...runs.map((run) => el("tr", { "data-run": run.id },
    el("td", {}, run.kind === "solve" && run.state !== "queued" && run.state !== "running"
      ? el("input", { type: "checkbox", class: "pick", value: run.id, "aria-label": `compare ${runTitle(run)}` }) : ""),
    el("td", {}, run.created.slice(0, 16).replace("T", " ")),
    el("td", { "data-testid": "started-by" }, run.started_by || "–"),
    el("td", {}, run.file_name),
    el("td", {}, { whatif: "what-if (all)", sweep: "sweep", study: "robustness" }[run.kind] || run.scenario || "base"),
    el("td", { class: "state" }, `${STATE_WORDS[run.state] || run.state}${run.status ? ` (${run.status})` : ""}`),
    el("td", { class: "num" }, number(run.objective)),
    el("td", { class: "num" }, percent(run.gap)),
    el("td", { class: "actions" },
      el("button", { onclick: () => follow(run), "data-testid": "open" }, "Open"),
      el("button", { class: "needs-planner", onclick: () => rerun(run), title: "Again with the options set in “Plan it”" }, "Re-run"),
      el("button", { class: "danger needs-admin", onclick: () => remove(run) }, "Delete")))));
  fillCommitted(runs);
  refreshAudit();
}

async function rerun(run) {
  try {
    const body = { ...formOptions(), scenario: run.scenario };
    const again = await api(`/api/runs/${run.id}/rerun`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
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
      $("#progress-card").hidden = true;
      $("#result-card").hidden = true;
    }
    refreshHistory();
  } catch (error) {
    notice(error.message);
  }
}

async function compareSelected() {
  const ids = [...document.querySelectorAll(".pick:checked")].map((box) => box.value).reverse();
  if (ids.length < 2) { notice("Tick two or more finished solves to compare."); return; }
  notice("");
  try {
    const comparison = await api("/api/compare", { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ runs: ids }) });
    $("#compare-card").hidden = false;
    drawComparison($("#compare-body"), comparison);
    $("#compare-card").scrollIntoView();
  } catch (error) {
    notice(`Could not compare: ${error.message}`);
  }
}

function drawComparison(box, comparison) {
  const [header, ...body] = comparison.rows;
  const kpiHead = el("tr", {}, el("th", {}, "Figure"), comparison.labels.map((l) => el("th", { class: "num" }, l)));
  const kpiRows = comparison.kpis.map((k) => el("tr", {}, el("td", {}, k.label),
    k.values.map((v) => el("td", { class: "num" }, v === null ? "–" : (typeof v === "number" ? number(v) : v)))));
  const counts = body[body.length - 1];
  box.replaceChildren(
    comparison.warnings.length ? el("ul", { class: "warn" }, comparison.warnings.map((w) => el("li", {}, `⚠ ${w}`))) : "",
    el("h3", {}, "Key figures"),
    el("table", { "data-testid": "kpis" }, el("thead", {}, kpiHead), el("tbody", {}, kpiRows)),
    el("p", {}, `${counts[0]}: ${counts.slice(2).join(", ")}`),
    el("h3", {}, `Every change per exercise (${comparison.differences.length})`),
    comparison.differences.length
      ? el("ul", { class: "diff", "data-testid": "differences" }, comparison.differences.map((d) => el("li", {}, d.text)))
      : el("p", {}, "No exercise differs."),
    el("h3", {}, "Calendars, one above the other"),
    ...comparison.plans.map((plan, index) => el("div", { class: "chart compare-chart", id: `${box.id}-cal-${index}` })));
  const exercises = [];
  for (const plan of comparison.plans) for (const e of plan.events || []) if (!exercises.includes(e.exercise_id)) exercises.push(e.exercise_id);
  const start = comparison.plans.map((p) => p.planning_start).sort()[0];
  const end = comparison.plans.map((p) => p.planning_end).sort().slice(-1)[0];
  const venues = [...new Set(comparison.plans.flatMap((p) => (p.events || []).map((e) => e.venue_id)))].sort();
  const venueColour = colours(venues);
  comparison.plans.forEach((plan, index) => {
    const changed = {};
    for (const d of comparison.differences) if (d.plan === plan.label) (changed[d.exercise_id] = changed[d.exercise_id] || []).push(d.text);
    const items = (plan.events || []).map((e) => ({ row: e.exercise_id, start: e.start, end: e.end, venue: e.venue_id,
      text: changed[e.exercise_id] ? `${e.venue_id} (changed)` : e.venue_id,
      pattern: changed[e.exercise_id] ? "/" : "",
      hover: `<b>${plain(e.exercise_id)}</b><br>${e.start} to ${e.end}<br>at ${plain(e.venue_id)}` +
        `<br>partners: ${plain(e.participants.join(", "))}` +
        (changed[e.exercise_id] ? `<br>${changed[e.exercise_id].map(plain).join("<br>")}` : "") }));
    const names = {};
    Plotly.newPlot(`${box.id}-cal-${index}`, barTraces(items, names, venueColour, true), {
      title: { text: plain(`${plan.label}: ${plan.status}`) }, barmode: "overlay",
      height: Math.max(240, 26 * exercises.length + 130), margin: { l: 120, r: 20, t: 50, b: 40 },
      xaxis: { type: "date", range: [start, addDay(end)] },
      yaxis: { type: "category", categoryorder: "array", categoryarray: exercises.map(plain), autorange: "reversed" },
      showlegend: index === 0, legend: { orientation: "h", y: -0.12 },
    }, PLOT_CONFIG);
  });
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
    const me = await api("/api/session", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: $("#sign-in-name").value, password: $("#sign-in-password").value }) });
    $("#sign-in-password").value = "";
    enter(me);
  } catch (error) {
    $("#sign-in-error").textContent = error.message;
  }
}

async function signOut() {
  try { await api("/api/session", { method: "DELETE" }); } catch (_) { /* signed out anyway */ }
  location.hash = "";
  location.reload();
}

function enter(me) {
  document.body.dataset.role = me.role;
  $("#sign-in-card").hidden = true;
  $("#work").hidden = false;
  $("#who-box").hidden = me.via === "open";
  $("#who").textContent = `${me.name} (${me.role})`;
  if (entered) return;
  entered = true;
  api("/api/info").then((info) => { $("#engine-name").textContent = info.engine; }).catch(() => {});
  refreshHistory();
  const match = location.hash.match(/run=([0-9a-f]{32})/);
  if (match) api(`/api/runs/${match[1]}`).then(follow).catch(() => history.replaceState(null, "", "#"));
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
    el("td", {}, entry.at.slice(0, 19).replace("T", " ")), el("td", {}, entry.user || "–"),
    el("td", {}, entry.action), el("td", {}, entry.target), el("td", {}, entry.detail),
    el("td", {}, entry.address))));
}

// --- start ------------------------------------------------------------------------------

function start() {
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  setupUpload();
  $("#solve-form").addEventListener("submit", solve);
  $("#sweep-form").addEventListener("submit", sweep);
  $("#study-form").addEventListener("submit", study);
  $("#cancel").addEventListener("click", cancel);
  $("#compare-button").addEventListener("click", compareSelected);
  for (const radio of document.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => { const plan = planOf(result); if (plan) drawGantt(plan); });
  }
  $("#large-text").addEventListener("change", () => {
    document.body.classList.toggle("large", $("#large-text").checked);
    const plan = planOf(result);
    if (plan) drawGantt(plan);
  });
  api("/api/me").then(enter).catch(() => {});
}

document.addEventListener("DOMContentLoaded", start);

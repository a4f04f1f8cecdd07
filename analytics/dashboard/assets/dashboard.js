/* Log Analytics dashboard: renders the report dict of `python -m analytics report --format json`.
 *
 * Live (served by `python -m analytics dashboard`): asks /api/status twice a second (the
 * server answers from memory); on a new commit it fetches /api/report?from=&to=&top= and
 * updates every panel in place (Plotly.react, table bodies swapped in one go): no reload,
 * no flicker.
 * One file (`report --format html`): the report is inline in #report-data; nothing is fetched.
 */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const embedded = $("report-data");
  const STATIC = embedded !== null;
  const body = document.body;

  // numbers are shown the same in every browser locale: 1,234,567 and 12.35
  const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const DEC = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // decimals: a quantity that is not a count (a mean, a ratio, seconds) keeps two, even when whole
  const fmt = (v, decimals) => (v === null || v === undefined ? "–" : Number.isInteger(v) && !decimals ? INT.format(v) : DEC.format(v));
  const COLORS = { main: "#3b6fb6", second: "#e08a2e", ok: "#3f9b5a", redirect: "#3b6fb6", client: "#e08a2e", server: "#c8453b" };
  const PLOT_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
  const FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#2b2f36" };

  function layout(extra) {
    return Object.assign({
      margin: { l: 48, r: 16, t: 8, b: 36 }, font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      showlegend: false, bargap: 0.2, xaxis: { automargin: true }, yaxis: { automargin: true, rangemode: "tozero", gridcolor: "#e3e6ea" },
    }, extra || {});
  }

  function plot(id, traces, extra) {
    if (typeof Plotly === "undefined") return;
    Plotly.react($(id), traces, layout(extra), PLOT_CONFIG);
  }

  function setText(id, value) {
    const el = $(id);
    const text = fmt(value, false);
    if (el.textContent !== text) el.textContent = text;
    el.dataset.v = value === null || value === undefined ? "" : String(value);
  }

  function cell(tag, value, cls, decimals) {
    const td = document.createElement(tag);
    if (typeof value === "number" || value === null) {
      td.textContent = fmt(value, decimals);
      td.dataset.v = value === null ? "" : String(value);
      td.className = "num";
    } else {
      td.textContent = value;
      td.title = value;
    }
    if (cls) td.classList.add(cls);
    return td;
  }

  /* Replace a table's body in one step (no empty state in between). rows: arrays of cells. */
  function fillTable(id, rows, emptyText) {
    const table = $(id);
    const old = table.tBodies[0];
    const fresh = document.createElement("tbody");
    if (!rows.length) {
      const tr = fresh.insertRow();
      const td = cell("td", emptyText || "none");
      td.colSpan = table.tHead ? table.tHead.rows[0].cells.length : 2;
      td.className = "muted";
      tr.appendChild(td);
    }
    for (const row of rows) {
      const tr = document.createElement("tr");
      for (const c of row) tr.appendChild(c instanceof Node ? c : cell("td", c));
      fresh.appendChild(tr);
    }
    table.replaceChild(fresh, old);
  }

  function barCell(value, max) {
    const td = document.createElement("td");
    td.className = "barcell";
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = (max > 0 ? (100 * value) / max : 0).toFixed(1) + "%";
    td.appendChild(bar);
    return td;
  }

  function ranked(id, rows, key) {
    const max = rows.length ? Math.max(...rows.map((r) => r.count)) : 0;
    fillTable(id, rows.map((r, i) => [cell("td", i + 1, "rank"), cell("td", r[key], "key"), cell("td", r.count), barCell(r.count, max)]));
  }

  const DECIMAL_KEYS = new Set(["mean", "stddev"]);
  function keyValues(id, obj, labels) {
    fillTable(id, Object.keys(obj).map((k) => [cell("th", (labels && labels[k]) || k), cell("td", obj[k], null, DECIMAL_KEYS.has(k))]));
  }

  function statusColor(code) {
    const c = String(code)[0];
    return c === "2" ? COLORS.ok : c === "3" ? COLORS.redirect : c === "4" ? COLORS.client : c === "5" ? COLORS.server : "#888";
  }

  const SIZE_LABELS = { count: "responses with a size", null_count: "responses without a size (-)", sum: "bytes in all",
                        mean: "mean", stddev: "standard deviation", min: "smallest", max: "largest" };

  function render(rep) {
    const lines = rep.lines, cs = rep.content_size_stats, nf = rep.not_found;
    setText("lines-total", lines.total);
    setText("lines-records", lines.records);
    setText("lines-rejected", lines.rejected);
    setText("unique-hosts", rep.unique_hosts);
    setText("unique-hosts-big", rep.unique_hosts);
    setText("nf-count", nf.count);
    setText("bytes-sum", cs.sum);

    const range = rep.range;
    $("range-note").textContent = range
      ? `Days ${range.from || "first"} to ${range.to || "last"}, inclusive. Rejected lines have no date: they are counted over the whole input.`
      : "The whole history.";

    // 1. content size
    keyValues("t-content-size", cs, SIZE_LABELS);

    // 2. missing values
    const mv = rep.missing_values;
    const columns = Object.keys(mv);
    plot("c-missing", [{ type: "bar", x: columns, y: columns.map((c) => mv[c]),
                         marker: { color: columns.map((c) => (c === "rejected_lines" ? COLORS.server : COLORS.main)) },
                         hovertemplate: "%{x}: %{y:,}<extra></extra>" }],
         { xaxis: { automargin: true, tickangle: -35 } });
    keyValues("t-missing", mv);
    setText("rejected-lines", mv.rejected_lines);

    // 3. status codes
    // JavaScript orders an object's numeric keys by value: back to the report's order, by count
    const codes = Object.keys(rep.status_codes).sort((a, b) => rep.status_codes[b] - rep.status_codes[a] || (a < b ? -1 : a > b ? 1 : 0));
    const requests = codes.reduce((s, c) => s + rep.status_codes[c], 0);
    plot("c-status", [{ type: "bar", x: codes, y: codes.map((c) => rep.status_codes[c]), marker: { color: codes.map(statusColor) },
                        hovertemplate: "%{x}: %{y:,}<extra></extra>" }], { xaxis: { type: "category", automargin: true } });
    fillTable("t-status", codes.map((c) => [c, rep.status_codes[c],
      cell("td", requests ? (100 * rep.status_codes[c] / requests).toFixed(1) + " %" : "–", "num")]));

    // 4-6. ranked lists
    ranked("t-hosts", rep.frequent_hosts, "host");
    ranked("t-endpoints", rep.frequent_endpoints, "endpoint");
    ranked("t-errors", rep.top_error_endpoints, "endpoint");

    // 8. unique hosts per day
    const du = rep.daily_unique_hosts;
    plot("c-daily-unique", [{ type: "bar", x: du.map((r) => r.date), y: du.map((r) => r.unique_hosts), marker: { color: COLORS.main },
                              hovertemplate: "%{x}: %{y:,} hosts<extra></extra>" }], { xaxis: { type: "category", automargin: true } });
    fillTable("t-daily-unique", du.map((r) => [r.date, r.unique_hosts]));

    // 9. requests per host per day
    const rph = rep.daily_requests_per_host;
    plot("c-daily-rph", [
      { type: "bar", name: "requests", x: rph.map((r) => r.date), y: rph.map((r) => r.requests), marker: { color: COLORS.main },
        hovertemplate: "%{x}: %{y:,} requests<extra></extra>" },
      { type: "scatter", mode: "lines+markers", name: "requests per host", x: rph.map((r) => r.date),
        y: rph.map((r) => r.avg_requests_per_host), yaxis: "y2", line: { color: COLORS.second },
        hovertemplate: "%{x}: %{y:.2f} per host<extra></extra>" },
    ], { showlegend: true, legend: { orientation: "h", y: 1.12 }, margin: { l: 56, r: 48, t: 24, b: 36 },
         xaxis: { type: "category", automargin: true },
         yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false, title: { text: "per host" } } });
    fillTable("t-daily-rph", rph.map((r) => [r.date, r.requests, r.unique_hosts, cell("td", r.avg_requests_per_host, null, true)]));

    // 10. 404s
    plot("c-nf-daily", [{ type: "bar", x: nf.daily.map((r) => r.date), y: nf.daily.map((r) => r.count), marker: { color: COLORS.client },
                          hovertemplate: "%{x}: %{y:,}<extra></extra>" }], { xaxis: { type: "category", automargin: true } });
    plot("c-nf-hourly", [{ type: "bar", x: nf.hourly.map((r) => r.hour), y: nf.hourly.map((r) => r.count), marker: { color: COLORS.client },
                           hovertemplate: "%{x}:00: %{y:,}<extra></extra>" }],
         { xaxis: { range: [-0.5, 23.5], dtick: 2, title: { text: "hour" } } });
    fillTable("t-nf-daily", nf.daily.map((r) => [r.date, r.count]));
    fillTable("t-nf-hourly", nf.hourly.map((r) => [r.hour, r.count]));
    ranked("t-nf-endpoints", nf.top_endpoints, "endpoint");
    ranked("t-nf-hosts", nf.top_hosts, "host");
    $("nf-note").textContent = `${fmt(nf.count)} responses`;
  }

  function timeText(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const d = new Date(seconds * 1000);
    return d.toLocaleString(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function renderHealth(progress) {
    const rows = progress || [];
    $("health-empty").hidden = rows.length > 0;
    $("c-health").hidden = rows.length === 0;
    const asc = rows.slice().reverse();
    if (rows.length) {
      plot("c-health", [
        { type: "bar", name: "lines", x: asc.map((r) => r.batch_id), y: asc.map((r) => r.lines), marker: { color: COLORS.main },
          hovertemplate: "batch %{x}: %{y:,} lines<extra></extra>" },
        { type: "bar", name: "rejected", x: asc.map((r) => r.batch_id), y: asc.map((r) => r.rejected), marker: { color: COLORS.server },
          hovertemplate: "batch %{x}: %{y:,} rejected<extra></extra>" },
        { type: "scatter", mode: "lines+markers", name: "seconds", x: asc.map((r) => r.batch_id), y: asc.map((r) => r.seconds),
          yaxis: "y2", line: { color: COLORS.second }, hovertemplate: "batch %{x}: %{y:.1f} s<extra></extra>" },
        { type: "scatter", mode: "lines", name: "behind (messages)", x: asc.map((r) => r.batch_id), y: asc.map((r) => r.behind),
          line: { color: "#7a5bb5", dash: "dot" }, hovertemplate: "batch %{x}: %{y:,} behind<extra></extra>" },
      ], { barmode: "group", showlegend: true, legend: { orientation: "h", y: 1.15 }, margin: { l: 56, r: 48, t: 24, b: 36 },
           xaxis: { title: { text: "batch" }, automargin: true, type: "category" },
           yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false, title: { text: "seconds" } } });
    }
    fillTable("t-health", rows.map((r) => [r.batch_id, timeText(r.finished_at), r.lines, r.rejected, cell("td", r.seconds, null, true),
      cell("td", r.seconds ? Math.round(r.lines / r.seconds) : null), r.behind]), "no stream batches yet");
  }

  // ---------------------------------------------------------------------------------- one file
  if (STATIC) {
    const data = JSON.parse(embedded.textContent);
    body.dataset.mode = "static";
    $("range").hidden = true;
    $("api-link").hidden = true;
    $("source").textContent = data.output;
    $("freshness").textContent = data.batch_id === null || data.batch_id === undefined
      ? `written ${timeText(data.written_at)}`
      : `batch ${data.batch_id}, committed ${timeText(data.fresh_at)} · written ${timeText(data.written_at)}`;
    render(data.report);
    renderHealth(data.progress);
    body.dataset.renders = "1";
    return;
  }

  // ---------------------------------------------------------------------------------- live
  let status = null;          // the newest status pushed by the server
  let shownKey = null;        // the commit and query of the report on the page
  let requested = 0;          // sequence number of the newest report request
  let renders = 0;

  function query() {
    const q = new URLSearchParams();
    for (const name of ["from", "to", "top"]) if ($(name).value) q.set(name, $(name).value);
    return q.toString();
  }

  function showMessage(text, kind) {
    const m = $("message");
    m.hidden = !text;
    m.textContent = text || "";
    m.className = "message " + (kind || "");
  }

  function commitKey(s) { return s && s.batch_id !== null ? `${s.batch_id}@${s.committed_at}` : null; }

  async function loadReport() {
    const q = query();
    const key = `${commitKey(status)}?${q}`;
    const seq = ++requested;
    body.classList.add("updating");
    try {
      const response = await fetch("/api/report" + (q ? "?" + q : ""), { cache: "no-store" });
      const payload = await response.json();
      if (seq !== requested) return;  // a newer request is on its way
      if (response.ok) {
        render(payload);
        body.dataset.renderedAt = String(Date.now());  // for the tests and bench/bench_dashboard.py
        shownKey = key;
        renders += 1;
        body.dataset.mode = "live";
        body.dataset.batch = status && status.batch_id !== null ? String(status.batch_id) : "";
        body.dataset.query = q;
        body.dataset.renders = String(renders);
        showMessage(status && status.error ? status.error : "");
      } else if (response.status === 404) {
        body.dataset.mode = "waiting";
        showMessage(`Waiting for the first committed batch at ${status ? status.output : "the output"}…`, "info");
      } else {
        showMessage(payload.error || `error ${response.status}`, "error");
        body.dataset.error = payload.error || String(response.status);
      }
    } catch (e) {
      if (seq === requested) showMessage(`cannot reach the dashboard server: ${e}`, "error");
    } finally {
      if (seq === requested) body.classList.remove("updating");
    }
  }

  function freshness() {
    const el = $("freshness");
    if (!status) return;
    const live = status.live ? "live" : "reconnecting…";
    if (status.batch_id === null) {
      el.textContent = `${live} · no batch committed yet`;
      return;
    }
    const ago = Math.max(0, Math.round(Date.now() / 1000 - status.fresh_at));
    const agoText = ago < 120 ? `${ago} s ago` : ago < 7200 ? `${Math.round(ago / 60)} min ago` : `${Math.round(ago / 3600)} h ago`;
    el.textContent = `${live} · batch ${status.batch_id} · committed ${timeText(status.fresh_at)} (${agoText})`;
    el.dataset.age = String(ago);
    el.classList.toggle("stale", !status.live);
  }

  function setBounds(days) {
    for (const name of ["from", "to"]) {
      const input = $(name);
      input.min = days ? days[0] : "";
      input.max = days ? days[1] : "";
    }
  }

  function onStatus(s) {
    s.live = true;
    if (!status || commitKey(status) !== commitKey(s)) body.dataset.statusAt = String(Date.now());  // told of a new commit
    status = s;
    $("source").textContent = s.output;
    setBounds(s.days);
    renderHealth(s.progress);
    freshness();
    if (s.error) showMessage(s.error, "error");
    if (s.batch_id === null) {  // nothing to fetch yet
      body.dataset.mode = "waiting";
      if (!s.error) showMessage(`Waiting for the first committed batch at ${s.output}…`, "info");
    } else if (`${commitKey(s)}?${query()}` !== shownKey) loadReport();
  }

  function onRangeChange() {
    const q = query();
    history.replaceState(null, "", q ? "?" + q : location.pathname);
    $("api-link").href = "/api/report" + (q ? "?" + q : "");
    loadReport();
  }

  // the range and top from the address, so a view can be bookmarked or shared
  const params = new URLSearchParams(location.search);
  for (const name of ["from", "to", "top"]) if (params.get(name)) $(name).value = params.get(name);
  $("api-link").href = "/api/report" + (query() ? "?" + query() : "");
  $("range").addEventListener("change", onRangeChange);
  $("range").addEventListener("submit", (e) => { e.preventDefault(); onRangeChange(); });
  $("whole").addEventListener("click", () => { $("from").value = ""; $("to").value = ""; onRangeChange(); });

  const POLL_MS = 500;  // the server answers from memory: cheap
  async function poll() {
    try {
      const response = await fetch("/api/status", { cache: "no-store" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const s = await response.json();
      if (!status || !status.live || s.version !== status.version || s.output !== status.output) onStatus(s);
    } catch (e) {
      if (status) { status.live = false; freshness(); }
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }
  poll();
  setInterval(freshness, 1000);
})();

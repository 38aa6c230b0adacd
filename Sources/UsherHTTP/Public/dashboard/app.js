/*
 * Usher's ops dashboard: plain JavaScript, no build step, nothing loaded from anywhere but this Usher.
 * The ops token lives in sessionStorage (this tab only) and travels in the Authorization header, never in a URL;
 * that is also why the live feed is read with fetch() rather than EventSource, which cannot send headers.
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var SVG = "http://www.w3.org/2000/svg";
  var session = { site: sessionStorage.getItem("usher.site"), token: sessionStorage.getItem("usher.token") };
  var state = { history: null, live: [], capacity: null, stream: null, refresh: null, queue: "*", period: "live" };
  var LIVE_POINTS = 3600; // live samples kept for the chart (an hour at one per second)

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ "Authorization": "Bearer " + session.token }, options.headers || {});
    return fetch("/v1/sites/" + encodeURIComponent(session.site) + path, options);
  }

  function json(response) {
    return response.json().then(function (body) {
      if (!response.ok) {
        var error = new Error((body && body.error && body.error.message) || response.statusText);
        error.status = response.status;
        throw error;
      }
      return body;
    });
  }

  // Sign-in ------------------------------------------------------------------------------------------------
  $("login").addEventListener("submit", function (event) {
    event.preventDefault();
    session = { site: $("login-site").value.trim(), token: $("login-token").value };
    $("login-error").textContent = "";
    api("/capacity").then(json).then(function (capacity) {
      sessionStorage.setItem("usher.site", session.site);
      sessionStorage.setItem("usher.token", session.token);
      $("login-token").value = "";
      open(capacity);
    }, function (error) {
      $("login-error").textContent = error.status === 401 || error.status === 403 ? "That token does not open this site." :
        error.status === 404 ? "No such site." : "Usher did not answer: " + error.message;
    });
  });

  $("logout").addEventListener("click", function () {
    sessionStorage.removeItem("usher.site");
    sessionStorage.removeItem("usher.token");
    location.reload();
  });

  function open(capacity) {
    $("login").hidden = true;
    $("board").hidden = false;
    $("logout").hidden = false;
    $("site-name").textContent = session.site;
    showNow(capacity);
    load();
  }

  // Period and queue -----------------------------------------------------------------------------------------
  $("period").addEventListener("change", function () {
    state.period = $("period").value;
    $("custom").hidden = state.period !== "custom";
    if (state.period !== "custom") load();
  });
  $("apply").addEventListener("click", load);
  $("queue").addEventListener("change", function () { state.queue = $("queue").value; draw(); });

  function period() {
    var now = Date.now();
    var spans = { live: 3600e3, "6h": 6 * 3600e3, "24h": 24 * 3600e3, "7d": 7 * 86400e3 };
    if (state.period === "custom") {
      var from = Date.parse($("from").value), to = Date.parse($("to").value);
      if (isNaN(from) || isNaN(to) || from >= to) return null;
      return { from: from, to: to };
    }
    return { from: now - spans[state.period], to: now };
  }

  function stepFor(span) {
    // About 300 points at most, in whole minutes.
    return Math.max(60, Math.ceil(span / 300 / 60000) * 60);
  }

  function load() {
    var p = period();
    if (!p) { status("Choose a start before the end."); return; }
    var query = "?from=" + new Date(p.from).toISOString() + "&to=" + new Date(p.to).toISOString() + "&step=" + stepFor(p.to - p.from);
    $("csv").href = "#";
    $("csv").onclick = function (event) { event.preventDefault(); download(query); };
    api("/capacity/history" + query).then(json).then(function (history) {
      state.history = history;
      state.live = [];
      queues(Object.keys(history.series));
      draw();
      status("History " + new Date(p.from).toLocaleString() + " – " + new Date(p.to).toLocaleString() +
        " · " + history.storage.minutes + " stored minutes, " + size(history.storage.bytes) + " read from Redis");
    }, fail);
    clearInterval(state.refresh);
    stopStream();
    if (state.period === "live") {
      startStream();
      state.refresh = setInterval(function () {
        // The history's counts (issued, withheld, response times) arrive per minute.
        api("/capacity/history" + liveQuery()).then(json).then(function (history) { state.history = history; draw(); }, function () {});
      }, 60000);
    }
  }

  function liveQuery() {
    var now = Date.now();
    return "?from=" + new Date(now - 3600e3).toISOString() + "&to=" + new Date(now).toISOString() + "&step=60";
  }

  function download(query) {
    api("/capacity/history" + query + "&format=csv").then(function (response) { return response.blob(); }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = session.site + "-history.csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
    }, fail);
  }

  function queues(names) {
    var select = $("queue");
    var known = Array.prototype.map.call(select.options, function (o) { return o.value; });
    names.concat(Object.keys((state.capacity && state.capacity.queues) || {})).forEach(function (name) {
      if (name !== "*" && known.indexOf(name) < 0) {
        known.push(name);
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name;
        select.appendChild(option);
      }
    });
  }

  // Live feed: Server-Sent Events read from a fetch body -----------------------------------------------------
  function startStream() {
    var controller = new AbortController();
    state.stream = controller;
    var badge = $("live");
    api("/capacity/stream", { signal: controller.signal, headers: { "Accept": "text/event-stream" } }).then(function (response) {
      if (!response.ok || !response.body) throw new Error("stream refused: " + response.status);
      badge.hidden = false;
      badge.className = "badge";
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error("stream ended");
          buffer += decoder.decode(chunk.value, { stream: true });
          var end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            handle(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      if (state.stream !== controller) return;
      badge.className = "badge stale";
      setTimeout(function () { if (state.stream === controller) startStream(); }, 2000);
    });
  }

  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
    $("live").hidden = true;
  }

  function handle(block) {
    var event = "message", data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) event = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
    });
    if (event === "capacity" && data) {
      var capacity = JSON.parse(data);
      showNow(capacity);
      state.live.push({ t: Date.now(), capacity: capacity });
      if (state.live.length > LIVE_POINTS) state.live.shift();
      draw();
    } else if (event === "error") {
      stopStream();
      status("The live feed stopped: " + data);
    }
  }

  // Numbers now ------------------------------------------------------------------------------------------------
  function view(capacity) {
    if (state.queue === "*" || !capacity.queues || !capacity.queues[state.queue]) return capacity;
    return capacity.queues[state.queue];
  }

  function showNow(capacity) {
    state.capacity = capacity;
    var v = view(capacity);
    $("now-free").textContent = v.slots.free;
    $("now-held").textContent = v.slots.held;
    $("now-chats").textContent = v.slots.chats;
    $("now-total").textContent = v.slots.total;
    $("now-waiting").textContent = v.waiting;
    $("now-agents").textContent = v.agents.available;
    queues([]);
    var rows = Object.keys(capacity.queues || {}).sort().map(function (name) {
      var q = capacity.queues[name];
      var error = q.estimate && q.estimate.medianAbsoluteErrorSeconds != null ? Math.round(q.estimate.medianAbsoluteErrorSeconds) + " s" : "–";
      return [name, q.slots.free, q.slots.chats, q.waiting, error];
    });
    table("queues", rows);
    var agents = capacity.agents;
    var list = (capacity.agentLoad || []).map(function (a) {
      return [a.agent + " (" + a.status + ")", a.chats + " chatting, " + a.held + " held of " + a.maxChats];
    });
    table("agents", [["available", agents.available], ["away", agents.away], ["draining", agents.draining], ["offline", agents.offline]].concat(list));
  }

  function table(id, rows) {
    var body = $(id).tBodies[0];
    body.textContent = "";
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (cell) {
        var td = document.createElement("td");
        td.textContent = cell;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  // Charts -----------------------------------------------------------------------------------------------------
  function draw() {
    var history = state.history;
    if (!history) return;
    var points = (history.series[state.queue] || history.series["*"] || []);
    var t = function (p) { return Date.parse(p.at); };
    var slots = ["free", "held", "chatting", "slots"].map(function (field, i) {
      var line = points.filter(function (p) { return p[field] != null; }).map(function (p) { return { t: t(p), v: p[field] }; });
      var key = ["free", "held", "chats", "total"][i];
      state.live.forEach(function (sample) {
        var v = view(sample.capacity);
        line.push({ t: sample.t, v: v.slots[key] });
      });
      return { color: "var(--" + key + ")", points: line };
    });
    chart($("slots-chart"), slots);
    var waiting = points.filter(function (p) { return p.waiting != null; }).map(function (p) { return { t: t(p), v: p.waiting }; });
    state.live.forEach(function (sample) { waiting.push({ t: sample.t, v: view(sample.capacity).waiting }); });
    chart($("waiting-chart"), [{ color: "var(--chats)", points: waiting }]);
    chart($("invitations-chart"), [
      { color: "var(--issued)", points: points.map(function (p) { return { t: t(p), v: p.issued }; }) },
      { color: "var(--withheld)", points: points.map(function (p) { return { t: t(p), v: p.withheld }; }) },
    ]);
    chart($("ttfr-chart"), [{ color: "var(--chats)", points: points.filter(function (p) { return p.timeToFirstResponseSeconds != null; })
      .map(function (p) { return { t: t(p), v: p.timeToFirstResponseSeconds }; }) }]);
    var issued = 0, withheld = 0, accepted = 0;
    points.forEach(function (p) { issued += p.issued; withheld += p.withheld; accepted += p.accepted; });
    $("now-invitations").textContent = issued + " / " + withheld;
    $("now-acceptance").textContent = issued > 0 ? Math.round(100 * accepted / issued) + " %" : "–";
  }

  function chart(svg, lines) {
    var width = svg.clientWidth || 600, height = svg.clientHeight || 200;
    var pad = { left: 36, right: 8, top: 8, bottom: 20 };
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.textContent = "";
    var all = [];
    lines.forEach(function (line) { all = all.concat(line.points); });
    var p = period() || { from: Date.now() - 3600e3, to: Date.now() };
    var t0 = p.from, t1 = p.to;
    var max = Math.max(1, Math.max.apply(null, all.map(function (q) { return q.v; }).concat([0])));
    var x = function (t) { return pad.left + (width - pad.left - pad.right) * (t - t0) / Math.max(1, t1 - t0); };
    var y = function (v) { return height - pad.bottom - (height - pad.top - pad.bottom) * v / max; };
    add(svg, "line", { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), "class": "axis" });
    add(svg, "line", { x1: pad.left, y1: y(max), x2: width - pad.right, y2: y(max), "class": "axis" });
    text(svg, 4, y(max) + 4, String(Math.round(max * 10) / 10));
    text(svg, 4, y(0) + 4, "0");
    text(svg, pad.left, height - 4, new Date(t0).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }));
    var endLabel = new Date(t1).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    text(svg, width - pad.right, height - 4, endLabel).setAttribute("text-anchor", "end");
    lines.forEach(function (line) {
      var pts = line.points.filter(function (q) { return q.t >= t0 && q.t <= t1; }).sort(function (a, b) { return a.t - b.t; });
      if (pts.length === 0) return;
      var d = pts.map(function (q, i) { return (i ? "L" : "M") + x(q.t).toFixed(1) + " " + y(q.v).toFixed(1); }).join(" ");
      add(svg, "path", { d: d, fill: "none", stroke: line.color, "stroke-width": 2 });
    });
    if (all.length === 0) text(svg, width / 2 - 30, height / 2, "no data yet");
  }

  function add(svg, name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (attributes.stroke && attributes.stroke.indexOf("var(") === 0) node.style.stroke = attributes.stroke;
    svg.appendChild(node);
    return node;
  }

  function text(svg, xPos, yPos, content) {
    var node = add(svg, "text", { x: xPos, y: yPos });
    node.textContent = content;
    return node;
  }

  function size(bytes) {
    return bytes < 10240 ? bytes + " B" : bytes < 10485760 ? Math.round(bytes / 1024) + " KiB" : Math.round(bytes / 1048576) + " MiB";
  }

  function status(message) { $("status").textContent = message; }

  function fail(error) {
    if (error.status === 401 || error.status === 403) { $("logout").click(); return; }
    status("Usher did not answer: " + error.message);
  }

  window.addEventListener("resize", draw);
  if (session.site && session.token) {
    api("/capacity").then(json).then(open, function () { $("login-site").value = session.site || ""; });
  }
})();

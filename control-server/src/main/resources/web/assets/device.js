"use strict";
const [, , SITE, LINE, DEVICE] = location.pathname.split("/").map(decodeURIComponent);
const BASE = `/api/devices/${encodeURIComponent(SITE)}/${encodeURIComponent(LINE)}/${encodeURIComponent(DEVICE)}`;
document.getElementById("title").textContent = `${DEVICE} · ${SITE} / ${LINE}`;
const commands = new Map();
function renderCommands() {
  const list = [...commands.values()].sort((a, b) => b.sent.localeCompare(a.sent));
  document.getElementById("cmds").replaceChildren(...list.map(o => el("tr", {"data-id": o.id},
    el("td", {class: "mono"}, hhmmss(o.sent)), el("td", {class: "mono"}, o.name),
    el("td", {}, el("span", {class: "badge " + o.state}, o.state)), el("td", {class: "muted"}, o.reason || ""))));
}
function renderDevice(d) {
  const x = d.device;
  const state = !x.online ? "offline" : (x.mode || "running");
  const rows = [["State", el("span", {class: "badge " + state}, state)], ["Agent version", x.agentVersion || "–"],
    ["Agent starts", x.boot == null ? "–" : `${x.boot} (this status is from start ${x.boot})`],
    ["Models", Object.entries(x.models || {}).map(([k, v]) => `${k}: ${v}`).join(", ") || "–"],
    ["Cameras in audit", (x.auditCameras || []).length ? x.auditCameras.join(", ") + " (detect and report, fire nothing)" : "none"],
    ["Config hash", x.configHash || "–"], ["FPS", x.fps == null ? "–" : x.fps.toFixed(1)],
    ["Frames dropped", x.droppedFramesPct == null ? "–" : `${x.droppedFramesPct.toFixed(1)} % (last stats interval)`],
    ["Latency p50 / p99", x.latencyP50Ms == null ? "–" : `${x.latencyP50Ms.toFixed(1)} / ${x.latencyP99Ms.toFixed(1)} ms`],
    ["Outbox depth", x.outboxDepth == null ? "–" : x.outboxDepth], ["CPU temperature", x.cpuTemperatureC == null ? "–" : x.cpuTemperatureC.toFixed(0) + " °C"],
    ["Lot", x.lot || "–"], ["Last seen", `${fmtTime(x.lastSeen)} (${ago(x.lastSeen)})`],
    ["Clock", x.clock == null ? "– (read from the stats it sends)"
      : x.clock.off ? el("span", {class: "clock-off", title: "its rejections and stats are filed at its own time"},
          clockOffset(x.clock) + " the server: give it a time server")
      : `in step with the server (${clockOffset(x.clock)})`]];
  document.getElementById("info").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}
async function load() {
  const d = await api(BASE);
  renderDevice(d);
  for (const c of d.commands) commands.set(c.id, c);
  renderCommands();
  if (d.config && !document.getElementById("config").value) document.getElementById("config").value = d.config;
}
async function send(path, body, msgId, label) {
  say(msgId, label + ": sent, waiting for the device…", "wait");
  try {
    const o = await fetch(BASE + path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    const r = await o.json();
    if (r.error) throw new Error(r.error);
    commands.set(r.id, r); renderCommands();
    if (r.state === "done") {
      say(msgId, r.reason ? `${label}: done — ${r.reason}` : `${label}: done.`, "ok");
      if (r.name === "snapshot") showSnapshot(r.id);
    } else say(msgId, `${label}: ${r.state}${r.reason ? " — " + r.reason : ""}`, "err");
  } catch (e) { say(msgId, `${label}: ${e.message}`, "err"); }
}
function showSnapshot(id) {
  const img = document.getElementById("snapshot");
  img.onerror = () => { img.hidden = true; };
  img.onload = () => { img.hidden = false; };
  img.src = `${BASE}/snapshots/${id}.jpg?t=${Date.now()}`;
}
document.getElementById("fire").addEventListener("submit", ev => { ev.preventDefault();
  send("/test-fire", {valve: Number(document.getElementById("valve").value), pulseMs: Number(document.getElementById("pulse").value)}, "cmd-msg", "Test-fire"); });
document.getElementById("snap").addEventListener("submit", ev => { ev.preventDefault();
  send("/snapshot", {camera: document.getElementById("camera").value.trim()}, "cmd-msg", "Snapshot"); });
document.getElementById("audit-on").addEventListener("click", () => send("/audit", {on: true}, "cmd-msg", "Audit on"));
document.getElementById("audit-off").addEventListener("click", () => send("/audit", {on: false}, "cmd-msg", "Audit off"));
document.getElementById("send-config").addEventListener("click", () => send("/config", {yaml: document.getElementById("config").value}, "cfg-msg", "Configuration"));
ME.ready.then(() => {
  load().catch(e => say("cmd-msg", e.message, "err"));
  const live = document.getElementById("live"), text = document.getElementById("live-text");
  const es = new EventSource("/api/fleet/live");
  es.addEventListener("snapshot", ev => {
    const x = JSON.parse(ev.data).devices.find(d => d.site === SITE && d.line === LINE && d.device === DEVICE);
    if (x) renderDevice({device: x});
    live.className = "live on"; text.textContent = "live";
  });
  es.addEventListener("command", ev => {
    const o = JSON.parse(ev.data);
    if (o.site === SITE && o.line === LINE && o.device === DEVICE) { commands.set(o.id, o); renderCommands(); }
  });
  es.addEventListener("snapshot-image", () => {});
  es.onerror = () => { live.className = "live off"; text.textContent = "reconnecting"; };
});

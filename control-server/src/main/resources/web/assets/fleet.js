"use strict";
function num(v, digits = 0) { return v == null ? "–" : Number(v).toFixed(digits); }
function render(d) {
  const ds = d.devices;
  document.getElementById("n-all").textContent = ds.length;
  document.getElementById("n-on").textContent = ds.filter(x => x.online).length;
  document.getElementById("n-off").textContent = ds.filter(x => !x.online).length;
  const temps = ds.filter(x => x.online && x.cpuTemperatureC != null).map(x => x.cpuTemperatureC);
  document.getElementById("n-temp").textContent = temps.length ? Math.max(...temps).toFixed(0) + "°" : "–";
  const sorted = [...ds].sort((a, b) => (a.online - b.online) || (a.site + a.line + a.device).localeCompare(b.site + b.line + b.device));
  document.getElementById("devices").replaceChildren(...sorted.map(x => {
    const href = `/devices/${encodeURIComponent(x.site)}/${encodeURIComponent(x.line)}/${encodeURIComponent(x.device)}`;
    const state = !x.online ? "offline" : (x.mode || "running");
    const tr = el("tr", {class: "clickable" + (x.online ? "" : " offline"), "data-device": x.device},
      el("td", {}, el("a", {href}, el("b", {}, x.device))), el("td", {}, `${x.site} / ${x.line}`),
      el("td", {}, el("span", {class: "badge " + state}, state),
        ...(x.online && x.auditCameras && x.auditCameras.length
          ? [el("div", {class: "audit-cameras", title: "these cameras detect and report but fire nothing"}, "audit: " + x.auditCameras.join(", "))] : [])),
      el("td", {class: "mono"}, x.agentVersion || "–"),
      el("td", {class: "mono"}, Object.entries(x.models || {}).map(([k, v]) => `${k}: ${v}`).join(" · ") || "–"),
      el("td", {class: "mono"}, (x.configHash || "–").slice(0, 10)),
      el("td", {class: "num"}, num(x.fps, 1)),
      el("td", {class: "num" + (x.droppedFramesPct >= 1 ? " bad" : ""),
        title: "frames the device could not inspect in its last stats interval (inference behind the camera)"},
        x.droppedFramesPct == null ? "–" : `${num(x.droppedFramesPct, x.droppedFramesPct < 10 ? 1 : 0)} %`),
      el("td", {class: "num"}, x.latencyP50Ms == null ? "–" : `${num(x.latencyP50Ms, 1)} / ${num(x.latencyP99Ms, 1)} ms`),
      el("td", {class: "num"}, num(x.outboxDepth)),
      el("td", {class: "num"}, num(x.cpuTemperatureC, 0)),
      el("td", {}, ago(x.lastSeen), ...(x.clock && x.clock.off
        ? [el("div", {class: "clock-off", title: "its clock is off: its rejections and stats are filed at its own time"},
            "clock " + clockOffset(x.clock))] : [])));
    tr.addEventListener("click", ev => { if (ev.target.tagName !== "A") location.href = href; });
    return tr;
  }));
}
function renderDead(d) {
  document.getElementById("dead-panel").hidden = d.count === 0;
  document.getElementById("dead-count").textContent = `(${d.count}${d.count > d.latest.length ? ", latest " + d.latest.length + " shown" : ""})`;
  document.getElementById("dead").replaceChildren(...d.latest.map(x => {
    const again = el("button", {class: "again", "data-id": x.id}, "Store again");
    again.addEventListener("click", () => storeAgain(x.id, again));
    return el("tr", {"data-id": x.id},
      el("td", {}, ago(x.receivedAt)), el("td", {class: "mono"}, x.topic), el("td", {}, x.error),
      el("td", {class: "mono"}, x.payload.length > 300 ? x.payload.slice(0, 300) + "…" : x.payload), el("td", {}, again));
  }));
}
async function storeAgain(id, button) {
  button.disabled = true;
  try {
    await api(`/api/fleet/dead-letters/${id}/store`, "POST");
    say("dead-msg", `Message ${id} stored.`, "ok");
  } catch (e) {
    say("dead-msg", `Message ${id}: ${e.message}`, "err");
  }
  loadDead();
}
function loadDead() {
  fetch("/api/fleet/dead-letters").then(r => r.ok ? r.json() : null).then(d => { if (d) renderDead(d); }).catch(() => {});
}
ME.ready.then(() => {
  loadDead();
  setInterval(loadDead, 30000);
  const live = document.getElementById("live"), text = document.getElementById("live-text");
  const es = new EventSource("/api/fleet/live");
  es.addEventListener("snapshot", ev => { render(JSON.parse(ev.data)); live.className = "live on"; text.textContent = "live"; });
  es.onerror = () => { live.className = "live off"; text.textContent = "reconnecting"; };
});

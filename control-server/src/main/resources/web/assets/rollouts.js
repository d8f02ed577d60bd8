"use strict";
function rolloutCard(r) {
  const actions = el("div", {style: "display:flex;gap:0.6rem"});
  if (r.state === "canary") {
    const p = el("button", {class: "btn primary promote", type: "button"}, "Promote");
    p.addEventListener("click", () => act(r.id, "promote"));
    actions.append(p);
  }
  if (r.state !== "rolled_back") {
    const b = el("button", {class: "btn danger rollback", type: "button"}, "Roll back");
    b.addEventListener("click", () => act(r.id, "rollback"));
    actions.append(b);
  }
  const devs = el("table", {class: "grid"}, el("thead", {}, el("tr", {}, el("th", {}, "Device"), el("th", {}, "State"),
    el("th", {}, "Previous"), el("th", {class: "num"}, "Error rate"), el("th", {}, "Detections/min: current → canary"), el("th", {}, "Detail"))),
    el("tbody", {}, ...r.devices.map(d => el("tr", {"data-device": d.device},
      el("td", {}, `${d.site}/${d.line}/${d.device}`), el("td", {}, el("span", {class: "badge " + d.state}, d.state.replace("_", " "))),
      el("td", {class: "mono"}, d.previousModel || "–"), el("td", {class: "num"}, (d.errorRate == null ? "–" : (d.errorRate * 100).toFixed(1) + " %")
        + (d.errorRateBefore == null ? "" : ` (${(d.errorRateBefore * 100).toFixed(1)} % before)`)),
      el("td", {}, d.comparison.map(c => `${pretty(c.class)} ${c.currentPerMin == null ? "–" : c.currentPerMin.toFixed(1)} → ${c.canaryPerMin == null ? "–" : c.canaryPerMin.toFixed(1)}`).join(" · ") || "no stats yet"),
      el("td", {class: "muted"}, d.detail || "")))));
  const steps = el("ul", {class: "steps"}, ...r.steps.map(s => el("li", {}, el("time", {}, hhmmss(s.at)), el("b", {}, s.by), el("span", {}, `${s.action} — ${s.detail || ""}`))));
  return el("section", {class: "panel rollout", "data-id": r.id, "data-state": r.state},
    el("div", {style: "display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap"},
      el("h1", {}, r.model, " ", el("span", {class: "badge " + r.state}, r.state.replace("_", " "))), actions),
    el("p", {class: "hint"}, `started by ${r.createdBy} at ${fmtTime(r.createdAt)} · halts when a device's errors rise ${(r.maxErrorRate * 100).toFixed(1)} points above its own rate before`),
    el("div", {class: "scroll"}, devs), el("h2", {style: "margin-top:1rem"}, "Steps"), steps);
}
async function act(id, what) {
  try { await api(`/api/rollouts/${encodeURIComponent(id)}/${what}`, "POST", {}); say("msg", what === "promote" ? "Promoting…" : "Rolling back…", "ok"); }
  catch (e) { say("msg", e.message, "err"); }
}
async function loadForm() {
  const [m, f] = await Promise.all([api("/api/models"), api("/api/fleet")]);
  const want = new URLSearchParams(location.search).get("model");
  document.getElementById("model").replaceChildren(...m.models.filter(x => x.state === "valid").map(x =>
    el("option", Object.assign({value: x.id}, x.id === want ? {selected: "selected"} : {}), `${x.name} ${x.version}`)));
  document.getElementById("targets").replaceChildren(...f.devices.map(d => el("label", {class: "target"},
    el("input", {type: "checkbox", value: `${d.site}/${d.line}/${d.device}`}), ` ${d.site}/${d.line}/${d.device}`, el("span", {class: "muted"}, d.online ? "" : " (offline)"))));
}
document.getElementById("start").addEventListener("submit", async ev => {
  ev.preventDefault();
  const devices = [...document.querySelectorAll("#targets input:checked")].map(i => { const [site, line, device] = i.value.split("/"); return {site, line, device}; });
  try {
    await api("/api/rollouts", "POST", {modelId: document.getElementById("model").value, devices,
      maxErrorRate: Number(document.getElementById("max").value) / 100});
    say("msg", "Canary started.", "ok");
  } catch (e) { say("msg", e.message, "err"); }
});
ME.ready.then(() => {
  loadForm().catch(e => say("msg", e.message, "err"));
  const live = document.getElementById("live"), t = document.getElementById("live-text");
  const es = new EventSource("/api/rollouts/live");
  es.addEventListener("snapshot", ev => { const d = JSON.parse(ev.data);
    document.getElementById("rollouts").replaceChildren(...d.rollouts.map(rolloutCard)); live.className = "live on"; t.textContent = "live"; });
  es.onerror = () => { live.className = "live off"; t.textContent = "reconnecting"; };
});

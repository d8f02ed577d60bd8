"use strict";
let progress = {};
let models = [];
const openMistakes = new Set();
function render() {
  document.getElementById("models").replaceChildren(...models.map(m => {
    const p = progress[m.id];
    let val;
    if (m.state === "validating") {
      const bar = el("div", {class: "progress", style: "min-width:10rem"}, el("div", {}));
      bar.firstChild.style.width = (p ? p.percent : 0) + "%";
      val = el("td", {class: "validating", "data-id": m.id}, bar, el("div", {class: "hint"}, p ? `${p.stage}: ${p.message}` : "queued"));
    } else {
      const checks = (m.validation && m.validation.checks) || [];
      val = el("td", {}, ...checks.map(c => el("div", {style: "color:" + (c.ok ? "var(--text)" : "var(--bad)")}, (c.ok ? "✓ " : "✗ ") + c.detail)));
      if (m.validation && m.validation.mistakes) {
        // Loaded only when opened: the picture is large and most visits do not need it. Live updates redraw the
        // table, so which pictures are open is remembered here.
        const img = el("img", {alt: "missed labels and false alarms per class", class: "mistakes"});
        const d = el("details", {class: "mistakes"}, el("summary", {}, "Its mistakes on the labelled set"), img);
        if (openMistakes.has(m.id)) { d.open = true; img.src = m.validation.mistakes; }
        d.addEventListener("toggle", () => {
          if (d.open) { openMistakes.add(m.id); if (!img.getAttribute("src")) img.src = m.validation.mistakes; }
          else openMistakes.delete(m.id);
        });
        val.append(d);
      }
    }
    const deploy = m.state === "valid" ? el("a", {class: "btn small", href: "/rollouts?model=" + encodeURIComponent(m.id)}, "Deploy…") : "";
    const version = el("td", {class: "mono"}, m.version);
    for (const v of m.verifiers || []) {
      version.append(el("div", {class: "hint verifier", title: "sha256 " + v.sha256}, `+ ${v.folder} (checks each ${v.class})`));
    }
    return el("tr", {"data-id": m.id}, el("td", {}, el("b", {}, m.name)), version,
      el("td", {}, el("span", {class: "badge " + m.state}, m.state)), val,
      el("td", {class: "mono", title: m.sha256}, m.sha256.slice(0, 12) + "…"),
      el("td", {}, m.signature ? el("span", {class: "badge ok", title: m.signature}, "Ed25519") : "–"),
      el("td", {}, `${m.uploadedBy} · ${fmtTime(m.uploadedAt)}`), el("td", {}, deploy));
  }));
}
// A card naming verifiers (decision.verify) needs each verifier folder's model.onnx and model.json with it.
document.getElementById("card").addEventListener("change", async () => {
  const box = document.getElementById("verifiers");
  box.replaceChildren();
  const f = document.getElementById("card").files[0];
  if (!f) return;
  let verify = {};
  try { verify = (JSON.parse(await f.text()).decision || {}).verify || {}; } catch (e) { return; } // the server names what is wrong
  for (const [cls, folder] of Object.entries(verify)) {
    for (const [kind, file, accept] of [["onnx", "model.onnx", ".onnx"], ["card", "model.json", ".json,application/json"]]) {
      box.append(el("label", {class: "f"}, `${folder}/${file} (verifier of ${cls}) `,
        el("input", {type: "file", accept: accept, required: "", "data-part": `verify.${folder}.${kind}`})));
    }
  }
});
document.getElementById("upload").addEventListener("submit", ev => {
  ev.preventDefault();
  const fd = new FormData();
  fd.append("onnx", document.getElementById("onnx").files[0]);
  fd.append("card", document.getElementById("card").files[0]);
  for (const input of document.querySelectorAll("#verifiers input[data-part]")) {
    if (input.files[0]) fd.append(input.dataset.part, input.files[0]);
  }
  const ds = document.getElementById("dataset").files[0];
  if (ds) fd.append("dataset", ds);
  const xhr = new XMLHttpRequest();
  const bar = document.getElementById("up-bar"), text = document.getElementById("up-text");
  xhr.upload.onprogress = e => { if (e.lengthComputable) { bar.style.width = (100 * e.loaded / e.total) + "%"; text.textContent = `Uploading ${(e.loaded / 1048576).toFixed(1)} of ${(e.total / 1048576).toFixed(1)} MiB`; } };
  xhr.onload = () => {
    let r = {}; try { r = JSON.parse(xhr.responseText); } catch (e) { r = {error: xhr.statusText}; }
    if (xhr.status === 202) { bar.style.width = "100%"; text.textContent = "Uploaded."; say("up-msg", `${r.name} ${r.version} uploaded; validating…`, "ok"); }
    else { say("up-msg", r.error || ("upload failed: " + xhr.status), "err"); text.textContent = ""; bar.style.width = "0"; }
  };
  xhr.onerror = () => say("up-msg", "the upload was cut off (too large, or the server went away)", "err");
  xhr.open("POST", "/api/models");
  if (ME.user && ME.user.csrf) xhr.setRequestHeader("X-CSRF-Token", ME.user.csrf);
  xhr.send(fd);
});
ME.ready.then(() => {
  const live = document.getElementById("live"), t = document.getElementById("live-text");
  const es = new EventSource("/api/models/live");
  es.addEventListener("snapshot", ev => { const d = JSON.parse(ev.data); models = d.models; progress = d.progress; render(); live.className = "live on"; t.textContent = "live"; });
  es.addEventListener("progress", ev => { const p = JSON.parse(ev.data); progress[p.id] = p; (window.__winnowProgress = window.__winnowProgress || []).push(p.stage + " " + p.percent); render(); });
  es.onerror = () => { live.className = "live off"; t.textContent = "reconnecting"; };
});

"use strict";
// Shared by the control-room pages: who is logged in, the navigation their roles allow, logout, and
// the CSRF header on every change sent with fetch().
const ME = {user: null, ready: null};
const NAV = [
  ["/", "Lines", ["operator", "engineer", "manager"]],
  ["/alarms", "Alarms", ["operator", "engineer", "manager"]],
  ["/gallery", "Gallery", ["operator", "engineer", "manager"]],
  ["/fleet", "Fleet", ["engineer"]],
  ["/models", "Models", ["engineer"]],
  ["/rollouts", "Rollouts", ["engineer"]],
  ["/reports", "Reports", ["manager"]],
  ["/design", "Design lab", ["designer"]],
  ["/desk", "Desk", ["agent"]],
  ["/admin", "Admin", ["admin"]],
];
(function patchFetch() {
  const orig = window.fetch.bind(window);
  window.fetch = (url, opt = {}) => {
    const m = (opt.method || "GET").toUpperCase();
    if (m !== "GET" && m !== "HEAD" && ME.user && ME.user.csrf) {
      opt.headers = Object.assign({}, opt.headers || {}, {"X-CSRF-Token": ME.user.csrf});
    }
    return orig(url, opt);
  };
})();
async function api(url, method = "GET", body) {
  const opt = {method, headers: {"Accept": "application/json"}};
  if (body !== undefined) { opt.headers["Content-Type"] = "application/json"; opt.body = JSON.stringify(body); }
  const r = await fetch(url, opt);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) throw new Error((data && data.error) || `${r.status} ${r.statusText}`);
  return data;
}
function say(id, text, kind) { const m = document.getElementById(id); if (m) { m.textContent = text; m.className = "msg " + (kind || ""); } }
function ago(iso) {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 60) return s + " s ago"; if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago"; return Math.round(s / 86400) + " d ago";
}
function fmtTime(iso) { return iso ? new Date(iso).toLocaleString([], {hour12: false}) : "–"; }
ME.ready = (async () => {
  const nav = document.getElementById("nav");
  try {
    ME.user = await api("/api/me");
  } catch (e) { ME.user = null; }
  const roles = ME.user ? ME.user.roles : [];
  const can = (need) => roles.includes("admin") || need.some(r => roles.includes(r));
  if (nav) {
    const here = location.pathname;
    for (const [href, label, need] of NAV) {
      if (!can(need)) continue;
      const on = href === "/" ? (here === "/" || here.startsWith("/lines")) : here.startsWith(href);
      nav.append(el("a", {href, class: on ? "here" : ""}, label));
    }
  }
  const who = document.getElementById("who");
  if (who && ME.user) {
    who.replaceChildren(el("span", {}, "Signed in as "), el("b", {id: "who-name"}, ME.user.displayName),
      el("span", {class: "muted"}, "(" + ME.user.roles.join(", ") + ")"));
    if (ME.user.via === "session") {
      const out = el("button", {class: "btn small", id: "logout", type: "button"}, "Log out");
      out.addEventListener("click", async () => { await api("/api/logout", "POST"); location.href = "/login"; });
      who.append(out);
    }
  }
  return ME.user;
})();
function canDo(...need) { const r = ME.user ? ME.user.roles : []; return r.includes("admin") || need.some(x => r.includes(x)); }

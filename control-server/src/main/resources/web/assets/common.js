"use strict";
// A browser opens at most six connections to one server, and the live streams of pages already left can stay
// open (a page kept in the back/forward cache): after a few visits to live pages nothing loads any more. So every
// live stream is closed when its page is left, and a page shown again from that cache reloads to get fresh streams.
(() => {
  const open = new Set();
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url, options) { super(url, options); open.add(this); }
    close() { open.delete(this); super.close(); }
  };
  addEventListener("pagehide", () => { for (const s of [...open]) s.close(); });
  addEventListener("pageshow", e => { if (e.persisted) location.reload(); });
})();
// One fixed, clearly distinct colour per known contaminant class (the same on every page and screen);
// classes a new model introduces get the remaining colours by a stable hash of their name.
const CLASS_COLORS = {
  plastic_film: "#4dabf7",        // blue
  polypropylene_twine: "#ff922b", // orange
  straw: "#ffd43b",               // yellow
  string: "#f06595",              // pink
  feather: "#e9ecef",             // white
  coloured_fibre: "#20c997",      // teal
};
const SPARE_COLORS = ["#b197fc", "#a9e34b", "#ff8787", "#66d9e8", "#e599f7", "#c0a070", "#74c0fc", "#fab005"];
const classColors = {};
function colorOf(cls) {
  if (cls in CLASS_COLORS) return CLASS_COLORS[cls];
  if (!(cls in classColors)) {
    let h = 0;
    for (const ch of cls) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    classColors[cls] = SPARE_COLORS[h % SPARE_COLORS.length];
  }
  return classColors[cls];
}
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function pretty(cls) { return cls.replace(/_/g, " "); }
function hhmmss(iso) { return new Date(iso).toLocaleTimeString([], {hour12: false}); }
function startClock() {
  const c = document.getElementById("clock");
  const tick = () => { c.textContent = new Date().toLocaleTimeString([], {hour12: false}); };
  tick();
  setInterval(tick, 1000);
}
/** A device's clock against the server's ({offsetMs, off}: offset = server minus device) in words: "1 h 2 min behind". */
function clockOffset(c) {
  const ms = Math.abs(c.offsetMs), s = Math.floor(ms / 1000);
  const size = ms < 60000 ? (ms / 1000).toFixed(1) + " s"
    : (s >= 3600 ? Math.floor(s / 3600) + " h " : "") + Math.floor(s % 3600 / 60) + " min" + (s < 3600 ? " " + s % 60 + " s" : "");
  return size + (c.offsetMs > 0 ? " behind" : " ahead");
}

"use strict";
const PALETTE = ["#58a6ff", "#f78166", "#3fb950", "#d2a8ff", "#e3b341", "#56d4dd", "#ff7b72", "#a5d6ff", "#7ee787", "#ffa657"];
const classColors = {};
function colorOf(cls) {
  if (!(cls in classColors)) {
    let h = 0;
    for (const ch of cls) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    classColors[cls] = PALETTE[h % PALETTE.length];
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

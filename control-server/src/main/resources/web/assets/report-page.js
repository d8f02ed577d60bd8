(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));

  async function sites() {
    const r = await (await fetch('/api/reports/sites')).json();
    $('site').innerHTML = r.sites.map((s) => '<option>' + esc(s) + '</option>').join('');
    $('zone').value = r.zone;
    const y = new Date(Date.now() - 86400000);
    $('day').value = y.toISOString().slice(0, 10);
  }

  async function list() {
    const r = await (await fetch('/api/reports')).json();
    $('list').innerHTML = r.reports.length === 0 ? '<tr><td colspan="7" class="muted">No reports yet.</td></tr>'
      : r.reports.map((e) => '<tr><td><a class="dl" href="/reports/' + esc(e.id) + '">' + esc(e.day) + '</a></td><td>'
        + esc(e.site) + '</td><td>' + esc(e.zone) + '</td><td>' + esc(new Date(e.generatedAt).toLocaleString())
        + '</td><td>' + esc(e.trigger) + ' (' + (e.millis / 1000).toFixed(1) + ' s)</td><td>' + esc(e.emailedTo || '') + '</td><td>'
        + '<a class="dl" href="/reports/' + esc(e.id) + '">view</a><a class="dl" href="/api/reports/' + esc(e.id) + '/pdf">PDF</a>'
        + '<a class="dl" href="/api/reports/' + esc(e.id) + '/csv">CSV</a></td></tr>').join('');
  }

  async function poll(id) {
    const j = await (await fetch('/api/report-jobs/' + encodeURIComponent(id))).json();
    $('bar').style.width = Math.round(j.progress * 100) + '%';
    $('stage').textContent = j.stage + (j.error ? ': ' + j.error : '') + ' (' + Math.round(j.progress * 100) + '%)';
    if (j.state === 'done') {
      $('stage').innerHTML = 'Done: <a class="dl" href="/reports/' + esc(j.reportId) + '">open the report</a>';
      list();
    } else if (j.state !== 'failed') {
      setTimeout(() => poll(id), 400);
    }
  }

  $('gen').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('job').hidden = false;
    $('bar').style.width = '0';
    const r = await fetch('/api/reports/generate', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({site: $('site').value, day: $('day').value, zone: $('zone').value, email: $('email').checked})});
    const j = await r.json();
    if (!r.ok) { $('stage').textContent = j.error; return; }
    poll(j.id);
  });

  sites().then(list);
})();

'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  let current = null;
  const agentName = () => $('agent').value.trim() || 'agent';
  $('agent').value = localStorage.getItem('winnow.desk.agent') || '';
  fetch('/api/me').then((r) => r.ok ? r.json() : null).then((me) => {
    if (me && me.username && !$('agent').value) $('agent').value = me.username;
  }).catch(() => {});
  $('agent').addEventListener('change', () => localStorage.setItem('winnow.desk.agent', $('agent').value.trim()));

  async function api(method, path, body, type) {
    const opt = {method, headers: {}};
    if (body !== undefined) {
      if (type) { opt.headers['Content-Type'] = type; opt.body = body; }
      else { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
    }
    const r = await fetch(path, opt);
    const text = await r.text();
    const j = text ? JSON.parse(text) : {};
    if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
    return j;
  }
  const say = (t, bad) => { $('msg').textContent = t; $('msg').style.color = bad ? 'var(--bad)' : ''; };
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  const when = (t) => t ? new Date(t).toLocaleString() : '';
  const li = (html, cls) => { const e = document.createElement('li'); e.innerHTML = html; if (cls) e.className = cls; return e; };

  async function status() {
    const s = await api('GET', '/api/desk/status');
    $('mode').className = 'live ' + (s.llm.available ? 'on' : '');
    $('mode-text').textContent = s.llm.available ? 'language model' : 'extractive';
    $('mode').title = s.llm.describe + ' · embeddings: ' + s.embeddings;
    $('doc-count').textContent = s.documents;
  }

  async function inbox() {
    const f = $('filter').value;
    const j = await api('GET', '/api/desk/tickets' + (f ? '?status=' + f : ''));
    const ul = $('tickets');
    ul.innerHTML = '';
    if (!j.tickets.length) ul.append(li('<span class="muted">nothing here</span>'));
    for (const t of j.tickets) {
      const e = li('<span class="badge ' + esc(t.status) + '">' + esc(t.status) + '</span> <b>' + esc(t.customerName || t.customerEmail)
        + '</b><div class="sub">' + esc(t.subject || t.question) + '</div><div class="sub">' + esc(when(t.receivedAt)) + '</div>',
        current && current.ticket.id === t.id ? 'on' : '');
      e.addEventListener('click', () => open(t.id));
      ul.append(e);
    }
  }

  async function docs() {
    const j = await api('GET', '/api/desk/documents');
    const ul = $('docs');
    ul.innerHTML = '';
    for (const d of j.documents) {
      const e = li('<b>' + esc(d.title) + '</b> <span class="muted">' + esc(d.kind) + ' · ' + esc(d.contentType)
        + ' · ' + d.passages + ' passages</span> <button class="link" type="button">remove</button>');
      e.querySelector('button').addEventListener('click', async () => {
        if (!confirm('Remove ' + d.name + '?')) return;
        await api('DELETE', '/api/desk/documents/' + encodeURIComponent(d.id));
        docs(); status();
      });
      ul.append(e);
    }
    $('doc-count').textContent = j.documents.length;
  }

  async function analytics() {
    const a = await api('GET', '/api/desk/analytics');
    const s = (v) => v == null ? '—' : v;
    const mins = (v) => v == null ? '—' : (v / 60).toFixed(1) + ' min';
    const rows = [['questions', a.tickets], ['answered', a.answered], ['median time to answer', mins(a.time_to_answer_median_s)],
      ['mean time to answer', mins(a.time_to_answer_mean_s)], ['approved', a.approved],
      ['approved without edits', a.share_approved_without_edits == null ? '—' : Math.round(a.share_approved_without_edits * 100) + ' %'],
      ['feedback good / poor', a.feedback.up + ' / ' + a.feedback.down]];
    $('analytics').innerHTML = rows.map(([k, v]) => '<dt>' + esc(k) + '</dt><dd>' + esc(s(v)) + '</dd>').join('');
  }

  function render(v) {
    current = v;
    const t = v.ticket;
    $('empty').hidden = true;
    $('ticket').hidden = false;
    $('t-status').textContent = t.status;
    $('t-status').className = 'badge ' + t.status;
    $('t-customer').textContent = (t.customerName ? t.customerName + ' · ' : '') + t.customerEmail;
    $('t-when').textContent = '#' + t.id + ' · ' + when(t.receivedAt) + ' · ' + t.channel + ' · ' + t.language;
    $('t-subject').textContent = t.subject || '';
    $('t-question').textContent = t.question;
    const d = v.draft;
    const done = t.status === 'sent' || t.status === 'sending';
    $('d-body').value = t.finalText && t.status !== 'drafted' ? t.finalText : (d ? d.body : '');
    $('d-body').readOnly = done;
    $('d-version').textContent = d ? 'v' + d.version + ' · ' + d.mode + ' · ' + d.author : '';
    const g = d ? d.guard : null;
    $('d-guard').innerHTML = !g ? '' : g.ok
      ? '<span class="ok">✓ every figure is in its cited source · ' + g.cited + '/' + g.statements + ' statements cited</span>'
      : '<span class="warn">⚠ ' + g.flags.length + ' flag(s) · ' + g.cited + '/' + g.statements + ' statements cited</span>';
    $('d-flags').innerHTML = '';
    if (g) {
      for (const f of g.flags) $('d-flags').append(li('line ' + f.line + ': ' + esc(f.reason)));
      if (!g.known) $('d-flags').append(li('The documents and records do not answer this: edit, or escalate to a specialist.'));
      if (g.note) $('d-flags').append(li(esc(g.note)));
    }
    const src = $('sources');
    src.innerHTML = '';
    (d ? d.sources : []).forEach((s, i) => {
      const e = li('<span class="kind">[' + (i + 1) + '] ' + esc(s.kind) + '</span> <b>' + esc(s.title) + '</b>'
        + (s.link ? ' <a class="muted" target="_blank" href="' + esc(s.link) + '">open</a>' : '')
        + '<pre>' + esc(s.text) + '</pre>');
      e.id = 'src-' + (i + 1);
      src.append(e);
    });
    if (!src.children.length) src.append(li('<span class="muted">—</span>'));
    $('history').innerHTML = '';
    for (const h of v.history) $('history').append(li('#' + h.id + ' <span class="badge ' + esc(h.status) + '">' + esc(h.status)
      + '</span> ' + esc(h.question.slice(0, 90))));
    if (!v.history.length) $('history').append(li('<span class="muted">first question</span>'));
    $('orders').innerHTML = '';
    for (const o of v.orders) $('orders').append(li('<b>' + esc(o.id) + '</b> ' + esc(o.product || '') + ' · ' + esc(o.status)
      + (o.lot ? ' · lot ' + esc(o.lot) : '')));
    if (!v.orders.length) $('orders').append(li('<span class="muted">no orders on record</span>'));
    $('events').innerHTML = '';
    for (const e of v.events) $('events').append(li(esc(when(e.at)) + ' · <b>' + esc(e.actor) + '</b> ' + esc(e.action)
      + (e.detail ? ' <span class="muted">' + esc(e.detail) + '</span>' : '')));
    for (const id of ['b-redraft', 'b-save', 'b-approve', 'b-escalate']) $(id).disabled = done;
    $('b-send').disabled = !(t.status === 'approved' || t.status === 'send_failed');
    $('b-send').textContent = t.status === 'send_failed' ? 'Send again' : 'Send';
    mail(v.mail || []);
  }

  // what became of the e-mail: delivered, waiting for a retry, or failed (never left unsaid)
  function mail(list) {
    const m = list[0];
    const e = $('t-mail');
    e.hidden = !m;
    if (!m) return;
    if (m.state === 'sent') {
      e.className = 'mail ok';
      e.textContent = '✉ E-mailed to ' + m.to + ' at ' + when(m.sentAt) + ' (attempt ' + m.attempts + ')';
    } else if (m.state === 'failed') {
      e.className = 'mail bad';
      e.textContent = '✉ Not sent to ' + m.to + ' after ' + m.attempts + ' attempt(s): ' + (m.lastError || '')
        + ' — correct the problem, then Send again.';
    } else {
      e.className = 'mail wait';
      e.textContent = '✉ Waiting to send to ' + m.to + (m.lastError ? ': attempt ' + m.attempts + ' failed (' + m.lastError
        + '); next attempt ' + when(m.nextAttemptAt) : ' …');
    }
  }

  async function open(id) {
    say('');
    render(await api('GET', '/api/desk/tickets/' + id));
    inbox();
  }

  const act = (fn, okText) => async () => {
    try { say('…'); await fn(); say(okText); } catch (e) { say(e.message, true); }
    inbox(); analytics();
  };
  const id = () => current.ticket.id;
  $('b-redraft').addEventListener('click', act(async () => render(await api('POST', '/api/desk/tickets/' + id() + '/draft', {llm: true})), 'Drafted again.'));
  $('b-save').addEventListener('click', act(async () => render(await api('PUT', '/api/desk/tickets/' + id() + '/draft',
    {text: $('d-body').value, agent: agentName()})), 'Saved; the number guard checked it again.'));
  $('b-approve').addEventListener('click', act(async () => {
    try {
      render(await api('POST', '/api/desk/tickets/' + id() + '/approve', {text: $('d-body').value, agent: agentName()}));
    } catch (e) {
      if (!/number guard/.test(e.message) || !confirm(e.message + '\n\nApprove anyway?')) throw e;
      render(await api('POST', '/api/desk/tickets/' + id() + '/approve', {text: $('d-body').value, agent: agentName(), force: true}));
    }
  }, 'Approved.'));
  $('b-send').addEventListener('click', async () => {
    try {
      say('Sending…');
      const v = await api('POST', '/api/desk/tickets/' + id() + '/send', {agent: agentName()});
      render(v);
      say(v.ticket.status === 'sent' ? 'Sent.' : 'Not sent yet — see the mail line above.', v.ticket.status !== 'sent');
    } catch (e) { say(e.message, true); }
    inbox(); analytics();
  });
  $('b-escalate').addEventListener('click', act(async () => render(await api('POST', '/api/desk/tickets/' + id() + '/escalate',
    {specialist: $('specialist').value, note: $('esc-note').value, agent: agentName()})), 'Escalated with the whole context.'));
  const fb = (r) => act(async () => render(await api('POST', '/api/desk/tickets/' + id() + '/feedback',
    {rating: r, comment: prompt('Comment (optional)') || null, agent: agentName()})), 'Thank you for the feedback.');
  // the agent adds a line the draft lacks: find the passage, cite it; the quote goes into the draft with its
  // number, and the guard checks that line against it like any other
  $('cite-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const hits = $('cite-hits');
    hits.innerHTML = '';
    try {
      const j = await api('POST', '/api/desk/search', {query: $('cite-q').value, k: 5});
      for (const h of j.hits) {
        const e = li('<b>' + esc(h.document) + ' › ' + esc(h.section) + '</b> <button type="button" class="link">Cite</button>'
          + '<div class="muted">' + esc(h.text.slice(0, 220)) + (h.text.length > 220 ? '…' : '') + '</div>');
        e.querySelector('button').addEventListener('click', act(async () => {
          if (!current) throw new Error('open a question first');
          const srcs = current.draft ? current.draft.sources : [];
          const k = srcs.findIndex((x) => x.key === 'doc:' + h.id);
          const n = k >= 0 ? k + 1 : srcs.length + 1;
          const quote = '\u201C' + h.text.replace(/\s*\n+\s*/g, ' ').trim() + '\u201D [' + n + ']';
          const body = $('d-body').value.replace(/\s+$/, '').split('\n');
          const sign = /^(kind regards|best regards|regards|此致)/i.test(body[body.length - 1].trim());
          body.splice(sign ? body.length - 1 : body.length, 0, quote);
          render(await api('POST', '/api/desk/tickets/' + id() + '/sources',
            {passage: h.id, text: body.join('\n'), agent: agentName()}));
        }, 'Cited and checked by the number guard; edit the wording as you like.'));
        hits.append(e);
      }
      if (!j.hits.length) hits.append(li('<span class="muted">no passage found</span>'));
    } catch (e) { say(e.message, true); }
  });
  $('b-up').addEventListener('click', fb(1));
  $('b-down').addEventListener('click', fb(-1));
  $('d-body').addEventListener('click', () => {
    const pos = $('d-body').selectionStart;
    const text = $('d-body').value;
    const line = text.slice(text.lastIndexOf('\n', pos - 1) + 1, (text.indexOf('\n', pos) + 1 || text.length + 1) - 1);
    document.querySelectorAll('.sources-list li').forEach((e) => e.classList.remove('hi'));
    for (const m of line.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
      for (const n of m[1].split(',')) {
        const e = $('src-' + n.trim());
        if (e) { e.classList.add('hi'); e.scrollIntoView({block: 'nearest'}); }
      }
    }
  });

  $('ask-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = Object.fromEntries(new FormData(e.target));
    body.channel = 'agent';
    try {
      say('Drafting…');
      render(await api('POST', '/api/desk/tickets', body));
      e.target.reset();
      $('new-q').open = false;
      say('Received and drafted.');
    } catch (err) { say(err.message, true); }
    inbox(); analytics();
  });
  $('upload-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const f of $('file').files) {
      try {
        say('Uploading ' + f.name + '…');
        const kind = $('kind').value;
        const d = await api('PUT', '/api/desk/documents/' + encodeURIComponent(f.name) + (kind ? '?kind=' + kind : ''),
          f, f.type || 'application/octet-stream');
        say(d.name + ': ' + d.passages + ' passages indexed.');
      } catch (err) { say(err.message, true); }
    }
    docs(); status();
  });
  $('csv-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = $('csv').files[0];
    if (!f) return;
    try { const j = await api('POST', '/api/desk/orders/import', await f.text(), 'text/csv'); say(j.imported + ' orders imported.'); }
    catch (err) { say(err.message, true); }
  });
  $('b-samples').addEventListener('click', async () => {
    try { say('Loading samples…'); await api('POST', '/api/desk/samples', {}); say('Sample documents and orders loaded.'); }
    catch (err) { say(err.message, true); }
    docs(); status();
  });
  $('filter').addEventListener('change', inbox);

  status(); inbox(); docs(); analytics();
  setInterval(() => {
    inbox(); analytics();
    // a mail waiting for a retry: show when it goes (or fails) without a reload
    if (current && current.ticket.status === 'sending') {
      api('GET', '/api/desk/tickets/' + current.ticket.id).then((v) => {
        if (current && v.ticket.id === current.ticket.id && document.activeElement !== $('d-body')) render(v);
      }).catch(() => {});
    }
  }, 15000);
})();

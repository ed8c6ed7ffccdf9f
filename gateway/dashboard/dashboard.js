// The dashboard's script: reads the analytics routes with the pasted key (kept in sessionStorage for
// the tab only), draws them with Chart.js, and reloads (at most every 2 s) when the WebSocket feed
// (subprotocols keel.v1 + keel.bearer.<key>) reports events, once the read model has folded what the
// feed showed (min_position); the platform owner also sees the template rollouts' progress by wave
// (GET /v1/rollouts), and partner and platform keys the support SLA attainment and load. window.keelDashboard says what was drawn (each chart's point count, the
// loads, the errors) for the browser test.
'use strict';

const state = { key: '', charts: {}, loads: 0, updates: 0, errors: [], ready: false, socket: null, pending: false };
window.keelDashboard = state;

const money = (minor) => (minor / 100).toLocaleString('en', { maximumFractionDigits: 0 });
const $ = (id) => document.getElementById(id);
const palette = ['#0b5394', '#38761d', '#b45f06', '#741b47', '#134f5c', '#7f6000', '#cc0000', '#3d85c6'];

// A route's answer; null when the key's scope may not see it (403: the reseller's own figures).
async function api(path) {
  const r = await fetch(path, { headers: { Authorization: 'Bearer ' + state.key } });
  const body = await r.json().catch(() => ({}));
  if (r.status === 403 && path.startsWith('/v1/analytics/') && /reseller/.test(body.detail || '')) return null;
  if (!r.ok) {
    const error = new Error(path + ': ' + r.status + ' ' + (body.detail || body.title || ''));
    error.status = r.status;
    throw error;
  }
  return body;
}

// Days before a YYYY-MM-DD day (business time's today comes from the API, not the browser's clock).
function before(dayText, days) {
  const d = new Date(dayText + 'T00:00:00Z');
  return new Date(d.getTime() - days * 86400000).toISOString().slice(0, 10);
}

function hide(name, why) {
  const card = $('chart-' + name).parentElement;
  let note = card.querySelector('.note');
  if (!note) {
    note = document.createElement('p');
    note.className = 'note';
    card.appendChild(note);
  }
  note.textContent = why;
  $('chart-' + name).hidden = true;
  state.charts[name] = state.charts[name] || { points: 0, hidden: true };
}

function draw(name, config) {
  const points = config.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null && v !== 0).length, 0);
  if (state.charts[name] && state.charts[name].chart) {
    state.charts[name].chart.data = config.data;
    state.charts[name].chart.update('none');
  } else {
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: true }, config.options || {});
    state.charts[name] = { chart: new Chart($('chart-' + name), config) };
  }
  state.charts[name].points = points;
}

function label(item, fields) {
  for (const f of fields) if (item[f]) return item[f];
  return 'all';
}

// Everything, once the read model has folded `seen` (the last event the feed showed: read your writes).
async function load(seen) {
  const today = (await api('/v1/analytics/revenue' + (seen ? '?min_position=' + seen : ''))).to;
  const from = before(today, 179), months = before(today, 364);
  const [series, monthly, segments, risk, onboarding, margin, support] = await Promise.all([
    api('/v1/analytics/revenue?group_by=day&from=' + from),
    api('/v1/analytics/revenue?group_by=month&from=' + months),
    api('/v1/analytics/revenue?group_by=segment&from=' + months),
    api('/v1/analytics/renewal-risk?limit=10'),
    api('/v1/analytics/onboarding'),
    api('/v1/analytics/margin?group_by=segment&from=' + months),
    api('/v1/analytics/support?group_by=tenant&from=' + from),
  ]);
  const last = series.items[series.items.length - 1] || {};
  $('fig-mrr').textContent = money(last.mrr || 0) + ' ' + series.currency;
  $('fig-arr').textContent = money(last.arr || 0) + ' ' + series.currency;
  $('fig-tenants').textContent = String(last.tenants || 0);
  $('fig-lag').textContent = series.projection.lag_events + ' events / ' + series.projection.lag_ms + ' ms';
  state.position = Math.max(state.position || 0, series.projection.position);

  draw('mrr', {
    type: 'line',
    data: {
      labels: series.items.map((i) => i.period),
      datasets: [{ label: 'MRR (' + series.currency + ')', data: series.items.map((i) => i.mrr / 100), borderColor: palette[0], pointRadius: 0 }],
    },
  });
  draw('movements', {
    type: 'bar',
    data: {
      labels: monthly.items.map((i) => i.period),
      datasets: [
        { label: 'new', data: monthly.items.map((i) => i.mrr_movements.new / 100), backgroundColor: palette[1] },
        { label: 'expansion', data: monthly.items.map((i) => i.mrr_movements.expansion / 100), backgroundColor: palette[0] },
        { label: 'contraction', data: monthly.items.map((i) => -i.mrr_movements.contraction / 100), backgroundColor: palette[2] },
        { label: 'churn', data: monthly.items.map((i) => -i.mrr_movements.churn / 100), backgroundColor: palette[6] },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  });
  const gmv = (i) => Object.values(i.gmv).reduce((a, b) => a + b, 0) / 100;
  draw('segments', {
    type: 'bar',
    data: {
      labels: segments.items.map((i) => label(i, ['segment'])),
      datasets: [
        { label: 'orders', data: segments.items.map((i) => i.orders), backgroundColor: palette[0], yAxisID: 'orders' },
        { label: 'GMV', data: segments.items.map(gmv), backgroundColor: palette[1], yAxisID: 'gmv' },
      ],
    },
    options: { scales: { orders: { position: 'left' }, gmv: { position: 'right' } } },
  });
  if (risk) draw('risk', {
    type: 'bar',
    data: {
      labels: risk.items.map((i) => i.tenant),
      datasets: [{ label: 'renewal risk (0-100)', data: risk.items.map((i) => i.score),
                   backgroundColor: risk.items.map((i) => (i.band === 'high' ? '#b00020' : i.band === 'medium' ? '#e69138' : '#6aa84f')) }],
    },
    options: { indexAxis: 'y', scales: { x: { min: 0, max: 100 } } },
  });
  else hide('risk', 'Renewal risk is the reseller\'s figure: a partner or platform key shows it.');
  const body = $('risk-table').querySelector('tbody');
  body.replaceChildren(...(risk ? risk.items : []).map((i) => {
    const tr = document.createElement('tr');
    const factors = Object.entries(i.factors).filter(([, f]) => f.contribution > 0)
      .sort((a, b) => b[1].contribution - a[1].contribution).slice(0, 3)
      .map(([name, f]) => name + ' ' + f.contribution.toFixed(1));
    for (const [text, cls] of [[i.tenant], [String(i.score)], [i.band, 'band-' + i.band], [factors.join(', ')]]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    return tr;
  }));
  // Aggregated: the funnel row; a tenant key gets its tenant's own row (its stage alone).
  const stages = ['onboarding', 'stabilization', 'adoption', 'optimization', 'expansion', 'churned'];
  const funnel = { stages: {} };
  for (const item of onboarding.items) {
    if (item.stages) for (const st of stages) funnel.stages[st] = (funnel.stages[st] || 0) + (item.stages[st] || 0);
    else funnel.stages[item.stage] = (funnel.stages[item.stage] || 0) + 1;
  }
  draw('funnel', {
    type: 'bar',
    data: { labels: stages, datasets: [{ label: 'tenants', data: stages.map((s) => funnel.stages[s] || 0), backgroundColor: palette[4] }] },
  });
  if (margin) draw('margin', {
    type: 'bar',
    data: {
      labels: margin.items.map((i) => label(i, ['segment'])),
      datasets: [
        { label: 'revenue', data: margin.items.map((i) => i.revenue / 100), backgroundColor: palette[0] },
        { label: 'cost to serve', data: margin.items.map((i) => i.cost / 100), backgroundColor: palette[2] },
        { label: 'margin', data: margin.items.map((i) => i.margin / 100), backgroundColor: palette[1] },
      ],
    },
  });
  else hide('margin', 'Margin is the reseller\'s figure: a partner or platform key shows it.');
  draw('integrations', {
    type: 'bar',
    data: {
      labels: support.items.map((i) => i.tenant),
      datasets: [
        { label: 'EDI failures', data: support.items.map((i) => i.integrations.edi.failures), backgroundColor: palette[0] },
        { label: 'marketplace failures', data: support.items.map((i) => i.integrations.marketplace.failures), backgroundColor: palette[2] },
        { label: 'latency breaches', data: support.items.map((i) => i.integrations.edi.latency_breaches + i.integrations.marketplace.latency_breaches), backgroundColor: palette[3] },
        { label: 'open tickets', data: support.items.map((i) => i.open_tickets), backgroundColor: palette[6] },
      ],
    },
  });
  supportSla(await api('/v1/analytics/sla-attainment' + (seen ? '?min_position=' + seen : '')),
             await api('/v1/analytics/support-load'));
  rollouts(await api('/v1/rollouts?limit=10' + (seen ? '&min_position=' + seen : '')).catch((e) => {
    if (e.status === 403) return null;  // the platform owner's
    throw e;
  }));
  state.loads += 1;
  state.ready = true;
}

// Support SLA attainment per partner (targets met and breached), and the support load per tier.
function supportSla(sla, load) {
  const body = $('support-table').querySelector('tbody');
  if (!sla || !load) {
    body.replaceChildren();
    hide('sla', 'Support SLAs are the reseller\'s figures: a partner or platform key shows them.');
    return;
  }
  draw('sla', {
    type: 'bar',
    data: {
      labels: sla.items.map((i) => i.partner),
      datasets: [
        { label: 'first response met', data: sla.items.map((i) => i.first_response.met), backgroundColor: palette[1] },
        { label: 'first response breached', data: sla.items.map((i) => i.first_response.breached), backgroundColor: palette[6] },
        { label: 'resolution met', data: sla.items.map((i) => i.resolution.met), backgroundColor: palette[4] },
        { label: 'resolution breached', data: sla.items.map((i) => i.resolution.breached), backgroundColor: palette[2] },
      ],
    },
    options: { scales: { y: { ticks: { precision: 0 } } } },
  });
  body.replaceChildren(...load.items.map((i) => {
    const tr = document.createElement('tr');
    const minutes = i.mean_resolution_minutes === null ? '-' : String(i.mean_resolution_minutes);
    for (const text of [i.tier, String(i.opened), String(i.open), String(i.resolved), minutes]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

// Each rollout's waves as stacked bars of their tenants' states, and a row per rollout.
function rollouts(list) {
  const body = $('rollout-table').querySelector('tbody');
  if (!list || list.items.length === 0) {
    body.replaceChildren();
    hide('rollouts', list ? 'No template rollout yet (POST /v1/rollouts starts one).' : 'Template rollouts are the platform owner\'s.');
    return;
  }
  $('chart-rollouts').hidden = false;
  const note = $('chart-rollouts').parentElement.querySelector('.note');
  if (note) note.remove();
  const waves = list.items.flatMap((r) => r.waves.map((w) => ({ label: r.id + ' ' + w.name + ' (' + w.status + ')', counts: w.counts })));
  const states = [['upgraded', palette[1]], ['skipped', palette[5]], ['failed', palette[6]], ['pending', '#9aa5b1'],
                  ['rolled_back', palette[3]], ['rollback_failed', '#000']];
  draw('rollouts', {
    type: 'bar',
    data: {
      labels: waves.map((w) => w.label),
      datasets: states.map(([name, colour]) => ({ label: name, data: waves.map((w) => w.counts[name]), backgroundColor: colour })),
    },
    options: { aspectRatio: 5, indexAxis: 'y', scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } } },
  });
  body.replaceChildren(...list.items.map((r) => {
    const tr = document.createElement('tr');
    const moved = r.totals.upgraded + ' moved, ' + r.totals.skipped + ' skipped, ' + r.totals.pending + ' pending of ' + r.totals.tenants;
    for (const text of [r.id, r.status, r.waves.map((w) => w.name + ': ' + w.status).join(', '), moved, String(r.failures.length)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

async function refresh(seen) {
  try {
    await load(seen);
    $('status').textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (e.status === 503) return;  // the read model is behind: the next scheduled reload tries again
    state.errors.push(String(e.message || e));
    $('status').textContent = String(e.message || e);
  }
}

// A reload 2 s after the first event it has not shown; again while the feed is ahead of what is drawn.
function schedule() {
  if (state.pending) return;
  state.pending = true;
  setTimeout(async () => {
    state.pending = false;
    state.updates += 1;
    await refresh(state.seen);
    if ((state.position || 0) < state.seen) schedule();
  }, 2000);
}

// Events on the feed: reload at most every 2 s.
function live() {
  if (state.socket) state.socket.close();
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/ws';
  const socket = new WebSocket(url, ['keel.v1', 'keel.bearer.' + state.key]);
  state.socket = socket;
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: 'subscribe', id: 'dashboard', from: (state.position || 0) + 1 }));
    $('fig-live').textContent = 'on';
  };
  socket.onclose = () => { $('fig-live').textContent = 'off'; };
  socket.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type !== 'event') return;
    state.seen = Math.max(state.seen || 0, msg.position || 0);
    schedule();
  };
}

async function open(key) {
  state.key = key;
  sessionStorage.setItem('keel.key', key);
  $('board').hidden = false;
  await refresh();
  if (state.ready) live();
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  open($('key').value.trim());
});
const kept = sessionStorage.getItem('keel.key');
if (kept) open(kept);

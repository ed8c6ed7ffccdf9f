// The dashboard in a real browser (Debian's chromium driven by playwright-core): starts `keel serve
// --demo` (150 days of history) on a free 127.0.0.1 port, opens /dashboard, pastes the platform
// owner's demo key, and checks that every chart is drawn with data, the risk table is filled, no
// console error or failed request occurred; then places an order over HTTP and waits for the page to
// redraw from the WebSocket feed with one more order, and a rollout started over HTTP drawn by wave; a partner key sees its own book only. Writes a
// screenshot to build/dashboard.png. Bounded: 150 s in all; stops what it starts.
// Usage: node dashboard_test.mjs <keel binary> <playwright-core dir> <screenshot path>
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const [keelBinary, playwrightDir, screenshot] = process.argv.slice(2);
const { chromium } = createRequire(import.meta.url)(path.resolve(playwrightDir));
const OWNER = 'keel_demo_platform_owner_key_0000', PARTNER = 'keel_demo_partner_admin_northwind_0000';
const CHARTS = ['mrr', 'movements', 'segments', 'risk', 'funnel', 'margin', 'integrations', 'sla'];
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); console.log((ok ? 'ok   ' : 'FAIL ') + what); };
const timer = setTimeout(() => { console.error('FAIL: over 150 s'); process.exit(1); }, 150_000);

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(path.join(os.tmpdir(), 'keel-dashboard-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const keel = spawn(keelBinary, ['serve', '--data', path.join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--demo'],
                   { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
keel.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
let browser;
try {
  let ready = false;
  for (let i = 0; i < 240 && !ready; ++i) {
    ready = await fetch(base + '/readyz').then((r) => r.status === 200, () => false);
    if (!ready) await sleep(250);
  }
  if (!ready) throw new Error('keel did not get ready: ' + stderr);

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('requestfailed', (r) => consoleErrors.push('request failed: ' + r.url()));

  await page.goto(base + '/dashboard');
  check(await page.title() === 'Keel analytics', 'the page loads');
  await page.fill('#key', OWNER);
  await page.click('#open');
  await page.waitForFunction(() => window.keelDashboard && (window.keelDashboard.ready || window.keelDashboard.errors.length), null, { timeout: 20_000 });
  const drawn = await page.evaluate(() => ({
    errors: window.keelDashboard.errors,
    points: Object.fromEntries(Object.entries(window.keelDashboard.charts).map(([k, v]) => [k, v.points])),
    risk: document.querySelectorAll('#risk-table tbody tr').length,
    mrr: document.getElementById('fig-mrr').textContent,
  }));
  check(drawn.errors.length === 0, 'no load errors ' + JSON.stringify(drawn.errors));
  for (const c of CHARTS) check((drawn.points[c] || 0) > 0, `chart ${c} has data (${drawn.points[c]})`);
  check(drawn.risk >= 4, `the renewal-risk table lists tenants (${drawn.risk})`);
  check(/[1-9]/.test(drawn.mrr), 'the MRR figure is shown: ' + drawn.mrr);
  await page.waitForFunction(() => document.getElementById('fig-live').textContent === 'on', null, { timeout: 10_000 });

  // Live: an order placed over HTTP shows up without a reload.
  const before = await page.evaluate(() => window.keelDashboard.charts.segments.chart.data.datasets[0].data.reduce((a, b) => a + b, 0));
  const placed = await fetch(base + '/v1/tenants/northwind:acme-dist/orders', {
    method: 'POST', headers: { Authorization: 'Bearer ' + OWNER, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'ord-live-1', customer: 'cust-1', currency: 'EUR', lines: [{ line: 1, sku: 'BOLT-M8', qty: 2 }] }),
  });
  check(placed.status === 201, 'an order is placed over HTTP (' + placed.status + ')');
  await page.waitForFunction((n) => window.keelDashboard.charts.segments.chart.data.datasets[0].data.reduce((a, b) => a + b, 0) > n,
                             before, { timeout: 15_000 }).then(() => check(true, 'the page redrew from the feed with the new order'),
                                                               () => check(false, 'the page redrew from the feed with the new order'));
  check(await page.evaluate(() => window.keelDashboard.updates) >= 1, 'a feed update was counted');
  // Live: a template rollout started over HTTP shows up by wave (the canary's shop moved by the process).
  check(await page.evaluate(() => document.getElementById('chart-rollouts').hidden), 'no rollout is drawn before one starts');
  const rollout = await fetch(base + '/v1/rollouts', {
    method: 'POST', headers: { Authorization: 'Bearer ' + OWNER, 'Content-Type': 'application/json' },
    body: JSON.stringify({ template: 'ecommerce-merchant', version: 2, canary: { partners: ['bluepeak'] }, waves: [100], soak_minutes: 60 }),
  });
  check(rollout.status === 201, 'a rollout is started over HTTP (' + rollout.status + ')');
  await page.waitForFunction(() => (window.keelDashboard.charts.rollouts || {}).chart &&
                                   window.keelDashboard.charts.rollouts.chart.data.datasets[0].data.some((n) => n > 0), null, { timeout: 15_000 })
    .then(() => check(true, 'the rollout is drawn by wave, its canary moved'), () => check(false, 'the rollout is drawn by wave, its canary moved'));
  check(/ecommerce-merchant\.v2/.test(await page.textContent('#rollout-table')), 'the rollout table lists it');
  await page.screenshot({ path: screenshot, fullPage: true });
  check(consoleErrors.length === 0, 'no console errors ' + JSON.stringify(consoleErrors));

  // A partner admin's key: its own book only.
  const partnerPage = await browser.newPage();
  await partnerPage.goto(base + '/dashboard');
  await partnerPage.fill('#key', PARTNER);
  await partnerPage.click('#open');
  await partnerPage.waitForFunction(() => window.keelDashboard.ready || window.keelDashboard.errors.length, null, { timeout: 20_000 });
  const tenants = await partnerPage.evaluate(() => window.keelDashboard.charts.risk.chart.data.labels);
  check(tenants.length > 0 && tenants.every((t) => t.startsWith('northwind:')), 'a partner key sees its own tenants: ' + tenants.join(' '));
  // A tenant operator's key: its tenant's figures; the reseller's own (margin, risk) are not shown.
  const created = await fetch(base + '/v1/keys', {
    method: 'POST', headers: { Authorization: 'Bearer ' + OWNER, 'Content-Type': 'application/json' },
    body: JSON.stringify({ role: 'tenant_operator', partner: 'northwind', tenant: 'northwind:acme-dist', name: 'ops' }),
  }).then((r) => r.json());
  const tenantPage = await browser.newPage();
  tenantPage.on('pageerror', (e) => consoleErrors.push(String(e)));
  await tenantPage.goto(base + '/dashboard');
  await tenantPage.fill('#key', created.token);
  await tenantPage.click('#open');
  await tenantPage.waitForFunction(() => window.keelDashboard.ready || window.keelDashboard.errors.length, null, { timeout: 20_000 });
  const own = await tenantPage.evaluate(() => ({
    errors: window.keelDashboard.errors,
    points: Object.fromEntries(Object.entries(window.keelDashboard.charts).map(([k, v]) => [k, v.points])),
    hidden: ['risk', 'margin', 'sla'].map((k) => document.getElementById('chart-' + k).hidden),
  }));
  check(own.errors.length === 0, 'a tenant key loads without errors ' + JSON.stringify(own.errors));
  check(own.points.mrr > 0 && own.points.funnel > 0 && own.points.segments > 0, 'a tenant key sees its own MRR, stage and orders ' + JSON.stringify(own.points));
  check(own.hidden.every(Boolean), 'a tenant key is not shown margin, renewal risk or support SLAs');
  check(consoleErrors.length === 0, 'no page errors for the tenant key ' + JSON.stringify(consoleErrors));
  // A bad key: a clear message, no chart.
  const badPage = await browser.newPage();
  await badPage.goto(base + '/dashboard');
  await badPage.fill('#key', 'keel_not_a_key');
  await badPage.click('#open');
  await badPage.waitForFunction(() => window.keelDashboard.errors.length > 0, null, { timeout: 10_000 });
  check(/401/.test(await badPage.textContent('#status')), 'a bad key says 401: ' + await badPage.textContent('#status'));
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.error(e);
} finally {
  if (browser) await browser.close().catch(() => {});
  keel.kill('SIGTERM');
  await new Promise((r) => { keel.once('exit', r); setTimeout(r, 10_000); });
  rmSync(dir, { recursive: true, force: true });
  clearTimeout(timer);
}
if (failures.length) { console.error('FAILED:\n  ' + failures.join('\n  ')); process.exit(1); }
console.log('dashboard: all checks passed; screenshot at ' + screenshot);

// Browser test of the delivery console: starts the packaged jar (dev profile, temporary embedded
// database), seeds through the API, then drives headless Debian Chromium with playwright-core.
// Run from the repository root after `./mvnw package`: node console-test/console.test.mjs
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'docs', 'screenshots');
const ADMIN = 'dev-admin-token';
const started = Date.now();
const log = (m) => console.log(`[console-test +${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// A receiver on loopback: /fail answers 500 until switched, /ok answers 200, /later 503 with an hour's
// Retry-After (a delivery that failed once and waits for its retry: a blocked head when ordered).
let failing = true;
const received = [];
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received.push(req.url);
    if (req.url.startsWith('/later')) {
      res.statusCode = 503;
      res.setHeader('Retry-After', '3600');
    } else {
      res.statusCode = req.url.startsWith('/fail') && failing ? 500 : 200;
    }
    res.end();
  });
});

let base;
async function api(method, url, { token, body, basic, form } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  if (basic) headers.Authorization = 'Basic ' + Buffer.from(basic).toString('base64');
  let payload;
  if (form) { headers['Content-Type'] = 'application/x-www-form-urlencoded'; payload = new URLSearchParams(form).toString(); }
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(base + url, { method, headers, body: payload });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** Polls fn until it returns a truthy value or the deadline passes (no fixed sleeps). */
async function until(what, fn, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  mkdirSync(shots, { recursive: true });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${receiver.address().port}`;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;

  log(`starting the jar on port ${port}`);
  const app = spawn('java', ['-Dquarkus.profile=dev', '-Dhookhub.embedded-db.temporary=true', `-Dquarkus.http.port=${port}`,
    '-Dquarkus.http.host=127.0.0.1', '-Dhookhub.delivery.retry-schedule=PT1S', '-Dquarkus.log.level=WARN',
    '-jar', 'target/quarkus-app/quarkus-run.jar'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const appExit = new Promise((resolve) => app.once('exit', resolve));
  let browser;
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'hookhub-chromium-'));
  try {
    await until('the service to be ready', async () => {
      if (app.exitCode !== null) throw new Error('the service exited with ' + app.exitCode);
      try { return (await fetch(base + '/q/health/ready')).status === 200; } catch { return false; }
    }, 120000);
    log('service ready; seeding through the API');

    // ---- seed: org, Admin client, subscriptions, events, one failed delivery ----
    const org = (await api('POST', '/v1/admin/orgs', { token: ADMIN, body: { name: 'Acme Payments' } })).body;
    const client = (await api('POST', `/v1/admin/orgs/${org.id}/clients`, { token: ADMIN,
      body: { name: 'console test', roles: ['Admin'] } })).body;
    const token = (await api('POST', '/oauth/token', { basic: `${client.clientId}:${client.clientSecret}`,
      form: { grant_type: 'client_credentials' } })).body.access_token;
    const create = async (name, url, events, extra = {}) => {
      const r = await api('POST', '/v1/subscriptions', { token, body: { name, url, events, ...extra } });
      check(r.status === 201, `create ${name}: ${r.status}`);
      return r.body;
    };
    const failingSub = await create('Billing ledger', `${hook}/fail/billing`, ['invoice.paid'],
      { description: 'Posts paid invoices to the ledger', headers: { 'X-Team': 'billing' } });
    await create('Orders warehouse', `${hook}/ok/orders`, ['order.created', 'invoice.paid']);
    await create('CRM sync', `${hook}/ok/crm`, ['customer.updated'], { code: 'crm-1' });
    const orderEvents = [];
    for (let i = 0; i < 3; i++) {
      const r = await api('POST', '/v1/events', { token, body: { type: 'order.created', payload: { orderId: i } } });
      check(r.status === 202, 'event');
      orderEvents.push(r.body.id);
    }
    const event = (await api('POST', '/v1/events', { token, body: { type: 'invoice.paid', payload: { invoice: 'INV-7' } } })).body;
    const failedDelivery = await until('the billing delivery to fail for good', async () => {
      const e = (await api('GET', `/v1/events/${event.id}`, { token })).body;
      return e.deliveries.find((d) => d.subscriptionId === failingSub.id && d.status === 'failed');
    });
    log(`seeded; delivery ${failedDelivery.id} failed after ${failedDelivery.attempts} attempts`);
    // The audit trail: 55 changes of one subscription (more than a page of 50), and an erased event.
    const crm = (await api('GET', '/v1/subscriptions?q=CRM', { token })).body.items[0];
    for (let i = 0; i < 55; i++) {
      check((await api('PATCH', `/v1/subscriptions/${crm.id}`, { token, body: { description: `edit ${i}` } })).status === 200, 'patch');
    }
    await until('the first order event to be delivered', async () => {
      const e = (await api('GET', `/v1/events/${orderEvents[0]}`, { token })).body;
      return e.deliveries.every((d) => d.status === 'succeeded');
    });
    const erased = await api('DELETE', `/v1/events/${orderEvents[0]}`, { token });
    check(erased.status === 200 && erased.body.cancelledDeliveries === 0, 'erased a delivered event: ' + JSON.stringify(erased));

    // ---- the browser ----
    // A persistent context is how playwright takes a fresh --user-data-dir (a temporary directory).
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    const context = browser;
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    const foreign = [];
    page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(base + '/console/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Keyboard: focus starts in the first field; Tab walks through the real controls.
    const focused = () => page.evaluate(() => document.activeElement.name || document.activeElement.textContent);
    check(await focused() === 'clientId', 'focus starts on the client id');
    await page.keyboard.press('Tab');
    check(await focused() === 'clientSecret', 'Tab reaches the secret');
    await page.keyboard.press('Tab');
    check(await focused() === 'Sign in', 'Tab reaches the sign-in button');
    await page.screenshot({ path: path.join(shots, 'sign-in.png') });
    await page.getByLabel('Client id').fill(client.clientId);
    await page.getByLabel('Client secret').fill(client.clientSecret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    await page.getByRole('link', { name: 'CRM sync' }).waitFor();
    check(await page.evaluate(() => localStorage.length === 0 && sessionStorage.length === 0 && document.cookie === ''),
      'no token in storage or cookies');
    await page.screenshot({ path: path.join(shots, 'subscriptions.png'), fullPage: true });
    log('signed in with the API client; list shown');

    await page.getByLabel('Search subscriptions').fill('billing');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 shown.').waitFor();
    check(await page.getByRole('link', { name: 'CRM sync' }).count() === 0, 'search filters the list');
    await page.getByRole('link', { name: 'Billing ledger' }).click();
    await page.getByRole('heading', { name: 'Billing ledger' }).waitFor();
    const failedItems = page.locator('ol.timeline li.failed');
    await failedItems.first().waitFor();
    check((await failedItems.first().textContent()).includes('500'), 'the failed attempt shows its 500');
    await page.locator('figure svg').first().waitFor();
    await page.screenshot({ path: path.join(shots, 'subscription-detail.png'), fullPage: true });
    log('found the subscription by search and its failed attempts');

    // Filter, then "Retry now" with the receiver healed: a 200 appears on the timeline.
    await page.getByLabel('Show').selectOption('succeeded');
    await page.getByText('No attempts.').waitFor();
    await page.getByLabel('Show').selectOption('');
    await page.locator('ol.timeline li.failed').first().waitFor();
    failing = false;
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.getByText('Delivery queued again').waitFor();
    await until('the retried attempt to show', async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      try { await page.locator('ol.timeline li.succeeded').first().waitFor({ timeout: 2000 }); return true; } catch { return false; }
    });
    const after = (await api('GET', `/v1/events/${event.id}`, { token })).body.deliveries.find((d) => d.id === failedDelivery.id);
    check(after.status === 'succeeded' && after.attempts === failedDelivery.attempts + 1, 'the retry was one more attempt, and it succeeded');
    log('retried the failed delivery');

    // The event's timeline, then the org overview charts.
    await page.locator('ol.timeline li.succeeded a').first().click();
    await page.getByRole('heading', { name: 'Event invoice.paid' }).waitFor();
    await page.locator('ol.timeline li').nth(2).waitFor();
    await page.screenshot({ path: path.join(shots, 'event-timeline.png'), fullPage: true });
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('img', { name: /Success rate per hour/ }).waitFor();
    await page.screenshot({ path: path.join(shots, 'overview-charts.png'), fullPage: true });

    // Delete through the confirmation dialog, which names what is dropped.
    await page.goto(base + '/console/#/subscriptions/' + failingSub.id);
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const text = await dialog.textContent();
    check(text.includes('queued deliveries') && text.includes('retention'), 'the dialog names what is dropped');
    await page.screenshot({ path: path.join(shots, 'delete-confirm.png') });
    await dialog.getByRole('button', { name: 'Delete subscription' }).click();
    await page.getByText('Deleted “Billing ledger”').waitFor();
    check((await api('GET', `/v1/subscriptions/${failingSub.id}`, { token })).status === 404, 'deleted through /v1');
    log('deleted the subscription through the dialog');

    // The audit trail: newest first, a page of 50 and "Load more", and the action filter.
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    const auditRows = page.locator('table.cards tbody tr');
    await page.getByText('50 records shown, more available.').waitFor();
    check((await auditRows.first().textContent()).includes('subscription.delete'), 'the newest record is the delete');
    check((await auditRows.nth(1).textContent()).includes('event.erase'), 'then the erasure');
    await page.screenshot({ path: path.join(shots, 'audit.png'), fullPage: false });
    await page.getByRole('button', { name: 'Load more' }).click();
    // org.created, client.created, 3 creates, 55 updates, the erasure and the delete.
    await page.getByText('62 records shown.').waitFor();
    check(await page.getByRole('button', { name: 'Load more' }).isHidden(), 'no more pages');
    check((await auditRows.last().textContent()).includes('org.created'), 'the oldest record is the org\'s creation');
    await page.getByLabel('Action', { exact: true }).selectOption('subscription.delete');
    await page.getByText('1 record shown.').waitFor();
    check((await auditRows.first().textContent()).includes(client.clientId), 'the record names its actor');
    await page.getByLabel('Action', { exact: true }).selectOption('subscription.update');
    await page.getByText('50 records shown, more available.').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('55 records shown.').waitFor();
    const actions = await page.locator('table.cards tbody tr td:nth-child(2)').allTextContents();
    check(actions.length === 55 && actions.every((a) => a === 'subscription.update'), 'the filter keeps updates only');
    log('read the audit trail: paged and filtered');

    // Delivery control: an ordered subscription whose first delivery failed once and waits an hour for its retry.
    const ordered = await create('Ledger (ordered)', `${hook}/later/ledger`, ['ledger.entry'],
      { ordering: 'fifo', rateLimit: 5 });
    const entries = [];
    for (let i = 0; i < 2; i++) {
      entries.push((await api('POST', '/v1/events', { token, body: { type: 'ledger.entry', payload: { entry: i } } })).body.id);
    }
    const head = await until('the ordered head to fail once', async () => {
      const e = (await api('GET', `/v1/events/${entries[0]}`, { token })).body;
      return e.deliveries.find((d) => d.status === 'queued' && d.attempts >= 1);
    });
    await page.goto(base + '/console/#/subscriptions/' + ordered.id);
    await page.getByRole('heading', { name: 'Ledger (ordered)' }).waitFor();
    const control = page.locator('.panel.control');
    await control.getByText('running').waitFor();
    const controlText = await control.textContent();
    check(controlText.includes('5 per second') && controlText.includes('fifo') && controlText.includes('Max in flight: 4')
      // The head's 503 is a throttling answer: the engine halved the pace, which recovers from 50 % as time passes.
      && /Pace: [5-9]\d% \(slowed down by the receiver; recovering\)/.test(controlText)
      && /Held: \d+ queued/.test(controlText), 'the control panel: ' + controlText);
    await control.getByRole('button', { name: 'Pause' }).click();
    await control.getByText(/paused since/).waitFor();
    const paused = (await api('GET', `/v1/subscriptions/${ordered.id}`, { token })).body;
    check(paused.paused === true && paused.pausedAt !== null, 'paused through /v1');
    check((await control.textContent()).includes(`Held: ${paused.held} queued`), 'the held count is shown');
    await page.screenshot({ path: path.join(shots, 'delivery-control.png'), fullPage: true });
    await control.getByRole('button', { name: 'Resume' }).click();
    await control.getByText('running').waitFor();
    check((await api('GET', `/v1/subscriptions/${ordered.id}`, { token })).body.paused === false, 'resumed through /v1');

    // Settings: the rate limit, the in-flight bound and the ordering are edited with the rest.
    await page.getByLabel(/^Rate limit/).fill('12');
    await page.getByLabel(/^Max in flight/).fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved: version/).waitFor();
    const saved = (await api('GET', `/v1/subscriptions/${ordered.id}`, { token })).body;
    check(saved.rateLimit === 12 && saved.maxInFlight === 4 && saved.ordering === 'fifo', 'settings saved: ' + JSON.stringify(saved));

    // Skip the blocked head: its attempt on the timeline has the button; the next entry becomes the head.
    const headAttempt = page.locator('ol.timeline li.failed', { hasText: entries[0] }).first();
    await headAttempt.waitFor();
    page.once('dialog', (d) => d.accept());
    await headAttempt.getByRole('button', { name: 'Skip' }).click();
    await page.getByText(/^Skipped: the delivery is cancelled/).waitFor();
    const skipped = (await api('GET', `/v1/events/${entries[0]}`, { token })).body.deliveries.find((d) => d.id === head.id);
    check(skipped.status === 'cancelled', 'the head was skipped: ' + JSON.stringify(skipped));

    // Recover / bulk retry: the next entry, blocked in its turn (failed once, waiting an hour), is queued again, due
    // now; the count is shown.
    await until('the next entry to fail once', async () => {
      const e = (await api('GET', `/v1/events/${entries[1]}`, { token })).body;
      return e.deliveries.find((d) => d.status === 'queued' && d.attempts >= 1);
    });
    await page.getByLabel(/^Event types/).fill('ledger.entry');
    await page.getByRole('button', { name: 'Re-queue failed deliveries' }).click();
    await page.getByText(/^Re-queued 1 delivery published from/).first().waitFor();
    log('paused, resumed and re-configured an ordered subscription, skipped its blocked head and recovered the next');

    // Operator sign-in: the admin token picks the org.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').fill(ADMIN);
    await page.getByRole('button', { name: 'List orgs' }).click();
    await page.getByLabel('Org', { exact: true }).selectOption({ label: `Acme Payments (#${org.number})` });
    await page.getByRole('button', { name: 'Open org' }).click();
    await page.getByText(`operator in Acme Payments (#${org.number})`).waitFor();
    await page.getByRole('link', { name: 'Orders warehouse' }).click();
    await page.getByText('(erased: its payload is gone)').waitFor();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event queued (order.created)').waitFor();
    await page.getByRole('link', { name: /^event / }).click();
    await page.getByRole('heading', { name: 'Event order.created' }).waitFor();
    await until('the test delivery to show', async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      try { await page.locator('ol.timeline li.succeeded').first().waitFor({ timeout: 2000 }); return true; } catch { return false; }
    });
    log('signed in as the operator and sent a test event');

    // Phone width: a second page (its own in-memory session) at 375 px.
    const small = await context.newPage();
    await small.setViewportSize({ width: 375, height: 812 });
    await small.goto(base + '/console/');
    await small.getByLabel('Client id').fill(client.clientId);
    await small.getByLabel('Client secret').fill(client.clientSecret);
    await small.getByRole('button', { name: 'Sign in' }).click();
    await small.getByRole('link', { name: 'Orders warehouse' }).waitFor();
    check(await small.evaluate(() => document.documentElement.scrollWidth <= 375), 'no horizontal scrolling at 375 px');
    await small.screenshot({ path: path.join(shots, 'phone-subscriptions.png'), fullPage: true });

    check(foreign.length === 0, 'no request left the service: ' + foreign.join(', '));
    check(pageErrors.length === 0, 'no script errors: ' + pageErrors.join('; '));
    log(`passed; screenshots in ${path.relative(root, shots)}`);
  } finally {
    if (browser) await browser.close();
    app.kill('SIGTERM');
    await Promise.race([appExit, new Promise((r) => setTimeout(r, 15000))]);
    if (app.exitCode === null) app.kill('SIGKILL');
    receiver.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

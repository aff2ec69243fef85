// The delivery console: hash routes over /v1. Every value from the server is set as text, never HTML.
import { admin, ApiError, sessionLabel, signedIn, signInWithClient, signOut, v1 } from './api.js';
import { latencyChart, successChart } from './charts.js';

const main = document.getElementById('main');
const errorBox = document.getElementById('error');
const statusBox = document.getElementById('status');

// ---- small DOM helpers -------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : v);
  });
  children.flat().forEach((c) => { if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c)); });
  return node;
}

let fieldIds = 0;
/** A labelled input: the label's for= points at the control. */
function field(labelText, control) {
  const id = control.id || `f${++fieldIds}`;
  control.id = id;
  return h('div', {}, h('label', { for: id }, labelText), control);
}

function when(iso) {
  return iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';
}

function showError(e) {
  if (e instanceof ApiError && e.status === 401 && signedIn()) {
    signOut();
    render();
    errorBox.textContent = 'Your session has ended (the token expired or was refused). Sign in again.';
  } else {
    errorBox.textContent = e instanceof ApiError ? `${e.message} (HTTP ${e.status})` : String(e.message || e);
  }
  errorBox.hidden = false;
}

function say(text) {
  statusBox.textContent = text;
  statusBox.hidden = false;
}

function clearMessages() {
  errorBox.hidden = true;
  statusBox.hidden = true;
}

/** Runs an action with its button disabled; errors go to the alert region. */
async function act(button, fn) {
  clearMessages();
  if (button) button.disabled = true;
  try {
    await fn();
  } catch (e) {
    showError(e);
  } finally {
    if (button) button.disabled = false;
  }
}

function view(title, ...content) {
  main.replaceChildren(h('h1', {}, title), ...content);
  document.title = `${title} — hookhub console`;
}

// ---- sign-in -----------------------------------------------------------------------------------
function signInView() {
  const clientId = h('input', { name: 'clientId', autocomplete: 'username', required: true });
  const secret = h('input', { name: 'clientSecret', type: 'password', autocomplete: 'current-password', required: true });
  const clientForm = h('form', {
    onsubmit: (ev) => {
      ev.preventDefault();
      act(ev.submitter, async () => {
        await signInWithClient(clientId.value.trim(), secret.value);
        location.hash = '#/subscriptions';
        render();
      });
    },
  }, h('fieldset', {}, h('legend', {}, 'API client'),
    h('p', { class: 'muted' }, 'The client id and secret of an org\'s API client (POST /v1/admin/orgs/{id}/clients).'),
    field('Client id', clientId), field('Client secret', secret),
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Sign in'))));

  const adminToken = h('input', { name: 'adminToken', type: 'password', autocomplete: 'off', required: true });
  const orgArea = h('div', {});
  const adminForm = h('form', {
    onsubmit: (ev) => {
      ev.preventDefault();
      act(ev.submitter, () => listOrgs(adminToken.value, orgArea));
    },
  }, h('fieldset', {}, h('legend', {}, 'Operator'),
    h('p', { class: 'muted' }, 'The admin token picks or creates an org, then works in it with a 15-minute token.'),
    field('Admin token', adminToken),
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'secondary' }, 'List orgs')), orgArea));

  view('Sign in', h('div', { class: 'grid2' }, clientForm, adminForm),
    h('p', { class: 'muted' }, 'The token is kept in this page\'s memory only: reloading the page signs you out.'));
  clientId.focus();
}

async function listOrgs(adminToken, area) {
  const orgs = [];
  let cursor = null;
  do {
    const page = await admin.orgs(adminToken, cursor);
    orgs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && orgs.length < 1000);
  const select = h('select', { name: 'org' },
    orgs.map((o) => h('option', { value: o.id }, `${o.name} (#${o.number})`)));
  const newName = h('input', { name: 'orgName', maxlength: 200 });
  const enter = (org) => act(null, async () => {
    await admin.enterOrg(adminToken, org);
    location.hash = '#/subscriptions';
    render();
  });
  area.replaceChildren(
    orgs.length ? h('div', {}, field('Org', select), h('div', { class: 'row' },
      h('button', { type: 'button', onclick: () => enter(orgs.find((o) => o.id === select.value)) }, 'Open org')))
      : h('p', {}, 'No org yet.'),
    field('New org name', newName),
    h('div', { class: 'row' }, h('button', {
      type: 'button', class: 'secondary',
      onclick: (ev) => act(ev.target, async () => {
        if (!newName.value.trim()) throw new Error('Name the new org first');
        enter(await admin.createOrg(adminToken, newName.value.trim()));
      }),
    }, 'Create org and open it')));
  (orgs.length ? select : newName).focus();
}

// ---- subscriptions -----------------------------------------------------------------------------
function statusBadge(s) {
  return s.active ? h('span', { class: 'badge ok' }, 'active') : h('span', { class: 'badge off' }, 'inactive');
}

async function subscriptionsView() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const search = h('input', { type: 'search', name: 'q', value: params.get('q') || '', placeholder: 'name, URL or code' });
  const body = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  let cursor = null;
  let shown = 0;
  const load = async (reset) => {
    if (reset) { body.replaceChildren(); cursor = null; shown = 0; }
    const page = await v1.subscriptions(search.value.trim(), cursor);
    page.items.forEach((s) => body.append(h('tr', {},
      h('td', { 'data-label': 'Name' }, h('a', { href: `#/subscriptions/${s.id}` }, s.name)),
      h('td', { 'data-label': 'URL', class: 'url' }, s.url),
      h('td', { 'data-label': 'Events' }, s.events.join(', ')),
      h('td', { 'data-label': 'State' }, statusBadge(s)),
      h('td', { 'data-label': 'Last success' }, when(s.lastHttpSuccess)),
      h('td', { 'data-label': 'Last failure' }, when(s.lastHttpFail)))));
    shown += page.items.length;
    cursor = page.nextCursor;
    more.hidden = !cursor;
    count.textContent = shown === 0 ? 'No subscriptions match.' : `${shown} shown${cursor ? ', more available' : ''}.`;
  };
  more.addEventListener('click', () => act(more, () => load(false)));
  const form = h('form', {
    role: 'search',
    onsubmit: (ev) => {
      ev.preventDefault();
      history.replaceState(null, '', '#/subscriptions' + (search.value.trim() ? '?q=' + encodeURIComponent(search.value.trim()) : ''));
      act(ev.submitter, () => load(true));
    },
  }, h('div', { class: 'row' }, h('div', { style: 'flex:1 1 16rem' }, field('Search subscriptions', search)),
    h('button', { type: 'submit' }, 'Search')));
  view('Subscriptions', form, count,
    h('table', { class: 'cards' }, h('thead', {}, h('tr', {},
      ['Name', 'URL', 'Events', 'State', 'Last success', 'Last failure'].map((t) => h('th', { scope: 'col' }, t)))), body),
    h('div', { class: 'row' }, more));
  await load(true);
}

function chartsPanel(subscriptionId) {
  const panel = h('div', { class: 'charts' }, h('p', { class: 'muted' }, 'Loading charts…'));
  v1.stats(subscriptionId).then((stats) => {
    panel.replaceChildren(
      h('figure', { class: 'chart panel' }, h('figcaption', {}, 'Success rate, last 24 h'), successChart(stats),
        h('p', { class: 'muted' }, stats.attempts ? `${stats.succeeded} of ${stats.attempts} attempts succeeded.` : 'No attempts in the last 24 hours.')),
      h('figure', { class: 'chart panel' }, h('figcaption', {}, 'Attempt latency, last 24 h'), latencyChart(stats)));
  }, showError);
  return panel;
}

function headersText(headers) {
  return Object.entries(headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n');
}

function parseHeaders(text) {
  const headers = {};
  text.split('\n').map((l) => l.trim()).filter(Boolean).forEach((line) => {
    const colon = line.indexOf(':');
    if (colon < 1) throw new Error(`Header line "${line}" must be "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  });
  return headers;
}

async function subscriptionView(id) {
  const s = await v1.subscription(id);
  const name = h('input', { name: 'name', value: s.name, required: true });
  const url = h('input', { name: 'url', type: 'url', value: s.url, required: true });
  const description = h('input', { name: 'description', value: s.description || '' });
  const events = h('input', { name: 'events', value: s.events.join(', '), required: true });
  const contentType = h('select', { name: 'contentType' },
    ['application/json', 'application/x-msgpack'].map((t) => h('option', { value: t, selected: t === s.contentType }, t)));
  const headers = h('textarea', { name: 'headers', rows: 3 }, headersText(s.headers));
  const active = h('input', { type: 'checkbox', id: 'active', checked: s.active });
  const rateLimit = h('input', { name: 'rateLimit', type: 'number', min: 1, max: 10000, step: 1,
    value: s.rateLimit ?? '', placeholder: 'no limit' });
  const maxInFlight = h('input', { name: 'maxInFlight', type: 'number', min: 1, max: 1000, step: 1, value: s.maxInFlight });
  const ordering = h('select', { name: 'ordering' },
    [['none', 'none (any order)'], ['fifo', 'fifo (one at a time, in publish order)']]
      .map(([v, t]) => h('option', { value: v, selected: v === s.ordering }, t)));
  const settings = h('form', {
    onsubmit: (ev) => {
      ev.preventDefault();
      act(ev.submitter, async () => {
        const changes = {
          name: name.value, url: url.value, description: description.value,
          events: events.value.split(',').map((e) => e.trim()).filter(Boolean), contentType: contentType.value,
          headers: parseHeaders(headers.value), active: active.checked, ordering: ordering.value,
        };
        // Only what was edited: an empty field is null (no limit; the instance default), which clears the setting.
        if (rateLimit.value !== String(s.rateLimit ?? '')) changes.rateLimit = numberOrNull(rateLimit.value);
        if (maxInFlight.value !== String(s.maxInFlight)) changes.maxInFlight = numberOrNull(maxInFlight.value);
        const changed = await v1.change(id, changes);
        say(`Saved: version ${changed.version}.`);
        Object.assign(s, changed);
      });
    },
  }, h('fieldset', {}, h('legend', {}, 'Settings'),
    h('div', { class: 'grid2' }, field('Name', name), field('URL', url)),
    field('Description', description),
    h('div', { class: 'grid2' }, field('Events (comma-separated)', events), field('Content type', contentType)),
    field('Custom headers (one "Name: value" a line)', headers),
    h('div', { class: 'grid2' }, field('Rate limit (deliveries per second; empty: no limit)', rateLimit),
      field('Max in flight (empty: the instance default)', maxInFlight)),
    field('Ordering', ordering),
    h('label', { class: 'check', for: 'active' }, active, 'Active'),
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Save settings'))));

  const secretOut = h('div', { 'aria-live': 'polite' });
  const actions = h('div', { class: 'row' },
    h('button', {
      type: 'button', class: 'secondary',
      onclick: (ev) => act(ev.target, async () => {
        const sent = await v1.sendTest(id);
        say(`Test event queued (${sent.type}).`);
        secretOut.replaceChildren(h('p', {}, 'Follow it: ', h('a', { href: `#/events/${sent.eventId}` }, `event ${sent.eventId}`)));
        setTimeout(() => refreshAttempts(), 1500);
      }),
    }, 'Send test event'),
    h('button', {
      type: 'button', class: 'secondary',
      onclick: (ev) => act(ev.target, async () => {
        if (!confirm('Rotate the signing secret? The previous secret keeps signing for its overlap period.')) return;
        const r = await v1.rotate(id);
        secretOut.replaceChildren(h('p', { class: 'secret' }, 'New secret (shown once, copy it now): ',
          h('code', {}, r.secret), r.previousSecretsValidUntil ? ` — previous secret valid until ${when(r.previousSecretsValidUntil)}` : ''));
      }),
    }, 'Rotate secret'),
    h('button', { type: 'button', class: 'danger', onclick: () => confirmDelete(s) }, 'Delete…'));

  const filter = h('select', { name: 'outcome' }, h('option', { value: '' }, 'All outcomes'),
    h('option', { value: 'failed' }, 'Failed'), h('option', { value: 'succeeded' }, 'Succeeded'));
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Delivery attempts, newest first' });
  const refreshAttempts = () => act(null, async () => {
    const page = await v1.attempts(id, filter.value);
    renderTimeline(timeline, page.items, true, () => refreshAttempts(), s.ordering === 'fifo');
  });
  filter.addEventListener('change', refreshAttempts);

  view(s.name,
    h('p', { class: 'muted' }, h('a', { href: '#/subscriptions' }, '← All subscriptions'),
      ` · #${s.number} · `, statusBadge(s), ` · version ${s.version} · created ${when(s.createdAt)} by ${s.createdBy}`),
    h('div', { class: 'grid2 panel' },
      h('div', {}, h('strong', {}, 'Last success: '), when(s.lastHttpSuccess)),
      h('div', {}, h('strong', {}, 'Last failure: '), when(s.lastHttpFail))),
    actions, secretOut,
    h('h2', {}, 'Delivery control'), controlPanel(s), recoverForm(s, () => refreshAttempts()),
    h('h2', {}, 'Last 24 hours'), chartsPanel(id),
    h('h2', {}, 'Delivery attempts'),
    h('div', { class: 'row' }, h('div', {}, field('Show', filter)),
      h('button', { type: 'button', class: 'secondary', onclick: (ev) => act(ev.target, refreshAttempts) }, 'Refresh')),
    timeline, settings);
  refreshAttempts();
}

function numberOrNull(text) {
  return text.trim() === '' ? null : Number(text);
}

/**
 * The subscription's delivery control: paused or running, what is held, its limits, ordering and adaptive pace,
 * with Pause / Resume (each answer redraws the panel).
 */
function controlPanel(s) {
  const panel = h('div', { class: 'panel control', 'aria-live': 'polite' });
  const draw = (c) => {
    const toggle = c.paused
      ? h('button', { type: 'button', onclick: (ev) => act(ev.target, async () => { draw(await v1.resume(c.id)); say('Resumed: its deliveries go out again.'); }) }, 'Resume')
      : h('button', { type: 'button', class: 'secondary', onclick: (ev) => act(ev.target, async () => { draw(await v1.pause(c.id)); say('Paused: its deliveries are held until it is resumed.'); }) }, 'Pause');
    panel.replaceChildren(
      h('div', { class: 'grid2' },
        h('div', {}, h('strong', {}, 'State: '), c.paused
          ? h('span', { class: 'badge off' }, `paused since ${when(c.pausedAt)}`) : h('span', { class: 'badge ok' }, 'running')),
        h('div', {}, h('strong', {}, 'Held: '), `${c.held} queued`),
        h('div', {}, h('strong', {}, 'Rate limit: '), c.rateLimit === null ? 'no limit' : `${c.rateLimit} per second`),
        h('div', {}, h('strong', {}, 'Max in flight: '), String(c.maxInFlight)),
        h('div', {}, h('strong', {}, 'Ordering: '), c.ordering === 'fifo' ? 'fifo (one at a time, in publish order)' : 'none'),
        h('div', {}, h('strong', {}, 'Pace: '), `${Math.round(c.pace * 100)}%`,
          c.pace < 1 ? h('span', { class: 'muted' }, ' (slowed down by the receiver; recovering)') : '')),
      h('div', { class: 'row' }, toggle));
  };
  draw(s);
  return panel;
}

/** "Recover / bulk retry": re-queues what failed in a time window; the answer says how many. */
function recoverForm(s, after) {
  const since = h('input', { name: 'since', value: new Date(Date.now() - 24 * 3600 * 1000).toISOString(), required: true });
  const until = h('input', { name: 'until', placeholder: 'now' });
  const types = h('input', { name: 'eventTypes', placeholder: 'every type' });
  const out = h('p', { 'aria-live': 'polite' });
  return h('form', {
    onsubmit: (ev) => {
      ev.preventDefault();
      act(ev.submitter, async () => {
        const list = types.value.split(',').map((t) => t.trim()).filter(Boolean);
        const r = await v1.recover(s.id, since.value.trim(), until.value.trim() || undefined, list.length ? list : undefined);
        out.textContent = `Re-queued ${r.requeued} ${r.requeued === 1 ? 'delivery' : 'deliveries'} published from ${when(r.since)} until ${when(r.until)}.`
            + (r.next ? ` More remain: recover again from ${when(r.next)}.` : '');
        say(out.textContent);
        setTimeout(after, 1500);
      });
    },
  }, h('fieldset', {}, h('legend', {}, 'Recover / bulk retry'),
    h('p', { class: 'muted' }, 'Queues again, due now, every delivery published in the window that failed for good or waits for a retry.'),
    h('div', { class: 'grid2' }, field('Since (ISO-8601)', since), field('Until (ISO-8601; empty: now)', until)),
    field('Event types (comma-separated; empty: every type)', types),
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Re-queue failed deliveries')), out));
}

/**
 * Attempts as a timeline: a subscription's newest first (each naming its event), an event's oldest
 * first (each naming its subscription). A failed attempt that is its delivery's latest shown gets
 * "Retry now" (the server says 409 if the delivery has moved on since), and on an ordered (fifo) subscription
 * "Skip" too: the server skips only the blocked head (the first pending delivery) and says why otherwise.
 */
function renderTimeline(list, attempts, newestFirst, after, fifo) {
  if (!attempts.length) {
    list.replaceChildren(h('li', {}, 'No attempts.'));
    return;
  }
  const latest = new Map();
  const ordered = newestFirst ? attempts : [...attempts].reverse();
  ordered.forEach((a) => { if (a.deliveryId && !latest.has(a.deliveryId)) latest.set(a.deliveryId, a.id); });
  list.replaceChildren(...attempts.map((a) => {
    const ok = a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300;
    const retry = !ok && a.deliveryId && latest.get(a.deliveryId) === a.id
      ? h('button', {
        type: 'button', class: 'secondary',
        onclick: (ev) => act(ev.target, async () => {
          const d = await v1.retry(a.deliveryId);
          say(`Delivery queued again (status ${d.status}); it is attempted now.`);
          setTimeout(after, 1500);
        }),
      }, 'Retry now') : null;
    const skip = retry && fifo
      ? h('button', {
        type: 'button', class: 'secondary',
        onclick: (ev) => act(ev.target, async () => {
          if (!confirm('Skip this delivery? It is cancelled, never sent, and the next one in order goes out.')) return;
          const d = await v1.skip(a.deliveryId);
          say(`Skipped: the delivery is ${d.status}; the next one in order is the head now.`);
          setTimeout(after, 1500);
        }),
      }, 'Skip') : null;
    return h('li', { class: ok ? 'succeeded' : 'failed' },
      h('div', { class: 'line1' },
        h('time', { datetime: a.attemptedAt }, when(a.attemptedAt)),
        h('span', { class: ok ? 'badge ok' : 'badge bad' }, a.statusCode === null ? 'no response' : String(a.statusCode)),
        h('span', {}, a.statusDescription),
        h('span', { class: 'muted' }, `${a.durationMs} ms`), retry, skip),
      newestFirst
        ? h('div', { class: 'muted' }, 'event ', a.eventErased
          ? [h('span', { class: 'mono' }, a.eventId), ' (erased: its payload is gone)']
          : h('a', { href: `#/events/${a.eventId}`, class: 'mono' }, a.eventId))
        : h('div', { class: 'muted' }, 'subscription ',
          h('a', { href: `#/subscriptions/${a.subscriptionId}`, class: 'mono' }, a.subscriptionId)));
  }));
}

function confirmDelete(s) {
  const dialog = document.getElementById('confirm-delete');
  document.getElementById('confirm-title').textContent = `Delete “${s.name}”?`;
  document.getElementById('confirm-text').textContent = `Subscription #${s.number} (${s.url}) is deleted for every API and dialect at once. This cannot be undone:`;
  document.getElementById('confirm-list').replaceChildren(
    h('li', {}, 'its queued deliveries and those waiting for a retry are dropped — nothing more is sent;'),
    h('li', {}, 'its signing secret is destroyed;'),
    h('li', {}, 'its delivery history is kept for the retention period (30 days by default), then purged;'),
    h('li', {}, 'its code is freed for a new subscription.'));
  dialog.returnValue = '';
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'delete') return;
    act(null, async () => {
      await v1.remove(s.id);
      location.hash = '#/subscriptions';
      say(`Deleted “${s.name}”.`);
    });
  }, { once: true });
  dialog.showModal();
}

// ---- events and the org overview ------------------------------------------------------------------
async function eventView(id) {
  const e = await v1.event(id);
  const filter = h('select', { name: 'outcome' }, h('option', { value: '' }, 'All outcomes'),
    h('option', { value: 'failed' }, 'Failed'), h('option', { value: 'succeeded' }, 'Succeeded'));
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Attempts of this event, oldest first' });
  const refresh = () => act(null, async () => {
    const page = await v1.eventAttempts(id, filter.value);
    renderTimeline(timeline, page.items, false, refresh);
  });
  filter.addEventListener('change', refresh);
  view(`Event ${e.type}`,
    h('p', { class: 'muted' }, h('span', { class: 'mono' }, e.id), ` · created ${when(e.createdAt)}`),
    h('h2', {}, 'Deliveries'),
    h('table', { class: 'cards' }, h('thead', {}, h('tr', {}, ['Subscription', 'Status', 'Attempts', 'Due', 'Completed']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, e.deliveries.map((d) => h('tr', {},
      h('td', { 'data-label': 'Subscription' }, h('a', { href: `#/subscriptions/${d.subscriptionId}`, class: 'mono' }, d.subscriptionId)),
      h('td', { 'data-label': 'Status' }, d.status), h('td', { 'data-label': 'Attempts' }, String(d.attempts)),
      h('td', { 'data-label': 'Due' }, when(d.dueAt)), h('td', { 'data-label': 'Completed' }, when(d.completedAt)))))),
    h('h2', {}, 'Attempts'), h('div', { class: 'row' }, h('div', {}, field('Show', filter)),
      h('button', { type: 'button', class: 'secondary', onclick: (ev) => act(ev.target, refresh) }, 'Refresh')), timeline,
    h('h2', {}, 'Payload'), h('pre', { class: 'panel mono' }, JSON.stringify(e.payload, null, 2)));
  refresh();
}

function overviewView() {
  view('Overview', h('p', { class: 'muted' }, 'Every attempt of the org\'s subscriptions in the last 24 hours.'),
    chartsPanel(null));
}

// ---- the audit trail (Admin only) ---------------------------------------------------------------------
/** The actions hookhub records (README, "Event erasure and the audit trail"); the filter offers these. */
const AUDIT_ACTIONS = ['subscription.create', 'subscription.update', 'subscription.rotate_secret', 'subscription.delete',
  'event.erase', 'org.created', 'client.created', 'client.revoked', 'client.secret_rotated', 'api_key.created',
  'api_key.revoked'];

async function auditView() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const wanted = params.get('action') || '';
  const filter = h('select', { name: 'action' }, h('option', { value: '' }, 'All actions'),
    AUDIT_ACTIONS.map((a) => h('option', { value: a, selected: a === wanted }, a)));
  const body = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  let cursor = null;
  let shown = 0;
  const load = async (reset) => {
    if (reset) { body.replaceChildren(); cursor = null; shown = 0; }
    const page = await v1.audit(filter.value, cursor);
    page.items.forEach((r) => body.append(h('tr', {},
      h('td', { 'data-label': 'Time' }, h('time', { datetime: r.at }, when(r.at))),
      h('td', { 'data-label': 'Action', class: 'mono action' }, r.action),
      h('td', { 'data-label': 'Actor' }, r.actor),
      h('td', { 'data-label': 'Surface' }, r.surface),
      h('td', { 'data-label': 'Address' }, r.remoteAddress || '—'),
      h('td', { 'data-label': 'Subscription' }, r.subscriptionId
        ? h('a', { href: `#/subscriptions/${r.subscriptionId}`, class: 'mono' }, r.subscriptionId) : '—'),
      h('td', { 'data-label': 'Target', class: 'mono' }, r.target || '—'))));
    shown += page.items.length;
    cursor = page.nextCursor;
    more.hidden = !cursor;
    count.textContent = shown === 0 ? 'No audit records match.' : `${shown} record${shown === 1 ? '' : 's'} shown${cursor ? ', more available' : ''}.`;
  };
  more.addEventListener('click', () => act(more, () => load(false)));
  filter.addEventListener('change', () => {
    history.replaceState(null, '', '#/audit' + (filter.value ? '?action=' + encodeURIComponent(filter.value) : ''));
    act(null, () => load(true));
  });
  view('Audit trail', h('p', { class: 'muted' }, 'Every change made in this org, newest first: who, through which API, from where. Admins only.'),
    h('div', { class: 'row' }, h('div', {}, field('Action', filter))), count,
    h('table', { class: 'cards' }, h('thead', {}, h('tr', {},
      ['Time', 'Action', 'Actor', 'Surface', 'Address', 'Subscription', 'Target'].map((t) => h('th', { scope: 'col' }, t)))), body),
    h('div', { class: 'row' }, more));
  await load(true);
}

// ---- routing -----------------------------------------------------------------------------------
async function render() {
  const nav = document.getElementById('nav');
  nav.hidden = !signedIn();
  document.getElementById('who').textContent = sessionLabel();
  if (!signedIn()) {
    signInView();
    return;
  }
  const path = location.hash.replace(/^#/, '').split('?')[0] || '/subscriptions';
  const parts = path.split('/').filter(Boolean);
  try {
    if (parts[0] === 'subscriptions' && parts[1]) await subscriptionView(parts[1]);
    else if (parts[0] === 'events' && parts[1]) await eventView(parts[1]);
    else if (parts[0] === 'overview') overviewView();
    else if (parts[0] === 'audit') await auditView();
    else await subscriptionsView();
  } catch (e) {
    showError(e);
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  signOut();
  clearMessages();
  location.hash = '';
  render();
});
window.addEventListener('hashchange', () => { render().then(() => main.focus()); });
render();

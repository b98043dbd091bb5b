// The stockroom operator dashboard: plain DOM code over the HTTP API, no framework, no build.
// The API key lives in this tab's sessionStorage and goes out as `Authorization: Bearer`.

const API = '/api/v1';
const KEY_STORAGE = 'stockroom.apiKey';
const PAGE_SIZE = 25;
const $ = (id) => document.getElementById(id);

let apiKey = sessionStorage.getItem(KEY_STORAGE) || '';
let stream = null;
/** Counts sign-ins and sign-outs: a sign-in whose answers come after a later one does nothing. */
let session = 0;

/** A failed call: its status and problem document. */
class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${apiKey}` };
  if (options.method === 'POST') {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = `dashboard-${crypto.randomUUID()}`;
  }
  const response = await fetch(API + path, {
    method: options.method || 'GET',
    headers,
    body: options.method === 'POST' ? JSON.stringify(options.body || {}) : undefined,
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    // Through the CSSOM: the page's Content-Security-Policy forbids style attributes.
    else if (name === 'style') node.style.cssText = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) node.append(child);
  return node;
}

const number = (value) => Number(value).toLocaleString('en');
const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');

function say(message) {
  $('status').textContent = message;
}

function explain(error) {
  if (error instanceof ApiError && error.status === 403) return 'This key’s role may not do that.';
  if (error instanceof ApiError && error.status === 401) {
    signOut('The key is no longer accepted; sign in again.');
    return 'Signed out.';
  }
  return error.message;
}

// --- sign in ---------------------------------------------------------------------------------

async function signIn(key) {
  const mine = ++session;
  apiKey = key;
  let warehouses;
  try {
    warehouses = await api(`/warehouses?limit=1000`);
  } catch (error) {
    // A failure matters only to the sign-in still current.
    if (mine === session) throw error;
    return;
  }
  if (mine !== session) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  $('sign-in').hidden = true;
  $('board').hidden = false;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  const select = $('stock-warehouse');
  select.replaceChildren(
    ...warehouses.items.map((warehouse) =>
      el('option', { value: warehouse.id, text: `${warehouse.name} (${warehouse.id})` }),
    ),
  );
  if (warehouses.items.length === 0) {
    select.append(el('option', { value: '', text: 'no warehouses yet' }));
    say('The store holds no warehouses yet: run `npm run seed` to load the demo data.');
  }
  stockState.cursors = [null];
  stockState.index = 0;
  await Promise.allSettled([loadStock(), loadAlerts(), loadReservations(true), loadActivity()]);
  if (mine === session) connectEvents();
}

function signOut(message) {
  session += 1;
  sessionStorage.removeItem(KEY_STORAGE);
  apiKey = '';
  if (stream) stream.abort();
  stream = null;
  setStreamState('offline');
  $('stock-warehouse').replaceChildren();
  $('board').hidden = true;
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('api-key').value = '';
  $('api-key').focus();
}

// --- answers in order ------------------------------------------------------------------------

/**
 * One view's requests, newest wins: `begin()` starts one and gives a check that stays true only
 * while no later one has begun. A slow answer to an earlier request (a warehouse picked before
 * the current one, a status filter changed since) must not draw over the newer one.
 */
function newestWins() {
  let newest = 0;
  return {
    begin() {
      const mine = ++newest;
      return () => mine === newest;
    },
  };
}

const stockRequests = newestWins();
const alertRequests = newestWins();
const reservationRequests = newestWins();
const activityRequests = newestWins();

// --- stock -----------------------------------------------------------------------------------

const stockState = { cursors: [null], index: 0, next: null, sku: '' };

function stockRow(row) {
  const low = row.available <= row.lowStockThreshold;
  return el(
    'tr',
    { class: low ? 'low' : undefined },
    el('td', { text: row.sku }),
    el('td', { text: row.warehouseId }),
    el('td', { class: 'num', text: number(row.available) }),
    el('td', { class: 'num', text: number(row.reserved) }),
    el('td', { class: 'num', text: number(row.damaged) }),
    el('td', { class: 'num', text: number(row.inTransit) }),
    el('td', { class: 'num', text: `${number(row.lowStockThreshold)}${low ? ' (low)' : ''}` }),
  );
}

async function loadStock() {
  const body = $('stock-table').querySelector('tbody');
  const current = stockRequests.begin();
  try {
    let rows;
    if (stockState.sku) {
      try {
        const found = await api(`/inventory/${encodeURIComponent(stockState.sku)}`);
        rows = found.warehouses;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        rows = [];
      }
      if (!current()) return;
      stockState.next = null;
      $('stock-page').textContent =
        `${rows.length} row${rows.length === 1 ? '' : 's'} of ${stockState.sku}`;
    } else {
      const warehouse = $('stock-warehouse').value;
      if (!warehouse) {
        body.replaceChildren();
        return;
      }
      const cursor = stockState.cursors[stockState.index];
      const page = await api(
        `/inventory/warehouses/${encodeURIComponent(warehouse)}/stock?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (!current()) return;
      rows = page.items;
      stockState.next = page.nextCursor;
      $('stock-page').textContent = `Page ${stockState.index + 1}`;
    }
    body.replaceChildren(
      ...(rows.length > 0
        ? rows.map(stockRow)
        : [el('tr', {}, el('td', { colspan: '7', text: 'No stock rows.' }))]),
    );
    $('stock-previous').disabled = stockState.sku !== '' || stockState.index === 0;
    $('stock-next').disabled = stockState.sku !== '' || !stockState.next;
  } catch (error) {
    if (current()) say(`Stock: ${explain(error)}`);
  }
}

// --- alerts ----------------------------------------------------------------------------------

async function loadAlerts() {
  const list = $('alert-list');
  const status = $('alert-status').value;
  const current = alertRequests.begin();
  try {
    const page = await api(`/alerts?status=${status}&limit=50`);
    if (!current()) return;
    list.replaceChildren(
      ...(page.items.length > 0
        ? page.items.map((alert) =>
            el(
              'li',
              { 'data-alert': alert.id },
              el(
                'span',
                {},
                el('strong', { text: `${alert.sku} @ ${alert.warehouseId}` }),
                el('span', {
                  class: 'meta',
                  text: ` ${alert.currentQuantity} left (threshold ${alert.threshold}) · ${time(alert.triggeredAt)}${alert.acknowledgedBy ? ` · acknowledged by ${alert.acknowledgedBy}` : ''}`,
                }),
              ),
              alert.status === 'TRIGGERED'
                ? el('button', {
                    type: 'button',
                    class: 'secondary',
                    'aria-label': `Acknowledge the alert for ${alert.sku} in ${alert.warehouseId}`,
                    text: 'Acknowledge',
                    onclick: (event) => acknowledge(alert, event.currentTarget),
                  })
                : el('span', { class: 'badge', text: alert.status.toLowerCase() }),
            ),
          )
        : [el('li', { text: `No ${status.toLowerCase()} alerts.` })]),
    );
  } catch (error) {
    if (current()) say(`Alerts: ${explain(error)}`);
  }
}

async function acknowledge(alert, button) {
  button.disabled = true;
  try {
    await api(`/alerts/${encodeURIComponent(alert.id)}/acknowledge`, { method: 'POST' });
    say(`Acknowledged the alert for ${alert.sku} in ${alert.warehouseId}.`);
    await loadAlerts();
  } catch (error) {
    button.disabled = false;
    say(`Acknowledge: ${explain(error)}`);
  }
}

// --- reservations ----------------------------------------------------------------------------

let reservationCursor = null;

async function loadReservations(reset) {
  const list = $('reservation-list');
  const status = $('reservation-status').value;
  if (reset) reservationCursor = null;
  const current = reservationRequests.begin();
  try {
    const page = await api(
      `/reservations?status=${status}&limit=25${reservationCursor ? `&cursor=${encodeURIComponent(reservationCursor)}` : ''}`,
    );
    if (!current()) return;
    const items = page.items.map((reservation) =>
      el(
        'li',
        {},
        el(
          'span',
          {},
          el('code', { text: reservation.reservationId }),
          el('span', {
            class: 'meta',
            text: ` ${reservation.allocations.map((line) => `${line.quantity}× ${line.sku} @ ${line.warehouseId}`).join(', ')}${reservation.orderId ? ` · order ${reservation.orderId}` : ''}`,
          }),
        ),
        el('span', {
          class: 'meta',
          text:
            status === 'ACTIVE'
              ? `expires ${time(reservation.expiresAt)}`
              : time(reservation.committedAt || reservation.releasedAt || reservation.createdAt),
        }),
      ),
    );
    if (reset)
      list.replaceChildren(
        ...(items.length > 0
          ? items
          : [el('li', { text: `No ${status.toLowerCase()} reservations.` })]),
      );
    else list.append(...items);
    reservationCursor = page.nextCursor;
    $('reservations-more').hidden = !page.nextCursor;
  } catch (error) {
    if (current()) say(`Reservations: ${explain(error)}`);
  }
}

// --- movements chart -------------------------------------------------------------------------

const SERIES = [
  ['SALE', '#2f6fdf', 'Sales'],
  ['RESERVATION', '#f59e0b', 'Reservations'],
  ['RELEASE', '#a3a3a3', 'Releases'],
  ['EXPIRATION', '#737373', 'Expirations'],
  ['RESTOCK', '#16a34a', 'Restocks'],
  ['ADJUSTMENT', '#7c3aed', 'Adjustments'],
  ['OTHER', '#db2777', 'Other'],
];

function svg(tag, attributes = {}) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

async function loadActivity() {
  const figure = $('activity-chart');
  const hours = $('activity-hours').value;
  const current = activityRequests.begin();
  try {
    const summary = await api(`/movements/summary?hours=${hours}`);
    if (!current()) return;
    const known = new Set(SERIES.map(([type]) => type));
    const stacks = summary.buckets.map((bucket) => {
      const counts = { OTHER: 0 };
      for (const [type, count] of Object.entries(bucket.movements)) {
        if (known.has(type)) counts[type] = count;
        else counts.OTHER += count;
      }
      return {
        start: bucket.start,
        counts,
        total: Object.values(counts).reduce((a, b) => a + b, 0),
      };
    });
    const max = Math.max(1, ...stacks.map((stack) => stack.total));
    const width = 720;
    const height = 220;
    const left = 40;
    const bottom = 24;
    const barWidth = (width - left) / stacks.length;
    const chart = svg('svg', {
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': 'activity-chart-title',
    });
    const title = svg('title', { id: 'activity-chart-title' });
    title.textContent = `Movements per ${summary.bucketMinutes} minutes over the last ${hours} h: ${number(summary.total)} in all${summary.truncated ? ' (the oldest left out)' : ''}.`;
    chart.append(title);
    for (const fraction of [0, 0.5, 1]) {
      const y = height - bottom - fraction * (height - bottom - 10);
      chart.append(svg('line', { x1: left, x2: width, y1: y, y2: y, stroke: '#e2e6ee' }));
      const label = svg('text', {
        x: left - 6,
        y: y + 4,
        'text-anchor': 'end',
        'font-size': 11,
        fill: '#5b6478',
      });
      label.textContent = number(Math.round(max * fraction));
      chart.append(label);
    }
    stacks.forEach((stack, index) => {
      let y = height - bottom;
      for (const [type, colour, name] of SERIES) {
        const count = stack.counts[type] || 0;
        if (!count) continue;
        const barHeight = (count / max) * (height - bottom - 10);
        y -= barHeight;
        const rect = svg('rect', {
          x: left + index * barWidth + 1,
          y,
          width: Math.max(1, barWidth - 2),
          height: barHeight,
          fill: colour,
        });
        const tip = svg('title');
        tip.textContent = `${new Date(stack.start).toLocaleTimeString()}: ${count} ${name.toLowerCase()}`;
        rect.append(tip);
        chart.append(rect);
      }
      if (index % 6 === 0) {
        const label = svg('text', {
          x: left + index * barWidth,
          y: height - 6,
          'font-size': 11,
          fill: '#5b6478',
        });
        label.textContent = new Date(stack.start).toLocaleTimeString([], {
          hour: '2-digit',
          minute: '2-digit',
        });
        chart.append(label);
      }
    });
    const legend = el(
      'figcaption',
      { class: 'legend' },
      ...SERIES.map(([, colour, name]) =>
        el('span', {}, el('span', { class: 'swatch', style: `background:${colour}` }), name),
      ),
    );
    figure.replaceChildren(chart, legend);
  } catch (error) {
    if (current()) say(`Movements: ${explain(error)}`);
  }
}

// --- live events (server-sent events over fetch, so the key goes in a header) -----------------

function describeEvent(event) {
  const data = event.data || {};
  if (data.reservationId || data.id) {
    const lines = Array.isArray(data.lines || data.allocations)
      ? data.lines || data.allocations
      : [];
    const what = lines.map((line) => `${line.quantity}× ${line.sku}`).join(', ');
    return `${data.reservationId || data.id}${what ? ` — ${what}` : ''}`;
  }
  if (data.sku) return `${data.sku}${data.warehouseId ? ` @ ${data.warehouseId}` : ''}`;
  return event.subject || '';
}

function showEvent(event) {
  const list = $('event-list');
  const item = el(
    'li',
    { 'data-event-type': event.type },
    el('strong', { text: event.type }),
    ' ',
    el('span', { text: describeEvent(event) }),
    ' ',
    el('span', { class: 'meta', text: time(event.time) }),
  );
  list.prepend(item);
  while (list.children.length > 100) list.lastElementChild.remove();
}

function setStreamState(state) {
  const badge = $('events-state');
  badge.textContent = state;
  badge.className = `badge ${state === 'live' ? 'live' : state === 'reconnecting' ? 'down' : ''}`;
}

async function connectEvents(lastId) {
  if (stream) stream.abort();
  const controller = new AbortController();
  stream = controller;
  setStreamState('connecting');
  let last = lastId;
  try {
    const response = await fetch(`${API}/events/stream`, {
      headers: { Authorization: `Bearer ${apiKey}`, ...(last ? { 'Last-Event-ID': last } : {}) },
      signal: controller.signal,
    });
    if (response.status === 401) {
      signOut('The key is no longer accepted; sign in again.');
      return;
    }
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    setStreamState('live');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        let data = '';
        for (const line of message.split('\n')) {
          if (line.startsWith('data:')) data += line.slice(5).trimStart();
          else if (line.startsWith('id:')) last = line.slice(3).trim();
        }
        if (data) showEvent(JSON.parse(data));
      }
    }
  } catch {
    if (controller.signal.aborted) return;
  }
  if (stream !== controller || !apiKey) return;
  setStreamState('reconnecting');
  setTimeout(() => {
    if (stream === controller && apiKey) connectEvents(last);
  }, 3000);
}

// --- wiring ----------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = $('api-key').value.trim();
    $('sign-in-error').textContent = '';
    try {
      await signIn(key);
    } catch (error) {
      apiKey = '';
      $('sign-in-error').textContent =
        error instanceof ApiError && error.status === 401
          ? 'That key is not valid.'
          : error.message;
    }
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('stock-form').addEventListener('submit', (event) => {
    event.preventDefault();
    stockState.sku = $('stock-search').value.trim();
    stockState.cursors = [null];
    stockState.index = 0;
    loadStock();
  });
  $('stock-warehouse').addEventListener('change', () => {
    $('stock-search').value = '';
    stockState.sku = '';
    stockState.cursors = [null];
    stockState.index = 0;
    loadStock();
  });
  $('stock-next').addEventListener('click', () => {
    if (!stockState.next) return;
    stockState.cursors[stockState.index + 1] = stockState.next;
    stockState.index += 1;
    loadStock();
  });
  $('stock-previous').addEventListener('click', () => {
    if (stockState.index === 0) return;
    stockState.index -= 1;
    loadStock();
  });
  $('alert-status').addEventListener('change', loadAlerts);
  $('alerts-refresh').addEventListener('click', loadAlerts);
  $('reservation-status').addEventListener('change', () => loadReservations(true));
  $('reservations-refresh').addEventListener('click', () => loadReservations(true));
  $('reservations-more').addEventListener('click', () => loadReservations(false));
  $('activity-hours').addEventListener('change', loadActivity);
  if (apiKey) signIn(apiKey).catch(() => signOut());
});

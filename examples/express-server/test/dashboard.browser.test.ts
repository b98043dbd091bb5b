// The dashboard and /docs in a real browser: Debian's chromium, headless, driven by
// playwright-core (which never downloads a browser of its own). Screenshots of each page are kept
// in .ci-results/screenshots/ as test artifacts.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { unavailableService } from '@stockroom/core/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restock } from './suites/helpers.js';
import { KEYS, startTestServer, type TestServer } from './support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../../.ci-results/screenshots/', import.meta.url));
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const skip = unavailableService(
  'chromium',
  existsSync(CHROMIUM),
  `${CHROMIUM}; tools/test-env/setup.sh installs it, or set CHROMIUM_PATH`,
);

describe.skipIf(skip)('dashboard and /docs in chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ kind: 'sqlite' });
    for (const [id, name] of [
      ['paris', 'Paris'],
      ['berlin', 'Berlin'],
    ]) {
      const created = await server.call('POST', '/api/v1/warehouses', { body: { id, name } });
      expect(created.status, created.text).toBe(201);
    }
    await restock(server, 'MUG-RED', 'paris', 40);
    await restock(server, 'MUG-RED', 'berlin', 12);
    await restock(server, 'MUG-BLUE', 'paris', 4);
    for (let index = 0; index < 30; index += 1) {
      await restock(server, `TEE-${String(index).padStart(2, '0')}`, 'paris', 20 + index);
    }
    const job = await server.call('POST', '/api/v1/admin/jobs/low-stock/run');
    expect(job.status, job.text).toBe(200);
    // Deliver what is in the outbox now, so the live feed starts from here.
    await server.call('POST', '/api/v1/admin/jobs/relay-outbox/run');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in with a key, searches, pages, acknowledges and shows a live event', async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await page.getByLabel('API key').fill('not-a-valid-key-000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#sign-in-error').textContent())
      .toBe('That key is not valid.');

    // A readonly key sees everything but may not acknowledge.
    await page.getByLabel('API key').fill(KEYS.readonly);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const readonlyAlert = page.locator('#alert-list li', { hasText: 'MUG-BLUE @ paris' });
    await readonlyAlert.getByRole('button', { name: /Acknowledge/ }).click();
    await page.locator('#status', { hasText: 'This key’s role may not do that.' }).waitFor();
    expect(await readonlyAlert.count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();

    await page.getByLabel('API key').fill(KEYS.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#board').waitFor({ state: 'visible' });
    await page.locator('#events-state', { hasText: 'live' }).waitFor();

    // Paging through Paris (32 rows, 25 a page).
    await page.getByLabel('Warehouse').selectOption('paris');
    await expect.poll(() => page.locator('#stock-table tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('#stock-page', { hasText: 'Page 2' }).waitFor();
    await expect.poll(() => page.locator('#stock-table tbody tr').count()).toBe(7);

    // Search: one SKU across warehouses.
    await page.getByLabel('SKU').fill('MUG-RED');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#stock-page', { hasText: '2 rows of MUG-RED' }).waitFor();
    const rows = await page.locator('#stock-table tbody tr').allTextContents();
    expect(rows.map((row) => row.replace(/\s+/g, ' '))).toEqual([
      expect.stringMatching(/^MUG-REDberlin12/),
      expect.stringMatching(/^MUG-REDparis40/),
    ]);

    // Acknowledge the low-stock alert of MUG-BLUE in Paris.
    const alert = page.locator('#alert-list li', { hasText: 'MUG-BLUE @ paris' });
    await alert.waitFor();
    await alert.getByRole('button', { name: /Acknowledge/ }).click();
    await page.locator('#status', { hasText: 'Acknowledged the alert for MUG-BLUE' }).waitFor();
    await expect.poll(() => alert.count()).toBe(0);
    const acknowledged = await server.call('GET', '/api/v1/alerts?status=ACKNOWLEDGED');
    expect(acknowledged.body.items.map((item: { sku: string }) => item.sku)).toEqual(['MUG-BLUE']);

    // A reservation made over HTTP appears in the live feed once the relay delivers it.
    const held = await server.call('POST', '/api/v1/reservations', {
      as: 'storefront',
      body: { items: [{ sku: 'MUG-RED', quantity: 2 }], orderId: 'order-browser' },
    });
    expect(held.status, held.text).toBe(201);
    const relayed = await server.call('POST', '/api/v1/admin/jobs/relay-outbox/run');
    expect(relayed.status).toBe(200);
    await page
      .locator('#event-list li[data-event-type="inventory.reserved"]', {
        hasText: held.body.reservationId,
      })
      .waitFor({ timeout: 10_000 });

    await page.locator('#reservations-refresh').click();
    await page.locator('#reservation-list li', { hasText: held.body.reservationId }).waitFor();
    await page.locator('#activity-chart svg rect').first().waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}dashboard.png`, fullPage: true });

    // On a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SCREENSHOTS}dashboard-phone.png`, fullPage: true });
    // The page is no wider than the phone (no sideways scrolling).
    const widths = await page
      .locator('html')
      .evaluate((root) => [root.scrollWidth, root.clientWidth]);
    expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows the board only once a sign-in has its answers, and a sign-in overtaken by a sign-out stays out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.locator('#board').isVisible()).toBe(false);
    expect(await page.locator('#events-state').textContent()).not.toBe('live');

    const streams: string[] = [];
    const recordStream = (request: { url(): string; headers(): Record<string, string> }) => {
      if (request.url().includes('/events/stream')) {
        streams.push(request.headers().authorization ?? '');
      }
    };
    let releaseSummary!: () => void;
    const summaryHeld = new Promise<void>((resolve) => (releaseSummary = resolve));
    let releaseWarehouses!: () => void;
    const warehousesHeld = new Promise<void>((resolve) => (releaseWarehouses = resolve));
    await page.route('**/movements/summary**', async (route) => {
      await summaryHeld;
      await route.continue();
    });
    await page.route('**/api/v1/warehouses?limit=1000', async (route) => {
      if ((route.request().headers().authorization ?? '').endsWith(KEYS.admin)) {
        await warehousesHeld;
      }
      await route.continue();
    });
    page.on('request', recordStream);
    try {
      // A readonly sign-in still waiting on its movement summary when the user signs out.
      await page.getByLabel('API key').fill(KEYS.readonly);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#board').waitFor({ state: 'visible' });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      expect(await page.locator('#board').isVisible()).toBe(false);

      // The admin's sign-in waits on its warehouse list: no board, no options, no stream yet.
      await page.getByLabel('API key').fill(KEYS.admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const summaryAnswered = page.waitForResponse('**/movements/summary**');
      releaseSummary();
      await (await summaryAnswered).finished();
      expect(await page.locator('#board').isVisible()).toBe(false);
      expect(await page.locator('#events-state').textContent()).not.toBe('live');

      releaseWarehouses();
      await page.locator('#board').waitFor({ state: 'visible' });
      await page.locator('#events-state', { hasText: 'live' }).waitFor();
      expect(await page.locator('#stock-warehouse option').allTextContents()).toEqual([
        'Berlin (berlin)',
        'Paris (paris)',
      ]);
      // One stream since the sign-out, the admin's: the readonly sign-in never opened its own.
      expect(streams).toEqual([`Bearer ${KEYS.admin}`]);
    } finally {
      page.off('request', recordStream);
      releaseSummary();
      releaseWarehouses();
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });

  it('draws the warehouse picked last, however late the answer for the one before comes', async () => {
    // Berlin's stock answer is held until Paris's is drawn, then let through: an answer to an
    // earlier pick must not draw over the newer one.
    let releaseBerlin!: () => void;
    const berlinHeld = new Promise<void>((resolve) => (releaseBerlin = resolve));
    await page.route('**/inventory/warehouses/berlin/stock**', async (route) => {
      await berlinHeld;
      await route.continue();
    });
    try {
      const berlinAnswered = page.waitForResponse('**/inventory/warehouses/berlin/stock**');
      await page.getByLabel('Warehouse').selectOption('berlin');
      await page.getByLabel('Warehouse').selectOption('paris');
      await expect.poll(() => page.locator('#stock-table tbody tr').count()).toBe(25);
      releaseBerlin();
      await (await berlinAnswered).finished();
      // Paris's pages still page: Berlin's answer (1 row, no next page) was dropped.
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('#stock-page', { hasText: 'Page 2' }).waitFor();
      await expect.poll(() => page.locator('#stock-table tbody tr').count()).toBe(7);
      const warehouses = await page
        .locator('#stock-table tbody tr td:nth-child(2)')
        .allTextContents();
      expect(new Set(warehouses)).toEqual(new Set(['paris']));
    } finally {
      releaseBerlin();
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });

  it('tries an operation from /docs against the running server with the API key', async () => {
    await page.goto(`${server.url}/docs`);
    await page.locator('.swagger-ui .btn.authorize').first().click();
    await page.locator('.auth-container input').first().fill(KEYS.readonly);
    await page.locator('.auth-btn-wrapper .btn.modal-btn.auth.authorize').click();
    await page.locator('.auth-btn-wrapper .btn-done').click();

    const operation = page.locator('#operations-Warehouses-listWarehouses');
    await operation.locator('.opblock-summary').click();
    await operation.locator('.btn.execute').click();
    const status = operation.locator(
      '.responses-wrapper .live-responses-table tbody .response-col_status',
    );
    await expect.poll(() => status.first().textContent(), { timeout: 15_000 }).toMatch(/^200/);
    const body = await operation
      .locator('.responses-wrapper .live-responses-table tbody .microlight')
      .first()
      .textContent();
    expect(JSON.parse(body ?? '{}').items.map((item: { id: string }) => item.id)).toEqual([
      'berlin',
      'paris',
    ]);
    await page.screenshot({ path: `${SCREENSHOTS}docs-try-it.png`, fullPage: false });

    // A problem's `type` link lands on its row.
    await page.goto(`${server.url}/docs#problem-insufficient-stock`);
    await page.locator('#problem-insufficient-stock').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}docs-problem-codes.png` });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../src/app.js';
import { alertAndJobTests } from './suites/alerts-jobs.js';
import { authAndIdempotencyTests } from './suites/auth-idempotency.js';
import { backorderTests } from './suites/backorders.js';
import { badInputTests } from './suites/bad-input.js';
import { cartTests } from './suites/cart.js';
import { channelTests } from './suites/channels.js';
import { dashboardListingTests } from './suites/dashboard-listings.js';
import { holdChangeTests } from './suites/hold-changes.js';
import { inventoryTests } from './suites/inventory.js';
import { kitTests } from './suites/kits.js';
import { cartChannelTests, reservationListingTests } from './suites/listing.js';
import { receiptTests } from './suites/receipts.js';
import { reservationTests } from './suites/reservations.js';
import { sellabilityTests } from './suites/sellability.js';
import { transferTests } from './suites/transfers.js';
import { warehouseTests } from './suites/warehouses.js';
import { type Backend, startTestServer, type TestServer } from './support.js';

/**
 * The end-to-end suite over real HTTP: one server per backend, every endpoint of the contract
 * with its success and its main failures. Blocks share the server and run in order.
 */
export function defineApiSuite(
  label: string,
  backend: () => Promise<Backend>,
  options: { readonly skip?: string | false; readonly cleanup?: () => Promise<void> } = {},
): void {
  describe.skipIf(options.skip)(`HTTP API on ${label}`, () => {
    let server: TestServer;
    const current = () => server;

    beforeAll(async () => {
      server = await startTestServer(await backend());
      for (const [id, name, latitude, longitude] of [
        ['paris', 'Paris', 48.8566, 2.3522],
        ['berlin', 'Berlin', 52.52, 13.405],
        ['madrid', 'Madrid', 40.4168, -3.7038],
      ] as const) {
        const answer = await server.call('POST', '/api/v1/warehouses', {
          body: { id, name, latitude, longitude },
        });
        expect(answer.status, answer.text).toBe(201);
      }
    });
    afterAll(async () => {
      await server?.close();
      await options.cleanup?.();
    });

    warehouseTests(current);
    inventoryTests(current);
    cartTests(current);
    reservationTests(current);
    holdChangeTests(current);
    sellabilityTests(current);
    transferTests(current);
    receiptTests(current);
    alertAndJobTests(current);
    authAndIdempotencyTests(current);
    badInputTests(current);
    dashboardListingTests(current);
    channelTests(current);
    reservationListingTests(current);
    cartChannelTests(current);
    kitTests(current);
    backorderTests(current);

    describe('coverage', () => {
      it('exercised every route of the API with a success and a failure (per /metrics)', async () => {
        const text = (await server.call('GET', '/metrics', { as: 'none' })).text;
        const seen = new Map<string, Set<string>>();
        for (const match of text.matchAll(
          /^http_request_duration_seconds_count\{method="(\w+)",route="([^"]+)",status="(\d+)"\} (\d+)/gm,
        )) {
          const key = `${match[1]} ${match[2]}`;
          seen.set(key, (seen.get(key) ?? new Set()).add(match[3]![0]!));
        }
        const routes = apiRoutes({
          stockroom: server.service.stockroom,
          jobs: server.service.jobs,
          metrics: server.service.metrics,
        });
        const missing = routes
          .map((route) => `${route.method.toUpperCase()} /api/v1${route.path}`)
          .filter((key) => !(seen.get(key)?.has('2') && seen.get(key)?.has('4')));
        expect(missing).toEqual([]);
        expect(text).not.toMatch(/status="5\d\d"/);
      });
    });
  });
}

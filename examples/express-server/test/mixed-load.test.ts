import { readAll, replayLedger, reservedMismatches } from '@stockroom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  type Backend,
  DATABASE_URL,
  dropSchema,
  postgresSkipReason,
  startTestServer,
  type TestServer,
  uniqueSchema,
} from './support.js';

// The acceptance load of invariant 7 over HTTP: 40 clients, 12 SKUs × 3 warehouses, every
// command keyed — reserve (1–3 lines, some in a sales channel), commit, release, extend, order
// cancel, restock / damage / correction, damaged write-off and restore, transfers (create, ship,
// receive, cancel), bulk updates (atomic and not; deltas, and sets that compare the level they
// replace), safety-stock and cart-limit changes, the expiry job, alert acknowledgements, whole-cart
// checks and reads — plus replays racing their first call and replays of earlier answers under
// load. No answer may be a VERSION_CONFLICT or a 5xx, and no valid command may be refused.

const CLIENTS = 40;
const COMMANDS_PER_CLIENT = 80;
const SKUS = Array.from({ length: 12 }, (_, index) => `MIX-${index}`);
const WAREHOUSES = ['paris', 'berlin', 'madrid'] as const;
/** One row per client that only it sets, so its compare (`expectedQuantity`) is never stale. */
const setSku = (client: number) => `SET-${client}`;
const SET_START = 100;

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly key: string;
  readonly as: 'admin' | 'storefront';
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const backends: Array<[string, () => Promise<Backend>, string | false, string | undefined]> = [
  ['SQLite', async () => ({ kind: 'sqlite' }), false, undefined],
];
const pgSchema = uniqueSchema('mixed');
backends.push([
  'PostgreSQL',
  async () => ({ kind: 'postgres', url: DATABASE_URL, schema: pgSchema }),
  await postgresSkipReason(),
  pgSchema,
]);

for (const [label, backend, skip, schema] of backends) {
  describe.skipIf(skip)(`mixed load over HTTP on ${label}`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(await backend());
      for (const id of WAREHOUSES) {
        const answer = await server.call('POST', '/api/v1/warehouses', { body: { id, name: id } });
        expect(answer.status, answer.text).toBe(201);
      }
      const seeded = await server.call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'set',
          atomic: true,
          items: [
            ...SKUS.flatMap((sku) =>
              WAREHOUSES.map((warehouseId) => ({ sku, warehouseId, quantity: 5000 })),
            ),
            ...Array.from({ length: CLIENTS }, (_, client) => ({
              sku: setSku(client),
              warehouseId: 'paris',
              quantity: SET_START,
            })),
          ],
        },
      });
      expect(seeded.status, seeded.text).toBe(200);
      const channel = await server.call('POST', '/api/v1/channels', {
        body: { id: 'mix-west', name: 'West', warehouseIds: ['paris', 'berlin'] },
      });
      expect(channel.status, channel.text).toBe(201);
    });
    afterAll(async () => {
      await server?.close();
      if (schema) await dropSchema(schema);
    });

    it(`${CLIENTS} clients × ${COMMANDS_PER_CLIENT} keyed commands: no conflict, no 5xx, every invariant`, {
      timeout: 240_000,
    }, async () => {
      // Two low rows, so there are alerts to acknowledge.
      for (const sku of ['LOW-1', 'LOW-2']) {
        const answer = await server.call('POST', '/api/v1/inventory/adjust', {
          body: { sku, warehouseId: 'paris', type: 'RESTOCK', quantity: 3 },
        });
        expect(answer.status, answer.text).toBe(200);
      }
      const alerts = await server.call('GET', '/api/v1/alerts?status=TRIGGERED');
      expect(alerts.body.items.length).toBeGreaterThanOrEqual(2);
      const alertIds: string[] = alerts.body.items.map((alert: { id: string }) => alert.id);

      const answers: Array<{ sent: Sent; answer: Answer }> = [];
      const setFailures: string[] = [];
      const setLevels = new Map<string, number>();
      const newerCommands = new Map<string, number>();
      const count = (name: string) => newerCommands.set(name, (newerCommands.get(name) ?? 0) + 1);
      const created: string[] = [];
      const createdTransfers: string[] = [];
      let replaysChecked = 0;
      const replayMismatches: string[] = [];
      const send = async (sent: Sent): Promise<Answer> => {
        const answer = await server.call(sent.method, sent.path, {
          as: sent.as,
          body: sent.body,
          idempotencyKey: sent.key,
        });
        answers.push({ sent, answer });
        return answer;
      };
      /** The same keyed request twice at once: equal answers, exactly one marked as a replay. */
      const race = async (sent: Sent): Promise<Answer> => {
        const [first, second] = await Promise.all([send(sent), send(sent)]);
        replaysChecked += 1;
        if (first!.status !== second!.status || first!.text !== second!.text) {
          replayMismatches.push(`${sent.path}: ${first!.status} ≠ ${second!.status}`);
        } else if (first!.status < 300) {
          const marks = [first!, second!].filter(
            (answer) => answer.headers.get('idempotent-replayed') === 'true',
          ).length;
          if (marks !== 1)
            replayMismatches.push(`${sent.path}: ${marks} answers marked as replays`);
        }
        return first!;
      };

      const client = async (number: number) => {
        const random = seeded(number + 1);
        const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
        const holds: Array<{ id: string; orderId: string }> = [];
        const shipped: string[] = [];
        const initiated: string[] = [];
        const earlier: Array<{ sent: Sent; answer: Answer }> = [];
        /** Damaged units this client made: only these it writes off or restores. */
        const damaged: Array<{ sku: string; warehouseId: string }> = [];
        let setLevel = SET_START;
        const reserveItems = () => {
          const lines = 1 + Math.floor(random() * 3);
          const skus = new Set<string>();
          while (skus.size < lines) skus.add(pick(SKUS));
          return [...skus].map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 2) }));
        };
        /** The newer commands (#16, #17), on about one step in six. */
        const newer = async (key: string, dispatch: (sent: Sent) => Promise<Answer>) => {
          const kind = random();
          if (kind < 0.25) {
            count('check-cart');
            // A read: the key has no effect, so it is never raced for a replay mark.
            await send({
              method: 'POST',
              path: '/api/v1/inventory/check-cart',
              as: 'storefront',
              key,
              body: {
                items: reserveItems(),
                ...(random() < 0.5 ? { channelId: 'mix-west' } : {}),
              },
            });
          } else if (kind < 0.45) {
            count('channel-reserve');
            const orderId = `order-${key}`;
            const sent: Sent = {
              method: 'POST',
              path: '/api/v1/reservations',
              as: 'storefront',
              key,
              body: { orderId, channelId: 'mix-west', items: reserveItems() },
            };
            const answer = await dispatch(sent);
            if (answer.status === 201) {
              holds.push({ id: answer.body.reservationId, orderId });
              created.push(answer.body.reservationId);
              earlier.push({ sent, answer });
            }
          } else if (kind < 0.57) {
            count('safety-stock');
            await send({
              method: 'PUT',
              path: `/api/v1/inventory/${pick(SKUS)}/warehouses/${pick(WAREHOUSES)}/settings`,
              as: 'admin',
              key,
              body: { safetyStock: Math.floor(random() * 20) },
            });
          } else if (kind < 0.65) {
            count('cart-limits');
            // Limits every reservation of the mix keeps (1–2 units a SKU): none is refused.
            await send({
              method: 'PUT',
              path: `/api/v1/inventory/${pick(SKUS)}/policy`,
              as: 'admin',
              key,
              body: { minPerCart: 1, maxPerCart: 10 + Math.floor(random() * 10) },
            });
          } else if (kind < 0.83) {
            const unit = damaged.shift();
            if (!unit) {
              count('damage');
              const row = { sku: pick(SKUS), warehouseId: pick(WAREHOUSES) };
              const answer = await dispatch({
                method: 'POST',
                path: '/api/v1/inventory/adjust',
                as: 'admin',
                key,
                body: { ...row, type: 'DAMAGE', quantity: 1 },
              });
              if (answer.status === 200) damaged.push(row);
            } else {
              const type = random() < 0.5 ? 'WRITE_OFF' : 'RESTORE';
              count(type);
              await dispatch({
                method: 'POST',
                path: '/api/v1/inventory/adjust',
                as: 'admin',
                key,
                body: { ...unit, type, quantity: 1, reason: 'mixed load inspection' },
              });
            }
          } else {
            count('bulk-set-compare');
            const quantity = 50 + Math.floor(random() * 100);
            const answer = await dispatch({
              method: 'POST',
              path: '/api/v1/inventory/bulk-update',
              as: 'admin',
              key,
              body: {
                mode: 'set',
                atomic: random() < 0.5,
                items: [
                  {
                    sku: setSku(number),
                    warehouseId: 'paris',
                    quantity,
                    expectedQuantity: setLevel,
                  },
                ],
              },
            });
            if (answer.status === 200 && answer.body.failed.length === 0) setLevel = quantity;
            else setFailures.push(`${key}: ${answer.status} ${answer.text}`);
          }
        };
        for (let step = 0; step < COMMANDS_PER_CLIENT; step += 1) {
          const key = `c${number}-${step}`;
          const roll = random();
          const dispatch = step % 9 === 4 ? race : send;
          if (random() < 0.16) {
            await newer(key, dispatch);
            continue;
          }
          if (step % 10 === 9 && earlier.length > 0) {
            // A client that lost an answer sends the request again, while everyone else writes.
            const { sent, answer } = pick(earlier);
            const again = await send(sent);
            replaysChecked += 1;
            if (
              again.status !== answer.status ||
              again.text !== answer.text ||
              again.headers.get('idempotent-replayed') !== 'true'
            ) {
              replayMismatches.push(`replay of ${sent.path}: ${again.status} ${again.text}`);
            }
            continue;
          }
          if (roll < 0.4 || holds.length === 0) {
            const lines = 1 + Math.floor(random() * 3);
            const skus = new Set<string>();
            while (skus.size < lines) skus.add(pick(SKUS));
            const orderId = `order-${key}`;
            const sent: Sent = {
              method: 'POST',
              path: '/api/v1/reservations',
              as: 'storefront',
              key,
              body: {
                orderId,
                items: [...skus].map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 2) })),
              },
            };
            const answer = await dispatch(sent);
            if (answer.status === 201) {
              holds.push({ id: answer.body.reservationId, orderId });
              created.push(answer.body.reservationId);
              earlier.push({ sent, answer });
            }
            continue;
          }
          if (roll < 0.6) {
            const hold = holds.shift()!;
            await dispatch({
              method: 'POST',
              path: `/api/v1/reservations/${hold.id}/commit`,
              as: 'storefront',
              key,
              body: {},
            });
          } else if (roll < 0.68) {
            const hold = holds.shift()!;
            await dispatch({
              method: 'POST',
              path: `/api/v1/reservations/${hold.id}/release`,
              as: 'storefront',
              key,
              body: {},
            });
          } else if (roll < 0.72) {
            const hold = holds.shift()!;
            await dispatch({
              method: 'POST',
              path: `/api/v1/orders/${hold.orderId}/cancel`,
              as: 'storefront',
              key,
              body: {},
            });
          } else if (roll < 0.76) {
            await dispatch({
              method: 'POST',
              path: `/api/v1/reservations/${holds[0]!.id}/extend`,
              as: 'storefront',
              key,
              body: { seconds: 60 },
            });
          } else if (roll < 0.84) {
            const kind = random();
            await dispatch({
              method: 'POST',
              path: '/api/v1/inventory/adjust',
              as: 'admin',
              key,
              body:
                kind < 0.5
                  ? { sku: pick(SKUS), warehouseId: pick(WAREHOUSES), type: 'RESTOCK', quantity: 5 }
                  : kind < 0.75
                    ? {
                        sku: pick(SKUS),
                        warehouseId: pick(WAREHOUSES),
                        type: 'DAMAGE',
                        quantity: 1,
                      }
                    : {
                        sku: pick(SKUS),
                        warehouseId: pick(WAREHOUSES),
                        type: 'ADJUSTMENT',
                        quantity: -2,
                      },
            });
          } else if (roll < 0.9) {
            if (shipped.length > 0) {
              await dispatch({
                method: 'POST',
                path: `/api/v1/transfers/${shipped.shift()}/receive`,
                as: 'admin',
                key,
                body: {},
              });
            } else if (initiated.length > 0) {
              const id = initiated.shift()!;
              const action = random() < 0.75 ? 'ship' : 'cancel';
              const answer = await dispatch({
                method: 'POST',
                path: `/api/v1/transfers/${id}/${action}`,
                as: 'admin',
                key,
                body: {},
              });
              if (action === 'ship' && answer.status === 200) shipped.push(id);
            } else {
              const from = pick(WAREHOUSES);
              const to = WAREHOUSES[(WAREHOUSES.indexOf(from) + 1) % 3]!;
              const answer = await dispatch({
                method: 'POST',
                path: '/api/v1/transfers',
                as: 'admin',
                key,
                body: { sku: pick(SKUS), fromWarehouseId: from, toWarehouseId: to, quantity: 2 },
              });
              if (answer.status === 201) {
                initiated.push(answer.body.id);
                createdTransfers.push(answer.body.id);
              }
            }
          } else if (roll < 0.94) {
            await dispatch({
              method: 'POST',
              path: '/api/v1/inventory/bulk-update',
              as: 'admin',
              key,
              body: {
                mode: 'delta',
                atomic: random() < 0.5,
                items: [pick(SKUS), pick(SKUS)]
                  .filter((sku, index, all) => all.indexOf(sku) === index)
                  .map((sku) => ({ sku, warehouseId: pick(WAREHOUSES), quantity: 3 })),
              },
            });
          } else if (roll < 0.96) {
            await dispatch({
              method: 'POST',
              path: '/api/v1/admin/jobs/expire-reservations/run',
              as: 'admin',
              key,
              body: {},
            });
          } else if (roll < 0.97) {
            await dispatch({
              method: 'POST',
              path: `/api/v1/alerts/${pick(alertIds)}/acknowledge`,
              as: 'admin',
              key,
              body: {},
            });
          } else {
            const answer = await server.call('GET', `/api/v1/inventory/${pick(SKUS)}`, {
              as: 'storefront',
            });
            answers.push({
              sent: {
                method: 'GET',
                path: '/api/v1/inventory',
                body: null,
                key: '',
                as: 'storefront',
              },
              answer,
            });
          }
        }
        setLevels.set(setSku(number), setLevel);
      };

      // Everyone at once, plus one job run and one acknowledgement sent by 6 callers with one key.
      let jobReplays = 0;
      let ackReplays = 0;
      const sameKey = async (path: string, key: string) => {
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            server.call('POST', path, { body: {}, idempotencyKey: key }),
          ),
        );
        for (const result of results) expect(result.status, result.text).toBe(200);
        for (const result of results) expect(result.text).toBe(results[0]!.text);
        return results.filter((result) => result.headers.get('idempotent-replayed') === 'true')
          .length;
      };
      await Promise.all([
        ...Array.from({ length: CLIENTS }, (_, number) => client(number)),
        sameKey('/api/v1/admin/jobs/expire-reservations/run', 'one-job-run').then((count) => {
          jobReplays = count;
        }),
        sameKey(`/api/v1/alerts/${alertIds[0]}/acknowledge`, 'one-ack').then((count) => {
          ackReplays = count;
        }),
      ]);

      const commands = answers.filter(({ sent }) => sent.method === 'POST').length;
      expect(commands).toBeGreaterThanOrEqual(3000);
      const conflicts = answers.filter(({ answer }) => answer.body?.code === 'VERSION_CONFLICT');
      expect(conflicts.map(({ sent }) => sent.path)).toEqual([]);
      expect(
        answers
          .filter(({ answer }) => answer.status >= 500)
          .map(({ sent, answer }) => `${sent.path} ${answer.text}`),
      ).toEqual([]);
      const failed = answers.filter(({ answer }) => answer.status >= 300);
      expect(
        failed.map(({ sent, answer }) => `${sent.path} ${answer.status} ${answer.body?.code}`),
      ).toEqual([]);
      expect(replayMismatches).toEqual([]);
      expect(setFailures).toEqual([]);
      // Every newer command was sent, many times.
      for (const name of [
        'check-cart',
        'channel-reserve',
        'safety-stock',
        'cart-limits',
        'damage',
        'WRITE_OFF',
        'RESTORE',
        'bulk-set-compare',
      ]) {
        expect(newerCommands.get(name) ?? 0, name).toBeGreaterThan(10);
      }
      expect(replaysChecked).toBeGreaterThan(300);
      expect(jobReplays).toBe(5);
      expect(ackReplays).toBe(5);

      const store = server.service.stockroom.store;
      expect(await replayLedger(store)).toEqual([]);
      expect(await reservedMismatches(store)).toEqual([]);
      const rows = await readAll((page) => store.reads.allStock(page));
      expect(
        rows.filter(
          (row) => row.available < 0 || row.reserved < 0 || row.damaged < 0 || row.inTransit < 0,
        ),
      ).toEqual([]);
      for (const id of created) expect(await store.reads.reservation(id), id).not.toBeNull();
      // Each client's own row holds the level its last compared set wrote.
      const setRows = await store.reads.stockBySkus(
        Array.from({ length: CLIENTS }, (_, client) => setSku(client)),
      );
      expect(new Map(setRows.map((row) => [row.sku, row.available]))).toEqual(setLevels);
      for (const id of createdTransfers) expect(await store.reads.transfer(id), id).not.toBeNull();
    });
  });
}

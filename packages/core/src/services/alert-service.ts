import { compareStockKeys, type StockKey, stockKeyOf } from '../domain/inventory-stock.js';
import { AlertStatus, acknowledgeAlert, type LowStockAlert } from '../domain/low-stock-alert.js';
import type { ChangeContext } from '../domain/movement.js';
import { NotFoundError } from '../errors/not-found-error.js';
import type { Page, PageRequest } from '../ports/page.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { runIdempotent } from './idempotency.js';
import { reconcileRowAlert } from './low-stock.js';
import type { ServiceContext } from './service-context.js';
import { validate } from './validate.js';

/** What one `evaluateLowStock` pass did. */
export interface LowStockEvaluation {
  /** Rows examined: those at or below their threshold plus those with an open alert. */
  readonly processed: number;
  /** Alerts raised (each with one `inventory.low.stock` event). */
  readonly triggered: number;
  /** Open alerts resolved because their row is above its threshold again. */
  readonly resolved: number;
}

/** Rows examined per transaction by `evaluateLowStock`. */
const EVALUATION_BATCH = 200;
const STATUSES = Object.values(AlertStatus);

/**
 * Low-stock alerts: the periodic evaluation, acknowledgement and listing.
 *
 * Alerts are also raised and resolved at once by every stock change that crosses a row's
 * threshold (in the same transaction), so `evaluateLowStock` only catches what changed outside
 * the services: a threshold written straight to the store, an alert lost to a bug. A row has at
 * most one open (TRIGGERED or ACKNOWLEDGED) alert, so a row that stays low raises one alert and
 * one event per crossing however often the job runs.
 */
export class AlertService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * Brings every alert in line with its row: a row at or below its threshold without an open
   * alert gets one TRIGGERED alert and one `inventory.low.stock` event; open alerts of rows above
   * their threshold are RESOLVED. Rows are re-read and locked in each batch's transaction, so a
   * concurrent change cannot slip between the check and the write. The server runs it every
   * five minutes (under a job lease).
   */
  async evaluateLowStock(): Promise<LowStockEvaluation> {
    const candidates = new Map<string, StockKey>();
    for (const row of await this.context.store.reads.lowStock()) {
      candidates.set(stockKeyOf(row), { sku: row.sku, warehouseId: row.warehouseId });
    }
    for (const status of [AlertStatus.TRIGGERED, AlertStatus.ACKNOWLEDGED]) {
      let cursor: string | null = null;
      do {
        const page: Page<LowStockAlert> = await this.context.store.reads.alerts(
          { status },
          { limit: 1000, cursor },
        );
        for (const alert of page.items) {
          candidates.set(stockKeyOf(alert), { sku: alert.sku, warehouseId: alert.warehouseId });
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    const keys = [...candidates.values()].sort(compareStockKeys);
    let triggered = 0;
    let resolved = 0;
    for (let start = 0; start < keys.length; start += EVALUATION_BATCH) {
      const batch = keys.slice(start, start + EVALUATION_BATCH);
      const wanted = new Set(batch.map(stockKeyOf));
      const outcome = await this.context.transact(async (transaction) => {
        const now = this.context.clock.now();
        const rows = await transaction.stock.read([...new Set(batch.map((key) => key.sku))], {
          lock: true,
        });
        let raised = 0;
        let closed = 0;
        for (const row of rows) {
          if (!wanted.has(stockKeyOf(row))) continue;
          const done = await reconcileRowAlert(transaction, this.context, row, now);
          if (done === 'triggered') raised += 1;
          if (done === 'resolved') closed += 1;
        }
        return { raised, closed };
      });
      triggered += outcome.raised;
      resolved += outcome.closed;
    }
    return { processed: keys.length, triggered, resolved };
  }

  /**
   * TRIGGERED → ACKNOWLEDGED, stamping who and when. Acknowledging an ACKNOWLEDGED alert returns
   * it unchanged. The alert stays open until its row climbs above the threshold.
   * With `context.idempotencyKey`, the first result is stored with the change and a replay
   * (concurrent or later) gets it back, marked through `context.onReplay`.
   * @throws VALIDATION_FAILED, NOT_FOUND, INVALID_STATE (the alert is RESOLVED),
   *   IDEMPOTENCY_KEY_REUSED
   */
  async acknowledge(
    id: string,
    actor?: string,
    context: ChangeContext = {},
  ): Promise<LowStockAlert> {
    validate().id(id, 'alertId').optionalId(actor, 'actor').done();
    const request = { id, actor: actor ?? null };
    return this.context.keyed.run(context, 'acknowledge-alert', request, () =>
      this.context.transact((transaction) =>
        runIdempotent(
          transaction,
          context,
          'acknowledge-alert',
          request,
          this.context.clock.now(),
          () => this.acknowledgeIn(transaction, id, actor),
        ),
      ),
    );
  }

  private async acknowledgeIn(
    transaction: StockTransaction,
    id: string,
    actor: string | undefined,
  ): Promise<LowStockAlert> {
    {
      const found = await transaction.alerts.get(id);
      if (!found) throw new NotFoundError('alert', id);
      // Lock the row first: the change that resolves an alert writes the row, so it cannot
      // resolve this alert between our read and our write.
      await transaction.stock.get(found, { lock: true });
      const alert = (await transaction.alerts.get(id)) ?? found;
      if (alert.status === AlertStatus.ACKNOWLEDGED) return alert;
      const next = acknowledgeAlert(alert, actor ?? null, this.context.clock.now());
      await transaction.alerts.update(next);
      return next;
    }
  }

  /** One alert, or null. */
  async get(id: string): Promise<LowStockAlert | null> {
    validate().id(id, 'alertId').done();
    return this.context.store.transaction((transaction) => transaction.alerts.get(id));
  }

  /**
   * Alerts, newest first, optionally in one status, paged.
   * @throws VALIDATION_FAILED
   */
  async list(
    filter: { readonly status?: AlertStatus } = {},
    page: PageRequest = {},
  ): Promise<Page<LowStockAlert>> {
    if (filter.status !== undefined) validate().oneOf(filter.status, 'status', STATUSES).done();
    return this.context.store.reads.alerts(filter, page);
  }
}

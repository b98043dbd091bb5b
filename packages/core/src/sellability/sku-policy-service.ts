import { EventType } from '../domain/events.js';
import { MAX_QUANTITY } from '../domain/ids.js';
import type { ChangeContext } from '../domain/movement.js';
import {
  BackorderPolicy,
  type BackorderRule,
  type CartLimits,
  NO_BACKORDERS,
  type SkuPolicy,
} from '../domain/sku-policy.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { runIdempotent } from '../services/idempotency.js';
import { createEvent } from '../services/low-stock.js';
import type { ServiceContext } from '../services/service-context.js';
import { validate } from '../services/validate.js';
import type { SellabilitySettings } from './sellability-settings.js';

/** A request to set a SKU's selling rules; an omitted field keeps its current value. */
export interface SkuPolicyRequest {
  readonly sku: string;
  /** Units per reservation, at least; `null` for no minimum. */
  readonly minPerCart?: number | null;
  /** Units per reservation, at most; `null` for no maximum. */
  readonly maxPerCart?: number | null;
  /**
   * Lets reservations take units of the SKU's open incoming receipts once sellable units run
   * out (preorders); omitted keeps the current value (false for a new policy).
   */
  readonly allowPreorder?: boolean;
  /** `CONTINUE` lets reservations go beyond what is sellable (backorders); `DENY` refuses. */
  readonly backorderPolicy?: BackorderPolicy;
  /** The most backordered units one stock row of the SKU may carry; `null` for no limit. */
  readonly backorderLimit?: number | null;
  /** Compare-and-set: refused with VERSION_CONFLICT unless the stored version is this (0: none). */
  readonly expectedVersion?: number;
}

/** A SKU's effective selling rules: its stored policy, or the defaults. */
export interface EffectiveSkuPolicy extends CartLimits, BackorderRule {
  readonly sku: string;
  /** True when the SKU has a stored policy; false when the defaults apply. */
  readonly stored: boolean;
  /** Reservations may preorder from open incoming receipts (false without a stored policy). */
  readonly allowPreorder: boolean;
  /** The stored policy's version (0 when none). */
  readonly version: number;
  readonly updatedAt: Date | null;
}

/**
 * Per-SKU selling policies: cart limits (units of a SKU one reservation may hold) and
 * backorders (whether a reservation may go beyond what is sellable, and how far). Each change
 * emits `inventory.sku.policy.updated` through the outbox. Reservations read the policies in
 * the same transaction as the stock rows they allocate from.
 */
export class SkuPolicyService {
  constructor(
    private readonly context: ServiceContext,
    readonly settings: SellabilitySettings,
  ) {}

  /** The SKU's effective policy (read in the primary, through a transaction). @throws VALIDATION_FAILED */
  async get(sku: string): Promise<EffectiveSkuPolicy> {
    validate().id(sku, 'sku').done();
    const [policy] = await this.context.store.transaction((transaction) =>
      transaction.policies.get([sku]),
    );
    return this.effective(sku, policy);
  }

  /**
   * Sets a SKU's cart limits (min ≤ max) and backorder rule, creating its policy when it has
   * none. Setting `CONTINUE` clears the SKU's sold-out mark (it is never sold out then).
   * @throws VALIDATION_FAILED, VERSION_CONFLICT (when `expectedVersion` does not match),
   *   IDEMPOTENCY_KEY_REUSED
   * @example
   * await stockroom.policies.set({ sku: 'CONSOLE', maxPerCart: 2 });
   */
  async set(request: SkuPolicyRequest, context: ChangeContext = {}): Promise<EffectiveSkuPolicy> {
    const check = validate().id(request.sku, 'sku');
    for (const field of ['minPerCart', 'maxPerCart'] as const) {
      const value = request[field];
      if (value !== undefined && value !== null) check.integer(value, field, 1, MAX_QUANTITY);
    }
    if (request.allowPreorder !== undefined)
      check.check(typeof request.allowPreorder === 'boolean', 'allowPreorder', 'must be a boolean');
    if (request.backorderPolicy !== undefined)
      check.oneOf(request.backorderPolicy, 'backorderPolicy', Object.values(BackorderPolicy));
    if (request.backorderLimit !== undefined && request.backorderLimit !== null)
      check.integer(request.backorderLimit, 'backorderLimit', 0, MAX_QUANTITY);
    if (request.expectedVersion !== undefined)
      check.integer(request.expectedVersion, 'expectedVersion', 0, Number.MAX_SAFE_INTEGER);
    check.done();
    const effective = await this.context.keyed.run(context, 'sku-policy', request, () =>
      this.context.lanes.run([request.sku], async (transaction) => {
        const now = this.context.clock.now();
        return runIdempotent(transaction, context, 'sku-policy', request, now, async () => {
          const [current] = await transaction.policies.get([request.sku]);
          const version = current?.version ?? 0;
          if (request.expectedVersion !== undefined && request.expectedVersion !== version) {
            throw new VersionConflictError(
              `Policy of ${request.sku} is at version ${version}, not ${request.expectedVersion}`,
              {
                retryable: false,
                expectedVersion: request.expectedVersion,
                actualVersion: version,
              },
            );
          }
          const base = current ?? { ...this.settings.defaultCartLimits, ...NO_BACKORDERS };
          const next: SkuPolicy = {
            sku: request.sku,
            minPerCart: request.minPerCart === undefined ? base.minPerCart : request.minPerCart,
            maxPerCart: request.maxPerCart === undefined ? base.maxPerCart : request.maxPerCart,
            allowPreorder: request.allowPreorder ?? current?.allowPreorder ?? false,
            backorderPolicy: request.backorderPolicy ?? base.backorderPolicy,
            backorderLimit:
              request.backorderLimit === undefined ? base.backorderLimit : request.backorderLimit,
            version: version + 1,
            updatedAt: now,
          };
          validate()
            .check(
              next.minPerCart === null ||
                next.maxPerCart === null ||
                next.minPerCart <= next.maxPerCart,
              'minPerCart',
              'must not be greater than maxPerCart',
            )
            .done();
          if (!(await transaction.policies.put(next, version)).applied) {
            throw new VersionConflictError(`Policy of ${request.sku} changed concurrently`, {
              retryable: true,
            });
          }
          await this.emit(transaction, next.sku, next, now);
          return this.effective(next.sku, next);
        });
      }),
    );
    if (effective.backorderPolicy === BackorderPolicy.CONTINUE) {
      await this.context.afterCommit({ touched: [], replenished: [request.sku], soldOut: [] });
    }
    return effective;
  }

  /**
   * Removes a SKU's policy: the defaults apply again. Idempotent (removing none is no change).
   * @throws VALIDATION_FAILED
   */
  async remove(sku: string): Promise<EffectiveSkuPolicy> {
    validate().id(sku, 'sku').done();
    return this.context.lanes.run([sku], async (transaction) => {
      const now = this.context.clock.now();
      if (await transaction.policies.remove(sku)) await this.emit(transaction, sku, null, now);
      return this.effective(sku, undefined);
    });
  }

  private async emit(
    transaction: StockTransaction,
    sku: string,
    policy: SkuPolicy | null,
    now: Date,
  ): Promise<void> {
    const effective = this.effective(sku, policy ?? undefined);
    const data = {
      sku,
      stored: effective.stored,
      minPerCart: effective.minPerCart,
      maxPerCart: effective.maxPerCart,
      allowPreorder: effective.allowPreorder,
      backorderPolicy: effective.backorderPolicy,
      backorderLimit: effective.backorderLimit,
      version: effective.version,
    };
    await transaction.outbox.append([
      createEvent(this.context, EventType.SKU_POLICY_UPDATED, sku, data, now),
    ]);
  }

  private effective(sku: string, policy: SkuPolicy | undefined): EffectiveSkuPolicy {
    if (!policy) {
      return {
        sku,
        ...this.settings.defaultCartLimits,
        ...NO_BACKORDERS,
        stored: false,
        allowPreorder: false,
        version: 0,
        updatedAt: null,
      };
    }
    return {
      sku,
      minPerCart: policy.minPerCart,
      maxPerCart: policy.maxPerCart,
      backorderPolicy: policy.backorderPolicy,
      backorderLimit: policy.backorderLimit,
      stored: true,
      allowPreorder: policy.allowPreorder,
      version: policy.version,
      updatedAt: policy.updatedAt,
    };
  }
}

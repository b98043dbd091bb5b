import type { JsonValue } from '../domain/events.js';
import { EventType } from '../domain/events.js';
import type { ChangeContext } from '../domain/movement.js';
import { KitNotStockableError } from '../errors/kit-not-stockable-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { writeDirectoryRows } from '../services/directory-write.js';
import { createEvent } from '../services/low-stock.js';
import type { ServiceContext } from '../services/service-context.js';
import { validate } from '../services/validate.js';
import {
  KIT_SHIPPING,
  type Kit,
  type KitComponent,
  type KitShipping,
  MAX_KIT_COMPONENTS,
} from './kit.js';
import type { KitDirectory } from './kit-directory.js';
import type { KitRows } from './kit-rows.js';

/** A request to define (create or replace) a kit. */
export interface DefineKitRequest {
  /** The kit's SKU: never stocked, never a component of another kit. */
  readonly sku: string;
  /** 1–50 components, each SKU once; none may be a kit or the kit itself. */
  readonly components: readonly KitComponent[];
  /** @default 'SINGLE_WAREHOUSE' */
  readonly shipping?: KitShipping;
  /**
   * The caller's compare-and-set: the version the kit has now (0: it must not exist yet). A
   * mismatch fails with VERSION_CONFLICT. @default no check
   */
  readonly expectedVersion?: number;
}

function kitData(action: 'defined' | 'deleted', kit: Kit): { [key: string]: JsonValue } {
  return {
    action,
    sku: kit.sku,
    shipping: kit.shipping,
    components: kit.components.map((component) => ({
      sku: component.sku,
      quantity: component.quantity,
    })),
    version: kit.version,
  };
}

function checkDefinition(request: DefineKitRequest): void {
  const check = validate().id(request?.sku, 'sku');
  const components: unknown = request?.components;
  check.check(
    Array.isArray(components) && components.length > 0 && components.length <= MAX_KIT_COMPONENTS,
    'components',
    `must hold 1–${MAX_KIT_COMPONENTS} components`,
  );
  if (Array.isArray(components)) {
    const seen = new Set<unknown>();
    components.forEach((component: KitComponent, index) => {
      check
        .id(component?.sku, `components.${index}.sku`)
        .quantity(component?.quantity, `components.${index}.quantity`)
        .check(!seen.has(component?.sku), `components.${index}.sku`, 'is listed twice')
        .check(component?.sku !== request.sku, `components.${index}.sku`, 'is the kit itself');
      seen.add(component?.sku);
    });
  }
  if (request?.shipping !== undefined) check.oneOf(request.shipping, 'shipping', KIT_SHIPPING);
  if (request?.expectedVersion !== undefined)
    check.integer(request.expectedVersion, 'expectedVersion', 0, Number.MAX_SAFE_INTEGER);
  check.done();
}

/**
 * Kits and bundles: SKUs made of other SKUs, never stocked themselves. Every change emits
 * `inventory.kit.updated` (subject: the kit SKU) into the outbox in the same transaction, and
 * drops the kit lists every process keeps (see {@link KitDirectory}).
 *
 * @example
 * ```ts
 * await stockroom.kits.define({
 *   sku: 'GIFT-BOX',
 *   components: [{ sku: 'MUG', quantity: 2 }, { sku: 'TEA', quantity: 1 }],
 * });
 * const answer = await stockroom.availability.check({ sku: 'GIFT-BOX', quantity: 1 });
 * const hold = await stockroom.reservations.reserve({ items: [{ sku: 'GIFT-BOX', quantity: 1 }] });
 * ```
 */
export class KitService {
  constructor(
    private readonly context: ServiceContext,
    private readonly directory: KitDirectory,
  ) {}

  /**
   * Creates a kit, or replaces its components and shipping (reservations made before keep the
   * component lines they hold).
   * @throws VALIDATION_FAILED for a malformed definition or a component that is a kit;
   *   KIT_NOT_STOCKABLE when the SKU has stock rows or is a component of another kit;
   *   VERSION_CONFLICT when `expectedVersion` does not match; INVALID_STATE when the store keeps
   *   no kits
   */
  async define(request: DefineKitRequest, context: ChangeContext = {}): Promise<Kit> {
    checkDefinition(request);
    return this.write(context, 'define-kit', request, async (transaction, rows, now) => {
      const [current] = await rows.get([request.sku], { lock: true });
      const version = current?.version ?? 0;
      if (request.expectedVersion !== undefined && request.expectedVersion !== version) {
        throw new VersionConflictError(
          `Kit ${request.sku} is at version ${version}, not ${request.expectedVersion}`,
          { retryable: false, expectedVersion: request.expectedVersion, actualVersion: version },
        );
      }
      const componentSkus = request.components.map((component) => component.sku);
      const nested = await rows.get(componentSkus);
      if (nested.length > 0) {
        throw new ValidationError(
          nested.map((kit) => ({
            path: `components.${componentSkus.indexOf(kit.sku)}.sku`,
            message: 'is a kit (kits do not nest)',
          })),
        );
      }
      const parent = (await rows.list()).find((kit) =>
        kit.components.some((component) => component.sku === request.sku),
      );
      if (parent) {
        throw new KitNotStockableError(
          request.sku,
          `${request.sku} is a component of kit ${parent.sku}: kits do not nest`,
        );
      }
      if ((await transaction.stock.read([request.sku])).length > 0) {
        throw new KitNotStockableError(
          request.sku,
          `${request.sku} has stock rows: a kit is never stocked`,
        );
      }
      const kit: Kit = {
        sku: request.sku,
        components: [...request.components]
          .map((component) => ({ sku: component.sku, quantity: component.quantity }))
          .sort((left, right) => (left.sku < right.sku ? -1 : left.sku > right.sku ? 1 : 0)),
        shipping: request.shipping ?? 'SINGLE_WAREHOUSE',
        version: version + 1,
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
      };
      if (!(await rows.put(kit, version)).applied) {
        throw new VersionConflictError(`Kit ${request.sku} changed concurrently`, {
          retryable: true,
        });
      }
      await this.emit(transaction, now, 'defined', kit);
      return kit;
    });
  }

  /**
   * Deletes a kit; reservations holding its components keep them.
   * @throws NOT_FOUND, INVALID_STATE (no kits in this store)
   */
  async remove(sku: string, context: ChangeContext = {}): Promise<Kit> {
    validate().id(sku, 'sku').done();
    return this.write(context, 'delete-kit', { sku }, async (transaction, rows, now) => {
      const [current] = await rows.get([sku], { lock: true });
      if (!current) throw new NotFoundError('kit', sku);
      if (!(await rows.remove(sku, current.version)).applied) {
        throw new VersionConflictError(`Kit ${sku} changed concurrently`, { retryable: true });
      }
      await this.emit(transaction, now, 'deleted', current);
      return current;
    });
  }

  /** One kit (from the store, not the in-process list), or null. */
  async get(sku: string): Promise<Kit | null> {
    validate().id(sku, 'sku').done();
    return this.context.store.transaction(
      async (transaction) => (await transaction.kits?.get([sku]))?.[0] ?? null,
    );
  }

  /** Every kit, sorted by SKU (from the store). */
  async list(): Promise<Kit[]> {
    return this.context.store.transaction(
      async (transaction) => (await transaction.kits?.list()) ?? [],
    );
  }

  private write<T>(
    context: ChangeContext,
    command: string,
    request: unknown,
    work: (transaction: StockTransaction, rows: KitRows, now: Date) => Promise<T>,
  ): Promise<T> {
    return writeDirectoryRows(
      this.context,
      context,
      { command, request },
      {
        rowsOf: (transaction) => transaction.kits,
        missing: 'This store keeps no kits',
        forget: () => this.directory.forget(),
      },
      work,
    );
  }

  private async emit(
    transaction: StockTransaction,
    now: Date,
    action: 'defined' | 'deleted',
    kit: Kit,
  ): Promise<void> {
    await transaction.outbox.append([
      createEvent(this.context, EventType.KIT_UPDATED, kit.sku, kitData(action, kit), now),
    ]);
  }
}

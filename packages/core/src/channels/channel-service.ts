import type { JsonValue } from '../domain/events.js';
import { EventType } from '../domain/events.js';
import type { ChangeContext } from '../domain/movement.js';
import { AlreadyExistsError } from '../errors/already-exists-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { writeDirectoryRows } from '../services/directory-write.js';
import { createEvent } from '../services/low-stock.js';
import type { ServiceContext } from '../services/service-context.js';
import { type Validator, validate } from '../services/validate.js';
import type { ChannelDirectory } from './channel-directory.js';
import type { ChannelRows } from './channel-rows.js';
import {
  DISPLAY_KINDS,
  type DisplayStrategy,
  EXACT_DISPLAY,
  formatDisplayStrategy,
  MAX_CHANNEL_WAREHOUSES,
  MAX_DISPLAY_THRESHOLD,
  normalizeWarehouseIds,
  type SalesChannel,
} from './sales-channel.js';

/** The fields a caller may set on a channel. */
export interface ChannelFields {
  readonly name: string;
  /** The warehouses it sells from; each must exist. */
  readonly warehouseIds: readonly string[];
  /** @default exact */
  readonly display?: DisplayStrategy;
}

/** A request to create a channel. */
export interface CreateChannelRequest extends ChannelFields {
  readonly id: string;
}

/** Validates a display strategy given by a caller. */
export function checkDisplay(check: Validator, value: unknown, path: string): Validator {
  const strategy = value as Partial<Record<'kind' | 'cap' | 'lowStockAt', unknown>> | null;
  check.check(typeof strategy === 'object' && strategy !== null, path, 'must be an object');
  if (typeof strategy !== 'object' || strategy === null) return check;
  check.oneOf(strategy.kind, `${path}.kind`, DISPLAY_KINDS);
  if (strategy.kind === 'capped')
    check.integer(strategy.cap, `${path}.cap`, 1, MAX_DISPLAY_THRESHOLD);
  if (strategy.kind === 'levels')
    check.integer(strategy.lowStockAt, `${path}.lowStockAt`, 0, MAX_DISPLAY_THRESHOLD);
  return check;
}

function checkFields(check: Validator, fields: Partial<ChannelFields>): Validator {
  if (fields.name !== undefined)
    check.check(
      typeof fields.name === 'string' && fields.name.trim().length > 0 && fields.name.length <= 200,
      'name',
      'must be 1–200 characters',
    );
  if (fields.warehouseIds !== undefined) {
    const ids: unknown = fields.warehouseIds;
    check.check(
      Array.isArray(ids) && ids.length <= MAX_CHANNEL_WAREHOUSES,
      'warehouseIds',
      `must be a list of at most ${MAX_CHANNEL_WAREHOUSES} warehouse ids`,
    );
    if (Array.isArray(ids)) {
      for (const [index, id] of ids.entries()) check.id(id, `warehouseIds.${index}`);
    }
  }
  if (fields.display !== undefined) checkDisplay(check, fields.display, 'display');
  return check;
}

function displayOf(strategy: DisplayStrategy | undefined): DisplayStrategy {
  if (!strategy || strategy.kind === 'exact') return EXACT_DISPLAY;
  return strategy.kind === 'capped'
    ? { kind: 'capped', cap: strategy.cap }
    : { kind: 'levels', lowStockAt: strategy.lowStockAt };
}

function channelData(
  action: 'created' | 'updated' | 'deleted',
  channel: SalesChannel,
): { [key: string]: JsonValue } {
  return {
    action,
    channelId: channel.id,
    name: channel.name,
    warehouseIds: [...channel.warehouseIds],
    display: formatDisplayStrategy(channel.display),
    version: channel.version,
  };
}

/**
 * Sales channels: named sets of warehouses. Every change emits `inventory.channel.updated`
 * (subject `channel:<id>`) into the outbox in the same transaction, and drops the channel lists
 * every process keeps (see {@link ChannelDirectory}).
 */
export class ChannelService {
  constructor(
    private readonly context: ServiceContext,
    private readonly directory: ChannelDirectory,
  ) {}

  /**
   * Creates a channel.
   * @throws VALIDATION_FAILED, NOT_FOUND (a warehouse), ALREADY_EXISTS,
   *   INVALID_STATE when the store keeps no channels
   */
  async create(request: CreateChannelRequest, context: ChangeContext = {}): Promise<SalesChannel> {
    checkFields(validate().id(request.id, 'id'), request)
      .check(request.name !== undefined, 'name', 'is required')
      .check(request.warehouseIds !== undefined, 'warehouseIds', 'is required')
      .done();
    return this.write(context, 'create-channel', request, async (transaction, rows, now) => {
      const warehouseIds = normalizeWarehouseIds(request.warehouseIds);
      await this.requireWarehouses(transaction, warehouseIds);
      const channel: SalesChannel = {
        id: request.id,
        name: request.name,
        warehouseIds,
        display: displayOf(request.display),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      if (!(await rows.insert(channel)).applied)
        throw new AlreadyExistsError('channel', request.id);
      await this.emit(transaction, now, 'created', channel);
      return channel;
    });
  }

  /**
   * Changes any subset of a channel's name, warehouses and display strategy.
   * @throws VALIDATION_FAILED, NOT_FOUND (the channel or a warehouse), INVALID_STATE (no channels)
   */
  async update(
    id: string,
    fields: Partial<ChannelFields>,
    context: ChangeContext = {},
  ): Promise<SalesChannel> {
    checkFields(validate().id(id, 'id'), fields).done();
    return this.write(context, 'update-channel', { id, fields }, async (transaction, rows, now) => {
      const current = await rows.get(id, { lock: true });
      if (!current) throw new NotFoundError('channel', id);
      const warehouseIds =
        fields.warehouseIds === undefined
          ? current.warehouseIds
          : normalizeWarehouseIds(fields.warehouseIds);
      if (fields.warehouseIds !== undefined)
        await this.requireWarehouses(transaction, warehouseIds);
      const next: SalesChannel = {
        ...current,
        name: fields.name ?? current.name,
        warehouseIds,
        display: fields.display === undefined ? current.display : displayOf(fields.display),
        version: current.version + 1,
        updatedAt: now,
      };
      if (!(await rows.update(next, current.version)).applied) {
        throw new VersionConflictError(`Channel ${id} changed concurrently`, { retryable: true });
      }
      await this.emit(transaction, now, 'updated', next);
      return next;
    });
  }

  /**
   * Deletes a channel; keys bound to it then see nothing (their checks name an unknown channel).
   * @throws NOT_FOUND, INVALID_STATE (no channels)
   */
  async remove(id: string, context: ChangeContext = {}): Promise<SalesChannel> {
    validate().id(id, 'id').done();
    return this.write(context, 'delete-channel', { id }, async (transaction, rows, now) => {
      const current = await rows.get(id, { lock: true });
      if (!current) throw new NotFoundError('channel', id);
      if (!(await rows.remove(id, current.version)).applied) {
        throw new VersionConflictError(`Channel ${id} changed concurrently`, { retryable: true });
      }
      await this.emit(transaction, now, 'deleted', current);
      return current;
    });
  }

  /** One channel (from the store, not the in-process list), or null. */
  async get(id: string): Promise<SalesChannel | null> {
    validate().id(id, 'id').done();
    return this.context.store.transaction(
      async (transaction) => (await transaction.channels?.get(id)) ?? null,
    );
  }

  /** Every channel, sorted by id (from the store). */
  async list(): Promise<SalesChannel[]> {
    return this.context.store.transaction(
      async (transaction) => (await transaction.channels?.list()) ?? [],
    );
  }

  /**
   * A channel from the in-process list (no store round trip while it is current).
   * @throws NOT_FOUND
   */
  async resolve(id: string): Promise<SalesChannel> {
    const channel = await this.directory.get(id);
    if (!channel) throw new NotFoundError('channel', id);
    return channel;
  }

  private write<T>(
    context: ChangeContext,
    command: string,
    request: unknown,
    work: (transaction: StockTransaction, rows: ChannelRows, now: Date) => Promise<T>,
  ): Promise<T> {
    return writeDirectoryRows(
      this.context,
      context,
      { command, request },
      {
        rowsOf: (transaction) => transaction.channels,
        missing: 'This store keeps no sales channels',
        forget: () => this.directory.forget(),
      },
      work,
    );
  }

  private async requireWarehouses(
    transaction: StockTransaction,
    ids: readonly string[],
  ): Promise<void> {
    if (ids.length === 0) return;
    const found = new Set((await transaction.warehouses.get(ids)).map((item) => item.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError('warehouse', missing);
  }

  private async emit(
    transaction: StockTransaction,
    now: Date,
    action: 'created' | 'updated' | 'deleted',
    channel: SalesChannel,
  ): Promise<void> {
    const data = channelData(action, channel);
    await transaction.outbox.append([
      createEvent(this.context, EventType.CHANNEL_UPDATED, `channel:${channel.id}`, data, now),
    ]);
  }
}

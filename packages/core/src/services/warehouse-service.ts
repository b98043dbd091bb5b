import type { ChangeContext } from '../domain/movement.js';
import { type Warehouse, WarehouseStatus } from '../domain/warehouse.js';
import { AlreadyExistsError } from '../errors/already-exists-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { Page, PageRequest } from '../ports/page.js';
import { runIdempotent } from './idempotency.js';
import type { ServiceContext } from './service-context.js';
import { type Validator, validate } from './validate.js';

/** The fields a caller may set on a warehouse. */
export interface WarehouseFields {
  readonly name: string;
  readonly code?: string;
  readonly address?: string | null;
  readonly city?: string | null;
  readonly country?: string | null;
  readonly region?: string | null;
  readonly latitude?: number | null;
  readonly longitude?: number | null;
  readonly capacity?: number | null;
  readonly status?: WarehouseStatus;
  readonly priority?: number;
}

/** A request to create a warehouse. */
export interface CreateWarehouseRequest extends WarehouseFields {
  readonly id: string;
}

/** A warehouse with its current occupancy. */
export interface WarehouseWithOccupancy extends Warehouse {
  /** Sum of `total` over its stock rows. */
  readonly occupancy: number;
}

/** One line of the capacity report. */
export interface CapacityLine {
  readonly warehouseId: string;
  readonly name: string;
  readonly occupancy: number;
  readonly capacity: number | null;
  /** occupancy ÷ capacity, or null without a capacity. */
  readonly utilisation: number | null;
}

const STATUSES = Object.values(WarehouseStatus);

function checkFields(check: Validator, fields: Partial<WarehouseFields>, path = ''): Validator {
  const text = (value: unknown, name: string, max: number) => {
    if (value !== undefined && value !== null) {
      check.check(
        typeof value === 'string' && value.length <= max,
        `${path}${name}`,
        `must be text of at most ${max} characters`,
      );
    }
  };
  if (fields.name !== undefined)
    check.check(
      typeof fields.name === 'string' && fields.name.trim().length > 0 && fields.name.length <= 200,
      `${path}name`,
      'must be 1–200 characters',
    );
  if (fields.code !== undefined) check.id(fields.code, `${path}code`);
  text(fields.address, 'address', 500);
  text(fields.city, 'city', 200);
  text(fields.country, 'country', 64);
  text(fields.region, 'region', 64);
  if (fields.latitude !== undefined && fields.latitude !== null)
    check.number(fields.latitude, `${path}latitude`, -90, 90);
  if (fields.longitude !== undefined && fields.longitude !== null)
    check.number(fields.longitude, `${path}longitude`, -180, 180);
  if (fields.capacity !== undefined && fields.capacity !== null)
    check.integer(fields.capacity, `${path}capacity`, 0, Number.MAX_SAFE_INTEGER);
  if (fields.status !== undefined) check.oneOf(fields.status, `${path}status`, STATUSES);
  if (fields.priority !== undefined)
    check.integer(fields.priority, `${path}priority`, -1_000_000, 1_000_000);
  return check;
}

/** Warehouses: create, change, list, and the capacity report. */
export class WarehouseService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * Creates a warehouse (ACTIVE, priority 100 and no capacity limit unless given).
   * @throws VALIDATION_FAILED, ALREADY_EXISTS
   */
  async create(
    request: CreateWarehouseRequest,
    context: ChangeContext = {},
  ): Promise<WarehouseWithOccupancy> {
    checkFields(validate().id(request.id, 'id'), request)
      .check(request.name !== undefined, 'name', 'is required')
      .done();
    const created = await this.context.transact(async (transaction) => {
      const now = this.context.clock.now();
      return runIdempotent(transaction, context, 'create-warehouse', request, now, async () => {
        const warehouse: Warehouse = {
          id: request.id,
          code: request.code ?? request.id,
          name: request.name,
          address: request.address ?? null,
          city: request.city ?? null,
          country: request.country ?? null,
          region: request.region ?? null,
          latitude: request.latitude ?? null,
          longitude: request.longitude ?? null,
          capacity: request.capacity ?? null,
          status: request.status ?? WarehouseStatus.ACTIVE,
          priority: request.priority ?? 100,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        if (!(await transaction.warehouses.insert(warehouse)).applied) {
          throw new AlreadyExistsError('warehouse', request.id);
        }
        return { ...warehouse, occupancy: 0 };
      });
    });
    // Also after an idempotent replay: a first attempt may have committed and then failed to
    // invalidate.
    await this.context.warehousesChanged();
    return created;
  }

  /**
   * Changes any subset of a warehouse's fields but its id.
   * @throws VALIDATION_FAILED, NOT_FOUND
   */
  async update(
    id: string,
    fields: Partial<WarehouseFields>,
    context: ChangeContext = {},
  ): Promise<WarehouseWithOccupancy> {
    checkFields(validate().id(id, 'id'), fields).done();
    const result = await this.context.transact(async (transaction) => {
      const now = this.context.clock.now();
      return runIdempotent(
        transaction,
        context,
        'update-warehouse',
        { id, fields },
        now,
        async () => {
          const [current] = await transaction.warehouses.get([id], { lock: true });
          if (!current) throw new NotFoundError('warehouse', id);
          const defined = Object.fromEntries(
            Object.entries(fields).filter(([, value]) => value !== undefined),
          );
          const next: Warehouse = {
            ...current,
            ...defined,
            id,
            version: current.version + 1,
            updatedAt: now,
          };
          if (!(await transaction.warehouses.update(next, current.version)).applied) {
            throw new VersionConflictError(`Warehouse ${id} changed concurrently`, {
              retryable: true,
            });
          }
          return { ...next, occupancy: await transaction.stock.occupancy(id) };
        },
      );
    });
    await this.context.warehousesChanged();
    return result;
  }

  /** One warehouse with its occupancy, or null. */
  async get(id: string): Promise<WarehouseWithOccupancy | null> {
    const warehouse = await this.context.store.reads.warehouse(id);
    if (!warehouse) return null;
    const occupancies = await this.context.store.reads.occupancies();
    return { ...warehouse, occupancy: occupancies.get(id) ?? 0 };
  }

  /** Warehouses sorted by id, with occupancy, paged. */
  async list(page: PageRequest = {}): Promise<Page<WarehouseWithOccupancy>> {
    const [result, occupancies] = await Promise.all([
      this.context.store.reads.warehouses(page),
      this.context.store.reads.occupancies(),
    ]);
    return {
      items: result.items.map((warehouse) => ({
        ...warehouse,
        occupancy: occupancies.get(warehouse.id) ?? 0,
      })),
      nextCursor: result.nextCursor,
    };
  }

  /** Every warehouse's occupancy, capacity and utilisation. */
  async capacityReport(): Promise<CapacityLine[]> {
    const lines: CapacityLine[] = [];
    let cursor: string | null = null;
    const occupancies = await this.context.store.reads.occupancies();
    do {
      const page: Page<Warehouse> = await this.context.store.reads.warehouses({
        limit: 1000,
        cursor,
      });
      for (const warehouse of page.items) {
        const occupancy = occupancies.get(warehouse.id) ?? 0;
        lines.push({
          warehouseId: warehouse.id,
          name: warehouse.name,
          occupancy,
          capacity: warehouse.capacity,
          utilisation: warehouse.capacity ? occupancy / warehouse.capacity : null,
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return lines;
  }

  /** @throws NOT_FOUND */
  async require(id: string): Promise<WarehouseWithOccupancy> {
    const warehouse = await this.get(id);
    if (!warehouse) throw new NotFoundError('warehouse', id);
    return warehouse;
  }
}

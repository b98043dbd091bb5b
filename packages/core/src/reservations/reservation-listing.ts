import { ReservationStatus } from '../domain/reservation.js';
import type { ReservationFilter } from '../ports/reservation-port.js';
import { validate } from '../services/validate.js';

const STATUSES = Object.values(ReservationStatus);
/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants every store can hold. */
const FIRST_INSTANT = new Date('0001-01-01T00:00:00.000Z').getTime();
const LAST_INSTANT = new Date('9999-12-31T23:59:59.999Z').getTime();

function isStorableInstant(value: unknown): value is Date {
  return (
    value instanceof Date &&
    Number.isFinite(value.getTime()) &&
    value.getTime() >= FIRST_INSTANT &&
    value.getTime() <= LAST_INSTANT
  );
}

/**
 * Checks a reservation listing's filter: ids and SKUs are valid ids, the status is one of the
 * reservation states, each bound is a valid instant in the years 0001–9999 (what every store
 * keeps), and no range ends before it starts.
 * @throws VALIDATION_FAILED with every issue found
 */
export function validateReservationFilter(filter: ReservationFilter): void {
  const check = validate()
    .optionalId(filter.sku, 'sku')
    .optionalId(filter.warehouseId, 'warehouseId')
    .optionalId(filter.orderId, 'orderId');
  if (filter.status !== undefined) check.oneOf(filter.status, 'status', STATUSES);
  for (const [from, to, name] of [
    ['createdFrom', 'createdTo', 'created'],
    ['expiresFrom', 'expiresTo', 'expires'],
  ] as const) {
    const start = filter[from];
    const end = filter[to];
    for (const [bound, value] of [
      [from, start],
      [to, end],
    ] as const) {
      if (value !== undefined) {
        check.check(isStorableInstant(value), bound, 'must be a valid time in the years 0001–9999');
      }
    }
    if (isStorableInstant(start) && isStorableInstant(end)) {
      check.check(start.getTime() <= end.getTime(), to, `must not be before ${name}From`);
    }
  }
  check.done();
}

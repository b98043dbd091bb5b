import { InvalidStateError } from '../errors/invalid-state-error.js';

/** Transfer states: INITIATED → IN_TRANSIT → RECEIVED, or INITIATED → CANCELLED. */
export const TransferStatus = {
  INITIATED: 'INITIATED',
  IN_TRANSIT: 'IN_TRANSIT',
  RECEIVED: 'RECEIVED',
  CANCELLED: 'CANCELLED',
} as const;

/** One of the transfer states. */
export type TransferStatus = (typeof TransferStatus)[keyof typeof TransferStatus];

/** Units of one SKU moving from one warehouse to another. */
export interface Transfer {
  readonly id: string;
  readonly sku: string;
  readonly fromWarehouseId: string;
  readonly toWarehouseId: string;
  readonly quantity: number;
  readonly status: TransferStatus;
  readonly createdAt: Date;
  readonly shippedAt: Date | null;
  readonly receivedAt: Date | null;
  readonly cancelledAt: Date | null;
  readonly version: number;
}

const next: Record<TransferStatus, readonly TransferStatus[]> = {
  INITIATED: ['IN_TRANSIT', 'CANCELLED'],
  IN_TRANSIT: ['RECEIVED'],
  RECEIVED: [],
  CANCELLED: [],
};

/**
 * Moves a transfer to `status`, stamping the matching time.
 * @throws INVALID_STATE when the transition is not allowed
 */
export function transitionTransfer(
  transfer: Transfer,
  status: TransferStatus,
  now: Date,
): Transfer {
  if (!next[transfer.status].includes(status)) {
    throw new InvalidStateError(
      `Cannot move transfer ${transfer.id} from ${transfer.status} to ${status}`,
      transfer.status,
    );
  }
  const stamp =
    status === 'IN_TRANSIT'
      ? { shippedAt: now }
      : status === 'RECEIVED'
        ? { receivedAt: now }
        : { cancelledAt: now };
  return { ...transfer, ...stamp, status, version: transfer.version + 1 };
}

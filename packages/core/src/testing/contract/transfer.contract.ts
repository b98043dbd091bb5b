import { describe, expect, it } from 'vitest';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Invariant 5 for transfers: each step all or nothing, with its movements and events. */
export function transferContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: transfers`, () => {
    const world = useContractWorld(options);
    const ledgerOf = (sku: string) =>
      readAll<Movement>((page) => world.store.reads.ledger({ sku }, page));

    it('INITIATED → IN_TRANSIT → RECEIVED moves the units with movements, events and inTransit', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      world.clock.advance(1000);
      const created = await world.stockroom.transfers.create(
        { sku: 'A', fromWarehouseId: 'paris', toWarehouseId: 'berlin', quantity: 10 },
        { actor: 'alice' },
      );
      expect(created).toMatchObject({
        sku: 'A',
        fromWarehouseId: 'paris',
        toWarehouseId: 'berlin',
        quantity: 10,
        status: 'INITIATED',
        createdAt: world.clock.now(),
        shippedAt: null,
        receivedAt: null,
        cancelledAt: null,
      });
      expect(await world.store.reads.stockBySku('A')).toMatchObject([
        { warehouseId: 'paris', available: 10, version: 1 },
      ]);

      world.clock.advance(1000);
      const shipped = await world.stockroom.transfers.ship(created.id, { actor: 'bob' });
      expect(shipped).toMatchObject({ status: 'IN_TRANSIT', shippedAt: world.clock.now() });
      expect(await world.store.reads.stockBySku('A')).toMatchObject([
        { warehouseId: 'berlin', available: 0, inTransit: 10, total: 10, version: 1 },
        { warehouseId: 'paris', available: 0, inTransit: 0, total: 0, version: 2 },
      ]);
      expect((await world.stockroom.warehouses.get('berlin'))?.occupancy).toBe(10);
      world.clock.advance(1000);
      expect(await world.stockroom.transfers.ship(created.id)).toEqual(shipped);
      await expect(world.stockroom.transfers.cancel(created.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });

      world.clock.advance(1000);
      const received = await world.stockroom.transfers.receive(created.id);
      expect(received).toMatchObject({ status: 'RECEIVED', receivedAt: world.clock.now() });
      expect(await world.stockroom.transfers.receive(created.id)).toEqual(received);
      await expect(world.stockroom.transfers.ship(created.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      expect(await world.store.reads.stockBySku('A')).toMatchObject([
        { warehouseId: 'berlin', available: 10, inTransit: 0, total: 10, version: 2 },
        { warehouseId: 'paris', available: 0, total: 0, version: 2 },
      ]);
      expect(await world.stockroom.transfers.get(created.id)).toEqual(received);

      const transferMovements = (await ledgerOf('A')).filter(
        (movement) => movement.transferId === created.id,
      );
      expect(
        transferMovements.map(({ warehouseId, type, deltas, actor }) => ({
          warehouseId,
          type,
          deltas,
          actor,
        })),
      ).toEqual([
        {
          warehouseId: 'berlin',
          type: 'TRANSFER_IN',
          deltas: { available: 0, reserved: 0, damaged: 0, inTransit: 10, backordered: 0 },
          actor: 'bob',
        },
        {
          warehouseId: 'berlin',
          type: 'TRANSFER_IN',
          deltas: { available: 10, reserved: 0, damaged: 0, inTransit: -10, backordered: 0 },
          actor: null,
        },
        {
          warehouseId: 'paris',
          type: 'TRANSFER_OUT',
          deltas: { available: -10, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
          actor: 'bob',
        },
      ]);
      expect(await replayLedger(world.store)).toEqual([]);

      await world.stockroom.relay!.drain();
      expect(
        world.publisher
          .ofType('inventory.transfer.updated')
          .map((event) => [event.subject, event.data.transferId, event.data.status]),
      ).toEqual([
        ['A', created.id, 'INITIATED'],
        ['A', created.id, 'IN_TRANSIT'],
        ['A', created.id, 'RECEIVED'],
      ]);
      // All of A's available left with the shipment and came back on receipt: one crossing each.
      expect(world.publisher.ofType('inventory.out.of.stock')).toHaveLength(1);
      expect(
        world.publisher.ofType('inventory.back.in.stock').map((event) => event.data.available),
      ).toEqual([10, 10]);

      expect(
        (await world.stockroom.transfers.list({ status: 'RECEIVED' })).items.map((item) => item.id),
      ).toEqual([created.id]);
      expect((await world.stockroom.transfers.list({ warehouseId: 'berlin' })).items).toHaveLength(
        1,
      );
      expect((await world.stockroom.transfers.list({ warehouseId: 'london' })).items).toEqual([]);
      expect((await world.stockroom.transfers.list({ status: 'INITIATED' })).items).toEqual([]);
    });

    it('validates on create and cancels only from INITIATED', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const request = { sku: 'A', fromWarehouseId: 'paris', toWarehouseId: 'london', quantity: 5 };
      await expect(
        world.stockroom.transfers.create({ ...request, toWarehouseId: 'paris' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.transfers.create({ ...request, toWarehouseId: 'nowhere' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(
        world.stockroom.transfers.create({ ...request, quantity: 6 }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await expect(
        world.stockroom.transfers.create({ ...request, sku: 'NONE' }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await expect(world.stockroom.transfers.ship('trf_missing')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await world.stockroom.transfers.get('trf_missing')).toBeNull();

      const keyed = await world.stockroom.transfers.create(request, { idempotencyKey: 'tr-1' });
      expect(await world.stockroom.transfers.create(request, { idempotencyKey: 'tr-1' })).toEqual(
        keyed,
      );
      expect((await world.stockroom.transfers.list({})).items).toHaveLength(1);

      world.clock.advance(1000);
      const cancelled = await world.stockroom.transfers.cancel(keyed.id);
      expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledAt: world.clock.now() });
      expect(await world.stockroom.transfers.cancel(keyed.id)).toEqual(cancelled);
      await expect(world.stockroom.transfers.ship(keyed.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      await expect(world.stockroom.transfers.receive(keyed.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      const other = await world.stockroom.transfers.create(request);
      await expect(world.stockroom.transfers.receive(other.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      expect((await ledgerOf('A')).map((movement) => movement.type)).toEqual(['RESTOCK']);
      await world.stockroom.relay!.drain();
      expect(
        world.publisher.ofType('inventory.transfer.updated').map((event) => event.data.status),
      ).toEqual(['INITIATED', 'CANCELLED', 'INITIATED']);
    });

    it('shipping when the source no longer holds the units fails with INSUFFICIENT_STOCK and changes nothing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      const transfer = await world.stockroom.transfers.create({
        sku: 'A',
        fromWarehouseId: 'paris',
        toWarehouseId: 'berlin',
        quantity: 8,
      });
      await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 5, warehouseId: 'paris' }],
      });
      const before = await world.store.reads.stockBySku('A');
      const pending = (await world.store.reads.outboxLag()).pending;
      await expect(world.stockroom.transfers.ship(transfer.id)).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'A', warehouseId: 'paris', requested: 8, available: 5 }],
      });
      expect(await world.stockroom.transfers.get(transfer.id)).toEqual(transfer);
      expect(await world.store.reads.stockBySku('A')).toEqual(before);
      expect((await ledgerOf('A')).map((movement) => movement.type)).toEqual([
        'RESTOCK',
        'RESERVATION',
      ]);
      expect((await world.store.reads.outboxLag()).pending).toBe(pending);
    });

    it('shipping into a full warehouse fails with CAPACITY_EXCEEDED and changes nothing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      await world.stockroom.warehouses.update('berlin', { capacity: 5 });
      await stock(world.stockroom, 'B', 'berlin', 3);
      const tooMany = await world.stockroom.transfers.create({
        sku: 'A',
        fromWarehouseId: 'paris',
        toWarehouseId: 'berlin',
        quantity: 3,
      });
      await expect(world.stockroom.transfers.ship(tooMany.id)).rejects.toMatchObject({
        code: 'CAPACITY_EXCEEDED',
        limit: 'warehouse',
        maximum: 5,
        attempted: 6,
        warehouseId: 'berlin',
      });
      expect(await world.stockroom.transfers.get(tooMany.id)).toMatchObject({
        status: 'INITIATED',
      });
      expect(await world.store.reads.stockBySku('A')).toMatchObject([
        { warehouseId: 'paris', available: 10, version: 1 },
      ]);
      expect((await world.stockroom.warehouses.get('berlin'))?.occupancy).toBe(3);

      const fits = await world.stockroom.transfers.create({
        sku: 'A',
        fromWarehouseId: 'paris',
        toWarehouseId: 'berlin',
        quantity: 2,
      });
      await world.stockroom.transfers.ship(fits.id);
      // In-transit units count towards occupancy: the warehouse is full now.
      expect((await world.stockroom.warehouses.get('berlin'))?.occupancy).toBe(5);
      await world.stockroom.transfers.receive(fits.id);
      expect((await world.stockroom.warehouses.get('berlin'))?.occupancy).toBe(5);

      await world.stockroom.adjustments.updateSettings({
        sku: 'A',
        warehouseId: 'london',
        maxStockLevel: 4,
      });
      const overMax = await world.stockroom.transfers.create({
        sku: 'A',
        fromWarehouseId: 'paris',
        toWarehouseId: 'london',
        quantity: 5,
      });
      await expect(world.stockroom.transfers.ship(overMax.id)).rejects.toMatchObject({
        code: 'CAPACITY_EXCEEDED',
        limit: 'stock-level',
        maximum: 4,
      });
      expect(await replayLedger(world.store)).toEqual([]);
    });
  });
}

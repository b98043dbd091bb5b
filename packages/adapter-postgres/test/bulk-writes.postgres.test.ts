import { type CloudEvent, EventType } from '@stockroom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStockStore } from '../src/index.js';
import { dropSchema, freshStore, skipReason } from './support.js';

describe.skipIf(skipReason)('PostgreSQL bulk writes: outbox events', () => {
  let store: PostgresStockStore;

  beforeAll(async () => {
    store = await freshStore('bulk_writes_outbox');
  });

  afterAll(async () => {
    if (!store) return;
    await store.close();
    await dropSchema(store.schema);
  });

  it('stores every event as sent, in order, with its id, subject, type and time', async () => {
    // Quotes, backslashes and non-ASCII text: what an array literal would have had to escape.
    const events: CloudEvent[] = Array.from({ length: 2500 }, (_unused, index) => ({
      specversion: '1.0',
      id: `evt-${String(index).padStart(5, '0')}`,
      source: 'stockroom/test',
      type: EventType.STOCK_UPDATED,
      subject: `SKU-"${index}"\\ü`,
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, index)).toISOString(),
      datacontenttype: 'application/json',
      data: { note: `line "${index}"\n\\ {}`, quantity: index, nested: { list: [1, null, 'x'] } },
    }));
    await store.transaction(async (transaction) => {
      if (!transaction.bulk) throw new Error('the PostgreSQL store offers bulk writes');
      await transaction.bulk.appendEvents(events.slice(0, 1200));
      await transaction.bulk.appendEvents(events.slice(1200));
    });
    const claimed = await store.transaction((transaction) => transaction.outbox.claim(5000));
    expect(claimed.map((entry) => entry.event)).toEqual(events);
    // The event_time column (the lag's oldest) is the first event's time.
    expect(await store.reads.outboxLag()).toEqual({
      pending: events.length,
      oldest: new Date(events[0]!.time),
    });
  });
});

import type { CloudEvent } from '@stockroom/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LoggingEventPublisher } from '../src/logging-event-publisher.js';

/** A pino destination that holds its flush until the test releases it. */
function heldDestination() {
  const lines: string[] = [];
  const flushes: ((error?: Error | null) => void)[] = [];
  return {
    lines,
    flushes,
    stream: {
      write(line: string) {
        lines.push(line);
      },
      flush(callback: (error?: Error | null) => void) {
        flushes.push(callback);
      },
    },
  };
}

const event = (id: string): CloudEvent => ({
  specversion: '1.0' as const,
  id,
  source: 'stockroom',
  type: 'inventory.reserved',
  subject: 'SKU-1',
  time: '2026-03-01T09:00:00.000Z',
  datacontenttype: 'application/json' as const,
  data: { sku: 'SKU-1' },
});

/** Finding 13: events count as delivered only once their lines are flushed. */
describe('LoggingEventPublisher', () => {
  it('resolves only after the destination flushed every event line (written at info)', async () => {
    const destination = heldDestination();
    const publisher = new LoggingEventPublisher(pino({ level: 'info' }, destination.stream));
    let delivered = false;
    const publishing = publisher.publish([event('evt_1'), event('evt_2')]).then(() => {
      delivered = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toBe(false);
    const ids = destination.lines.map((line) => JSON.parse(line).event?.id);
    expect(ids).toEqual(['evt_1', 'evt_2']);
    expect(destination.flushes).toHaveLength(1);
    destination.flushes[0]!();
    await publishing;
    expect(delivered).toBe(true);
  });

  it('rejects when the flush fails, so the relay keeps the events in the outbox', async () => {
    const destination = heldDestination();
    const publisher = new LoggingEventPublisher(pino({ level: 'info' }, destination.stream));
    const publishing = publisher.publish([event('evt_3')]);
    await new Promise((resolve) => setImmediate(resolve));
    destination.flushes[0]!(new Error('EPIPE'));
    await expect(publishing).rejects.toThrow('EPIPE');
  });
});

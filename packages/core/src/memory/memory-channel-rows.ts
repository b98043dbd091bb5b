import type { ChannelRows } from '../channels/channel-rows.js';
import type { SalesChannel } from '../channels/sales-channel.js';

const APPLIED = { applied: true } as const;
const NOT_APPLIED = { applied: false } as const;

/**
 * The memory store's channels: a map written through the transaction's undo log (`set` and
 * `remove` record how to put the previous value back).
 */
export function memoryChannelRows(
  channels: Map<string, SalesChannel>,
  undo: Array<() => void>,
): ChannelRows {
  const put = (id: string, value: SalesChannel | undefined) => {
    const previous = channels.get(id);
    if (value === undefined) channels.delete(id);
    else channels.set(id, value);
    undo.push(() => {
      if (previous === undefined) channels.delete(id);
      else channels.set(id, previous);
    });
  };
  return {
    get: async (id) => channels.get(id) ?? null,
    list: async () =>
      [...channels.values()].sort((left, right) =>
        left.id < right.id ? -1 : left.id > right.id ? 1 : 0,
      ),
    insert: async (channel) => {
      if (channels.has(channel.id)) return NOT_APPLIED;
      put(channel.id, channel);
      return APPLIED;
    },
    update: async (next, expectedVersion) => {
      if (channels.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
      put(next.id, next);
      return APPLIED;
    },
    remove: async (id, expectedVersion) => {
      if (channels.get(id)?.version !== expectedVersion) return NOT_APPLIED;
      put(id, undefined);
      return APPLIED;
    },
  };
}

import { NotFoundError } from '../errors/not-found-error.js';
import type { ChannelDirectory } from './channel-directory.js';
import type { SalesChannel } from './sales-channel.js';

const sets = new WeakMap<SalesChannel, ReadonlySet<string>>();

/**
 * The warehouse-id filter of a channel (the allocation's and the check's `warehouseIds`), from
 * the in-process channel list; undefined when no channel is named.
 * @throws NOT_FOUND when the channel does not exist (or the store keeps no channels)
 */
export async function channelWarehouses(
  directory: ChannelDirectory | undefined,
  channelId: string | undefined,
): Promise<ReadonlySet<string> | undefined> {
  if (channelId === undefined) return undefined;
  const channel = await directory?.get(channelId);
  if (!channel) throw new NotFoundError('channel', channelId);
  let set = sets.get(channel);
  if (!set) {
    set = new Set(channel.warehouseIds);
    sets.set(channel, set);
  }
  return set;
}

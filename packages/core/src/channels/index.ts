export type { ChannelDirectory } from './channel-directory.js';
export type { ChannelRows } from './channel-rows.js';
export {
  type ChannelFields,
  ChannelService,
  type CreateChannelRequest,
} from './channel-service.js';
export {
  DISPLAY_KINDS,
  type DisplayStrategy,
  EXACT_DISPLAY,
  formatDisplayStrategy,
  MAX_CHANNEL_WAREHOUSES,
  MAX_DISPLAY_THRESHOLD,
  normalizeWarehouseIds,
  parseDisplayStrategy,
  type SalesChannel,
  StockLevel,
} from './sales-channel.js';
export {
  type DisplayedAvailability,
  type DisplayedWarehouse,
  displayQuantity,
  presentAvailability,
  type StockDisplay,
} from './stock-display.js';

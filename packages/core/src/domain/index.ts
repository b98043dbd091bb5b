export * from './events.js';
export * from './ids.js';
export * from './inventory-stock.js';
export * from './low-stock-alert.js';
export * from './movement.js';
export * from './reservation.js';
export * from './transfer.js';
export * from './warehouse.js';

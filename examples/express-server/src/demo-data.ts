// The demo data lives in the CLI package (`stockroom seed`), which the server shares.
export { DEMO_WAREHOUSES, demoStockRows, seedDemoData } from '@stockroom/cli';

// `npm run seed`: loads the demo data into the configured store (the server may be running).
import { createStockroom } from '@stockroom/core';
import { pino } from 'pino';
import { openStore } from './backends.js';
import { ConfigError, loadConfig } from './config.js';
import { seedDemoData } from './demo-data.js';
import { loadEnvFiles } from './env-file.js';

async function main(): Promise<void> {
  loadEnvFiles();
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const opened = await openStore(config, logger);
  // No publisher: the seed's events wait in the outbox for the server's relay.
  const stockroom = createStockroom({ store: opened.store, logger });
  try {
    const result = await seedDemoData(stockroom);
    process.stdout.write(
      result.seeded
        ? `Loaded ${result.warehouses} warehouses and ${result.rows} stock rows of ${result.skus} SKUs into ${opened.kind} (${opened.location}).\n`
        : `The store (${opened.kind}: ${opened.location}) already holds warehouses; nothing loaded.\n`,
    );
  } finally {
    await stockroom.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`}\n`,
  );
  process.exit(1);
});

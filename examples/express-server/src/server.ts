// The entry point of `npm start`: configuration from the environment, then listen.
import { isStockroomError } from '@stockroom/core';
import { ConfigError, loadConfig } from './config.js';
import { loadEnvFiles } from './env-file.js';
import { startBanner } from './start-banner.js';
import { describeStartupFailure, startService } from './start-service.js';

async function main(): Promise<void> {
  // `.env` files first (the environment itself wins over them), then the configuration.
  loadEnvFiles();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const service = await startService(config);
  process.stdout.write(await startBanner(service));
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      service.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    service.logger.info({ signal }, 'signal received');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  // The readable line names the cause; the stack only helps for an error nobody expected.
  const expected = isStockroomError(error) || (error as { code?: unknown })?.code !== undefined;
  process.stderr.write(`stockroom failed to start: ${describeStartupFailure(error)}\n`);
  if (!expected && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

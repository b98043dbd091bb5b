import type { Logger } from '@stockroom/core';
import { type LogEntry, type logCreator, logLevel } from 'kafkajs';

/**
 * A kafkajs `logCreator` that writes to a stockroom (pino-shaped) {@link Logger}, so kafkajs's
 * own messages (reconnects, rebalances, retries) land in the host's log.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      const bindings = { kafka: namespace, ...fields };
      if (level === logLevel.ERROR) logger.error(bindings, message);
      else if (level === logLevel.WARN) logger.warn(bindings, message);
      else if (level === logLevel.INFO) logger.info(bindings, message);
      else logger.debug(bindings, message);
    };
}

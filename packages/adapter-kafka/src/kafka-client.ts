import { type Logger, silentLogger } from '@stockroom/core';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-logger.js';

/** Options of {@link createKafkaClient}: kafkajs's client settings, logging to a stockroom logger. */
export interface KafkaClientOptions
  extends Omit<KafkaConfig, 'brokers' | 'logCreator' | 'logLevel'> {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: string[];
  /** @default 'stockroom' */
  readonly clientId?: string;
  /** Receives kafkajs's log (INFO and above). @default silent */
  readonly logger?: Logger;
}

/**
 * A kafkajs client whose log goes to the given logger. A client holds no connection: producers,
 * consumers and admins made from it do.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const { logger, ...config } = options;
  return new Kafka({
    ...config,
    clientId: options.clientId ?? 'stockroom',
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(logger ?? silentLogger),
  });
}

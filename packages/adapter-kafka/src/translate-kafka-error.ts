import { isStockroomError, StoreUnavailableError } from '@stockroom/core';

/**
 * kafkajs errors that mean "the cluster cannot be reached or did not answer in time" (its
 * error `name`s). A retry budget that ran out wraps the last such error.
 */
const UNAVAILABLE = new Set([
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

interface KafkaJsErrorFields {
  readonly name?: unknown;
  readonly retriable?: unknown;
}

/**
 * The one place that reads kafkajs error fields. An unreachable or slow cluster (and any error
 * kafkajs marks `retriable`) becomes `StoreUnavailableError` (code STORE_UNAVAILABLE, retryable)
 * with the kafkajs error as `cause`; anything else is returned unchanged.
 */
export function translateKafkaError(error: unknown, action: string): unknown {
  if (isStockroomError(error) || typeof error !== 'object' || error === null) return error;
  const fields = error as KafkaJsErrorFields;
  if (
    (typeof fields.name === 'string' && UNAVAILABLE.has(fields.name)) ||
    fields.retriable === true
  ) {
    const detail = error instanceof Error ? error.message : String(error);
    return new StoreUnavailableError(`Kafka unavailable while ${action}: ${detail}`, {
      cause: error,
    });
  }
  return error;
}

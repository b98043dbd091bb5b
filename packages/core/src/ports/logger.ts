/**
 * The logging port, shaped like pino's methods (`logger.warn({ err }, 'message')`), so a pino
 * logger can be passed as is.
 */
export interface Logger {
  debug(bindings: object, message?: string): void;
  info(bindings: object, message?: string): void;
  warn(bindings: object, message?: string): void;
  error(bindings: object, message?: string): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

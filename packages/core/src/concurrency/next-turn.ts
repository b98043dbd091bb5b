/**
 * Resolves on the event loop's next turn (`setImmediate`): timers, sockets and callbacks that
 * are waiting run first. Awaiting a promise alone does not do that when the work in between is
 * synchronous (SQLite's driver): every continuation is then a microtask.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

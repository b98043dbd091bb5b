import {
  type DisplayStrategy,
  displayQuantity,
  formatDisplayStrategy,
  type InsufficientStockError,
  parseDisplayStrategy,
  type Stockroom,
} from '@stockroom/core';
import type { NextFunction, Request, Response } from 'express';
import { type Principal, principalOf } from './auth.js';
import { HttpProblem } from './problem-details.js';

/** What an API key is bound to: a sales channel, a display strategy, or both. */
export interface KeyBinding {
  /** The channel every check and reservation of the key is limited to. */
  readonly channelId?: string;
  /** How the key is shown quantities (wins over its channel's strategy). */
  readonly display?: DisplayStrategy;
}

/** Bindings by key id (`key_…`, as `stockroom keys list` and the logs show it). */
export type KeyBindings = ReadonlyMap<string, KeyBinding>;

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CHANNEL_ID = /^[\x21-\x2e\x30-\x7e]{1,128}$/;

/**
 * Reads `STOCKROOM_KEY_CHANNELS`: comma-separated `<keyId>=<channelId>`,
 * `<keyId>=<channelId>/<display>` or `<keyId>=/<display>`, where display is `exact`,
 * `capped:<N>` or `levels[:<N>]`. Returns the bindings, or the first problem as text.
 */
export function parseKeyBindings(text: string): KeyBindings | string {
  const bindings = new Map<string, KeyBinding>();
  for (const [index, raw] of text.split(',').entries()) {
    const item = raw.trim();
    if (item === '') continue;
    const where = `entry ${index + 1}`;
    const equals = item.indexOf('=');
    const keyId = equals > 0 ? item.slice(0, equals) : '';
    if (!KEY_ID.test(keyId)) return `${where}: expected <keyId>=<channelId>[/<display>]`;
    if (bindings.has(keyId)) return `${where}: key ${keyId} is bound twice`;
    const [channel = '', displayText, ...rest] = item.slice(equals + 1).split('/');
    if (rest.length > 0) return `${where}: expected <keyId>=<channelId>[/<display>]`;
    if (channel !== '' && !CHANNEL_ID.test(channel)) return `${where}: bad channel id`;
    const display = displayText === undefined ? undefined : parseDisplayStrategy(displayText);
    if (displayText !== undefined && !display)
      return `${where}: display must be exact, capped:<N> (N ≥ 1) or levels[:<N>]`;
    if (channel === '' && !display) return `${where}: bind a channel, a display, or both`;
    bindings.set(keyId, {
      ...(channel === '' ? {} : { channelId: channel }),
      ...(display ? { display } : {}),
    });
  }
  return bindings;
}

/** A binding as config text (for logs and the start banner). */
export function formatKeyBinding(keyId: string, binding: KeyBinding): string {
  const display = binding.display ? `/${formatDisplayStrategy(binding.display)}` : '';
  return `${keyId}=${binding.channelId ?? ''}${display}`;
}

/**
 * What a bound (storefront or readonly) key may call: checks, its reservations and orders, and
 * its own channel. Everything else shows stock beyond the key's channel or as exact numbers.
 */
const BOUND_KEY_ROUTES: readonly (readonly [string, RegExp])[] = [
  ['GET', /^\/inventory\/check\/?$/],
  ['POST', /^\/inventory\/check-cart\/?$/],
  ['POST', /^\/reservations\/?$/],
  ['GET', /^\/reservations\/[^/]+\/?$/],
  ['POST', /^\/reservations\/[^/]+\/(commit|release|extend)\/?$/],
  ['POST', /^\/orders\/[^/]+\/cancel\/?$/],
  ['GET', /^\/channels\/[^/]+\/?$/],
];

/** True when the principal is limited by a binding (admin keys never are). */
export function isBound(principal: Principal): boolean {
  return principal.channelId !== undefined || principal.display !== undefined;
}

/**
 * The principal with a non-admin key's binding on it, and whether the bound key may call
 * `method` on `path` (under `/api/v1`; see {@link BOUND_KEY_ROUTES}). Admin keys' bindings are
 * ignored: an admin sees everything, exactly.
 */
export function bindPrincipal(
  principal: Principal,
  bindings: KeyBindings,
  method: string,
  path: string,
): { readonly principal: Principal; readonly allowed: boolean } {
  const binding = principal.role === 'admin' ? undefined : bindings.get(principal.keyId);
  if (!binding) return { principal, allowed: true };
  return {
    principal: { ...principal, ...binding } satisfies Principal,
    allowed: BOUND_KEY_ROUTES.some(([verb, pattern]) => verb === method && pattern.test(path)),
  };
}

/**
 * Middleware after `authenticate`: puts a non-admin key's binding on its principal and answers
 * 403 `FORBIDDEN` to a bound key calling a route outside {@link BOUND_KEY_ROUTES}.
 */
export function bindKeys(bindings: KeyBindings) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const bound = bindPrincipal(principalOf(response), bindings, request.method, request.path);
    response.locals.principal = bound.principal;
    if (!bound.allowed) {
      next(
        new HttpProblem(
          'FORBIDDEN',
          `A key bound to a sales channel or display strategy may not ${request.method} ${request.baseUrl}${request.path}`,
        ),
      );
      return;
    }
    next();
  };
}

/**
 * The channel a check or reservation runs in: a bound key's own (naming another → 403
 * `FORBIDDEN`), else the one the request names, else none.
 */
export function channelOf(principal: Principal, requested: string | undefined): string | undefined {
  if (principal.channelId === undefined) return requested;
  if (requested !== undefined && requested !== principal.channelId) {
    throw new HttpProblem(
      'FORBIDDEN',
      `This API key is bound to sales channel ${principal.channelId} and may not use ${requested}`,
    );
  }
  return principal.channelId;
}

/**
 * The display strategy of an answer: admin keys always `exact`; others their key's strategy,
 * else the channel's. Undefined when neither a channel nor a strategy applies (the plain answer).
 * @throws NOT_FOUND for an unknown channel
 */
export async function displayOf(
  stockroom: Stockroom,
  principal: Principal,
  channelId: string | undefined,
): Promise<DisplayStrategy | undefined> {
  if (principal.role === 'admin') return channelId === undefined ? undefined : { kind: 'exact' };
  if (principal.display) return principal.display;
  if (channelId === undefined) return undefined;
  return (await stockroom.channels.resolve(channelId)).display;
}

/**
 * An `INSUFFICIENT_STOCK` refusal as a key under `strategy` may see it: under `capped` each
 * shortfall's `available` is capped; under `levels` it is replaced by the level. Under `exact`
 * (or no strategy) the error is returned as is.
 */
export function shortfallsShownAs(
  error: InsufficientStockError,
  strategy: DisplayStrategy | undefined,
): InsufficientStockError | HttpProblem {
  if (!strategy || strategy.kind === 'exact') return error;
  return new HttpProblem('INSUFFICIENT_STOCK', 'Not enough stock for every line', {
    shortfalls: error.shortfalls.map(({ sku, requested, available }) => {
      const shown = displayQuantity(available, strategy);
      return shown.quantity === null
        ? { sku, requested, level: shown.level }
        : { sku, requested, available: shown.quantity };
    }),
  });
}

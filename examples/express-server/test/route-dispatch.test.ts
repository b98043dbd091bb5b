import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastRouteDispatch, type RouteHandler } from '../src/route-dispatch.js';

const ROUTES = [
  { method: 'get', path: '/items/:sku' },
  // Shadowed: Express matches `/items/:sku` first, so the fast path must leave it alone.
  { method: 'get', path: '/items/check' },
  { method: 'post', path: '/orders' },
  { method: 'get', path: '/orders/:id' },
  { method: 'post', path: '/fail' },
] as const;

/** A handler answering which route ran it, and whether the fast path or Express called it. */
function handler(index: number, via: 'fast' | 'express'): RouteHandler {
  return async (request: Request, response: Response) => {
    if (ROUTES[index]!.path === '/fail') throw new Error(`failed via ${via}`);
    response.json({ route: ROUTES[index]!.path, via, params: request.params });
  };
}

describe('the API fast path picks what Express would pick', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    const api = express.Router();
    const fast = fastRouteDispatch(api, ROUTES);
    ROUTES.forEach((route, index) => {
      fast.add(handler(index, 'fast'));
      api[route.method](route.path, handler(index, 'express'));
    });
    app.use('/api', api);
    app.use((error: Error, _request: Request, response: Response, _next: NextFunction) => {
      response.status(500).json({ error: error.message });
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const call = async (method: string, path: string) => {
    const response = await fetch(`${base}${path}`, { method });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('serves an exact parameterless path by lookup, with empty params', async () => {
    expect(await call('POST', '/orders')).toEqual({
      status: 200,
      body: { route: '/orders', via: 'fast', params: {} },
    });
  });

  it('leaves a path an earlier parameter route matches to Express', async () => {
    expect(await call('GET', '/items/check')).toEqual({
      status: 200,
      body: { route: '/items/:sku', via: 'express', params: { sku: 'check' } },
    });
  });

  it('leaves parameter routes, trailing slashes and other cases to Express', async () => {
    expect((await call('GET', '/orders/o-1')).body).toEqual({
      route: '/orders/:id',
      via: 'express',
      params: { id: 'o-1' },
    });
    expect((await call('POST', '/orders/')).body).toMatchObject({
      route: '/orders',
      via: 'express',
    });
    expect((await call('POST', '/ORDERS')).body).toMatchObject({
      route: '/orders',
      via: 'express',
    });
  });

  it('sends a rejected handler to the error handlers', async () => {
    expect(await call('POST', '/fail')).toEqual({
      status: 500,
      body: { error: 'failed via fast' },
    });
  });
});

import type { CloudEvent } from '@stockroom/core';
import type { Request, Response } from 'express';
import type { EventFeed } from './event-feed.js';

/** How often a comment line keeps idle proxies from closing the stream. */
const HEARTBEAT_MS = 15_000;

function frame(event: CloudEvent): string {
  // One `data:` line: JSON has no raw newlines.
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * `GET /api/v1/events/stream` (any role): server-sent events, one per event the outbox relay
 * delivers, named by the event's type, with the CloudEvent as `data` and its id as `id`. On
 * connect it first replays the kept recent events (after `Last-Event-ID` when given). It ends
 * when the client goes away or the server shuts down.
 */
export function eventStreamHandler(
  feed: EventFeed,
  isShuttingDown: () => boolean = () => false,
): (request: Request, response: Response) => void {
  return (request, response) => {
    response.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and similar proxies would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    const lastId = request.get('last-event-id');
    response.write(`retry: 3000\n\n`);
    for (const event of feed.recent(lastId)) response.write(frame(event));
    const unsubscribe = feed.subscribe((event) => {
      response.write(frame(event));
    });
    let idle = 0;
    const timer = setInterval(() => {
      if (isShuttingDown()) {
        stop();
        response.end();
        return;
      }
      idle += 1000;
      if (idle >= HEARTBEAT_MS) {
        idle = 0;
        response.write(': keep-alive\n\n');
      }
    }, 1000);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      unsubscribe();
    };
    request.on('close', stop);
  };
}

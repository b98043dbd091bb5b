import type { CloudEvent } from '../domain/events.js';

/** The CloudEvents binary-mode headers of an event (`ce_*` and `content-type`), as Kafka carries them. */
export function cloudEventHeaders(event: CloudEvent): Record<string, string> {
  return {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
    ce_subject: event.subject,
    'content-type': event.datacontenttype,
  };
}

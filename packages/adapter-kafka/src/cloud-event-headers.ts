import type { CloudEvent } from '@stockroom/core';

/**
 * The CloudEvents Kafka binary-mode headers of an event (`ce_*` and `content-type`): what the
 * publisher puts on each record, and what a consumer reads the event's attributes from.
 */
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

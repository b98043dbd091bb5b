import type { CloudEvent } from '@stockroom/core';

/** The fields an outbox row's columns or the CloudEvents version can determine. */
type ImpliedField = 'specversion' | 'id' | 'type' | 'subject' | 'time' | 'datacontenttype';

/**
 * What an outbox's `event` column holds: the event without the fields its row implies (which
 * ones depends on the store's columns). Rows written by earlier versions hold whole events.
 */
export type StoredEvent = Omit<CloudEvent, ImpliedField> & Partial<Pick<CloudEvent, ImpliedField>>;

/** What an outbox row's columns say of its event (`type` and `subject` where it has them). */
export interface ImpliedEventFields {
  readonly id: string;
  /** The event time as an ISO text, from the row's time column. */
  readonly time: string;
  readonly type?: CloudEvent['type'];
  readonly subject?: string;
}

/**
 * The whole event from a stored one and its row's columns, its fields in CloudEvents order. A
 * field the stored event holds itself (a row stored whole, an unusual time) overrides the
 * implied one and keeps its place.
 */
export function eventFromStored(stored: StoredEvent, row: ImpliedEventFields): CloudEvent {
  const { source, ...rest } = stored;
  return {
    specversion: '1.0',
    id: row.id,
    source,
    type: (row.type ?? rest.type) as CloudEvent['type'],
    subject: (row.subject ?? rest.subject) as string,
    time: row.time,
    datacontenttype: 'application/json',
    ...rest,
  };
}

/** Whether a time column holding `millis` gives back the event's `time` text exactly. */
export function isTimeImplied(time: string, millis: number): boolean {
  return Number.isFinite(millis) && new Date(millis).toISOString() === time;
}

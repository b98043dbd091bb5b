import type { GroupOutcome } from '../concurrency/write-lanes.js';
import { EventType } from '../domain/events.js';
import type { HoldTransition } from '../domain/hold-parts.js';
import type { ChangeContext } from '../domain/movement.js';
import { type Reservation, ReservationStatus } from '../domain/reservation.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import { ReceiptBook } from '../preorders/receipt-book.js';
import { fingerprint, lookupIdempotency, storeIdempotency } from '../services/idempotency.js';
import type { ServiceContext } from '../services/service-context.js';
import { type StockChangeGroup, stockChangeGroup } from '../services/stock-change.js';
import { applyMoves, partsData, reservationData, saveReservations } from './reservation-steps.js';

/** A commit or a release (of the whole hold or of parts) waiting in a lane. */
export interface TransitionJob {
  readonly id: string;
  readonly context: ChangeContext;
  /** The command and request an idempotency key is stored under. */
  readonly command: string;
  readonly request: unknown;
  readonly kind: 'commit' | 'release';
  /** Parts of the hold: the event lists the units moved. */
  readonly partial: boolean;
  /** The step of the reservation, or null when it is already there (nothing to do). */
  readonly decide: (reservation: Reservation, now: Date) => HoldTransition | null;
}

/** What a commit or a release came to. */
export interface TransitionOutcome {
  readonly reservation: Reservation;
  /** Answered from the stored result of the same idempotency key. */
  readonly replayed: boolean;
  /** This call made the transition (false for a replay or a reservation already there). */
  readonly changed: boolean;
}

/**
 * Commits and releases meeting in a lane's batch: their reservations are read (locked) in one
 * statement, their new versions stored together, and their stock rows written once through one
 * change set.
 */
export function transitionGroup(
  context: ServiceContext,
): StockChangeGroup<TransitionJob, TransitionOutcome> {
  return stockChangeGroup(context, {
    apply: async (changes, transaction, jobs) => {
      const now = changes.now;
      const ids = [...new Set(jobs.map((job) => job.id))].sort();
      const current = new Map(
        (await transaction.reservations.get(ids, { lock: true })).map((reservation) => [
          reservation.id,
          reservation,
        ]),
      );
      await changes.loadForWrite(
        [...current.values()].flatMap((reservation) => reservation.lines.map((line) => line.sku)),
      );
      const outcomes: GroupOutcome<TransitionOutcome>[] = [];
      const keyed: Array<{ job: TransitionJob; print: string; result: Reservation }> = [];
      // The reservations are locked above: their new versions are stored together at the end.
      const saves = new Map<
        string,
        { next: Reservation; expectedVersion: number; lines: boolean }
      >();
      const receipts = new ReceiptBook(transaction);
      for (const job of jobs) {
        const print = job.context.idempotencyKey ? fingerprint(job.command, job.request) : '';
        let writing = false;
        try {
          if (job.context.idempotencyKey) {
            const found = await lookupIdempotency<Reservation>(transaction, job.context, print);
            if (found.kind === 'conflict') throw found.error;
            if (found.kind === 'replay') {
              outcomes.push({
                ok: true,
                value: { reservation: found.result, replayed: true, changed: false },
              });
              continue;
            }
          }
          const reservation = current.get(job.id);
          if (!reservation) throw new NotFoundError('reservation', job.id);
          const step = job.decide(reservation, now);
          const next = step?.next ?? null;
          let result = reservation;
          if (step !== null && next !== null) {
            writing = true;
            applyMoves(changes, next, step.moves, job.context);
            if (job.command === 'release' && next.status !== ReservationStatus.ACTIVE) {
              await receipts.free(next);
            }
            const saved = saves.get(next.id);
            saves.set(next.id, {
              next,
              expectedVersion: saved?.expectedVersion ?? reservation.version,
              lines: step.linesChanged || saved?.lines === true,
            });
            const data = reservationData(next);
            changes.emit(
              job.kind === 'commit' ? EventType.COMMITTED : EventType.RELEASED,
              next.lines[0]!.sku,
              job.partial ? { ...data, parts: partsData(step.moves) } : data,
            );
            current.set(next.id, next);
            result = next;
          }
          if (job.context.idempotencyKey) keyed.push({ job, print, result });
          outcomes.push({
            ok: true,
            value: { reservation: result, replayed: false, changed: next !== null },
          });
        } catch (error) {
          // A failure once the job began writing fails the group (its jobs then run alone).
          if (writing || (isStockroomError(error) && error.retryable)) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      await saveReservations(transaction, [...saves.values()]);
      await receipts.save();
      for (const { job, print, result } of keyed)
        await storeIdempotency(transaction, job.context, print, result, now);
      return outcomes;
    },
  });
}

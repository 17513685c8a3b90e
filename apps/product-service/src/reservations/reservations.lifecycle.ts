import type { ReservationErrorCode } from './reservations.errors.js';
import type { ReservationStatus } from './reservations.schema.js';

/**
 * The reservation lifecycle, as a pure function: what a release, commit or return does to a
 * reservation in each state. Only `reserved` and `committed` move; the others are final.
 *
 *   reserved ──commit──▶ committed ──return──▶ returned   (units leave; back when the order is cancelled)
 *   reserved ──release─▶ released    (units back to stock)
 *   reserved ──expiresAt passes (sweep, or a release/commit that finds it due)─▶ expired (units back)
 *
 * Repeating what already happened is a no-op (releasing a released or expired reservation,
 * committing a committed one, returning a returned one); contradicting it is refused.
 */
export type SettleAction = 'commit' | 'release' | 'return';

/** Why a release or commit is refused: the reservation went the other way first. */
export type Refusal = Extract<
  ReservationErrorCode,
  'RESERVATION_COMMITTED' | 'RESERVATION_RELEASED' | 'RESERVATION_EXPIRED' | 'RESERVATION_NOT_COMMITTED'
>;

export interface SettleStep {
  /** The state to move to, or null to leave it as it is. */
  next: ReservationStatus | null;
  /** The caller is refused with this code, after `next` (if any) is saved. */
  refusal: Refusal | null;
}

export function settle(action: SettleAction, status: ReservationStatus, due: boolean): SettleStep {
  if (action === 'return') {
    if (status === 'committed') return { next: 'returned', refusal: null };
    if (status === 'returned') return { next: null, refusal: null };
    return { next: null, refusal: 'RESERVATION_NOT_COMMITTED' };
  }
  if (status === 'reserved') {
    // Past its expiry a reservation is expired, whether or not the sweep has got to it yet.
    if (due) return { next: 'expired', refusal: action === 'commit' ? 'RESERVATION_EXPIRED' : null };
    return { next: action === 'commit' ? 'committed' : 'released', refusal: null };
  }
  if (action === 'commit') {
    if (status === 'committed') return { next: null, refusal: null };
    if (status === 'returned') return { next: null, refusal: 'RESERVATION_COMMITTED' };
    return { next: null, refusal: status === 'released' ? 'RESERVATION_RELEASED' : 'RESERVATION_EXPIRED' };
  }
  // A release of what was committed (and maybe returned since) is refused: it was sold.
  if (status === 'committed' || status === 'returned')
    return { next: null, refusal: 'RESERVATION_COMMITTED' };
  return { next: null, refusal: null };
}

/** Whether moving to `next` puts the reserved units back into stock. */
export const restocks = (next: ReservationStatus | null) =>
  next === 'released' || next === 'expired' || next === 'returned';

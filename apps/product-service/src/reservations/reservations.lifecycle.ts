import type { ReservationErrorCode } from './reservations.errors.js';
import type { ReservationStatus } from './reservations.schema.js';

/**
 * The reservation lifecycle, as a pure function: what a release or commit does to a reservation
 * in each state. Only `reserved` moves; the three other states are final.
 *
 *   reserved ──commit──▶ committed   (units leave for good)
 *   reserved ──release─▶ released    (units back to stock)
 *   reserved ──expiresAt passes (sweep, or a release/commit that finds it due)─▶ expired (units back)
 *
 * Repeating what already happened is a no-op (releasing a released or expired reservation,
 * committing a committed one); contradicting it is refused.
 */
export type SettleAction = 'commit' | 'release';

/** Why a release or commit is refused: the reservation went the other way first. */
export type Refusal = Extract<
  ReservationErrorCode,
  'RESERVATION_COMMITTED' | 'RESERVATION_RELEASED' | 'RESERVATION_EXPIRED'
>;

export interface SettleStep {
  /** The state to move to, or null to leave it as it is. */
  next: ReservationStatus | null;
  /** The caller is refused with this code, after `next` (if any) is saved. */
  refusal: Refusal | null;
}

export function settle(action: SettleAction, status: ReservationStatus, due: boolean): SettleStep {
  if (status === 'reserved') {
    // Past its expiry a reservation is expired, whether or not the sweep has got to it yet.
    if (due) return { next: 'expired', refusal: action === 'commit' ? 'RESERVATION_EXPIRED' : null };
    return { next: action === 'commit' ? 'committed' : 'released', refusal: null };
  }
  if (action === 'commit') {
    if (status === 'committed') return { next: null, refusal: null };
    return { next: null, refusal: status === 'released' ? 'RESERVATION_RELEASED' : 'RESERVATION_EXPIRED' };
  }
  if (status === 'committed') return { next: null, refusal: 'RESERVATION_COMMITTED' };
  return { next: null, refusal: null };
}

/** Whether moving to `next` puts the reserved units back into stock. */
export const restocks = (next: ReservationStatus | null) => next === 'released' || next === 'expired';

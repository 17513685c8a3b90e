import type { DomainError } from '@helpline/common';
import { Inject, Injectable } from '@nestjs/common';
import type { ReservationsConfig } from '../config.js';
import type { CreateReservationDto } from './dto/create-reservation.dto.js';
import { RESERVATIONS_OPTIONS } from './reservations.constants.js';
import {
  keyReused,
  reservationCommitted,
  reservationExpired,
  noReservationForKey,
  reservationNotCommitted,
  reservationNotFound,
  reservationReleased,
} from './reservations.errors.js';
import type { Refusal, SettleAction } from './reservations.lifecycle.js';
import {
  type RequestedItem,
  ReservationsRepository,
  type ReservationWithItems,
} from './reservations.repository.js';

const REFUSALS: Record<Refusal, (id: string) => DomainError> = {
  RESERVATION_COMMITTED: reservationCommitted,
  RESERVATION_RELEASED: reservationReleased,
  RESERVATION_EXPIRED: reservationExpired,
  RESERVATION_NOT_COMMITTED: reservationNotCommitted,
};

/** Two requests ask for the same thing when they name the same products in the same quantities. */
const sameItems = (held: RequestedItem[], asked: RequestedItem[]) => {
  const key = (items: RequestedItem[]) =>
    items
      .map((i) => `${i.productId.toLowerCase()}×${i.quantity}`)
      .sort()
      .join(',');
  return key(held) === key(asked);
};

@Injectable()
export class ReservationsService {
  constructor(
    private readonly repository: ReservationsRepository,
    @Inject(RESERVATIONS_OPTIONS) private readonly options: ReservationsConfig,
  ) {}

  /**
   * Idempotent by key: the first request reserves; a repeat with the same items gets the same
   * reservation (whatever has happened to it since) and takes nothing; a repeat with other items
   * is refused.
   */
  async reserve(dto: CreateReservationDto): Promise<{ reservation: ReservationWithItems; created: boolean }> {
    const result = await this.repository.reserve(dto.key, dto.items, this.options.ttlMs);
    if (!result.created && !sameItems(result.reservation.items, dto.items)) {
      throw keyReused(dto.key, result.reservation.id);
    }
    return result;
  }

  async get(id: string): Promise<ReservationWithItems> {
    const reservation = await this.repository.findById(id);
    if (!reservation) throw reservationNotFound(id);
    return reservation;
  }

  release(id: string): Promise<ReservationWithItems> {
    return this.settle(id, 'release');
  }

  /** Reserved and not due, in one statement (the order path); anything else through `settle`. */
  async commit(id: string): Promise<ReservationWithItems> {
    return (await this.repository.commitAtOnce(id)) ?? this.settle(id, 'commit');
  }

  /** The units of a committed reservation go back to stock: its order was cancelled. */
  returnUnits(id: string): Promise<ReservationWithItems> {
    return this.settle(id, 'return');
  }

  /** Releases what `key` holds, or makes sure a request with it that arrives late takes nothing. */
  async voidKey(key: string): Promise<ReservationWithItems> {
    const { reservation, refusal } = await this.repository.voidKey(key);
    if (refusal) throw REFUSALS[refusal](reservation.id);
    return reservation;
  }

  async findByKey(key: string): Promise<ReservationWithItems> {
    const reservation = await this.repository.findByKey(key);
    if (!reservation) throw noReservationForKey(key);
    return reservation;
  }

  private async settle(id: string, action: SettleAction): Promise<ReservationWithItems> {
    const { reservation, refusal } = await this.repository.settle(id, action);
    if (refusal) throw REFUSALS[refusal](id);
    return reservation;
  }
}

import { ApiProperty } from '@nestjs/swagger';
import type { ReservationWithItems } from '../reservations.repository.js';
import {
  RESERVATION_STATUSES,
  type ReservationItem,
  type ReservationStatus,
} from '../reservations.schema.js';

export class ReservationItemView {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ description: "The product's price when reserved, in minor units" }) unitPrice!: number;
  @ApiProperty({ description: 'ISO 4217', example: 'JPY' }) currency!: string;
  @ApiProperty({ description: "The product's name when reserved" }) name!: string;

  static from(item: ReservationItem): ReservationItemView {
    return {
      productId: item.productId,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      currency: item.currency,
      name: item.name,
    };
  }
}

export class ReservationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ enum: RESERVATION_STATUSES }) status!: ReservationStatus;
  @ApiProperty({ type: [ReservationItemView], description: 'Ordered by productId' })
  items!: ReservationItemView[];
  @ApiProperty({ format: 'date-time', description: 'When an uncommitted reservation expires' })
  expiresAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(reservation: ReservationWithItems): ReservationDto {
    return {
      id: reservation.id,
      key: reservation.key,
      status: reservation.status,
      items: reservation.items.map(ReservationItemView.from),
      expiresAt: reservation.expiresAt.toISOString(),
      createdAt: reservation.createdAt.toISOString(),
    };
  }
}

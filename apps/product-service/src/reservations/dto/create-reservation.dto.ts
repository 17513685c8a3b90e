import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_QUANTITY } from '../reservations.schema.js';

export const MAX_ITEMS = 50;
export const KEY_MAX_LENGTH = 128;
/** The characters of a correlation id: enough for `order:<uuid>`, and safe to echo in a message. */
export const KEY_PATTERN = /^[A-Za-z0-9._:-]+$/;

export class ReservationItemDto {
  @ApiProperty({ format: 'uuid' })
  // PostgreSQL answers in lower case; comparing ids is then plain string equality.
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID()
  productId!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity!: number;
}

/** What an item is known by when looking for duplicates; anything but an object stands for itself. */
const productIdOf = (item: unknown) =>
  typeof item === 'object' && item !== null ? (item as { productId?: unknown }).productId : item;

export class CreateReservationDto {
  @ApiProperty({
    description:
      'Idempotency key chosen by the client (order-service uses its order id): the same key with the same ' +
      'items returns the same reservation; with other items it is refused (422)',
    example: 'order:5f0c6c1e-8f1e-4b8a-9a35-6b8f7b0e2c11',
    maxLength: KEY_MAX_LENGTH,
    pattern: KEY_PATTERN.source,
  })
  @IsString()
  @MaxLength(KEY_MAX_LENGTH)
  @Matches(KEY_PATTERN, { message: 'key may hold only letters, digits, ".", "_", ":" and "-"' })
  key!: string;

  @ApiProperty({ type: [ReservationItemDto], minItems: 1, maxItems: MAX_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS)
  @ArrayUnique(productIdOf, { message: 'items must name each productId once' })
  // ValidateNested walks into an array it finds as an item instead of refusing it: `[[]]` would
  // pass with nothing checked.
  @IsObject({ each: true, message: 'each item must be an object' })
  @ValidateNested({ each: true })
  @Type(() => ReservationItemDto)
  items!: ReservationItemDto[];
}

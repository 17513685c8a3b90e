import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { KEY_MAX_LENGTH, KEY_PATTERN } from './create-reservation.dto.js';

/** A reservation key: `?key=` to find what was made with it, or the body of `void`. */
export class ReservationKeyDto {
  @ApiProperty({ maxLength: KEY_MAX_LENGTH, pattern: KEY_PATTERN.source })
  @IsString()
  @MaxLength(KEY_MAX_LENGTH)
  @Matches(KEY_PATTERN, { message: 'key may hold only letters, digits, ".", "_", ":" and "-"' })
  key!: string;
}

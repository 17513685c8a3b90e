import { Optional } from '@helpline/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsISO4217CurrencyCode,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MAX_PRICE, MAX_STOCK } from '../products.schema.js';
import {
  DESCRIPTION_MAX_LENGTH,
  NAME_MAX_LENGTH,
  SKU_MAX_LENGTH,
  SKU_PATTERN,
  trim,
  upperAscii,
} from './product-fields.js';

/** Every member may be left out; none may be null. */
export class UpdateProductDto {
  @ApiPropertyOptional({ maxLength: SKU_MAX_LENGTH })
  @Optional()
  @Transform(upperAscii)
  @IsString()
  @MinLength(1)
  @MaxLength(SKU_MAX_LENGTH)
  @Matches(SKU_PATTERN, { message: 'sku may hold only letters, digits, ".", "_" and "-"' })
  sku?: string;

  @ApiPropertyOptional({ maxLength: NAME_MAX_LENGTH })
  @Optional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(NAME_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH })
  @Optional()
  @Transform(trim)
  @IsString()
  @MaxLength(DESCRIPTION_MAX_LENGTH)
  description?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_PRICE })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price?: number;

  @ApiPropertyOptional({ description: 'ISO 4217 code' })
  @Optional()
  @Transform(upperAscii)
  @IsISO4217CurrencyCode()
  currency?: string;

  @ApiPropertyOptional({
    description:
      'Units available now, as counted: replaces the figure (units held by open reservations are not part of it)',
    minimum: 0,
    maximum: MAX_STOCK,
  })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock?: number;
}

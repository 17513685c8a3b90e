import { Optional } from '@helpline/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

export class CreateProductDto {
  @ApiProperty({
    description: 'Unique, whatever its case (stored upper-cased): letters, digits, `.`, `_`, `-`',
    example: 'KB-001',
    maxLength: SKU_MAX_LENGTH,
  })
  @Transform(upperAscii)
  @IsString()
  @MinLength(1)
  @MaxLength(SKU_MAX_LENGTH)
  @Matches(SKU_PATTERN, { message: 'sku may hold only letters, digits, ".", "_" and "-"' })
  sku!: string;

  @ApiProperty({ example: 'Mechanical Keyboard', maxLength: NAME_MAX_LENGTH })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(NAME_MAX_LENGTH)
  name!: string;

  @ApiPropertyOptional({ default: '', maxLength: DESCRIPTION_MAX_LENGTH })
  @Optional()
  @Transform(trim)
  @IsString()
  @MaxLength(DESCRIPTION_MAX_LENGTH)
  description?: string;

  @ApiProperty({ description: 'Minor units of the currency (yen for JPY)', minimum: 0, maximum: MAX_PRICE })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price!: number;

  @ApiProperty({ description: 'ISO 4217 code', example: 'JPY' })
  @Transform(upperAscii)
  @IsISO4217CurrencyCode()
  currency!: string;

  @ApiPropertyOptional({ description: 'Units available now', minimum: 0, maximum: MAX_STOCK, default: 0 })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock?: number;
}

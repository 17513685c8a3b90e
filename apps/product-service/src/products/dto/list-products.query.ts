import { Optional, PageQueryDto } from '@helpline/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';

export class ListProductsQuery extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Products whose name or sku contains this text, ignoring case (% and _ match themselves)',
    maxLength: 100,
  })
  @Optional()
  // An empty search is no search.
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() || undefined : value))
  @IsString()
  @MaxLength(100)
  q?: string;
}

import { Optional, PageQueryDto } from '@helpline/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../orders.schema.js';

export class ListOrdersQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @Optional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

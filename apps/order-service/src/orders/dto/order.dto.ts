import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORDER_STATUSES, type Order, type OrderItem, type OrderStatus } from '../orders.schema.js';

export class OrderItemDto {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ description: 'The product name when ordered' }) name!: string;
  @ApiProperty({ description: 'Minor units, when ordered' }) unitPrice!: number;
  @ApiProperty() quantity!: number;
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: "user-service's id of the buyer" }) userId!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({ type: [OrderItemDto] }) items!: OrderItemDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'Minor units; null until priced' }) total!:
    number | null;
  @ApiProperty({ type: String, nullable: true, description: 'ISO 4217' }) currency!: string | null;
  @ApiPropertyOptional({ description: 'Why it failed or was cancelled, as a code' }) reason?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(order: Order, items: OrderItem[]): OrderDto {
    return {
      id: order.id,
      userId: order.userId,
      status: order.status,
      items: items.map((i) => ({
        productId: i.productId,
        name: i.name,
        unitPrice: i.unitPrice,
        quantity: i.quantity,
      })),
      total: order.total,
      currency: order.currency,
      ...(order.reason ? { reason: order.reason } : {}),
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
    };
  }
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderDto] }) items!: OrderDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

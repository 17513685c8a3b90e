import { CurrentUser, type Principal, Roles } from '@helpline/auth';
import { BadRequestError, type Page } from '@helpline/common';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CreateOrderDto } from './dto/create-order.dto.js';
import { ListOrdersQuery } from './dto/list-orders.query.js';
import { OrderDto, OrderPageDto } from './dto/order.dto.js';
import type { OrderWithItems } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestError('INVALID_ID', 'id: must be an order id (a UUID)'),
});

// Printable ASCII, as Stripe and the IETF draft take it; long enough for a UUID or a hash.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const toDto = ({ order, items }: OrderWithItems) => OrderDto.from(order, items);

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, expired or invalid token (code TOKEN_*)' })
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @Roles('user', 'manager', 'admin')
  @ApiOperation({
    summary: 'Place an order for yourself',
    description:
      'Reads you from user-service, reserves and prices the stock at product-service, then commits it. ' +
      'With an Idempotency-Key, the same key and items return the same order (200) and reserve nothing again.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-255 printable ASCII characters' })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiOkResponse({ type: OrderDto, description: 'Already placed with this Idempotency-Key' })
  @ApiConflictResponse({ description: 'INSUFFICIENT_STOCK, IDEMPOTENCY_KEY_IN_USE, USER_NOT_PROVISIONED' })
  @ApiUnprocessableEntityResponse({
    description: 'PRODUCT_NOT_FOUND, MIXED_CURRENCIES, IDEMPOTENCY_KEY_REUSED',
  })
  @ApiServiceUnavailableResponse({
    description: 'A service it needs is unavailable (UPSTREAM_*, CIRCUIT_OPEN)',
  })
  async place(
    @Body() dto: CreateOrderDto,
    @CurrentUser() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestError(
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key: 1-255 printable ASCII characters',
      );
    }
    const { order, created } = await this.orders.place({ principal, items: dto.items, idempotencyKey });
    void reply.status(created ? 201 : 200);
    return toDto(order);
  }

  @Get()
  @ApiOperation({
    summary: 'Orders, newest first',
    description: 'Your own; admins and managers see everyone’s. Pass nextCursor back as cursor.',
  })
  @ApiOkResponse({ type: OrderPageDto })
  async list(@Query() query: ListOrdersQuery, @CurrentUser() principal: Principal): Promise<Page<OrderDto>> {
    const page = await this.orders.list(principal, query);
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One order: your own, or any for admins and managers' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No such order, or not yours' })
  async get(@Param('id', uuidParam) id: string, @CurrentUser() principal: Principal): Promise<OrderDto> {
    return toDto(await this.orders.get(id, principal));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a confirmed order; its units go back to stock' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No such order, or not yours' })
  @ApiConflictResponse({ description: 'ORDER_NOT_CANCELLABLE: not confirmed' })
  async cancel(@Param('id', uuidParam) id: string, @CurrentUser() principal: Principal): Promise<OrderDto> {
    return toDto(await this.orders.cancel(id, principal));
  }
}

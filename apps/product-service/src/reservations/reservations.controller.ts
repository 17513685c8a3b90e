import { Roles, Scopes } from '@helpline/auth';
import { BadRequestError } from '@helpline/common';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PRODUCT_WRITE_SCOPE, RESERVATION_ROLES } from '../products/products.policy.js';
import { CreateReservationDto } from './dto/create-reservation.dto.js';
import { ReservationKeyDto } from './dto/reservation-key.dto.js';
import { ReservationDto } from './dto/reservation.dto.js';
import { ReservationsService } from './reservations.service.js';

const uuidParam = new ParseUUIDPipe({ exceptionFactory: () => invalidId() });

@ApiTags('reservations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, expired or invalid token (code TOKEN_*)' })
@ApiForbiddenResponse({ description: 'Neither scope service/product.write nor role admin' })
@Controller('products/reservations')
@Scopes(PRODUCT_WRITE_SCOPE)
@Roles(...RESERVATION_ROLES)
export class ReservationsController {
  constructor(private readonly reservations: ReservationsService) {}

  @Post()
  @ApiOperation({
    summary: 'Reserve stock for every item, or none (scope service/product.write, or admin)',
    description:
      'Takes the units out of stock at once. Idempotent by `key`: 201 when reserved, 200 with the same ' +
      'reservation when the key was used with the same items (nothing is taken again), 422 ' +
      'IDEMPOTENCY_KEY_REUSED when it was used with other items. 409 INSUFFICIENT_STOCK names every product ' +
      'that is short; 404 PRODUCT_NOT_FOUND names every unknown one.',
  })
  @ApiCreatedResponse({ type: ReservationDto })
  @ApiOkResponse({ type: ReservationDto, description: 'The key was used before with the same items' })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse({ description: 'PRODUCT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INSUFFICIENT_STOCK' })
  @ApiUnprocessableEntityResponse({ description: 'IDEMPOTENCY_KEY_REUSED' })
  async reserve(
    @Body() dto: CreateReservationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReservationDto> {
    const { reservation, created } = await this.reservations.reserve(dto);
    void reply.status(created ? 201 : 200);
    return ReservationDto.from(reservation);
  }

  @Post('void')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Hold nothing under a key: release its reservation, or bar it (scope service/product.write, or admin)',
    description:
      'For a caller that does not know whether its reservation was made (its request timed out): releases the ' +
      'reservation made with `key`, or, when none was made yet, records the key as released, so that the lost ' +
      'request, should it still arrive, takes nothing (it gets 422 IDEMPOTENCY_KEY_REUSED). 409 ' +
      'RESERVATION_COMMITTED when it was committed.',
  })
  @ApiOkResponse({ type: ReservationDto })
  @ApiConflictResponse({ description: 'RESERVATION_COMMITTED' })
  async voidKey(@Body() body: ReservationKeyDto): Promise<ReservationDto> {
    return ReservationDto.from(await this.reservations.voidKey(body.key));
  }

  @Get()
  @ApiOperation({
    summary: 'The reservation made with an idempotency key (scope service/product.write, or admin)',
    description: 'How a caller that lost the answer to its reservation finds out whether one was made.',
  })
  @ApiOkResponse({ type: ReservationDto })
  @ApiNotFoundResponse({ description: 'RESERVATION_NOT_FOUND: none was made with this key' })
  async findByKey(@Query() query: ReservationKeyDto): Promise<ReservationDto> {
    return ReservationDto.from(await this.reservations.findByKey(query.key));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One reservation (scope service/product.write, or admin)' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiNotFoundResponse({ description: 'RESERVATION_NOT_FOUND' })
  async get(@Param('id', uuidParam) id: string): Promise<ReservationDto> {
    return ReservationDto.from(await this.reservations.get(id));
  }

  @Post(':id/release')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Put the units back (scope service/product.write, or admin)',
    description:
      'Exactly once: releasing a released or expired reservation changes nothing (200); a committed one is ' +
      '409 RESERVATION_COMMITTED.',
  })
  @ApiOkResponse({ type: ReservationDto })
  @ApiNotFoundResponse({ description: 'RESERVATION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'RESERVATION_COMMITTED' })
  async release(@Param('id', uuidParam) id: string): Promise<ReservationDto> {
    return ReservationDto.from(await this.reservations.release(id));
  }

  @Post(':id/commit')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Make the reservation permanent (scope service/product.write, or admin)',
    description:
      'Exactly once: committing a committed reservation changes nothing (200); a released or expired one is ' +
      '409 RESERVATION_RELEASED or RESERVATION_EXPIRED (also when it is past expiresAt and not yet swept).',
  })
  @ApiOkResponse({ type: ReservationDto })
  @ApiNotFoundResponse({ description: 'RESERVATION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'RESERVATION_RELEASED, RESERVATION_EXPIRED' })
  async commit(@Param('id', uuidParam) id: string): Promise<ReservationDto> {
    return ReservationDto.from(await this.reservations.commit(id));
  }

  @Post(':id/return')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Put the units of a committed reservation back: its order was cancelled (scope service/product.write, or admin)',
    description:
      'Exactly once: returning a returned reservation changes nothing (200); one that was never committed is ' +
      '409 RESERVATION_NOT_COMMITTED.',
  })
  @ApiOkResponse({ type: ReservationDto })
  @ApiNotFoundResponse({ description: 'RESERVATION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'RESERVATION_NOT_COMMITTED' })
  async returnUnits(@Param('id', uuidParam) id: string): Promise<ReservationDto> {
    return ReservationDto.from(await this.reservations.returnUnits(id));
  }
}

function invalidId() {
  return new BadRequestError('INVALID_ID', 'id: must be a UUID (a reservation id)');
}

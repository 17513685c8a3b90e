import { CurrentUser, type Principal, Roles, Scopes } from '@helpline/auth';
import { BadRequestError, type Page } from '@helpline/common';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CallerUser } from './active-user.guard.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserDto, UserPageDto, UserRefDto } from './dto/user.dto.js';
import { canReadAnyUser, USER_WRITE_SCOPE } from './users.policy.js';
import type { User } from './users.schema.js';
import { UsersService } from './users.service.js';

const uuidParam = new ParseUUIDPipe({ exceptionFactory: () => invalidId() });

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, expired or invalid token (code TOKEN_*)' })
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The user linked to the calling identity' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No user is linked to this identity yet' })
  async me(
    @CurrentUser() principal: Principal,
    @CallerUser() known: User | null | undefined,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.me(principal, known));
  }

  @Get()
  @Roles('admin', 'manager')
  @ApiOperation({
    summary: 'List users (admin, manager)',
    description: 'Oldest first; pass nextCursor back as cursor.',
  })
  @ApiOkResponse({ type: UserPageDto })
  @ApiForbiddenResponse({ description: 'Not an admin or manager' })
  async list(@Query() query: ListUsersQuery): Promise<Page<UserDto>> {
    const page = await this.users.list(query);
    return { items: page.items.map(UserDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One user, by id or by Cognito sub',
    description: 'The user themself, admins, managers, or a service token with scope service/user.read.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse()
  async get(@Param('id', uuidParam) id: string, @CurrentUser() principal: Principal): Promise<UserDto> {
    return UserDto.from(await this.users.get(id, principal));
  }

  @Post()
  @Roles('admin')
  @Scopes(USER_WRITE_SCOPE)
  @ApiOperation({
    summary: 'Create the user of a Cognito identity (admin, or scope service/user.write)',
    description:
      'Idempotent on `sub`: 201 when created, 200 when that sub already has a user — with the user for ' +
      'callers that may read users, and only its id and sub for a write-only caller (service/user.write).',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiOkResponse({ type: UserDto, description: 'Already existed (UserRefDto for a write-only caller)' })
  @ApiBadRequestResponse()
  async create(
    @Body() dto: CreateUserDto,
    @CurrentUser() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto | UserRefDto> {
    const { user, created } = await this.users.create(dto);
    void reply.status(created ? 201 : 200);
    // What was just created holds only what the caller sent; an existing user is not theirs to read.
    return created || canReadAnyUser(principal) ? UserDto.from(user) : UserRefDto.from(user);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a user',
    description: 'Anyone may change their own name; email and status need admin or scope service/user.write.',
  })
  @ApiOkResponse({ type: UserDto })
  async update(
    @Param('id', uuidParam) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() principal: Principal,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.update(id, dto, principal));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user (admin)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async delete(@Param('id', uuidParam) id: string): Promise<void> {
    await this.users.delete(id);
  }
}

function invalidId() {
  return new BadRequestError('INVALID_ID', 'id: must be a UUID (a user id or a Cognito sub)');
}

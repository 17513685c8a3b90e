import { Optional, PageQueryDto } from '@helpline/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn } from 'class-validator';
import { USER_STATUSES, type UserStatus } from '../users.schema.js';

export class ListUsersQuery extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the user with this email' })
  @Optional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES })
  @Optional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}

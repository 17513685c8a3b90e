import { PageQueryDto } from '@helpline/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional } from 'class-validator';
import { USER_STATUSES, type UserStatus } from '../users.schema.js';

export class ListUsersQuery extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the user with this email' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}

import { ApiProperty } from '@nestjs/swagger';
import { USER_STATUSES, type User, type UserStatus } from '../users.schema.js';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The linked Cognito identity' }) sub!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: USER_STATUSES }) status!: UserStatus;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(user: User): UserDto {
    return {
      id: user.id,
      sub: user.cognitoSub,
      email: user.email,
      name: user.name,
      status: user.status,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** What a caller that may create users but not read them learns about one that already existed. */
export class UserRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The linked Cognito identity' }) sub!: string;

  static from(user: User): UserRefDto {
    return { id: user.id, sub: user.cognitoSub };
  }
}

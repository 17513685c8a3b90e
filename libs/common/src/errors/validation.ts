import {
  type ArgumentMetadata,
  HttpException,
  ValidationPipe,
  type ValidationError as ClassValidatorError,
} from '@nestjs/common';
import { AppError, BadRequestError, type FieldError, ValidationError } from './app-error.js';

/**
 * A validator that throws instead of answering (validator.js's isEmail throws URIError on a lone
 * surrogate) was handed input it cannot read: that is the input's fault, a 400, never a 500.
 */
class RobustValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof AppError || error instanceof HttpException) throw error;
      throw new BadRequestError('VALIDATION_FAILED', `The ${metadata.type} could not be validated`, {
        cause: error,
      });
    }
  }
}

/**
 * The global pipe: DTOs are validated and transformed; unknown fields are refused rather than
 * silently dropped; every invalid field is named in one 400.
 */
export function createValidationPipe(): ValidationPipe {
  return new RobustValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationError(flattenErrors(errors)),
  });
}

export function flattenErrors(errors: ClassValidatorError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenErrors(error.children ?? [], field)];
  });
}

import type { ValidationError } from 'class-validator';
import { AppError } from './app-error.js';

export interface FieldError {
  field: string;
  errors: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out.push({ field, errors: Object.values(e.constraints) });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** 400 with every failing field listed (the global ValidationPipe uses this). */
export function validationExceptionFactory(errors: ValidationError[]): AppError {
  const fields = flatten(errors);
  return new AppError(
    'REQUEST.VALIDATION_FAILED',
    400,
    `Validation failed for ${fields.map((f) => f.field).join(', ')}`,
    fields,
  );
}

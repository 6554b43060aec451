import {
  IsString,
  Matches,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

@ValidatorConstraint({ name: 'calendarDate' })
export class IsCalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    const d = new Date(`${value}T00:00:00.000Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
  }

  defaultMessage(): string {
    return 'date must be a calendar date YYYY-MM-DD (UTC day)';
  }
}

/** GET /api/analytics/orders-summary?date=YYYY-MM-DD (admin). */
export class GetOrdersSummaryRequestDto {
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must look like YYYY-MM-DD' })
  @Validate(IsCalendarDate)
  date!: string;
}

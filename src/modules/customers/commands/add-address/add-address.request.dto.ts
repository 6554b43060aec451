import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { ExpectedVersionDto } from '../customer-params.request.dto.js';

/** Printable text, not blank, no control characters. */
export const TEXT_PATTERN = /^[^\p{Cc}]*[^\p{Cc}\s][^\p{Cc}]*$/u;
/** Letters, digits, spaces and hyphens, starting and ending with a letter or digit (max 16). */
export const POSTAL_CODE_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 -]{0,14}[A-Za-z0-9])?$/;
const textMessage = (field: string) => ({
  message: `${field} must not be blank or contain control characters`,
});

/** Upper-cases a string country code before validation; anything else is left for the validator. */
export const UpperCase = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  );

export class AddAddressRequestDto extends ExpectedVersionDto {
  @IsString()
  @Length(1, 50)
  @Matches(TEXT_PATTERN, textMessage('label'))
  label!: string;

  @IsString()
  @Length(1, 200)
  @Matches(TEXT_PATTERN, textMessage('line1'))
  line1!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[^\p{Cc}]*$/u, textMessage('line2'))
  line2?: string | null;

  @IsString()
  @Length(1, 100)
  @Matches(TEXT_PATTERN, textMessage('city'))
  city!: string;

  /** State / province / region, where the country uses one. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[^\p{Cc}]*$/u, textMessage('region'))
  region?: string | null;

  @IsString()
  @Matches(POSTAL_CODE_PATTERN, { message: 'postalCode must be 1-16 letters, digits, spaces or hyphens' })
  postalCode!: string;

  /** ISO 3166-1 alpha-2 (`DE`, `us` is accepted and stored as `US`). */
  @UpperCase()
  @IsString()
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as US or DE' })
  country!: string;

  /** Make it the default address (the first address always is). */
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

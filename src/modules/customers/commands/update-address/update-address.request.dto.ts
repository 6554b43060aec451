import { Equals, IsISO31661Alpha2, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ExpectedVersionDto, IsOptionalNotNull } from '../customer-params.request.dto.js';
import { POSTAL_CODE_PATTERN, TEXT_PATTERN, UpperCase } from '../add-address/add-address.request.dto.js';

const textMessage = (field: string) => ({
  message: `${field} must not be blank or contain control characters`,
});

/**
 * At least one field. `line2` / `region` may be null (cleared); the others cannot. `isDefault` can
 * only be `true` (to stop an address being the default, make another one the default).
 */
export class UpdateAddressRequestDto extends ExpectedVersionDto {
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 50)
  @Matches(TEXT_PATTERN, textMessage('label'))
  label?: string;

  @IsOptionalNotNull()
  @IsString()
  @Length(1, 200)
  @Matches(TEXT_PATTERN, textMessage('line1'))
  line1?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[^\p{Cc}]*$/u, textMessage('line2'))
  line2?: string | null;

  @IsOptionalNotNull()
  @IsString()
  @Length(1, 100)
  @Matches(TEXT_PATTERN, textMessage('city'))
  city?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[^\p{Cc}]*$/u, textMessage('region'))
  region?: string | null;

  @IsOptionalNotNull()
  @IsString()
  @Matches(POSTAL_CODE_PATTERN, { message: 'postalCode must be 1-16 letters, digits, spaces or hyphens' })
  postalCode?: string;

  @IsOptionalNotNull()
  @UpperCase()
  @IsString()
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as US or DE' })
  country?: string;

  @IsOptionalNotNull()
  @Equals(true, { message: 'isDefault can only be true (make another address the default instead)' })
  isDefault?: true;
}

export const UPDATABLE_ADDRESS_FIELDS = [
  'label',
  'line1',
  'line2',
  'city',
  'region',
  'postalCode',
  'country',
  'isDefault',
] as const;

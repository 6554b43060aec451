import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ExpectedVersionDto, IsOptionalNotNull } from '../customer-params.request.dto.js';
import { NAME_PATTERN, PHONE_PATTERN } from '../register-customer/register-customer.request.dto.js';

/** At least one of name, email, phone; `phone: null` removes the phone number. */
export class UpdateCustomerProfileRequestDto extends ExpectedVersionDto {
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 200)
  @Matches(NAME_PATTERN, { message: 'name must not be blank or contain control characters' })
  name?: string;

  @IsOptionalNotNull()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @IsOptional()
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be an E.164 number such as +14155550123' })
  phone?: string | null;
}

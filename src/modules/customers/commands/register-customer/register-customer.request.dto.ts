import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { VIP_STATUSES, type VipStatus } from '../../customers.public.js';

/** A name: 1-200 characters, not blank, no control characters. */
export const NAME_PATTERN = /^[^\p{Cc}]*[^\p{Cc}\s][^\p{Cc}]*$/u;
/** E.164: `+`, country code, subscriber number; 8 to 16 characters. */
export const PHONE_PATTERN = /^\+[1-9]\d{6,14}$/;

export class RegisterCustomerRequestDto {
  @IsString()
  @Length(1, 200)
  @Matches(NAME_PATTERN, { message: 'name must not be blank or contain control characters' })
  name!: string;

  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  /** Optional; null or absent = no phone number. */
  @IsOptional()
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be an E.164 number such as +14155550123' })
  phone?: string | null;

  @IsOptional()
  @IsIn(VIP_STATUSES)
  vipStatus?: VipStatus;
}

import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ExpectedVersionDto } from '../customer-params.request.dto.js';

/** The body is optional (an empty POST suspends without a reason). */
export class SuspendCustomerRequestDto extends ExpectedVersionDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'reason must not contain control characters' })
  reason?: string | null;
}

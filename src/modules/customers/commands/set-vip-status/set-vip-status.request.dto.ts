import { IsIn } from 'class-validator';
import { VIP_STATUSES, type VipStatus } from '../../customers.public.js';
import { ExpectedVersionDto } from '../customer-params.request.dto.js';

export class SetVipStatusRequestDto extends ExpectedVersionDto {
  @IsIn(VIP_STATUSES)
  vipStatus!: VipStatus;
}

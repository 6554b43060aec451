import { ExpectedVersionDto } from '../customer-params.request.dto.js';

/** The body is optional: `{}` or `{ "expectedVersion": 3 }`. */
export class ReactivateCustomerRequestDto extends ExpectedVersionDto {}

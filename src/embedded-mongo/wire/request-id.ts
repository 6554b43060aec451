let lastRequestId = 0;

/** A fresh positive int32 requestID for an outgoing message (process-wide, wraps at 2^31-1). */
export function nextRequestId(): number {
  lastRequestId = lastRequestId >= 0x7fffffff ? 1 : lastRequestId + 1;
  return lastRequestId;
}

/**
 * MongoDB error codes this module raises that ../errors.ts does not name yet. They are used as
 * plain numbers (codeNameOf reports them as LocationNNNN until the table names them).
 */
export const CONFLICTING_UPDATE_OPERATORS = 40;
export const NOT_EXACT_VALUE_FIELD = 111;
/** "A pipeline stage specification object must contain exactly one field." */
export const PIPELINE_STAGE_ONE_FIELD = 40323;
/** "Unrecognized pipeline stage name" */
export const UNRECOGNIZED_PIPELINE_STAGE = 40324;

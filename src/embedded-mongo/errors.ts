/**
 * MongoDB's server error codes and code names, in one frozen table (the numbers and names are
 * MongoDB's own, from src/mongo/base/error_codes.yml). Every error the embedded server reports
 * carries one of these, so clients (and the driver's retry logic) react exactly as with mongod.
 */
export const ErrorCodes = Object.freeze({
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  GraphContainsCycle: 5,
  HostUnreachable: 6,
  HostNotFound: 7,
  UnknownError: 8,
  FailedToParse: 9,
  CannotMutateObject: 10,
  UserNotFound: 11,
  UnsupportedFormat: 12,
  Unauthorized: 13,
  TypeMismatch: 14,
  Overflow: 15,
  InvalidLength: 16,
  ProtocolError: 17,
  AuthenticationFailed: 18,
  CannotReuseObject: 19,
  IllegalOperation: 20,
  EmptyArrayOperation: 21,
  InvalidBSON: 22,
  AlreadyInitialized: 23,
  LockTimeout: 24,
  RemoteValidationError: 25,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  NonExistentPath: 29,
  InvalidPath: 30,
  RoleNotFound: 31,
  RolesNotRelated: 32,
  PrivilegeNotFound: 33,
  CannotBackfillArray: 34,
  CursorNotFound: 43,
  NoMatchingDocument: 47,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  NotSingleValueField: 54,
  InvalidDBRef: 55,
  EmptyFieldName: 56,
  DottedFieldName: 57,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  IndexAlreadyExists: 68,
  InvalidOptions: 72,
  ConflictingUpdateOperators: 40,
  UnknownReplWriteConcern: 79,
  UnsatisfiableWriteConcern: 100,
  CannotIndexParallelArrays: 171,
  InvalidPipelineOperator: 168,
  BSONObjectTooLarge: 10334,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NetworkTimeout: 89,
  OperationFailed: 96,
  WriteConflict: 112,
  CommandNotSupported: 115,
  ConflictingOperationInProgress: 117,
  DocumentValidationFailure: 121,
  NotImplemented: 238,
  InvalidUUID: 207,
  NoSuchSession: 206,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  IncompleteTransactionHistory: 217,
  OperationNotSupportedInTransaction: 263,
  TransactionTooLarge: 257,
  ExceededMemoryLimit: 146,
  CommandFailed: 125,
  TransactionCommitted: 256,
  ChangeStreamFatalError: 280,
  ChangeStreamHistoryLost: 286,
  InvalidResumeToken: 260,
  Interrupted: 11601,
  InterruptedAtShutdown: 11600,
  NotWritablePrimary: 10107,
  NotPrimaryNoSecondaryOk: 13435,
  DuplicateKey: 11000,
  Location15998: 15998,
  Location16020: 16020,
  Location17276: 17276,
  Location31254: 31254,
  Location40352: 40352,
  Location40353: 40353,
  Location40414: 40414,
  Location40415: 40415,
  Location51024: 51024,
  Location51270: 51270,
  ConversionFailure: 241,
  InvalidIndexSpecificationOption: 197,
  QueryFeatureNotAllowed: 224,
  TransactionExceededLifetimeLimitSeconds: 290,
  APIStrictError: 323,
  ExceededTimeLimit: 262,
  ClientMarkedKilled: 46841,
  SearchNotEnabled: 31082,
  NotExactValueField: 111,
  IllegalOpMsgFlag: 223,
  TooManyDocumentSequences: 233,
  AmbiguousIndexKeyPattern: 275,
  ChecksumMismatch: 288,
  QueryExceededMemoryLimitNoDiskUseAllowed: 292,
  UnsupportedOpQueryCommand: 352,
  WriteConcernTimeout: 64,
  ShutdownInProgress: 91,
  FailedToSatisfyReadPreference: 133,
  ReadConcernMajorityNotAvailableYet: 134,
  StaleEpoch: 150,
  PrimarySteppedDown: 189,
  ClusterTimeFailsRateLimiter: 205,
  ElectionInProgress: 216,
  RetryChangeStream: 234,
  SnapshotTooOld: 239,
  SnapshotUnavailable: 246,
  StaleChunkHistory: 250,
  TooManyLogicalSessions: 261,
  FailPointSetFailed: 266,
  PreparedTransactionInProgress: 267,
  MigrationConflict: 272,
  SocketException: 9001,
  InterruptedDueToReplStateChange: 11602,
  StaleConfig: 13388,
  NotPrimaryOrSecondary: 13436,
  NotARetryableWriteCommand: 50768,
} as const);

export type ErrorCodeName = keyof typeof ErrorCodes;

const namesByCode = new Map<number, string>();
for (const [name, code] of Object.entries(ErrorCodes)) {
  // First name wins for aliases (e.g. FailedToParse before InvalidUpdateOperator's 9).
  if (!namesByCode.has(code)) namesByCode.set(code, name);
}

/** The canonical code name MongoDB reports for `code` ('' for unknown codes, as mongod does for LocationNNNN). */
export function codeNameOf(code: number): string {
  const name = namesByCode.get(code);
  if (!name || name.startsWith('Location')) return name ? name : `Location${code}`;
  return name;
}

/**
 * A command failure. Thrown anywhere below the command layer; the dispatcher turns it into
 * `{ok: 0, errmsg, code, codeName, errorLabels?}` (or a `writeErrors` entry for write commands).
 */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly errorLabels: string[];
  /** Extra fields copied into the error reply (e.g. keyPattern/keyValue for DuplicateKey). */
  readonly extra: Record<string, unknown>;

  constructor(
    code: number,
    message: string,
    extra: Record<string, unknown> = {},
    errorLabels: string[] = [],
  ) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = code;
    this.codeName = codeNameOf(code);
    this.extra = extra;
    this.errorLabels = errorLabels;
  }

  static of(name: ErrorCodeName, message: string, extra: Record<string, unknown> = {}): MongoCommandError {
    return new MongoCommandError(ErrorCodes[name], message, extra);
  }
}

/** Shorthand: `throw mongoError('BadValue', '...')`. */
export function mongoError(
  name: ErrorCodeName,
  message: string,
  extra: Record<string, unknown> = {},
): MongoCommandError {
  return MongoCommandError.of(name, message, extra);
}

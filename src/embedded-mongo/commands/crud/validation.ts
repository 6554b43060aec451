/**
 * Collection validators (`validator`, `validationLevel`, `validationAction` collection options):
 * a write whose resulting document fails the validator is refused with DocumentValidationFailure
 * (121), unless the command sets bypassDocumentValidation or the action is 'warn' (logged).
 */
import type { Document } from '../../bson.js';
import type { Collection } from '../../catalog/collection.js';
import { mongoError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { compileFilter } from '../../query/matcher.js';
import { isPlainObject } from '../../values/types.js';

export type DocumentValidator = (doc: Document, before: Document | null) => void;

const NO_VALIDATION: DocumentValidator = () => undefined;

export function validatorFor(
  coll: Collection | undefined,
  bypass: boolean,
  logger: Logger,
): DocumentValidator {
  if (!coll || bypass) return NO_VALIDATION;
  const { validator, validationLevel, validationAction } = coll.options;
  if (!isPlainObject(validator) || Object.keys(validator).length === 0 || validationLevel === 'off')
    return NO_VALIDATION;
  const matches = compileFilter(validator);
  const moderate = validationLevel === 'moderate';
  return (doc, before) => {
    // 'moderate' only checks updates of documents that were valid already.
    if (moderate && before && !matches(before)) return;
    if (matches(doc)) return;
    if (validationAction === 'warn') {
      logger.warn('document failed validation (validationAction: warn)', {
        ns: coll.ns,
        _id: String(doc._id),
      });
      return;
    }
    throw mongoError('DocumentValidationFailure', 'Document failed validation', {
      errInfo: {
        failingDocumentId: doc._id,
        details: { operatorName: '$jsonSchema' in validator ? '$jsonSchema' : '$and' },
      },
    });
  };
}

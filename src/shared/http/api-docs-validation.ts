/**
 * Request schemas for the OpenAPI document without the Nest CLI plugin: every property validated by
 * class-validator gets its @ApiProperty derived from the validation metadata (type, required,
 * pattern, bounds, lengths, enum, nested classes), so request bodies and query DTOs are documented
 * from the same rules that validate them and cannot drift. A property that already carries an
 * explicit @ApiProperty keeps it.
 */
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { createRequire } from 'node:module';
import { getMetadataStorage } from 'class-validator';

/** @nestjs/swagger's metadata key of a class's documented properties (not exported). */
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';

/** The fields of class-validator's ValidationMetadata read here (the class is not exported). */
interface ValidationMetadata {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
}

/** class-transformer's @Type() registry (not exported from its entry point). */
interface TypeMetadataStorage {
  findTypeMetadata(target: unknown, property: string): { typeFunction(): unknown } | undefined;
}
const { defaultMetadataStorage } = createRequire(import.meta.url)('class-transformer/cjs/storage.js') as {
  defaultMetadataStorage: TypeMetadataStorage;
};

type SchemaFields = Record<string, unknown>;
type Ctor = abstract new (...args: never[]) => unknown;

const PRIMITIVES = new Map<unknown, string>([
  [String, 'string'],
  [Number, 'number'],
  [Boolean, 'boolean'],
]);

function fieldsOf(m: ValidationMetadata): SchemaFields {
  const c = (m.constraints ?? []) as unknown[];
  const arrayField = m.each === true;
  switch (m.name) {
    case 'isString':
      return { type: 'string' };
    case 'isInt':
      return { type: 'integer' };
    case 'isNumber':
    case 'isNumberString':
      return { type: 'number' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isEmail':
      return { type: 'string', format: 'email' };
    case 'isDateString':
    case 'isISO8601':
      return { type: 'string', format: 'date-time' };
    case 'matches':
      return c[0] instanceof RegExp ? { pattern: c[0].source } : {};
    case 'min':
      return typeof c[0] === 'number' ? { minimum: c[0] } : {};
    case 'max':
      return typeof c[0] === 'number' ? { maximum: c[0] } : {};
    case 'minLength':
      return typeof c[0] === 'number' ? { minLength: c[0] } : {};
    case 'maxLength':
      return typeof c[0] === 'number' ? { maxLength: c[0] } : {};
    case 'isLength':
      return {
        ...(typeof c[0] === 'number' ? { minLength: c[0] } : {}),
        ...(typeof c[1] === 'number' ? { maxLength: c[1] } : {}),
      };
    case 'isIn':
      return Array.isArray(c[0]) ? { enum: c[0] } : {};
    case 'isEnum':
      return Array.isArray(c[1]) ? { enum: c[1] } : {};
    case 'equals':
      return { enum: [c[0]] };
    case 'arrayMinSize':
      return typeof c[0] === 'number' ? { minItems: c[0], isArray: true } : {};
    case 'arrayMaxSize':
      return typeof c[0] === 'number' ? { maxItems: c[0], isArray: true } : {};
    case 'arrayUnique':
      return { uniqueItems: true, isArray: true };
    case 'isArray':
      return { isArray: true };
    default:
      return arrayField ? { isArray: true } : {};
  }
}

/** Adds @ApiProperty to every class-validator-validated property that has none. */
export function documentValidatedClasses(): void {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Ctor, ValidationMetadata[]> };
  for (const [target, metas] of storage.validationMetadatas) {
    const proto = (target as { prototype: object }).prototype;
    const documented = new Set(
      ((Reflect.getMetadata(API_MODEL_PROPERTIES_ARRAY, proto) as string[] | undefined) ?? []).map((p) =>
        p.replace(/^:/, ''),
      ),
    );
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const m of metas) {
      if (!m.propertyName || documented.has(m.propertyName)) continue;
      byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
    }
    for (const [property, ms] of byProperty) {
      const fields: SchemaFields = {};
      let required = true;
      for (const m of ms) {
        if (m.type === 'conditionalValidation') required = false;
        Object.assign(fields, fieldsOf(m));
      }
      if (ms.some((m) => m.each === true)) fields.isArray = true;
      const designType: unknown = Reflect.getMetadata('design:type', proto, property);
      const nested = defaultMetadataStorage.findTypeMetadata(target, property);
      const isArray = fields.isArray === true || designType === Array;
      const nestedType = nested?.typeFunction() as Ctor | undefined;
      const itemType = fields.type ?? PRIMITIVES.get(designType);
      const options: ApiPropertyOptions = {
        ...fields,
        required,
        isArray,
        ...(nestedType && !PRIMITIVES.has(nestedType)
          ? { type: nestedType }
          : itemType
            ? { type: itemType }
            : isArray
              ? { type: 'string' }
              : {}),
      } as ApiPropertyOptions;
      ApiProperty(options)(proto, property);
    }
  }
}

import {
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  typenameFieldName,
  Variable,
  type CompositeType,
  type Directive,
  type NamedType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';

/**
 * Shapes the merged subgraph data of one operation into its response: fields in the order of the
 * operation, aliases, `__typename`, type conditions, `@skip`/`@include`. Returns undefined when
 * the data needs anything beyond the happy path (a null in a non-null position, an invalid leaf
 * value, an unknown `__typename`): the caller then runs Apollo's `computeResponse`, which reports
 * those cases, so errors stay exactly the plain gateway's.
 */
export type CompiledShaper = (
  input: Record<string, unknown>,
  variables: Record<string, unknown>,
) => Record<string, unknown> | undefined;

/** Thrown inside a shaper to leave the happy path (caught by the shaper itself). */
class Bailout {}
const BAILOUT = new Bailout();

/** Members of Object.prototype (`constructor`, `__proto__`…): response names can be these too. */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

type Read = (input: Record<string, unknown>) => unknown;
type ApplySelections = (
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  parentType: NamedType,
  variables: Record<string, unknown>,
) => void;
type UpdateValue = (
  outputValue: unknown,
  inputValue: unknown,
  variables: Record<string, unknown>,
) => unknown;

/** Reads an own property, as Apollo's `getOwn`, without `hasOwn` for names no prototype holds. */
function reader(name: string): Read {
  if (PROTOTYPE_NAMES.has(name)) {
    return (input) => (Object.hasOwn(input, name) ? input[name] : undefined);
  }
  return (input) => input[name];
}

/** `@skip(if:)` / `@include(if:)` of a selection: undefined when it has neither. */
function compileSkip(
  schema: Schema,
  applied: (directive: ReturnType<Schema['skipDirective']>) => Directive[],
): ((variables: Record<string, unknown>) => boolean) | undefined {
  const value = (directive: Directive | undefined) => {
    if (!directive) return undefined;
    const argument = (directive.arguments() as { if?: unknown }).if;
    if (argument instanceof Variable) {
      const name = argument.name;
      return (variables: Record<string, unknown>) => {
        const given = variables[name];
        if (typeof given !== 'boolean') throw BAILOUT;
        return given;
      };
    }
    return () => argument === true;
  };
  const skip = value(applied(schema.skipDirective())[0]);
  const include = value(applied(schema.includeDirective())[0]);
  if (!skip && !include) return undefined;
  return (variables) => (skip ? skip(variables) : false) || (include ? !include(variables) : false);
}

/** The happy-path check of Apollo's `isValidLeafValue` for one leaf type. */
function compileLeaf(schema: Schema, type: NamedType): (value: unknown) => boolean {
  const isInteger = (value: unknown) =>
    typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21;
  if (isCustomScalarType(type)) return () => true;
  if (isEnumType(type)) return (value) => typeof value === 'string' && !!type.value(value);
  if (type === schema.booleanType()) return (value) => typeof value === 'boolean';
  if (type === schema.intType()) return isInteger;
  if (type === schema.idType()) return (value) => typeof value === 'string' || isInteger(value);
  if (type === schema.floatType()) {
    return (value) => typeof value === 'number' && Number.isFinite(value);
  }
  if (type === schema.stringType()) return (value) => typeof value === 'string';
  throw BAILOUT;
}

/** Compiles `operation`'s shaper, or returns undefined when it selects introspection fields. */
export function compileShaper(operation: Operation): CompiledShaper | undefined {
  const schema = operation.schema();
  // Plain objects: V8 keeps them in fast mode (shared shapes, JSON.stringify's fast path), where
  // Apollo's prototype-less objects are dictionaries. A response name that Object.prototype has
  // (`constructor`, `toString`, `__proto__`…) would read or write the prototype's member: an
  // operation with one gets prototype-less objects, as Apollo's (set once compiled, below).
  let prototypeLess = false;
  const newObject = () => (prototypeLess ? Object.create(null) : {}) as Record<string, unknown>;
  const typeByName = new Map<string, NamedType | undefined>();
  const typeNamed = (name: string) => {
    if (!typeByName.has(name)) typeByName.set(name, schema.type(name));
    return typeByName.get(name);
  };

  function compileValue(type: Type, selectionSet: SelectionSet | undefined): UpdateValue {
    if (isNonNullType(type)) {
      const inner = compileValue(type.ofType, selectionSet);
      return (outputValue, inputValue, variables) => {
        // Apollo returns a value already written (null included) before it checks nullability.
        if (outputValue === null || (outputValue !== undefined && !selectionSet)) {
          return outputValue;
        }
        const updated = inner(outputValue, inputValue, variables);
        if (updated === null) throw BAILOUT;
        return updated;
      };
    }
    if (isListType(type)) {
      const element = compileValue(type.ofType, selectionSet);
      return (outputValue, inputValue, variables) => {
        if (outputValue === null || (outputValue !== undefined && !selectionSet)) {
          return outputValue;
        }
        if (inputValue === null) return null;
        if (!Array.isArray(inputValue)) throw BAILOUT;
        if (outputValue === undefined) {
          const updated = new Array<unknown>(inputValue.length);
          for (let i = 0; i < inputValue.length; i++) {
            updated[i] = element(undefined, inputValue[i] ?? null, variables);
          }
          return updated;
        }
        if (!Array.isArray(outputValue) || outputValue.length !== inputValue.length) {
          throw BAILOUT;
        }
        return outputValue.map((existing: unknown, i) =>
          element(existing, inputValue[i] ?? null, variables),
        );
      };
    }
    if (isCompositeType(type)) {
      if (!selectionSet) throw BAILOUT;
      const apply = compileSelections(selectionSet);
      return (outputValue, inputValue, variables) => {
        if (outputValue === null) return outputValue;
        if (inputValue === null) return null;
        if (typeof inputValue !== 'object') throw BAILOUT;
        if (outputValue !== undefined && typeof outputValue !== 'object') throw BAILOUT;
        const input = inputValue as Record<string, unknown>;
        const typename = input[typenameFieldName];
        let objectType: NamedType = type;
        if (typename !== undefined) {
          if (typeof typename !== 'string') throw BAILOUT;
          if (typename !== '') {
            const named = typeNamed(typename);
            if (!named || !isCompositeType(named)) throw BAILOUT;
            objectType = named;
          }
        }
        const output = (outputValue ?? newObject()) as Record<string, unknown>;
        apply(input, output, objectType, variables);
        return output;
      };
    }
    const valid = compileLeaf(schema, type);
    return (outputValue, inputValue) => {
      if (outputValue === null || outputValue !== undefined) {
        // A leaf already written (the same response name twice): Apollo keeps the first.
        return outputValue;
      }
      if (inputValue === null) return null;
      if (!valid(inputValue)) throw BAILOUT;
      return inputValue;
    };
  }

  function compileSelections(selectionSet: SelectionSet): ApplySelections {
    const steps: ApplySelections[] = [];
    for (const selection of selectionSet.selections()) {
      const element = selection.element;
      const skip = compileSkip(
        schema,
        (d) => element.appliedDirectivesOf(d) as unknown as Directive[],
      );
      let step: ApplySelections;
      if (selection.kind === 'FieldSelection') {
        const field = selection.element;
        if (field.definition.isSchemaIntrospectionField()) throw BAILOUT;
        const responseName = field.responseName();
        if (PROTOTYPE_NAMES.has(responseName)) prototypeLess = true;
        const read = reader(responseName);
        if (field.name === typenameFieldName) {
          const readTypename = reader(typenameFieldName);
          step = (input, output, parentType) => {
            if (output[responseName] !== undefined) return;
            let value = read(input) ?? null;
            if (value === null && responseName !== typenameFieldName) {
              value = readTypename(input) ?? null;
            }
            const type = typeof value === 'string' ? (typeNamed(value) ?? parentType) : parentType;
            if (!isObjectType(type)) throw BAILOUT;
            output[responseName] = type.name;
          };
        } else {
          const update = compileValue(field.definition.type!, selection.selectionSet);
          step = (input, output, _parentType, variables) => {
            output[responseName] = update(output[responseName], read(input) ?? null, variables);
          };
        }
      } else {
        const condition = selection.element.typeCondition;
        const apply = compileSelections(selection.selectionSet);
        const applies = new Map<NamedType, boolean>();
        const appliesTo = (type: NamedType) => {
          let result = applies.get(type);
          if (result === undefined) {
            result = isSubtype(condition as CompositeType, type);
            applies.set(type, result);
          }
          return result;
        };
        step = (input, output, parentType, variables) => {
          if (!condition) {
            apply(input, output, parentType, variables);
            return;
          }
          const typename = input[typenameFieldName];
          if (typename && typeof typename !== 'string') throw BAILOUT;
          const target = typename ? typeNamed(typename as string) : parentType;
          if (target && appliesTo(target)) apply(input, output, condition, variables);
        };
      }
      steps.push(skip ? (i, o, p, v) => void (skip(v) || step(i, o, p, v)) : step);
    }
    return (input, output, parentType, variables) => {
      for (const step of steps) step(input, output, parentType, variables);
    };
  }

  let root: ApplySelections;
  try {
    root = compileSelections(operation.selectionSet);
  } catch (error) {
    if (error instanceof Bailout) return undefined;
    throw error;
  }
  const rootType = schema.schemaDefinition.rootType(operation.rootKind)!;
  const defaults = operation.collectDefaultedVariableValues();
  return (input, variables) => {
    const output = newObject();
    try {
      root(input, output, rootType, { __proto__: null, ...defaults, ...variables });
    } catch (error) {
      if (error instanceof Bailout) return undefined;
      throw error;
    }
    return output;
  };
}

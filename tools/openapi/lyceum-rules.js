// Lyceum's own lint rules, for contract defects that Redocly's built-in rules cannot see.
// Each rule reads the plain document (refs unresolved) and reports at the offending node.
// Severities live in redocly.yaml; a rule the document passes should be an error there.
'use strict';

// Keys that only annotate a schema: an allOf member made of these adds no structure.
const ANNOTATIONS = new Set([
  'description', 'title', 'default', 'example', 'readOnly', 'writeOnly', 'deprecated', 'nullable',
]);
// Members a problem document always carries (see api.md and crates/api-poem/src/problem.rs).
const PROBLEM_ALWAYS_SENT = new Set(['type', 'title', 'status', 'detail', 'code']);
const COMPONENT_SCHEMA = '#/components/schemas/';

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

// Every (node, path) pair below `node`, depth first.
function* nodes(node, path) {
  yield [node, path];
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* nodes(node[i], [...path, i]);
  } else if (isObject(node)) {
    for (const [key, child] of Object.entries(node)) yield* nodes(child, [...path, key]);
  }
}

// Every (operation, path) pair of the document.
function* operations(root) {
  for (const [route, item] of Object.entries(root.paths || {})) {
    for (const [method, operation] of Object.entries(item || {})) {
      if (isObject(operation) && operation.responses) yield [operation, ['paths', route, method]];
    }
  }
}

// Every response body schema: [schema, path, media type].
function* responseSchemas(root) {
  for (const [operation, at] of operations(root)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      for (const [media, content] of Object.entries((response && response.content) || {})) {
        if (content && content.schema) {
          yield [content.schema, [...at, 'responses', status, 'content', media, 'schema'], media];
        }
      }
    }
  }
}

// Follows a local component $ref; returns [schema, path] or null.
function resolve(root, schema) {
  const ref = isObject(schema) && schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith(COMPONENT_SCHEMA)) return null;
  const name = ref.slice(COMPONENT_SCHEMA.length);
  const target = root.components && root.components.schemas && root.components.schemas[name];
  return target ? [target, ['components', 'schemas', name]] : null;
}

// `allOf: [{$ref}, {description}]` is how the generator attaches a description to a
// reference; client generators turn it into a needless wrapper type.
function NoRefAllOfWrapper() {
  return {
    Root: {
      leave(root, { report, location }) {
        for (const [node, path] of nodes(root, [])) {
          if (!isObject(node) || !Array.isArray(node.allOf)) continue;
          const refs = node.allOf.filter((member) => isObject(member) && member.$ref);
          const rest = node.allOf.filter((member) => !(isObject(member) && member.$ref));
          const annotationsOnly = rest.every(
            (member) => isObject(member) && Object.keys(member).every((key) => ANNOTATIONS.has(key)),
          );
          if (refs.length === 1 && annotationsOnly) {
            report({
              message: `\`allOf\` wraps the single reference ${refs[0].$ref} only to carry annotations; use the $ref directly.`,
              location: location.child([...path, 'allOf']),
            });
          }
        }
      },
    },
  };
}

// One rule for absent values: a response leaves them out, it never sends `null`
// (api-conventions.md). So no property of a JSON response body may allow `null` — neither
// `type: [..., "null"]`, `nullable: true` nor an `anyOf`/`oneOf` member `{type: "null"}`.
// `null` belongs only to PATCH bodies, where it clears a field.
const allowsNull = (schema) =>
  isObject(schema) &&
  (schema.nullable === true ||
    (Array.isArray(schema.type) && schema.type.includes('null')) ||
    schema.type === 'null' ||
    ['anyOf', 'oneOf'].some(
      (keyword) => Array.isArray(schema[keyword]) && schema[keyword].some(allowsNull),
    ));

function ResponsePropertyNeverNull() {
  return {
    Root: {
      leave(root, { report, location }) {
        const seen = new Set();
        const pending = [];
        for (const [schema, path, media] of responseSchemas(root)) {
          if (!media.startsWith('application/problem+json')) pending.push([schema, path]);
        }
        while (pending.length > 0) {
          const [schema, path] = pending.pop();
          const key = path.join('/');
          if (!isObject(schema) || seen.has(key)) continue;
          seen.add(key);
          const target = resolve(root, schema);
          if (target) {
            pending.push(target);
            continue;
          }
          for (const [name, property] of Object.entries(schema.properties || {})) {
            if (allowsNull(property)) {
              report({
                message: `Response property \`${name}\` allows null; absent values are omitted instead.`,
                location: location.child([...path, 'properties', name]).key(),
              });
            }
            pending.push([property, [...path, 'properties', name]]);
          }
          for (const keyword of ['allOf', 'oneOf', 'anyOf']) {
            (schema[keyword] || []).forEach((member, i) => pending.push([member, [...path, keyword, i]]));
          }
          if (schema.items) pending.push([schema.items, [...path, 'items']]);
          if (isObject(schema.additionalProperties)) {
            pending.push([schema.additionalProperties, [...path, 'additionalProperties']]);
          }
        }
      },
    },
  };
}

// A problem+json schema may require only the members every problem carries; `errors` is
// sent only on validation failures.
function ProblemRequiredMembers() {
  return {
    Root: {
      leave(root, { report, location }) {
        const seen = new Set();
        for (const [schema, path, media] of responseSchemas(root)) {
          if (!media.startsWith('application/problem+json')) continue;
          const [problem, at] = resolve(root, schema) || [schema, path];
          const key = at.join('/');
          if (seen.has(key)) continue;
          seen.add(key);
          (problem.required || []).forEach((name, i) => {
            if (!PROBLEM_ALWAYS_SENT.has(name)) {
              report({
                message: `Problem member \`${name}\` is listed as required but is not sent on every problem.`,
                location: location.child([...at, 'required', i]),
              });
            }
          });
        }
      },
    },
  };
}

// Every operation that takes a body can be answered 408 (body slower than
// LYCEUM_HTTP_BODY_TIMEOUT_SECONDS), 413 (body over LYCEUM_BODY_LIMIT_BYTES) and 415 (a body
// that is not JSON); a generated client should know all three.
function RequestBodyErrorResponses() {
  return {
    Root: {
      leave(root, { report, location }) {
        for (const [operation, at] of operations(root)) {
          if (!operation.requestBody) continue;
          const missing = ['408', '413', '415'].filter((status) => !(status in operation.responses));
          if (missing.length > 0) {
            report({
              message: `Operation takes a request body but does not document ${missing.join(', ')}.`,
              location: location.child([...at, 'responses']).key(),
            });
          }
        }
      },
    },
  };
}

module.exports = function lyceumRules() {
  return {
    id: 'lyceum',
    rules: {
      oas3: {
        'no-ref-allof-wrapper': NoRefAllOfWrapper,
        'response-property-never-null': ResponsePropertyNeverNull,
        'problem-required-members': ProblemRequiredMembers,
        'request-body-error-responses': RequestBodyErrorResponses,
      },
    },
  };
};

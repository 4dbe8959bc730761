//! The published contract: the OpenAPI 3.1 document clients are generated from, and the
//! request validation that holds every JSON body to it.
//!
//! poem-openapi describes the operations in OpenAPI 3.0 terms. Three things cannot be
//! said well there, so [`Contract::new`] rewrites its output once, at start-up, into
//! OpenAPI 3.1 (whose schemas are JSON Schema 2020-12):
//! - `null` where a PATCH field may be cleared: 3.0 cannot put `nullable` beside a
//!   `$ref`; 3.1 says `anyOf: [{$ref}, {type: "null"}]`.
//! - a description on a field whose type is a shared schema: 3.0 needs an `allOf`
//!   wrapper, which generators turn into copied types or drop; 3.1 allows `$ref` with a
//!   sibling `description`.
//! - statuses every operation can answer because of the request pipeline rather than its
//!   handler (405 with `Allow`, 408, 413, 415, 429).
//!
//! Because bodies are validated against this same document before a handler sees them,
//! what the document says a body may hold is exactly what the server accepts.

use std::collections::BTreeMap;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, Validator};
use poem::http::Method;
use serde_json::{Map, Value, json};

use lyceum_domain::validation::text::{ControlCharacters, TextKind};
use lyceum_domain::validation::{FieldRule, Violation};

use crate::problem::{FieldCode, FieldProblem};

/// Statuses the pipeline adds to operations, with what each means.
const PIPELINE_STATUSES: &[(&str, &str, &str)] = &[
    (
        "405",
        "The method is not allowed on this path; `Allow` lists those that are.",
        "always",
    ),
    (
        "408",
        "The request body did not arrive within the server's deadline; the connection is closed.",
        "body",
    ),
    (
        "413",
        "The request body is larger than the server accepts.",
        "body",
    ),
    ("415", "The request body is not `application/json`.", "body"),
    (
        "429",
        "Too many requests from this address; retry after `Retry-After` seconds.",
        "auth",
    ),
];

/// The document and the validators compiled from it.
pub struct Contract {
    json: String,
    operations: Vec<Operation>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("operations", &self.operations.len())
            .finish_non_exhaustive()
    }
}

/// One operation of the document, as the pipeline needs it: found once per write
/// request, then asked about its body.
pub struct Operation {
    method: Method,
    segments: Vec<Segment>,
    body: Option<Validator>,
    body_required: bool,
    /// Each parameter's name and what it accepts, in words.
    parameter_rules: Vec<(String, String)>,
}

enum Segment {
    Literal(String),
    Parameter(String),
}

/// Rewrites poem-openapi's document (`raw`, OpenAPI 3.0 JSON) into the published OpenAPI
/// 3.1 document, as served at `/openapi.json` and committed as `docs/openapi.json`.
///
/// # Panics
/// When `raw` is not the JSON poem-openapi produces: a programming error found by the
/// first test that starts the API.
pub fn published(raw: &str) -> String {
    serde_json::to_string(&rewritten(raw)).expect("a JSON value serialises")
}

fn rewritten(raw: &str) -> Value {
    let mut document: Value = serde_json::from_str(raw).expect("poem-openapi emits JSON");
    rewrite(&mut document);
    document
}

impl Contract {
    /// The published document (see [`published`]) with a validator compiled for every JSON
    /// request body.
    ///
    /// # Panics
    /// When `raw` is not the JSON poem-openapi produces or a body schema does not
    /// compile: both are programming errors found by the first test that starts the API.
    pub fn new(raw: &str) -> Self {
        let document = rewritten(raw);
        let operations = compile_operations(&document);
        let json = serde_json::to_string(&document).expect("a JSON value serialises");
        Self { json, operations }
    }

    /// The document, as served at `/openapi.json` and committed as `docs/openapi.json`.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The operation a request to `method path` reaches, if the document has one.
    pub fn operation(&self, method: &Method, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.method == *method && op.matches(path))
    }

    /// The methods a path takes, for the `Allow` header of a 405 (`None` for an unknown
    /// path).
    pub fn allowed_methods(&self, path: &str) -> Option<String> {
        let methods: Vec<&str> = self
            .operations
            .iter()
            .filter(|op| op.matches(path))
            .map(|op| op.method.as_str())
            .collect();
        (!methods.is_empty()).then(|| methods.join(", "))
    }

    /// The name of the `index`-th path parameter of the path's template, as the document
    /// spells it (poem-openapi reports path parameters by position, as `param0`).
    pub fn path_parameter_name(&self, path: &str, index: usize) -> Option<&str> {
        let operation = self.operations.iter().find(|op| op.matches(path))?;
        operation
            .segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Parameter(name) => Some(name.as_str()),
                Segment::Literal(_) => None,
            })
            .nth(index)
    }
}

impl Operation {
    /// Whether the operation takes a JSON body, and so whether the body is worth reading
    /// before routing.
    pub fn has_body_schema(&self) -> bool {
        self.body.is_some()
    }

    /// Whether the operation must be sent a body (an action whose body is optional, or
    /// that takes none, may be sent nothing at all).
    pub fn requires_body(&self) -> bool {
        self.body_required
    }

    /// What the parameter `name` accepts, in words, for a refusal's message.
    pub fn parameter_rule(&self, name: &str) -> Option<&str> {
        self.parameter_rules
            .iter()
            .find(|(candidate, _)| candidate == name)
            .map(|(_, rule)| rule.as_str())
    }

    /// Checks a JSON request body against the operation's schema. `None` when the body is
    /// acceptable (or the operation has no body schema); otherwise every problem found,
    /// each naming its field.
    pub fn check_body(&self, body: &Value) -> Option<Vec<FieldProblem>> {
        let validator = self.body.as_ref()?;
        let mut problems = Vec::new();
        for error in validator.iter_errors(body) {
            describe(&error, &mut problems);
        }
        // After the schema's own findings, so that a field's text rule words the problem
        // when both refuse the same NUL (the sort below is stable).
        nul_characters(body, "$", &mut problems);
        // By field, then by the rule's place in the vocabulary.
        let rank = |code: FieldCode| Violation::ALL.iter().position(|v| *v == code.0);
        problems.sort_by(|a, b| a.field.cmp(&b.field).then(rank(a.code).cmp(&rank(b.code))));
        problems.dedup_by(|a, b| a.field == b.field && a.code == b.code);
        (!problems.is_empty()).then_some(problems)
    }

    /// Whether `path` fits the operation's template, without allocating: this runs for
    /// every write request.
    fn matches(&self, path: &str) -> bool {
        let mut parts = path.trim_end_matches('/').split('/');
        self.segments
            .iter()
            .all(|segment| match (segment, parts.next()) {
                (Segment::Literal(literal), Some(part)) => literal == part,
                (Segment::Parameter(_), Some(part)) => !part.is_empty(),
                (_, None) => false,
            })
            && parts.next().is_none()
    }
}

/// Rewrites every number with a zero fraction (`4.0`) as an integer (`4`), as JSON Schema
/// reads it; returns whether anything changed. Fields typed as decimals read integers just
/// as well, so this never changes what a body means.
pub fn integral_floats_to_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(number) if number.is_f64() => {
            let Some(float) = number.as_f64() else {
                return false;
            };
            if float.fract() == 0.0 && float >= i64::MIN as f64 && float < i64::MAX as f64 {
                *value = json!(float as i64);
                true
            } else {
                false
            }
        }
        Value::Array(items) => {
            let mut changed = false;
            for item in items {
                changed |= integral_floats_to_integers(item);
            }
            changed
        }
        Value::Object(map) => {
            let mut changed = false;
            for item in map.values_mut() {
                changed |= integral_floats_to_integers(item);
            }
            changed
        }
        _ => false,
    }
}

/// The field name a client sees for a place in the body: `price.amount_minor`,
/// `expertise[2]`, or `$` for the body as a whole.
fn field_name<'a>(segments: impl Iterator<Item = LocationSegment<'a>>) -> String {
    let mut name = String::new();
    for segment in segments {
        match segment {
            LocationSegment::Property(property) => {
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(&property);
            }
            LocationSegment::Index(index) => name.push_str(&format!("[{index}]")),
        }
    }
    if name.is_empty() {
        "$".to_owned()
    } else {
        name
    }
}

/// Text with the NUL character (U+0000) enters nowhere: PostgreSQL cannot store it and no
/// field means it. One rule for every string of every body, on every database, even where
/// the schema has no pattern (an enum, a date): the domain's rule for secrets, the least
/// any text obeys.
fn nul_characters(value: &Value, field: &str, out: &mut Vec<FieldProblem>) {
    match value {
        Value::String(text) => {
            if let Err(refusal) = TextKind::Secret.check(text) {
                out.push(FieldProblem {
                    field: field.to_owned(),
                    code: refusal.violation().into(),
                    message: refusal.to_string(),
                });
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                nul_characters(item, &format!("{field}[{index}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                nul_characters(item, &child(field, key), out);
            }
        }
        _ => {}
    }
}

fn child(parent: &str, property: &str) -> String {
    if parent == "$" {
        property.to_owned()
    } else {
        format!("{parent}.{property}")
    }
}

/// The kind of text a request pattern admits, read from the character class it is built
/// on: the multi-line class (every character but the control characters other than TAB,
/// LF and CR), the secret class (every character but NUL), or else single-line. Every
/// free-text pattern of the document is built on one of these, so the schema and the
/// domain's text rule cannot disagree on a field's kind without a test noticing.
fn text_kind(pattern: &str) -> TextKind {
    if pattern.contains(MULTI_LINE_CHARACTER) {
        TextKind::MultiLine
    } else if pattern.contains(SECRET_CHARACTER) {
        TextKind::Secret
    } else {
        TextKind::SingleLine
    }
}

/// The character class of multi-line text in request patterns.
const MULTI_LINE_CHARACTER: &str = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]";
/// The character class of secrets (passwords) in request patterns.
const SECRET_CHARACTER: &str = r"[^\x00]";

/// Why `instance` fails a text pattern because of its characters, in the domain's words,
/// if that is why: the character rule is checked before any other, as the domain does.
fn refused_characters(pattern: &str, instance: &Value) -> Option<ControlCharacters> {
    text_kind(pattern).check(instance.as_str()?).err()
}

fn describe(error: &jsonschema::ValidationError<'_>, out: &mut Vec<FieldProblem>) {
    let field = field_name(error.instance_path().iter());
    let problem = |field: String, code: Violation, message: String| FieldProblem {
        field,
        code: code.into(),
        message,
    };
    if let ValidationErrorKind::Pattern { pattern } = error.kind()
        && let Some(refusal) = refused_characters(pattern, error.instance())
    {
        out.push(problem(field, refusal.violation(), refusal.to_string()));
        return;
    }
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            out.push(problem(
                child(&field, name),
                Violation::Required,
                "is required".to_owned(),
            ));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(problem(
                    child(&field, name),
                    Violation::UnknownField,
                    "is not a field of this request".to_owned(),
                ));
            }
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // A clearable field is `anyOf: [schema, null]`: explain why the value fails
            // the schema, not that it is not null.
            let branch = context
                .iter()
                .filter(|errors| !errors.iter().all(is_null_type_error))
                .min_by_key(|errors| errors.len());
            match branch {
                Some(errors) if !errors.is_empty() => {
                    for error in errors {
                        describe(error, out);
                    }
                }
                _ => out.push(problem(field, Violation::InvalidType, error.to_string())),
            }
        }
        kind => {
            let code =
                match kind {
                    ValidationErrorKind::Type { .. } => Violation::InvalidType,
                    ValidationErrorKind::MinLength { limit }
                    | ValidationErrorKind::MinItems { limit }
                        if *limit == 1 && is_empty(error.instance()) =>
                    {
                        Violation::Required
                    }
                    // "Not blank" is a pattern asking for one non-whitespace character: a blank
                    // value is a missing one.
                    ValidationErrorKind::Pattern { .. } if is_blank(error.instance()) => {
                        Violation::Required
                    }
                    ValidationErrorKind::MinLength { .. }
                    | ValidationErrorKind::MinItems { .. } => Violation::TooShort,
                    ValidationErrorKind::MaxLength { .. }
                    | ValidationErrorKind::MaxItems { .. } => Violation::TooLong,
                    ValidationErrorKind::Minimum { .. }
                    | ValidationErrorKind::Maximum { .. }
                    | ValidationErrorKind::ExclusiveMinimum { .. }
                    | ValidationErrorKind::ExclusiveMaximum { .. } => Violation::OutOfRange,
                    ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => {
                        Violation::InvalidChoice
                    }
                    ValidationErrorKind::UniqueItems => Violation::Inconsistent,
                    _ => Violation::InvalidFormat,
                };
            out.push(problem(field, code, plain_message(error)));
        }
    }
}

fn is_null_type_error(error: &jsonschema::ValidationError<'_>) -> bool {
    matches!(
        error.kind(),
        ValidationErrorKind::Type {
            kind: jsonschema::error::TypeKind::Single(jsonschema::JsonType::Null)
        }
    )
}

fn is_blank(value: &Value) -> bool {
    value.as_str().is_some_and(|text| text.trim().is_empty())
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The validator's explanation without the echoed value (which may be long or private).
fn plain_message(error: &jsonschema::ValidationError<'_>) -> String {
    match error.kind() {
        ValidationErrorKind::Type { kind } => format!("must be of type {}", type_words(kind)),
        ValidationErrorKind::MinLength { limit } => {
            format!("must be at least {limit} characters long")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("must be at most {limit} characters long")
        }
        ValidationErrorKind::MinItems { limit } => format!("must have at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("must have at most {limit} items"),
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be more than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::Pattern { pattern } => format!("must match {pattern}"),
        ValidationErrorKind::Format { format } => format!("must be a valid {format}"),
        ValidationErrorKind::Enum { options } => format!("must be one of {options}"),
        ValidationErrorKind::UniqueItems => "must not repeat items".to_owned(),
        _ => "is not valid here".to_owned(),
    }
}

fn type_words(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(single) => single.to_string(),
        jsonschema::error::TypeKind::Multiple(many) => many
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn compile_operations(document: &Value) -> Vec<Operation> {
    let components = document.get("components").cloned().unwrap_or(json!({}));
    let mut operations = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return operations;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, operation) in methods {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let body = operation
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .and_then(|content| {
                    content
                        .iter()
                        .find(|(media, _)| media.starts_with("application/json"))
                })
                .and_then(|(_, media)| media.get("schema"))
                .map(|schema| {
                    let mut root = Map::new();
                    root.insert(
                        "$schema".into(),
                        json!("https://json-schema.org/draft/2020-12/schema"),
                    );
                    root.insert("components".into(), components.clone());
                    root.insert("allOf".into(), json!([schema]));
                    jsonschema::options()
                        .with_draft(Draft::Draft202012)
                        .should_validate_formats(true)
                        .build(&Value::Object(root))
                        .unwrap_or_else(|error| {
                            panic!("the body schema of {method} {path} does not compile: {error}")
                        })
                });
            let body_required = operation
                .pointer("/requestBody/required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let parameter_rules = operation
                .get("parameters")
                .and_then(Value::as_array)
                .map(|parameters| {
                    parameters
                        .iter()
                        .filter_map(|p| {
                            let name = p.get("name")?.as_str()?.to_owned();
                            Some((name, rule_in_words(p.get("schema")?)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            operations.push(Operation {
                method,
                segments: template_segments(path),
                body,
                body_required,
                parameter_rules,
            });
        }
    }
    operations
}

/// What a parameter's schema accepts, said as a refusal's message ("must be a UUID").
fn rule_in_words(schema: &Value) -> String {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        return format!("must be one of: {}", names.join(", "));
    }
    // poem-openapi writes bounds as floats (`1.0`).
    let bound = |key: &str| {
        let value = schema.get(key)?;
        value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
    };
    match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (_, Some("uuid")) => "must be a UUID".to_owned(),
        (_, Some("date-time")) => {
            "must be an RFC 3339 date and time, such as 2030-01-15T14:00:00Z".to_owned()
        }
        (_, Some("date")) => "must be a date, such as 2030-01-15".to_owned(),
        (Some("integer"), _) => match (bound("minimum"), bound("maximum")) {
            (Some(low), Some(high)) if high < i64::from(i32::MAX) => {
                format!("must be a whole number from {low} to {high}")
            }
            (Some(low), _) => format!("must be a whole number of at least {low}"),
            _ => "must be a whole number".to_owned(),
        },
        (Some("boolean"), _) => "must be true or false".to_owned(),
        (Some("number"), _) => "must be a number".to_owned(),
        _ => match bound("maxLength") {
            Some(max) => format!("must be text of at most {max} characters"),
            None => "is not a valid value here".to_owned(),
        },
    }
}

fn template_segments(path: &str) -> Vec<Segment> {
    path.trim_end_matches('/')
        .split('/')
        .map(|part| {
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Segment::Parameter(name.to_owned())
            } else {
                Segment::Literal(part.to_owned())
            }
        })
        .collect()
}

/// Turns poem-openapi's OpenAPI 3.0 output into the published 3.1 document.
fn rewrite(document: &mut Value) {
    document["openapi"] = json!("3.1.0");
    if let Some(info) = document.get_mut("info").and_then(Value::as_object_mut) {
        info.insert(
            "license".into(),
            json!({"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"}),
        );
        info.insert("contact".into(), json!({"name": "Lyceum maintainers"}));
    }
    if let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            rewrite_schema(schema);
        }
    }
    close_request_schemas(document);
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(methods) = item.as_object_mut() else {
                continue;
            };
            let allowed = methods
                .keys()
                .map(|m| m.to_uppercase())
                .collect::<Vec<_>>()
                .join(", ");
            for (method, operation) in methods.iter_mut() {
                rewrite_operation(path, operation, &allowed);
                say_when_bodyless(method, operation);
            }
        }
    }
}

/// Every object a request body may hold refuses members it does not name: the handlers
/// refuse them (poem-openapi's `deny_unknown_fields`), but poem-openapi does not say so in
/// the schema. Shared shapes reached from a body (such as `Money`) are closed as well, so
/// the body check refuses an unknown member at any depth.
fn close_request_schemas(document: &mut Value) {
    let mut pending: Vec<String> = Vec::new();
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for operation in item.values() {
                if let Some(body) = operation.pointer("/requestBody/content") {
                    collect_refs(body, &mut pending);
                }
            }
        }
    }
    let mut closed = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !closed.insert(name.clone()) {
            continue;
        }
        let pointer = format!("/components/schemas/{name}");
        let Some(schema) = document.pointer_mut(&pointer) else {
            continue;
        };
        collect_refs(schema, &mut pending);
        one_line_by_default(schema);
        if let Some(map) = schema.as_object_mut()
            && map.get("type").and_then(Value::as_str) == Some("object")
            && map.contains_key("properties")
        {
            map.entry("additionalProperties").or_insert(json!(false));
        }
    }
}

/// The pattern every request text without one of its own gets: one line without control
/// characters, the domain's single-line text rule (`lyceum_domain::validation::text`).
/// Fields that may span lines, and passwords, carry patterns of their own.
const ONE_LINE: &str = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$";

/// Gives every free text of a request schema (a string without pattern, enum or format)
/// the single-line text rule, which the body check then applies.
fn one_line_by_default(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let is_text = match map.get("type") {
        Some(Value::String(kind)) => kind == "string",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "string"),
        _ => false,
    };
    if is_text
        && !["pattern", "enum", "format", "$ref"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        map.insert("pattern".into(), json!(ONE_LINE));
    }
    for key in ["properties"] {
        if let Some(children) = map.get_mut(key).and_then(Value::as_object_mut) {
            children.values_mut().for_each(one_line_by_default);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            one_line_by_default(child);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(children) = map.get_mut(key).and_then(Value::as_array_mut) {
            children.iter_mut().for_each(one_line_by_default);
        }
    }
}

fn collect_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str)
                && let Some(name) = target.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|child| collect_refs(child, out));
        }
        Value::Array(items) => items.iter().for_each(|child| collect_refs(child, out)),
        _ => {}
    }
}

fn rewrite_operation(path: &str, operation: &mut Value, allowed: &str) {
    // Every schema inside the operation (parameters, bodies, responses) gets the same
    // treatment as the shared ones.
    if let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    {
        for parameter in parameters {
            if parameter["name"] == "Idempotency-Key" {
                // Checked by the handler (a malformed key is a 400, not a 422), so its
                // rule is stated here rather than as a poem-openapi validator.
                parameter["schema"] = json!({
                    "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"
                });
            }
            if let Some(schema) = parameter.get_mut("schema") {
                rewrite_schema(schema);
                // The pipeline holds every query parameter to the single-line rule.
                one_line_by_default(schema);
            }
        }
    }
    for pointer in ["/requestBody/content", "/responses"] {
        if let Some(node) = operation.pointer_mut(pointer) {
            rewrite_nested_schemas(node);
        }
    }
    describe_event_streams(operation);
    // A public operation says so, rather than leaving clients to guess.
    if let Some(map) = operation.as_object_mut() {
        map.entry("security").or_insert(json!([]));
    }
    let has_body = operation.get("requestBody").is_some();
    let has_inputs = has_body
        || operation
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty());
    let has_idempotency_key = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| {
            p.iter()
                .any(|p| p["name"].as_str() == Some("Idempotency-Key"))
        });
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let problem = responses
        .get("500")
        .and_then(|r| r.get("content"))
        .cloned()
        .unwrap_or(json!({}));
    // Statuses only some operations can produce.
    if !has_body && !has_idempotency_key {
        responses.remove("400");
    }
    if !has_inputs {
        responses.remove("422");
    }
    if !path.starts_with("/api/v1/auth/") {
        responses.remove("429");
    }
    let mut added = BTreeMap::new();
    for (status, description, when) in PIPELINE_STATUSES {
        let applies = match *when {
            "body" => has_body,
            "auth" => path.starts_with("/api/v1/auth/"),
            _ => true,
        };
        if !applies || responses.contains_key(*status) {
            continue;
        }
        let mut response = json!({"description": description, "content": problem.clone()});
        match *status {
            "405" => {
                response["headers"] = json!({"Allow": {
                    "description": format!("The methods this path accepts: {allowed}."),
                    "required": true,
                    "schema": {"type": "string"}
                }});
            }
            "429" => {
                response["headers"] = json!({"Retry-After": {
                    "description": "Seconds to wait before retrying.",
                    "required": true,
                    "schema": {"type": "integer", "format": "int64", "minimum": 0}
                }});
            }
            _ => {}
        }
        added.insert((*status).to_owned(), response);
    }
    responses.extend(added);
    // Keep statuses in order for readers of the document.
    let sorted: BTreeMap<String, Value> = std::mem::take(responses).into_iter().collect();
    responses.extend(sorted);
}

/// An action such as `POST …/cancel` that reads no body says so, so that clients do not
/// wonder what to send.
fn say_when_bodyless(method: &str, operation: &mut Value) {
    if !matches!(method, "post" | "put" | "patch") || operation.get("requestBody").is_some() {
        return;
    }
    let note = "Takes no request body.";
    let description = match operation.get("description").and_then(Value::as_str) {
        Some(text) if !text.is_empty() => format!("{text}\n\n{note}"),
        _ => note.to_owned(),
    };
    operation["description"] = json!(description);
}

/// poem-openapi marks a Server-Sent Events body with a private `event-stream` format;
/// say in words how the stream is framed instead, keeping the schema of one event.
fn describe_event_streams(operation: &mut Value) {
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for response in responses.values_mut() {
        if let Some(schema) = response.pointer_mut("/content/text~1event-stream/schema")
            && let Some(map) = schema.as_object_mut()
        {
            map.remove("format");
            map.insert(
                "description".into(),
                json!(
                    "Server-Sent Events. Each event's `data` line is one item of this \
                     array, as JSON, and its `event` member says which kind it is; \
                     comment lines keep the connection alive."
                ),
            );
        }
    }
}

fn rewrite_nested_schemas(node: &mut Value) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "schema" {
                    rewrite_schema(value);
                } else {
                    rewrite_nested_schemas(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_nested_schemas),
        _ => {}
    }
}

/// Rewrites one schema (and those inside it) from OpenAPI 3.0 to 3.1.
fn rewrite_schema(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    // `allOf: [{$ref}, {notes}]`: a reference with a description (and, for a clearable
    // field, `nullable` among the notes). Handled before the members are rewritten, so
    // that `nullable` is found where poem-openapi put it.
    if let Some(target) = reference_with_notes(map) {
        let members = match map.remove("allOf") {
            Some(Value::Array(members)) => members,
            _ => Vec::new(),
        };
        let mut nullable = map.remove("nullable") == Some(Value::Bool(true));
        for note in members.into_iter().skip(1) {
            if let Value::Object(note) = note {
                for (key, value) in note {
                    if key == "nullable" {
                        nullable |= value == Value::Bool(true);
                    } else {
                        map.entry(key).or_insert(value);
                    }
                }
            }
        }
        if nullable {
            map.insert("anyOf".into(), json!([{"$ref": target}, {"type": "null"}]));
        } else {
            map.insert("$ref".into(), target);
        }
        return;
    }
    for key in ["properties", "patternProperties", "$defs"] {
        if let Some(children) = map.get_mut(key).and_then(Value::as_object_mut) {
            children.values_mut().for_each(rewrite_schema);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            rewrite_schema(child);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(children) = map.get_mut(key).and_then(Value::as_array_mut) {
            children.iter_mut().for_each(rewrite_schema);
        }
    }
    if map.remove("nullable") == Some(Value::Bool(true)) {
        match map.get("type").cloned() {
            Some(Value::String(single)) => {
                map.insert("type".into(), json!([single, "null"]));
                if let Some(values) = map.get_mut("enum").and_then(Value::as_array_mut) {
                    values.push(Value::Null);
                }
            }
            _ => {
                let inner = Value::Object(std::mem::take(map));
                map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            }
        }
    }
    let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
    match format.as_deref() {
        Some("naive-date") => {
            map.insert("format".into(), json!("date"));
        }
        Some("naive-date-time") => {
            map.insert("format".into(), json!("date-time"));
        }
        _ => {}
    }
    // Integers state their whole range, so the body check refuses what the server could
    // not read; unsigned widths become a standard format with a lower bound.
    let range: Option<(&str, i64, i64)> = match format.as_deref() {
        Some("int8") => Some(("int32", i8::MIN.into(), i8::MAX.into())),
        Some("int16") => Some(("int32", i16::MIN.into(), i16::MAX.into())),
        Some("int32") => Some(("int32", i32::MIN.into(), i32::MAX.into())),
        Some("int64") => Some(("int64", i64::MIN, i64::MAX)),
        Some("uint8") => Some(("int32", 0, u8::MAX.into())),
        Some("uint16") => Some(("int32", 0, u16::MAX.into())),
        Some("uint32") => Some(("int64", 0, u32::MAX.into())),
        Some("uint64") => Some(("int64", 0, i64::MAX)),
        _ => None,
    };
    if let Some((standard, low, high)) = range {
        map.insert("format".into(), json!(standard));
        map.entry("minimum").or_insert(json!(low));
        map.entry("maximum").or_insert(json!(high));
    }
    // 3.1 spells exclusive bounds as numbers.
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = map.get(flag).cloned() {
            map.remove(flag);
            if exclusive && let Some(limit) = map.remove(bound) {
                map.insert(flag.into(), limit);
            }
        }
    }
}

/// The target of `allOf: [{$ref}, {notes}]`, a reference carrying only annotations.
fn reference_with_notes(map: &Map<String, Value>) -> Option<Value> {
    let members = map.get("allOf")?.as_array()?;
    let target = members.first()?.get("$ref")?.clone();
    members
        .iter()
        .skip(1)
        .all(|note| {
            note.as_object().is_some_and(|note| {
                note.keys().all(|key| {
                    matches!(
                        key.as_str(),
                        "description" | "title" | "default" | "example" | "nullable"
                    )
                })
            })
        })
        .then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A poem-openapi style 3.0 document with one PATCH and one GET operation.
    fn raw() -> String {
        json!({
            "openapi": "3.0.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/api/v1/things/{id}": {
                    "patch": {
                        "parameters": [{"name": "id", "in": "path", "required": true,
                                        "schema": {"type": "string", "format": "uuid"}}],
                        "requestBody": {"required": true, "content": {"application/json; charset=utf-8":
                            {"schema": {"$ref": "#/components/schemas/ThingPatch"}}}},
                        "responses": {
                            "200": {"description": "ok"},
                            "400": {"description": "bad"},
                            "422": {"description": "invalid"},
                            "429": {"description": "slow down"},
                            "500": {"description": "oops", "content": {"application/problem+json":
                                {"schema": {"$ref": "#/components/schemas/Problem"}}}}
                        }
                    },
                    "get": {
                        "responses": {
                            "200": {"description": "ok"},
                            "400": {"description": "bad"},
                            "422": {"description": "invalid"},
                            "500": {"description": "oops"}
                        }
                    }
                },
                "/api/v1/things/{id}/cancel": {
                    "post": {
                        "description": "Cancels it.",
                        "responses": {
                            "200": {"description": "ok"},
                            "400": {"description": "bad"},
                            "422": {"description": "invalid"},
                            "500": {"description": "oops"}
                        }
                    }
                }
            },
            "components": {"schemas": {
                "Problem": {"type": "object"},
                "Money": {"type": "object", "required": ["amount_minor", "currency"],
                          "properties": {"amount_minor": {"type": "integer", "format": "uint64"},
                                         "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}},
                "ThingPatch": {"type": "object", "required": ["title"], "additionalProperties": false,
                    "properties": {
                        "title": {"type": "string", "maxLength": 5},
                        "bio": {"type": "string", "nullable": true},
                        "rate": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Money"}]},
                        "level": {"allOf": [{"$ref": "#/components/schemas/Money"},
                                            {"description": "Level.", "nullable": true}]},
                        "count": {"type": "integer", "format": "int32"},
                        "price": {"description": "Price.", "allOf": [{"$ref": "#/components/schemas/Money"},
                                                                      {"description": "Price."}]},
                        "born": {"type": "string", "format": "naive-date"},
                        "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
                        "notes": {"type": "string", "pattern": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"},
                        "secret": {"type": "string", "pattern": "^[^\\x00]*$"}
                    }}
            }}
        })
        .to_string()
    }

    fn document(contract: &Contract) -> Value {
        serde_json::from_str(contract.json()).unwrap()
    }

    #[test]
    fn the_document_is_openapi_31_without_nullable_or_ref_wrappers() {
        let contract = Contract::new(&raw());
        let doc = document(&contract);
        assert_eq!(doc["openapi"], "3.1.0");
        let patch = &doc["components"]["schemas"]["ThingPatch"]["properties"];
        assert_eq!(patch["bio"]["type"], json!(["string", "null"]));
        assert_eq!(
            patch["rate"]["anyOf"],
            json!([{"$ref": "#/components/schemas/Money"}, {"type": "null"}])
        );
        assert_eq!(
            (
                patch["level"]["anyOf"].clone(),
                patch["level"]["description"].clone()
            ),
            (
                json!([{"$ref": "#/components/schemas/Money"}, {"type": "null"}]),
                json!("Level.")
            ),
            "poem-openapi's `nullable` inside the wrapper's note is kept"
        );
        assert_eq!(patch["count"]["maximum"], json!(i32::MAX));
        assert_eq!(patch["price"]["$ref"], "#/components/schemas/Money");
        assert_eq!(patch["price"]["description"], "Price.");
        assert!(patch["price"].get("allOf").is_none());
        assert_eq!(patch["born"]["format"], "date");
        assert_eq!(
            patch["bio"]["pattern"], ONE_LINE,
            "free text without a pattern of its own is one line"
        );
        assert_eq!(patch["title"]["pattern"], ONE_LINE);
        assert_eq!(
            patch["notes"]["pattern"], "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$",
            "a pattern of its own is kept"
        );
        assert!(
            patch["born"].get("pattern").is_none(),
            "a date has its format"
        );
        let amount = &doc["components"]["schemas"]["Money"]["properties"]["amount_minor"];
        assert_eq!(
            (amount["format"].clone(), amount["minimum"].clone()),
            (json!("int64"), json!(0))
        );
        assert!(!contract.json().contains("nullable"));
        assert_eq!(
            doc["components"]["schemas"]["Money"]["additionalProperties"],
            json!(false),
            "a shape reached from a request body refuses unknown members"
        );
    }

    #[test]
    fn each_operation_lists_the_statuses_it_can_really_answer() {
        let doc = document(&Contract::new(&raw()));
        let patch = &doc["paths"]["/api/v1/things/{id}"]["patch"]["responses"];
        for status in ["400", "405", "408", "413", "415", "422"] {
            assert!(patch.get(status).is_some(), "PATCH lacks {status}");
        }
        assert!(
            patch.get("429").is_none(),
            "only auth operations are rate limited"
        );
        assert_eq!(patch["405"]["headers"]["Allow"]["required"], true);
        assert_eq!(
            patch["413"]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem"
        );
        let get = &doc["paths"]["/api/v1/things/{id}"]["get"]["responses"];
        for absent in ["400", "408", "413", "415", "422"] {
            assert!(
                get.get(absent).is_none(),
                "GET without inputs documents {absent}"
            );
        }
        assert!(get.get("405").is_some());
        let get = &doc["paths"]["/api/v1/things/{id}"]["get"];
        assert_eq!(
            get["security"],
            json!([]),
            "a public operation says it needs no token"
        );
    }

    fn problems(body: Value) -> Vec<(String, String)> {
        let contract = Contract::new(&raw());
        contract
            .operation(&Method::PATCH, "/api/v1/things/0b0e")
            .and_then(|op| op.check_body(&body))
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.field, p.code.as_str().to_owned()))
            .collect()
    }

    fn pair(field: &str, code: &str) -> (String, String) {
        (field.to_owned(), code.to_owned())
    }

    #[test]
    fn a_valid_body_passes_and_null_clears_a_clearable_field() {
        assert_eq!(
            problems(
                json!({"title": "ok", "rate": {"amount_minor": 5, "currency": "EUR", "x": 1}})
            ),
            vec![pair("rate.x", "unknown_field")]
        );
        assert!(problems(json!({"title": "ok", "bio": null, "rate": null})).is_empty());
        assert!(
            problems(json!({"title": "ok", "rate": {"amount_minor": 5, "currency": "EUR"}}))
                .is_empty()
        );
    }

    #[test]
    fn every_invalid_field_is_named_with_its_rule() {
        assert_eq!(
            problems(json!({"title": 12, "extra": 1, "born": "2026-13-45", "tags": ["abcd"]})),
            vec![
                pair("born", "invalid_format"),
                pair("extra", "unknown_field"),
                pair("tags[0]", "too_long"),
                pair("title", "invalid_type"),
            ]
        );
        assert_eq!(problems(json!({})), vec![pair("title", "required")]);
        assert_eq!(
            problems(json!({"title": "toolong"})),
            vec![pair("title", "too_long")]
        );
        assert_eq!(problems(json!([1])), vec![pair("$", "invalid_type")]);
        assert_eq!(
            problems(json!({"title": "a\u{0}b", "tags": ["ok", "\u{0}"]})),
            vec![
                pair("tags[1]", "invalid_characters"),
                pair("title", "invalid_characters"),
            ]
        );
        assert_eq!(
            problems(json!({"title": "a\tb", "bio": "x\u{85}", "notes": "ring\u{7}"})),
            vec![
                pair("bio", "invalid_characters"),
                pair("notes", "invalid_characters"),
                pair("title", "invalid_characters"),
            ]
        );
        assert!(
            problems(json!({"title": "ok", "notes": "a\n\tb\r\n", "secret": "a\tb\u{7}"}))
                .is_empty(),
            "a multi-line field keeps tabs and line breaks, a secret anything but NUL"
        );
        assert_eq!(
            problems(json!({"title": "ok", "rate": {"amount_minor": -1, "currency": "eur"}})),
            vec![
                pair("rate.amount_minor", "out_of_range"),
                pair("rate.currency", "invalid_format"),
            ]
        );
    }

    fn messages(body: Value) -> Vec<(String, String, String)> {
        let contract = Contract::new(&raw());
        contract
            .operation(&Method::PATCH, "/api/v1/things/0b0e")
            .and_then(|op| op.check_body(&body))
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.field, p.code.as_str().to_owned(), p.message))
            .collect()
    }

    #[test]
    fn refused_characters_are_worded_by_the_domain_rule_of_the_field() {
        let one_line = ControlCharacters(TextKind::SingleLine).to_string();
        let lines = ControlCharacters(TextKind::MultiLine).to_string();
        let nul = ControlCharacters(TextKind::Secret).to_string();
        let problem = |field: &str, message: &str| {
            (
                field.to_owned(),
                "invalid_characters".to_owned(),
                message.to_owned(),
            )
        };
        assert_eq!(
            messages(json!({"title": "a\u{0}", "notes": "b\u{0}", "secret": "c\u{0}"})),
            vec![
                problem("notes", &lines),
                problem("secret", &nul),
                problem("title", &one_line),
            ],
            "a NUL in a text field is worded by the field's own rule"
        );
        assert_eq!(
            messages(json!({"title": "\n"})),
            vec![problem("title", &one_line)],
            "characters are checked before blankness, as the domain does"
        );
        let dated = messages(json!({"title": "ok", "born": "2026-01-01\u{0}"}));
        assert_eq!(
            dated
                .iter()
                .map(|(_, code, message)| (code.as_str(), message.as_str()))
                .collect::<Vec<_>>(),
            [
                ("invalid_format", "must be a valid date"),
                ("invalid_characters", nul.as_str())
            ],
            "text without a pattern (a date) still refuses NUL"
        );
    }

    #[test]
    fn text_patterns_name_their_kind_of_text() {
        assert_eq!(text_kind(ONE_LINE), TextKind::SingleLine);
        assert_eq!(
            text_kind(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\x00-\x20]$"),
            TextKind::MultiLine
        );
        assert_eq!(text_kind(r"^[^\x00]*[A-Z][^\x00]*$"), TextKind::Secret);
        assert_eq!(text_kind("^[A-Z]{3}$"), TextKind::SingleLine);
    }

    /// Request fields whose text may span lines (`lyceum_domain::validation::text`):
    /// everything else is single-line, but for the passwords in [`SECRETS`].
    const MULTI_LINE: &[(&str, &str)] = &[
        ("BanIn", "reason"),
        ("BillingAddressIn", "notes"),
        ("BookingCancelIn", "reason"),
        ("FeedbackIn", "comments"),
        ("FeedbackIn", "improvement_suggestions"),
        ("LearnerRatingIn", "comment"),
        ("MentorshipRequestAcceptIn", "response_message"),
        ("MentorshipRequestDeclineIn", "response_message"),
        ("MentorshipRequestIn", "message"),
        ("MentorshipRequestIn", "notes"),
        ("MessageIn", "body"),
        ("ProfilePatch", "bio"),
        ("ProfilePatch", "career_goals"),
        ("ProfilePatch", "goals"),
        ("SessionIn", "description"),
        ("SessionPatch", "description"),
        ("SpecializationIn", "description"),
    ];
    const SECRETS: &[(&str, &str)] = &[
        ("LoginIn", "password"),
        ("PasswordResetIn", "new_password"),
        ("RegistrationIn", "password"),
    ];

    /// Checks that `pattern`, the rule of a field of `kind`, refuses exactly the characters
    /// the domain's rule refuses, before and after a value it accepts.
    fn assert_pattern_follows(kind: TextKind, pattern: &str, place: &str) {
        let validator = jsonschema::validator_for(&json!({"pattern": pattern})).unwrap();
        let accepts = |value: &str| validator.is_valid(&json!(value));
        let samples = [
            "Asha",
            "ashakumar",
            "Secret123",
            "asha@example.com",
            "https://example.com/a",
            "+919876543210",
            "09:00",
            "INR",
            "IN",
        ];
        let sample = samples
            .iter()
            .find(|sample| accepts(sample))
            .unwrap_or_else(|| panic!("{place}: no sample fits {pattern}"));
        assert_eq!(text_kind(pattern), kind, "{place}: {pattern}");
        let probes = [
            '\t', '\n', '\r', '\u{0}', '\u{7}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}',
            '\u{9f}', '\u{2028}', '\u{2029}',
        ];
        for c in probes {
            for value in [format!("{sample}{c}"), format!("{c}{sample}")] {
                assert_eq!(
                    accepts(&value),
                    kind.allows(c),
                    "{place}: {value:?} against {pattern}"
                );
            }
        }
    }

    #[test]
    fn every_text_pattern_of_the_document_follows_the_domain_rule_of_its_field() {
        let document: Value =
            serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
        let mut checked = 0;
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for (name, schema) in schemas {
            // Request shapes are closed (see `close_request_schemas`); responses are not.
            if schema["additionalProperties"] != json!(false) {
                continue;
            }
            for (property, field) in schema["properties"].as_object().unwrap() {
                let Some(pattern) = field["pattern"]
                    .as_str()
                    .or_else(|| field["items"]["pattern"].as_str())
                else {
                    continue;
                };
                let kind = if MULTI_LINE.contains(&(name.as_str(), property.as_str())) {
                    TextKind::MultiLine
                } else if SECRETS.contains(&(name.as_str(), property.as_str())) {
                    TextKind::Secret
                } else {
                    TextKind::SingleLine
                };
                assert_pattern_follows(kind, pattern, &format!("{name}.{property}"));
                checked += 1;
            }
        }
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    if let Some(pattern) = parameter["schema"]["pattern"].as_str() {
                        let place = format!("{method} {path} {}", parameter["name"]);
                        assert_pattern_follows(TextKind::SingleLine, pattern, &place);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 80, "only {checked} patterns found");
    }

    #[test]
    fn integral_floats_become_integers_and_nothing_else_changes() {
        let mut body = json!({"rating": 4.0, "scores": [1.0, 2.5], "name": "4.0", "n": 7});
        assert!(integral_floats_to_integers(&mut body));
        assert_eq!(
            body,
            json!({"rating": 4, "scores": [1, 2.5], "name": "4.0", "n": 7})
        );
        let mut plain = json!({"n": 7, "x": 0.5});
        assert!(!integral_floats_to_integers(&mut plain));
    }

    #[test]
    fn operations_are_found_by_their_path_template() {
        let contract = Contract::new(&raw());
        let has_body_schema = |method: Method, path: &str| {
            contract
                .operation(&method, path)
                .is_some_and(Operation::has_body_schema)
        };
        let requires_body = |method: Method, path: &str| {
            contract
                .operation(&method, path)
                .is_some_and(Operation::requires_body)
        };
        assert!(has_body_schema(Method::PATCH, "/api/v1/things/abc"));
        assert!(!has_body_schema(Method::GET, "/api/v1/things/abc"));
        assert!(requires_body(Method::PATCH, "/api/v1/things/abc"));
        assert!(!requires_body(Method::POST, "/api/v1/things/abc/cancel"));
        assert!(!has_body_schema(Method::PATCH, "/api/v1/things"));
        assert!(!has_body_schema(Method::PATCH, "/api/v1/things/abc/more"));
        assert_eq!(
            contract.allowed_methods("/api/v1/things/abc").as_deref(),
            Some("GET, PATCH")
        );
        assert_eq!(contract.allowed_methods("/api/v1/nothing"), None);
        assert_eq!(
            contract.path_parameter_name("/api/v1/things/abc", 0),
            Some("id")
        );
        assert_eq!(contract.path_parameter_name("/api/v1/things/abc", 1), None);
        assert_eq!(
            contract
                .operation(&Method::PATCH, "/api/v1/things/abc")
                .and_then(|op| op.parameter_rule("id")),
            Some("must be a UUID")
        );
    }
}

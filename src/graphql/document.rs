//! Looking at a request before it runs: how deeply it nests (checked on the text, before the
//! recursive parser could overflow its stack on `{a{a{a...`), which operation it selects, how
//! many aliases and root fields it has.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};

/// The deepest nesting of `{`, `[` and `(` in a GraphQL document, outside strings and comments.
pub fn nesting(document: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut chars = document.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => skip_string(&mut chars),
            '{' | '[' | '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Skips a string whose opening `"` was just read: `"..."` with escapes, or `"""..."""`.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if chars.peek() == Some(&'"') {
        chars.next();
        if chars.peek() != Some(&'"') {
            return; // the empty string ""
        }
        chars.next();
        let mut quotes = 0;
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    quotes += 1;
                    if quotes == 3 {
                        return;
                    }
                }
                '\\' => {
                    quotes = 0;
                    chars.next();
                }
                _ => quotes = 0,
            }
        }
        return;
    }
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return,
            '\\' => {
                chars.next();
            }
            _ => {}
        }
    }
}

/// The deepest nesting of arrays and objects in a JSON value (iterative: no recursion).
pub fn json_nesting(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &serde_json::Value>> = match value {
            serde_json::Value::Array(items) => Box::new(items.iter()),
            serde_json::Value::Object(members) => Box::new(members.values()),
            _ => continue,
        };
        deepest = deepest.max(depth + 1);
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    deepest
}

/// What a request asks for, as far as the edge cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The selected operation's type; `None` when no operation matches `operationName`
    /// (execution reports that error).
    pub operation: Option<OperationType>,
    pub aliases: usize,
    pub root_fields: usize,
}

pub fn shape(document: &ExecutableDocument, operation_name: Option<&str>) -> Shape {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => Some(&operation.node),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| &op.node),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    };
    let mut aliases = 0;
    let mut sets: Vec<&SelectionSet> = document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|f| &f.node.selection_set.node),
        )
        .collect();
    while let Some(set) = sets.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    aliases += usize::from(field.node.alias.is_some());
                    sets.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => sets.push(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    Shape {
        operation: operation.map(|op| op.ty),
        aliases,
        root_fields: operation.map_or(0, |op| op.selection_set.node.items.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        assert_eq!(nesting("{ a { b } }"), 2);
        assert_eq!(nesting("{ a(x: [[1]]) }"), 4);
        assert_eq!(nesting(r#"{ a(x: "{{{{\"{{") }"#), 2);
        assert_eq!(nesting("{ a(x: \"\"\"{{{ \"\" {{\"\"\") }"), 2);
        assert_eq!(nesting("# {{{{{\n{ a }"), 1);
        assert_eq!(nesting(&"{a".repeat(10_000)), 10_000);
    }

    #[test]
    fn json_nesting_is_iterative() {
        let deep: serde_json::Value =
            serde_json::from_str(&format!("{}{}", "[".repeat(100), "]".repeat(100))).unwrap();
        assert_eq!(json_nesting(&deep), 100);
        assert_eq!(json_nesting(&serde_json::json!({"a": [1, {"b": 2}]})), 3);
        assert_eq!(json_nesting(&serde_json::json!(1)), 0);
    }

    #[test]
    fn shape_counts_aliases_in_fragments_and_root_fields() {
        let doc = async_graphql::parser::parse_query(
            "query Q { a: x b: y { c: z } ...F } fragment F on Query { d: w } mutation M { m }",
        )
        .unwrap();
        let query = shape(&doc, Some("Q"));
        assert_eq!(query.operation, Some(OperationType::Query));
        assert_eq!(query.aliases, 4);
        assert_eq!(query.root_fields, 3);
        assert_eq!(
            shape(&doc, Some("M")).operation,
            Some(OperationType::Mutation)
        );
        assert_eq!(shape(&doc, None).operation, None);
    }
}

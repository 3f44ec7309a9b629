//! Looking at a request before it runs: how deeply it nests (checked on the text, before the
//! recursive parser could overflow its stack on `{a{a{a...`), which operation it selects, how
//! many aliases and root fields it has.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use lru::LruCache;

/// Documents this server parsed and let run, by their text. An app sends the same few documents
/// with different variables, and parsing one cost a twentieth of a search and more of a list
/// (pest); a clone of the parsed tree is several times cheaper. Bounded: small documents only,
/// the last `PARSED_ENTRIES` of them.
pub struct ParsedDocuments(Mutex<LruCache<String, ExecutableDocument>>);

const PARSED_ENTRIES: usize = 128;
/// The longest document kept parsed (its tree is several times its text).
const PARSED_MAX_BYTES: usize = 4096;

impl Default for ParsedDocuments {
    fn default() -> Self {
        let entries = NonZeroUsize::new(PARSED_ENTRIES).unwrap_or(NonZeroUsize::MIN);
        ParsedDocuments(Mutex::new(LruCache::new(entries)))
    }
}

impl ParsedDocuments {
    /// The parsed tree of `text`, if it was parsed and passed the checks before.
    pub fn get(&self, text: &str) -> Option<ExecutableDocument> {
        let mut cache = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.get(text).cloned()
    }

    /// Whether a document of this text is small enough to keep.
    pub fn wants(&self, text: &str) -> bool {
        text.len() <= PARSED_MAX_BYTES
    }

    /// Keeps the parsed tree of `text` (a document that passed the checks).
    pub fn keep(&self, text: &str, document: &ExecutableDocument) {
        if !self.wants(text) {
            return;
        }
        let mut cache = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !cache.contains(text) {
            cache.put(text.to_string(), document.clone());
        }
    }
}

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

/// What a request asks for, as far as the edge cares. Everything here is computed in time
/// linear in the document's text, before validation, whose work grows with the document
/// *expanded* (every fragment spread replaced by its fragment): a 1 KB document whose fragments
/// each spread the next twice expands to millions of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The selected operation's type; `None` when no operation matches `operationName`
    /// (execution reports that error).
    pub operation: Option<OperationType>,
    pub aliases: usize,
    pub root_fields: usize,
    /// Field selections of every operation and fragment definition with every spread expanded
    /// (saturating): what validation and planning walk.
    pub expanded_fields: usize,
    /// Directives anywhere in the document: operations, variables, fragments, spreads, fields.
    pub directives: usize,
    /// The most directives on any one location.
    pub directives_on_one_location: usize,
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
    let mut directives = DirectiveCount::default();
    for (_, op) in document.operations.iter() {
        directives.add(&op.node.directives);
        for variable in &op.node.variable_definitions {
            directives.add(&variable.node.directives);
        }
    }
    let operations: Vec<Tally> = document
        .operations
        .iter()
        .map(|(_, op)| Tally::of(&op.node.selection_set.node, &mut directives))
        .collect();
    let fragments: HashMap<&str, Tally> = document
        .fragments
        .iter()
        .map(|(name, fragment)| {
            directives.add(&fragment.node.directives);
            let tally = Tally::of(&fragment.node.selection_set.node, &mut directives);
            (name.as_str(), tally)
        })
        .collect();
    let expanded = expand(&fragments);
    let expanded_of = |tally: &Tally| {
        tally.spreads.iter().fold(tally.fields, |sum, spread| {
            sum.saturating_add(expanded.get(spread).copied().unwrap_or(0))
        })
    };
    let expanded_fields = operations
        .iter()
        .chain(fragments.values())
        .fold(0usize, |sum, tally| sum.saturating_add(expanded_of(tally)));
    Shape {
        operation: operation.map(|op| op.ty),
        aliases: operations
            .iter()
            .chain(fragments.values())
            .map(|t| t.aliases)
            .sum(),
        root_fields: operation.map_or(0, |op| op.selection_set.node.items.len()),
        expanded_fields,
        directives: directives.total,
        directives_on_one_location: directives.most,
    }
}

#[derive(Default)]
struct DirectiveCount {
    total: usize,
    most: usize,
}

impl DirectiveCount {
    fn add<T>(&mut self, directives: &[T]) {
        self.total += directives.len();
        self.most = self.most.max(directives.len());
    }
}

/// What one selection set holds without following spreads: its fields (at every depth),
/// aliases, and the fragments it spreads (once per spread).
struct Tally<'a> {
    fields: usize,
    aliases: usize,
    spreads: Vec<&'a str>,
}

impl<'a> Tally<'a> {
    fn of(set: &'a SelectionSet, directives: &mut DirectiveCount) -> Tally<'a> {
        let mut tally = Tally {
            fields: 0,
            aliases: 0,
            spreads: Vec::new(),
        };
        let mut sets = vec![set];
        while let Some(set) = sets.pop() {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) => {
                        tally.fields += 1;
                        tally.aliases += usize::from(field.node.alias.is_some());
                        directives.add(&field.node.directives);
                        sets.push(&field.node.selection_set.node);
                    }
                    Selection::InlineFragment(fragment) => {
                        directives.add(&fragment.node.directives);
                        sets.push(&fragment.node.selection_set.node);
                    }
                    Selection::FragmentSpread(spread) => {
                        directives.add(&spread.node.directives);
                        tally.spreads.push(spread.node.fragment_name.node.as_str());
                    }
                }
            }
        }
        tally
    }
}

/// Each fragment's field count with its spreads expanded (saturating), computed once per
/// fragment in dependency order, iteratively (a chain of 10,000 fragments must not overflow the
/// stack). A fragment in a cycle counts its own fields only: validation refuses the cycle.
fn expand<'a>(fragments: &HashMap<&'a str, Tally<'a>>) -> HashMap<&'a str, usize> {
    let mut expanded: HashMap<&str, usize> = HashMap::with_capacity(fragments.len());
    let mut visiting: HashSet<&str> = HashSet::new();
    for &root in fragments.keys() {
        let mut stack = vec![root];
        while let Some(&name) = stack.last() {
            if expanded.contains_key(name) {
                stack.pop();
                continue;
            }
            let tally = &fragments[name];
            let pending: Vec<&str> = tally
                .spreads
                .iter()
                .copied()
                .filter(|s| {
                    fragments.contains_key(s) && !expanded.contains_key(s) && !visiting.contains(s)
                })
                .collect();
            if visiting.insert(name) && !pending.is_empty() {
                stack.extend(pending);
                continue;
            }
            let total = tally.spreads.iter().fold(tally.fields, |sum, spread| {
                sum.saturating_add(expanded.get(spread).copied().unwrap_or(0))
            });
            expanded.insert(name, total);
            visiting.remove(name);
            stack.pop();
        }
    }
    expanded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_documents_keep_small_documents_by_their_text() {
        let parsed = ParsedDocuments::default();
        let text = "query Q($q: String!) { search(query: $q) { totalCount } }";
        let tree = async_graphql::parser::parse_query(text).unwrap();
        assert!(parsed.get(text).is_none());
        parsed.keep(text, &tree);
        let again = parsed.get(text).unwrap();
        assert_eq!(shape(&again, Some("Q")), shape(&tree, Some("Q")));
        // A different text is a different document, however alike.
        assert!(parsed.get(&format!("{text} ")).is_none());
        // A long document is parsed each time rather than held.
        let long = format!("{{ {} }}", "__typename ".repeat(PARSED_MAX_BYTES / 10));
        parsed.keep(&long, &async_graphql::parser::parse_query(&long).unwrap());
        assert!(parsed.get(&long).is_none());
    }

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

    fn parse(document: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(document).unwrap()
    }

    #[test]
    fn expanded_fields_follow_every_spread() {
        // Q: a + F(2) + F(2) = 5; F on its own: b + G(1) = 2; G: c = 1.
        let doc = parse("{ a ...F ...F } fragment F on Query { b ...G } fragment G on Query { c }");
        assert_eq!(shape(&doc, None).expanded_fields, 5 + 2 + 1);
    }

    #[test]
    fn a_doubling_fragment_chain_expands_exponentially_without_being_walked() {
        let levels = 70;
        let mut document = String::from("{ ...F0 }");
        for n in 0..levels {
            document.push_str(&format!(
                " fragment F{n} on Query {{ ...F{m} ...F{m} }}",
                m = n + 1
            ));
        }
        document.push_str(&format!(" fragment F{levels} on Query {{ __typename }}"));
        assert_eq!(shape(&parse(&document), None).expanded_fields, usize::MAX);
        let chain: String = (0..10_000)
            .map(|n| format!(" fragment F{n} on Query {{ a ...F{} }}", n + 1))
            .collect();
        let doc = parse(&format!(
            "{{ ...F0 }}{chain} fragment F10000 on Query {{ a }}"
        ));
        assert!(shape(&doc, None).expanded_fields > 10_000);
    }

    #[test]
    fn cycles_do_not_loop() {
        let doc = parse("{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }");
        assert!(shape(&doc, None).expanded_fields >= 3);
    }

    #[test]
    fn directives_are_counted_on_every_location() {
        let doc = parse(
            "query Q($v: Int @a) @b @c { f @d ...F @e ... @g { h } } fragment F on Query @i { j }",
        );
        let shape = shape(&doc, None);
        assert_eq!(shape.directives, 7);
        assert_eq!(shape.directives_on_one_location, 2);
    }
}

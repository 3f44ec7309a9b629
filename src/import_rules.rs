//! The import rules of ARCHITECTURE.md ("Invariants"), checked by scanning `src/`,
//! `entities/` and `migrations/`: which modules may name which framework crates. Each rule is an
//! absence: outside the modules it lists, a crate's paths (`crate_name::...`) do not occur.

use std::path::{Path, PathBuf};

/// A crate and the files (paths relative to the repository, or folders ending in `/`) that may
/// name it: everywhere else, it must not occur.
struct OnlyIn {
    crates: &'static [&'static str],
    allowed: &'static [&'static str],
}

/// A crate and the files or folders that must not name it.
struct NeverIn {
    crates: &'static [&'static str],
    forbidden: &'static [&'static str],
}

const ONLY_IN: &[OnlyIn] = &[
    // GraphQL is one module: the rest of the process sees `graphql::Api` and plain types.
    OnlyIn {
        crates: &["async_graphql"],
        allowed: &["src/graphql/"],
    },
    // HTTP is the edge, the route table with the GraphQL endpoints, the web app, and the
    // WebSocket transport (its frames are actix-ws').
    OnlyIn {
        crates: &["actix_web", "actix_ws", "actix_cors", "actix_http"],
        allowed: &[
            "src/routes.rs",
            "src/routes/",
            "src/startup.rs",
            "src/edge.rs",
            "src/graphql/ws.rs",
            "src/web/",
        ],
    },
    // Full-text search is one module; its public API names no tantivy type.
    OnlyIn {
        crates: &["tantivy"],
        allowed: &["src/search/"],
    },
    OnlyIn {
        crates: &["prometheus"],
        allowed: &["src/metrics.rs"],
    },
    OnlyIn {
        crates: &["askama"],
        allowed: &["src/web/"],
    },
];

const NEVER_IN: &[NeverIn] = &[
    // Pages execute GraphQL documents; domain types parse input; the edge sees requests only.
    NeverIn {
        crates: &["sea_orm", "entities"],
        forbidden: &["src/web/", "src/domain/", "src/edge.rs", "src/metrics.rs"],
    },
    // The tables and their migrations know nothing of HTTP, GraphQL or search.
    NeverIn {
        crates: &[
            "async_graphql",
            "actix_web",
            "actix_ws",
            "tantivy",
            "policy_kb",
        ],
        forbidden: &["entities/", "migrations/"],
    },
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under the folders scanned, as paths relative to the repository.
fn sources() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for folder in ["src", "entities", "migrations"] {
        walk(&root().join(folder), &mut files);
    }
    let mut files: Vec<String> = files
        .into_iter()
        .map(|path| {
            path.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    files.sort();
    files
}

/// Whether `line` (code, not a comment) names a path of crate `name`: `name::` after a
/// character that cannot be part of an identifier (so `my_tantivy::` does not count).
fn names_crate(line: &str, name: &str) -> bool {
    let code = line.trim_start();
    if code.starts_with("//") {
        return false;
    }
    let pattern = format!("{name}::");
    code.match_indices(&pattern).any(|(at, _)| {
        !code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    }) || code.trim_end() == format!("use {name};")
}

fn matches(file: &str, places: &[&str]) -> bool {
    places.iter().any(|place| {
        if place.ends_with('/') {
            file.starts_with(place)
        } else {
            file == *place
        }
    })
}

/// The lines of `files` that break a rule, as `file:line: crate`.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in files {
        for (number, line) in text.lines().enumerate() {
            let mut report = |name: &str| found.push(format!("{file}:{}: {name}", number + 1));
            for rule in ONLY_IN {
                for name in rule.crates {
                    if !matches(file, rule.allowed) && names_crate(line, name) {
                        report(name);
                    }
                }
            }
            for rule in NEVER_IN {
                for name in rule.crates {
                    if matches(file, rule.forbidden) && names_crate(line, name) {
                        report(name);
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_module_imports_only_what_architecture_md_allows() {
    let files: Vec<(String, String)> = sources()
        .into_iter()
        // This file names the crates in its rules and fixtures.
        .filter(|file| file != "src/import_rules.rs")
        .map(|file| {
            let text = std::fs::read_to_string(root().join(&file)).unwrap();
            (file, text)
        })
        .collect();
    assert!(
        files.iter().any(|(file, _)| file == "src/graphql/mod.rs"),
        "the scan found no sources"
    );
    let found = violations(&files);
    assert!(
        found.is_empty(),
        "imports ARCHITECTURE.md forbids:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_an_import_in_the_wrong_place_and_not_a_comment() {
    let files = [
        ("src/catalog/mod.rs", "use async_graphql::Object;"),
        (
            "src/recommend/mod.rs",
            "    let index = tantivy::Index::create_in_ram(schema);",
        ),
        ("src/web/page.rs", "use sea_orm::EntityTrait;"),
        (
            "src/search/mod.rs",
            "//! the only module that knows tantivy::Index",
        ),
        ("src/graphql/mod.rs", "use async_graphql::Schema;"),
        ("src/catalog/mod.rs", "use my_tantivy::Index;"),
    ]
    .map(|(file, text)| (file.to_string(), text.to_string()));
    assert_eq!(
        violations(&files),
        [
            "src/catalog/mod.rs:1: async_graphql",
            "src/recommend/mod.rs:1: tantivy",
            "src/web/page.rs:1: sea_orm",
        ]
    );
}

#[test]
fn architecture_md_states_each_rule() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let map = map.split_whitespace().collect::<Vec<_>>().join(" ");
    for rule in [
        "No module outside `src/graphql` names async-graphql.",
        "`src/graphql/ws.rs` and `src/web` names actix-web",
        "No module outside `src/routes.rs`, `src/routes/`, `src/startup.rs`, `src/edge.rs`,",
        "No module outside `src/search` names tantivy",
        "No module outside `src/metrics.rs` names prometheus; none outside `src/web` names askama.",
        "No module in `src/web`, `src/domain`, `src/edge.rs` or `src/metrics.rs` names sea-orm or `entities`.",
        "Nothing in `entities/` or `migrations/` names async-graphql, actix-web, actix-ws, tantivy or the service crate.",
    ] {
        assert!(map.contains(rule), "ARCHITECTURE.md does not state: {rule}");
    }
}

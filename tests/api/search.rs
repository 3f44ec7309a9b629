//! The `search` field: highlights, facets, filters, paging, hostile input, and an index that
//! follows the database.

use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::helpers::{error_codes, Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(
    highlights_mark_matches_in_escaped_html_on_chinese_text,
    facets_count_the_matches_and_filters_narrow_them,
    pages_do_not_overlap,
    whatever_is_typed_gets_results_or_nothing_never_an_internal_error,
    bad_arguments_are_bad_user_input,
    the_index_follows_the_database,
    traditional_characters_typos_and_glossary_terms_are_understood,
);

const SEARCH: &str = "query($q: String!, $f: SearchFilter, $first: Int, $after: String) {
    search(query: $q, filter: $f, first: $first, after: $after) {
        totalCount
        hits { score kind slug title { zh en } highlights { field lang html } node { id ... on Case { slug region { slug } } ... on Measure { slug } } }
        facets { field values { value count } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
    } }";

async fn search(app: &TestApp, variables: Value) -> Value {
    app.data(SEARCH, variables).await["search"].clone()
}

fn unmark(html: &str) -> String {
    html.replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn marked(html: &str) -> Vec<String> {
    html.split("<mark>")
        .skip(1)
        .filter_map(|part| part.split("</mark>").next())
        .map(str::to_string)
        .collect()
}

async fn highlights_mark_matches_in_escaped_html_on_chinese_text(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let result = search(&app, json!({ "q": "饮水" })).await;
    let hit = &result["hits"][0];
    assert_eq!(hit["slug"], "shizhu-tongxin-drinking-water-association");
    assert_eq!(
        hit["node"]["slug"], "shizhu-tongxin-drinking-water-association",
        "the hit's node is the record"
    );
    let title = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "title" && h["lang"] == "ZH")
        .expect("a Chinese title highlight");
    let html = title["html"].as_str().unwrap();
    // Byte offsets on multi-byte text: the marked text is exactly the word, and the fragment
    // without its marks is the stored title.
    assert_eq!(marked(html), ["饮水"]);
    assert_eq!(unmark(html), hit["title"]["zh"].as_str().unwrap());

    // The character safety net highlights what it matched: 蛋鸡 (laying hens) is no record's
    // word (养鸡 is: the paper's registered chicken-farming associations are cited).
    let chicken = search(&app, json!({ "q": "蛋鸡" })).await;
    assert_eq!(chicken["hits"][0]["slug"], "fengdu-one-chicken");
    let text = chicken["hits"][0]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "text")
        .expect("a character highlight");
    let marks = marked(text["html"].as_str().unwrap());
    assert!(
        marks.iter().all(|m| m == "蛋" || m == "鸡") && marks.len() >= 2,
        "{marks:?}"
    );

    // English: matches marked, HTML special characters escaped.
    let english = search(&app, json!({ "q": "farmers' cooperatives" })).await;
    for hit in english["hits"].as_array().unwrap() {
        for highlight in hit["highlights"].as_array().unwrap() {
            let html = highlight["html"].as_str().unwrap();
            let without_marks = html.replace("<mark>", "").replace("</mark>", "");
            assert!(
                !without_marks.contains('<')
                    && !without_marks.contains('>')
                    && !without_marks.contains('\''),
                "unescaped: {html}"
            );
        }
    }
    assert!(english["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["html"].as_str().unwrap().contains("&#x27;"))));
}

async fn facets_count_the_matches_and_filters_narrow_them(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let all = search(&app, json!({ "q": "扶贫", "first": 100 })).await;
    let total = all["totalCount"].as_u64().unwrap();
    assert!(total > 20);
    let kinds = all["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "kind")
        .unwrap();
    let by_kind: u64 = kinds["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_kind, total, "every hit has exactly one kind");
    for field in ["strategy", "dimension", "region"] {
        assert!(
            all["facets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field),
            "facet {field}"
        );
    }

    let cases = search(
        &app,
        json!({ "q": "扶贫", "first": 100, "f": { "kinds": ["CASE"] } }),
    )
    .await;
    let case_count = kinds["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "case")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(
        cases["totalCount"].as_u64().unwrap(),
        case_count,
        "the kind facet predicts the filtered count"
    );
    assert!(cases["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "CASE"));

    // A region includes what lies inside it: Fuling holds Lidu and Tianbaosi.
    let fuling = search(
        &app,
        json!({ "q": "扶贫", "first": 100, "f": { "kinds": ["CASE"], "regions": ["fuling"] } }),
    )
    .await;
    let slugs: Vec<&str> = fuling["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["slug"].as_str().unwrap())
        .collect();
    assert!(
        slugs.contains(&"lidu-li-wei") && slugs.contains(&"tianbaosi-zhang-wenmo"),
        "{slugs:?}"
    );
    assert!(fuling["hits"].as_array().unwrap().iter().all(|h| [
        "fuling",
        "lidu-subdistrict",
        "tianbaosi-village"
    ]
    .contains(&h["node"]["region"]["slug"].as_str().unwrap())));

    let industry = search(&app, json!({ "q": "扶贫", "first": 100, "f": { "kinds": ["MEASURE"], "strategies": ["industry"] } })).await;
    assert_eq!(
        industry["totalCount"], 5,
        "the industry prong has five measures"
    );
}

async fn pages_do_not_overlap(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let first = search(&app, json!({ "q": "poverty", "first": 3 })).await;
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = search(
        &app,
        json!({ "q": "poverty", "first": 3, "after": first["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(first["totalCount"], second["totalCount"]);
    let slugs = |page: &Value| {
        page["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| format!("{}{}", h["kind"], h["slug"]))
            .collect::<Vec<_>>()
    };
    let (a, b) = (slugs(&first), slugs(&second));
    assert_eq!(b.len(), 3);
    assert!(a.iter().all(|x| !b.contains(x)), "{a:?} {b:?}");
}

async fn whatever_is_typed_gets_results_or_nothing_never_an_internal_error(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let inputs = [
        "",
        " ",
        "\"",
        "\"\"",
        "\"unbalanced phrase",
        "-",
        "--",
        "- -",
        "-饮水",
        "a -",
        "+",
        "*",
        "?",
        "AND OR NOT",
        "title:饮水",
        "(饮水",
        "[1 TO 2]",
        "饮水~2",
        "^3",
        "🐔",
        "🐔养鸡🐔",
        "！！！",
        "ＦＥＮＧＤＵ",
        "“一只鸡”",
        "「饮水」",
        "\\",
        "\u{0}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%",
        "饮水\n安全",
        "ﾟ∀ﾟ",
        "\u{200b}",
        "e\u{301}",
    ];
    for input in inputs {
        let response = app.graphql(SEARCH, json!({ "q": input })).await;
        assert!(response.get("errors").is_none(), "{input:?} -> {response}");
        assert!(response["data"]["search"]["hits"].is_array());
    }
    let fullwidth = search(&app, json!({ "q": "ＦＥＮＧＤＵ" })).await;
    assert!(
        fullwidth["totalCount"].as_u64().unwrap() > 0,
        "full-width letters read as ASCII"
    );
    let excluded = search(&app, json!({ "q": "chicken -Fengdu", "first": 100 })).await;
    assert!(excluded["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["slug"] != "fengdu-one-chicken"));
}

async fn bad_arguments_are_bad_user_input(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let long = "贫".repeat(policy_kb::search::MAX_QUERY_CHARS + 1);
    for (variables, field) in [
        (json!({ "q": long }), "query"),
        (json!({ "q": "x", "first": 0 }), "first"),
        (json!({ "q": "x", "first": 101 }), "first"),
        (json!({ "q": "x", "after": "nonsense" }), "after"),
        (
            json!({ "q": "x", "f": { "regions": ["atlantis"] } }),
            "filter.regions",
        ),
        (
            json!({ "q": "x", "f": { "strategies": ["Not A Slug"] } }),
            "filter.strategies",
        ),
    ] {
        let response = app.graphql(SEARCH, variables.clone()).await;
        assert_eq!(
            error_codes(&response),
            ["BAD_USER_INPUT"],
            "{variables}: {response}"
        );
        assert_eq!(response["errors"][0]["extensions"]["field"], field);
    }
}

async fn the_index_follows_the_database(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let before = search(&app, json!({ "q": "一只鸡", "first": 100 })).await;
    let (storage, data_dir) = app.stop().await;

    // Deleting the index loses nothing: it is rebuilt from the database on start.
    std::fs::remove_dir_all(storage.data_dir.join("index")).unwrap();
    // A record imported while the server was down is searchable after a restart.
    let file = data_dir.path().join("cases.yaml");
    std::fs::write(&file, "- slug: mushroom-cooperative\n  region: kaizhou\n  title: {zh: 香菇合作社, en: Shiitake mushroom cooperative}\n  measures: [modern-agriculture]\n  citations: [{section: {zh: 五, en: '5'}, excerpt: {zh: 合作社, en: cooperative}}]\n").unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_policy-kb"));
    command
        .args(["import", file.to_str().unwrap()])
        .env("KB_DATA_DIR", &storage.data_dir)
        .env_remove("DATABASE_URL");
    if let Some(url) = &storage.database_url {
        command.env("DATABASE_URL", url.expose_secret());
    }
    assert!(command.output().unwrap().status.success());

    let app = TestApp::spawn_on(storage, data_dir).await;
    let after = search(&app, json!({ "q": "一只鸡", "first": 100 })).await;
    // Scores shift a little (the new record changes corpus statistics); the ranking does not.
    let ranked = |result: &Value| {
        result["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["kind"].clone(), h["slug"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ranked(&before),
        ranked(&after),
        "the rebuilt index answers as before"
    );
    let mushroom = search(&app, json!({ "q": "香菇" })).await;
    assert_eq!(mushroom["hits"][0]["slug"], "mushroom-cooperative");
    let english = search(&app, json!({ "q": "mushroom" })).await;
    assert_eq!(english["hits"][0]["slug"], "mushroom-cooperative");
}

/// Every case, measure and cause is found first or near first by its own title, in Chinese and
/// in English.
#[tokio::test]
async fn every_record_is_found_by_its_title_in_either_language() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let records = app.data("{ cases(first: 100) { nodes { slug title { zh en } } } measures(first: 100) { nodes { slug title { zh en } } } causes(first: 100) { nodes { slug name { zh en } } } }", json!({})).await;
    let mut misses = Vec::new();
    let mut checked = 0;
    for (kind, list, field) in [
        ("CASE", "cases", "title"),
        ("MEASURE", "measures", "title"),
        ("CAUSE", "causes", "name"),
    ] {
        for record in records[list]["nodes"].as_array().unwrap() {
            for lang in ["zh", "en"] {
                let title = record[field][lang].as_str().unwrap().replace('"', " ");
                let result = search(&app, json!({ "q": title, "first": 3 })).await;
                checked += 1;
                let found = result["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["kind"] == kind && h["slug"] == record["slug"]);
                if !found {
                    misses.push(format!(
                        "{kind} {} by {lang} title {title:?}",
                        record["slug"]
                    ));
                }
            }
        }
    }
    assert!(
        misses.is_empty(),
        "{} of {checked} title searches missed the top 3:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

fn ranked(result: &Value) -> Vec<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}:{}",
                h["kind"].as_str().unwrap(),
                h["slug"].as_str().unwrap()
            )
        })
        .collect()
}

async fn traditional_characters_typos_and_glossary_terms_are_understood(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    // Traditional characters and full-width letters find what their normal forms find.
    for (typed, normal) in [
        ("飲水協會", "饮水协会"),
        ("控輟保學", "控辍保学"),
        ("ＣＨＩＣＫＥＮ", "chicken"),
    ] {
        let a = ranked(&search(&app, json!({ "q": typed })).await);
        let b = ranked(&search(&app, json!({ "q": normal })).await);
        assert!(!a.is_empty(), "{typed}");
        assert_eq!(a, b, "{typed} vs {normal}");
    }
    // A typo of five letters or more still finds the record, below exact matches.
    let typo = ranked(&search(&app, json!({ "q": "chiken industry" })).await);
    assert_eq!(typo[0], "CASE:fengdu-one-chicken", "{typo:?}");
    assert!(ranked(&search(&app, json!({ "q": "chiken" })).await)
        .contains(&"CASE:fengdu-one-chicken".to_string()));
    // No typo tolerance for short words or for Chinese.
    assert!(ranked(&search(&app, json!({ "q": "chik" })).await).is_empty());
    // A glossary term (as written, its rendering, its pinyin) shows the term first.
    let query = "query($q: String!) { search(query: $q) { hits { kind slug title { zh en } node { ... on GlossaryTerm { term english aliases { zh en } } } } } }";
    for typed in ["等靠要", "dengkaoyao", "děng kào yào"] {
        let hits = app.data(query, json!({ "q": typed })).await["search"]["hits"].clone();
        assert_eq!(hits[0]["kind"], "GLOSSARY", "{typed}: {hits:#}");
        assert_eq!(hits[0]["slug"], "wait-rely-ask", "{typed}");
        assert_eq!(hits[0]["node"]["term"], "等靠要");
        assert!(hits[0]["title"]["en"]
            .as_str()
            .unwrap()
            .contains("waiting, relying and demanding"));
    }
    // Aliases are served on every record that has them.
    let aliases = app
        .data(
            "{ cause(slug: \"household-foundation-deficits\") { aliases { zh en } }
               glossaryTerm(slug: \"wait-rely-ask\") { aliases { zh } } }",
            json!({}),
        )
        .await;
    let zh = aliases["cause"]["aliases"]["zh"].as_array().unwrap();
    assert!(zh.contains(&json!("因病致贫")), "{aliases}");
    assert!(!aliases["cause"]["aliases"]["en"]
        .as_array()
        .unwrap()
        .is_empty());
}

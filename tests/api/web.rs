//! The planners' web app: every screen in both languages, its errors, its escaping, its
//! headers and assets; then the end-to-end flows in headless Chromium (tests/e2e).

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::header;
use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// Real slugs of each kind of record page, through the API.
async fn record_paths(app: &TestApp) -> Vec<String> {
    let data = app
        .data(
            "{ cases(first: 1) { edges { node { slug } } }
               measures(first: 1) { edges { node { slug } } }
               causes(first: 1) { edges { node { slug } } }
               strategies { slug } dimensions { slug }
               regions(level: \"district\", first: 1) { edges { node { slug } } }
               statistics(first: 1) { edges { node { slug } } } }",
            json!({}),
        )
        .await;
    let first = |list: &str| {
        data[list]["edges"][0]["node"]["slug"]
            .as_str()
            .unwrap()
            .to_string()
    };
    vec![
        format!("/case/{}", first("cases")),
        format!("/measure/{}", first("measures")),
        format!("/cause/{}", first("causes")),
        format!("/prong/{}", data["strategies"][0]["slug"].as_str().unwrap()),
        format!(
            "/poverty/{}",
            data["dimensions"][0]["slug"].as_str().unwrap()
        ),
        format!("/region/{}", first("regions")),
        format!("/statistic/{}", first("statistics")),
    ]
}

fn html_lang(lang: &str) -> &'static str {
    if lang == "zh" {
        r#"<html lang="zh-CN">"#
    } else {
        r#"<html lang="en">"#
    }
}

/// Checks what every page must have, and returns its body.
async fn page(app: &TestApp, lang: &str, path: &str, status: u16) -> String {
    let url = format!("/{lang}{path}");
    let response = app.get(&url).await;
    assert_eq!(response.status().as_u16(), status, "{url}");
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{url}: {csp}"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains(html_lang(lang)), "{url}: html lang");
    assert_eq!(body.matches("<h1").count(), 1, "{url}: exactly one h1");
    assert!(!body.contains('⟦'), "{url}: a message key is missing");
    assert!(
        body.contains(r#"<meta name="renderer" content="webkit">"#),
        "{url}"
    );
    assert!(body.contains(r#"role="search""#), "{url}: the search box");
    assert!(
        body.contains(r#"class="lang""#),
        "{url}: the language switch"
    );
    // No inline script: every script element loads a file of this server.
    assert_eq!(
        body.matches("<script").count(),
        body.matches(r#"<script src="/assets/"#).count(),
        "{url}: inline script"
    );
    body
}

crate::on_every_backend!(every_screen_renders_in_both_languages);

async fn every_screen_renders_in_both_languages(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let records = record_paths(&app).await;
    let measure = records[1].trim_start_matches("/measure/").to_string();
    for (lang, expected) in [
        (
            "zh",
            [
                "五个方面的对策",
                "推荐措施",
                "工作方案",
                "证据矩阵",
                "图1",
                "术语表",
            ],
        ),
        (
            "en",
            [
                "The five prongs",
                "Recommended measures",
                "Plan",
                "Evidence matrix",
                "Figure 1",
                "Glossary",
            ],
        ),
    ] {
        let screens = [
            ("/", expected[0]),
            (
                "/recommend?text=%E8%84%B1%E8%B4%AB%E6%84%8F%E6%84%BF%E4%B8%8D%E5%BC%BA",
                expected[1],
            ),
            (&format!("/plan?m={measure}") as &str, expected[2]),
            ("/matrix", expected[3]),
            ("/survey", expected[4]),
            ("/glossary", expected[5]),
            ("/search?q=%E6%89%B6%E5%BF%97", "<mark>"),
        ];
        for (path, content) in screens {
            let body = page(&app, lang, path, 200).await;
            assert!(body.contains(content), "/{lang}{path} lacks {content}");
            assert!(body.contains("View as GraphQL") || body.contains("以 GraphQL 查看"));
        }
        for path in &records {
            let body = page(&app, lang, path, 200).await;
            for part in [
                "GB/T 7714-2015",
                "APA",
                r#"class="citations""#,
                r#"class="facts card""#,
            ] {
                assert!(body.contains(part), "/{lang}{path} lacks {part}");
            }
        }
    }
    // The region page: breadcrumb, indicators or cases, and the matrix filtered to it.
    let region = page(&app, "en", &records[5], 200).await;
    assert!(region.contains(r#"class="crumbs""#) && region.contains(r#"class="matrix""#));
}

/// Glossary terms have no page of their own: a search lists them with a link to their entry on
/// the glossary page, and names their kind in the page's language.
#[tokio::test]
async fn glossary_terms_found_by_search_link_to_their_entry() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    for (lang, kind) in [("zh", "术语"), ("en", "Glossary term")] {
        // 乡贤寨老, filtered to the glossary: a page of only glossary terms.
        let path = "/search?q=%E4%B9%A1%E8%B4%A4%E5%AF%A8%E8%80%81&kind=glossary";
        let body = page(&app, lang, path, 200).await;
        let entry = format!("href=\"/{lang}/glossary#local-worthies-and-village-elders\"");
        assert!(body.contains(&entry), "/{lang}{path} lacks {entry}");
        assert!(body.contains(kind), "/{lang}{path} lacks {kind}");
        assert!(
            !body.contains(">glossary<"),
            "the raw facet value is not a label"
        );
    }
}

#[tokio::test]
async fn pages_show_the_graphql_they_ran() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let body = page(&app, "en", "/search?q=will", 200).await;
    assert!(body.contains("query Search($query: String!"));
    assert!(body.contains("curl -s http://127.0.0.1:"));
    assert!(
        body.contains("&#34;query&#34;: &#34;will&#34;"),
        "the variables"
    );
}

#[tokio::test]
async fn pages_say_how_exact_a_figure_is_where_a_link_comes_from_and_what_is_not_from_the_source() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    // 2万余户: more than 20,000, never 20,000.
    let region = page(&app, "en", "/region/pengshui", 200).await;
    assert!(region.contains("more than 20000 households"), "{region}");
    let region = page(&app, "zh", "/region/pengshui", 200).await;
    assert!(region.contains("超过 20000 户"), "{region}");
    // A multiple-answer question says so, and what was asked.
    let statistic = page(&app, "en", "/statistic/helpers-weak-will", 200).await;
    assert!(
        statistic.contains("More than one answer allowed"),
        "{statistic}"
    );
    assert!(
        statistic.contains("its biggest difficulties"),
        "{statistic}"
    );
    // A measure's causes say whether the paper states the link or the knowledge base infers it.
    let measure = page(&app, "en", "/measure/innovative-skills-training", 200).await;
    assert!(measure.contains("(stated by the source)"), "{measure}");
    assert!(
        measure.contains("(inferred by the knowledge base)"),
        "{measure}"
    );
    // The people and organisations a case names; knowledge from elsewhere is marked.
    let case = page(&app, "zh", "/case/fengdu-one-chicken", 200).await;
    assert!(case.contains("华裕农科"), "{case}");
    let glossary = page(&app, "en", "/glossary", 200).await;
    assert!(glossary.contains("Not from the source"), "{glossary}");
}

#[tokio::test]
async fn root_redirects_by_accept_language() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (accept, location) in [
        (None, "/zh/"),
        (Some("en-GB,en;q=0.9"), "/en/"),
        (Some("zh-CN,zh;q=0.9,en;q=0.8"), "/zh/"),
    ] {
        let mut request = client.get(format!("{}/", app.address));
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT_LANGUAGE, accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()[header::LOCATION], location, "{accept:?}");
    }
    let response = client
        .get(format!("{}/en", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 308);
    assert_eq!(response.headers()[header::LOCATION], "/en/");
}

#[tokio::test]
async fn the_language_switch_keeps_path_and_query() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let body = page(&app, "zh", "/search?q=will&kind=case", 200).await;
    // (askama escapes `&` as `&#38;`.)
    assert!(body.contains(r#"class="lang" href="/en/search?q=will&#38;kind=case""#));
}

#[tokio::test]
async fn unknown_slugs_and_paths_are_404_pages_in_the_pages_language() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let en = page(&app, "en", "/case/no-such-case", 404).await;
    assert!(en.contains("Page not found"));
    let zh = page(&app, "zh", "/measure/no-such-measure", 404).await;
    assert!(zh.contains("找不到页面"));
    page(&app, "zh", "/nowhere", 404).await;
    page(&app, "en", "/plan?m=no-such-measure", 404).await;
    let response = app.get("/xx/").await;
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn hostile_input_is_escaped() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let hostile = "%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%3E";
    for path in [
        format!("/search?q={hostile}"),
        format!("/recommend?text={hostile}"),
        format!("/plan?problem={hostile}"),
        format!("/matrix?x={hostile}"),
    ] {
        let body = page(&app, "en", &path, 200).await;
        assert!(
            !body.contains("<script>alert") && !body.contains("<img src=x>"),
            "{path}"
        );
        assert!(
            body.contains("&#60;script&#62;") || path.starts_with("/matrix"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn bad_input_shows_the_apis_message_with_a_4xx() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let long = "%E8%B4%AB".repeat(201);
    let body = page(&app, "en", &format!("/search?q={long}"), 400).await;
    assert!(body.contains("the query has 201 characters; at most 200 are searched"));
    let longer = "%E8%B4%AB".repeat(1_001);
    let body = page(&app, "zh", &format!("/recommend?text={longer}"), 400).await;
    assert!(body.contains("at most 1000"), "{body}");
    let body = page(&app, "en", "/recommend?cause=no-such-cause", 400).await;
    assert!(
        body.contains("there is no cause with slug &#39;no-such-cause&#39;"),
        "{body}"
    );
    let body = page(&app, "en", "/search?q=will&region=nowhere", 400).await;
    assert!(body.contains("nowhere"));
    page(&app, "en", "/search?q=will&page=abc", 200).await;
    page(&app, "en", "/search?q=will&page=99999", 400).await;
    page(&app, "en", "/matrix?region=nowhere", 400).await;
    page(&app, "en", "/plan?region=nowhere", 400).await;
}

#[tokio::test]
async fn a_description_nothing_matches_is_said_so_without_a_guess() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let body = page(&app, "en", "/recommend?text=qwertyuiop+zxcvbnm", 200).await;
    assert!(body.contains("Nothing in this description matches a cause"));
    assert!(body.contains("qwertyuiop zxcvbnm"), "what was read");
    assert!(!body.contains(r#"class="card rec""#), "no recommendation");
    assert!(body.contains(r#"name="cause""#), "the cause picker");
}

#[tokio::test]
async fn the_plan_lives_in_the_url_and_downloads_as_markdown() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let data = app
        .data(
            "{ measures(first: 2) { edges { node { slug title { en } } } } }",
            json!({}),
        )
        .await;
    let slug = |i: usize| {
        data["measures"]["edges"][i]["node"]["slug"]
            .as_str()
            .unwrap()
    };
    let title = |i: usize| {
        data["measures"]["edges"][i]["node"]["title"]["en"]
            .as_str()
            .unwrap()
    };
    let query = format!(
        "?region=fuling&problem=weak+will&m={}&m={}",
        slug(0),
        slug(1)
    );
    let body = page(&app, "en", &format!("/plan{query}"), 200).await;
    assert!(body.contains(title(0)) && body.contains(title(1)));
    assert!(body.contains("Fuling"));
    let response = app.get(&format!("/en/plan.md{query}")).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let markdown = response.text().await.unwrap();
    assert!(
        markdown.contains(&format!("## 1. {}", title(0))),
        "{markdown}"
    );
    assert!(markdown.contains("> "), "citations");
}

#[tokio::test]
async fn assets_are_hashed_cached_and_pages_are_light() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let body = page(&app, "en", "/", 200).await;
    let css = body
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let response = app.get(&css).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(response.bytes().await.unwrap().len() <= 15 * 1024);
    assert_eq!(app.get("/assets/app.0000.css").await.status().as_u16(), 404);

    // Compressed, every planner page is at most 50 KB.
    let measure = &record_paths(&app).await[1];
    for path in [
        "/en/",
        "/zh/matrix",
        "/en/survey",
        "/zh/recommend?text=%E8%BE%8D%E5%AD%A6",
        measure,
    ] {
        let path = if path.starts_with("/measure") {
            format!("/en{path}")
        } else {
            path.to_string()
        };
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header(header::ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()[header::CONTENT_ENCODING],
            "gzip",
            "{path}"
        );
        let size = response.bytes().await.unwrap().len();
        assert!(size <= 50 * 1024, "{path}: {size} bytes compressed");
    }
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let response = app.get("/graphiql").await;
    assert_eq!(response.status().as_u16(), 200);
    let body = response.text().await.unwrap();
    assert!(
        !body.contains("https://") && !body.contains("http://"),
        "{body}"
    );
    for script in body.split(r#"<script src=""#).skip(1) {
        let src = script.split('"').next().unwrap();
        assert_eq!(app.get(src).await.status().as_u16(), 200, "{src}");
    }
}

/// Where the end-to-end run writes its screenshots.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("e2e-screenshots")
}

/// The flows in headless Chromium. `.ci/run` installs chromium and the Node packages and sets
/// `KB_REQUIRE_E2E`, so that in CI a missing browser fails instead of skipping.
#[tokio::test]
async fn the_browser_flows_pass() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let chromium = std::env::var_os("KB_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let ready = e2e.join("node_modules/playwright-core").exists() && chromium.exists();
    if !ready {
        assert!(
            std::env::var_os("KB_REQUIRE_E2E").is_none(),
            "the end-to-end tests need chromium at {} and `npm ci --prefix tests/e2e`",
            chromium.display()
        );
        eprintln!(
            "skipped: install chromium and run `npm ci --prefix tests/e2e` for the browser tests"
        );
        return;
    }
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let shots = screenshot_dir();
    let address = app.address.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(e2e.join("e2e.mjs"))
            .arg(address)
            .arg(&shots)
            .output()
            .expect("node is not installed")
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("{report}");
    eprintln!("screenshots: {}", screenshot_dir().display());
    assert!(
        output.status.success(),
        "the end-to-end flows failed:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

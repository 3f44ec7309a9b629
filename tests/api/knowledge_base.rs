//! The bundled knowledge base: complete, consistent, faithful to the paper, and movable between
//! databases by export and import.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use policy_kb::kb::{self, KnowledgeBase, Text};
use policy_kb::settings::StorageSettings;
use serde_json::json;

use crate::helpers::{slugs, Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(
    every_record_is_bilingual_cited_and_linked,
    counts_match_the_paper,
    the_links_the_paper_states_are_exact,
    export_then_import_reproduces_the_database,
    a_bad_import_names_file_entry_and_field_and_writes_nothing,
    csv_export_has_a_row_per_entry,
    glossary_and_survey_are_served,
);

fn paper_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/source/endogenous-motivation-paper.zh.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("the source paper must be at {}: {err}", path.display()))
}

/// The source text, with all white space removed (the PDF extraction breaks lines anywhere).
fn paper() -> String {
    paper_text().split_whitespace().collect()
}

/// The paper without white space, with where each of its parts begins: the label a citation of a
/// passage from that point on must carry (`摘要`, `引言`, `一、...`, `四、（一）...`).
struct Sections {
    text: String,
    starts: Vec<(usize, String)>,
}

impl Sections {
    fn of_paper() -> Sections {
        const NUMERALS: &str = "一二三四五六七八九十";
        let mut text = String::new();
        let mut starts = Vec::new();
        let mut part = String::new();
        for line in paper_text().lines() {
            let line: String = line.split_whitespace().collect();
            let numbered = |open: &str, close: char| {
                line.strip_prefix(open).is_some_and(|rest| {
                    let digits: String = rest.chars().take_while(|c| NUMERALS.contains(*c)).collect();
                    !digits.is_empty() && rest[digits.len()..].starts_with(close)
                })
            };
            // A heading is a short numbered line; body lines that start a list ("一是") do not match.
            let heading = line.chars().count() <= 40 && !line.ends_with('。');
            if line.starts_with("【摘要】") {
                starts.push((text.len(), "摘要".to_string()));
            } else if line.starts_with("我国扶贫开发成就") {
                starts.push((text.len(), "引言".to_string()));
            } else if heading && numbered("", '、') {
                part = line.clone();
                starts.push((text.len(), part.clone()));
            } else if heading && numbered("（", '）') {
                let number: String = part.chars().take_while(|c| *c != '、').collect();
                starts.push((text.len(), format!("{number}、{line}")));
            }
            text.push_str(&line);
        }
        Sections { text, starts }
    }

    /// The labels of the parts where `excerpt` occurs (one per occurrence).
    fn labels_of(&self, excerpt: &str) -> Vec<&str> {
        self.text
            .match_indices(excerpt)
            .map(|(at, _)| {
                self.starts
                    .iter()
                    .take_while(|(start, _)| *start <= at)
                    .last()
                    .map_or("题名", |(_, label)| label.as_str())
            })
            .collect()
    }
}

/// Where jieba cuts the paper into words: an excerpt must start and end on such a cut, never
/// inside a word (内生|动力 cut after 内生 is a fault).
fn word_cuts(text: &str) -> HashSet<usize> {
    let jieba = policy_kb::search::tokenizer::jieba();
    let mut cuts = HashSet::from([0, text.len()]);
    let mut at = 0;
    for word in jieba.cut(text, true) {
        at += word.len();
        cuts.insert(at);
    }
    cuts
}

fn policy_kb(args: &[&str], storage: &StorageSettings) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_policy-kb"));
    command
        .args(args)
        .env("KB_DATA_DIR", &storage.data_dir)
        .env_remove("DATABASE_URL");
    if let Some(url) = &storage.database_url {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("cannot run policy-kb")
}

fn texts(kb: &KnowledgeBase) -> Vec<(String, &Text)> {
    let mut all = Vec::new();
    for s in &kb.sources {
        all.extend([
            ("source title".to_string(), &s.title),
            ("source citation".into(), &s.citation),
        ]);
    }
    for r in &kb.regions {
        all.push((format!("region {}", r.slug), &r.name));
        for i in &r.indicators {
            all.extend([
                (format!("indicator {}", i.slug), &i.name),
                (format!("indicator {} unit", i.slug), &i.unit),
            ]);
        }
    }
    for d in &kb.dimensions {
        all.push((format!("dimension {}", d.slug), &d.name));
    }
    for c in &kb.causes {
        all.push((format!("cause {}", c.slug), &c.name));
    }
    for s in &kb.strategies {
        all.extend([
            (format!("strategy {}", s.slug), &s.name),
            (format!("strategy {} aim", s.slug), &s.aim),
        ]);
    }
    for m in &kb.measures {
        all.push((format!("measure {}", m.slug), &m.title));
    }
    for c in &kb.cases {
        all.push((format!("case {}", c.slug), &c.title));
    }
    for s in &kb.statistics {
        all.extend([
            (format!("statistic {}", s.slug), &s.label),
            (format!("statistic {} unit", s.slug), &s.unit),
        ]);
    }
    all
}

/// Every citation list of the knowledge base, with the entry it belongs to.
fn citation_lists(kb: &KnowledgeBase) -> Vec<(String, &Vec<kb::CitationEntry>)> {
    let mut all: Vec<(String, &Vec<kb::CitationEntry>)> = Vec::new();
    all.extend(
        kb.regions
            .iter()
            .map(|e| (format!("region {}", e.slug), &e.citations)),
    );
    all.extend(kb.regions.iter().flat_map(|r| {
        r.indicators
            .iter()
            .map(|e| (format!("indicator {}", e.slug), &e.citations))
    }));
    all.extend(
        kb.dimensions
            .iter()
            .map(|e| (format!("dimension {}", e.slug), &e.citations)),
    );
    all.extend(
        kb.causes
            .iter()
            .map(|e| (format!("cause {}", e.slug), &e.citations)),
    );
    all.extend(
        kb.strategies
            .iter()
            .map(|e| (format!("strategy {}", e.slug), &e.citations)),
    );
    all.extend(
        kb.measures
            .iter()
            .map(|e| (format!("measure {}", e.slug), &e.citations)),
    );
    all.extend(
        kb.cases
            .iter()
            .map(|e| (format!("case {}", e.slug), &e.citations)),
    );
    all.extend(
        kb.statistics
            .iter()
            .map(|e| (format!("statistic {}", e.slug), &e.citations)),
    );
    all.extend(
        kb.glossary
            .iter()
            .map(|e| (format!("glossary term {}", e.slug), &e.citations)),
    );
    all
}

async fn every_record_is_bilingual_cited_and_linked(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let kb = kb::dump(&app.db).await.unwrap();
    for (what, text) in texts(&kb) {
        assert!(
            !text.zh.trim().is_empty() && !text.en.trim().is_empty(),
            "{what} lacks a language"
        );
        assert!(
            text.en.is_ascii()
                || !text
                    .en
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{what}: the English text contains Chinese: {}",
            text.en
        );
    }
    let sections = Sections::of_paper();
    let cuts = word_cuts(&sections.text);
    let mut faults = Vec::new();
    for (what, citations) in citation_lists(&kb) {
        assert!(!citations.is_empty(), "{what} has no citation");
        for citation in citations {
            let excerpt: String = citation.excerpt.zh.split_whitespace().collect();
            let labels = sections.labels_of(&excerpt);
            assert!(
                !labels.is_empty(),
                "{what}: the excerpt is not verbatim from the paper: {}",
                citation.excerpt.zh
            );
            // The label may add a note after the heading (the source's misnumbered （四）).
            if !labels
                .iter()
                .any(|label| citation.section.zh.starts_with(label))
            {
                faults.push(format!(
                    "{what}: section {:?}, but the paper has {excerpt:?} under {labels:?}",
                    citation.section.zh
                ));
            }
            let whole_words = sections.text.match_indices(&excerpt).any(|(at, _)| {
                cuts.contains(&at) && cuts.contains(&(at + excerpt.len()))
            });
            if !whole_words {
                faults.push(format!("{what}: the excerpt cuts a word: {excerpt:?}"));
            }
            assert!(
                citation.excerpt.zh.chars().count() <= 200,
                "{what}: excerpt over 200 characters"
            );
            assert!(
                !citation.excerpt.en.is_empty() && !citation.section.en.is_empty(),
                "{what}: citation lacks English"
            );
        }
    }
    for term in &kb.glossary {
        if !term.citations.iter().any(|c| c.excerpt.zh.contains(&term.term)) {
            faults.push(format!(
                "glossary term {}: no citation contains {}",
                term.slug, term.term
            ));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // References: every slug a record names resolves (the dump turns ids back into slugs).
    let regions: HashSet<&str> = kb.regions.iter().map(|r| r.slug.as_str()).collect();
    let measures: HashSet<&str> = kb.measures.iter().map(|m| m.slug.as_str()).collect();
    let causes: HashSet<&str> = kb.causes.iter().map(|c| c.slug.as_str()).collect();
    for case in &kb.cases {
        assert!(
            case.region.as_deref().is_some_and(|r| regions.contains(r)),
            "case {} needs a region",
            case.slug
        );
        assert!(
            !case.measures.is_empty(),
            "case {} exemplifies no measure",
            case.slug
        );
        assert!(case.measures.iter().all(|m| measures.contains(m.slug())));
    }
    for measure in &kb.measures {
        assert!(
            !measure.causes.is_empty(),
            "measure {} addresses no cause",
            measure.slug
        );
        assert!(measure.causes.iter().all(|c| causes.contains(c.slug())));
        // Which factor a measure answers is never stated outright: each link says why.
        assert!(
            measure.causes.iter().all(|c| c.rationale().is_some()),
            "measure {}: an implied link needs a rationale",
            measure.slug
        );
    }
    for cause in kb.causes.iter().filter(|c| c.parent.is_some()) {
        assert!(
            !cause.dimensions.is_empty(),
            "factor {} feeds no kind of poverty",
            cause.slug
        );
        assert!(
            kb.measures
                .iter()
                .any(|m| m.causes.iter().any(|c| c.slug() == cause.slug)),
            "no measure answers factor {}",
            cause.slug
        );
    }
    for region in kb
        .regions
        .iter()
        .filter(|r| r.slug != "chongqing" && r.slug != "zhejiang")
    {
        assert!(
            region.parent.is_some(),
            "region {} needs its parent",
            region.slug
        );
    }
}

async fn counts_match_the_paper(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let kb = kb::dump(&app.db).await.unwrap();
    assert_eq!(kb.sources.len(), 1);
    let survey = kb.sources[0].survey.as_ref().expect("the survey");
    assert_eq!(
        (survey.start.as_str(), survey.end.as_str()),
        ("2019-10-21", "2020-01-13")
    );
    assert_eq!(
        (
            survey.questionnaires_issued,
            survey.questionnaires_returned,
            survey.questionnaires_valid
        ),
        (1700, 1651, 1634)
    );
    assert_eq!(survey.valid_rate, 96.12);

    assert_eq!(kb.dimensions.len(), 4, "four kinds of poverty");
    let groups: Vec<&str> = kb
        .causes
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| c.slug.as_str())
        .collect();
    assert_eq!(groups.len(), 4, "four groups of factors: {groups:?}");
    let factors_per_group: Vec<usize> = groups
        .iter()
        .map(|g| {
            kb.causes
                .iter()
                .filter(|c| c.parent.as_deref() == Some(*g))
                .count()
        })
        .collect();
    assert_eq!(
        factors_per_group,
        [4, 3, 3, 3],
        "numbered factors under each group"
    );

    assert_eq!(kb.strategies.len(), 5);
    let per_strategy: Vec<usize> = kb
        .strategies
        .iter()
        .map(|s| kb.measures.iter().filter(|m| m.strategy == s.slug).count())
        .collect();
    assert_eq!(
        per_strategy,
        [4, 3, 4, 5, 3],
        "the 19 numbered measures, by prong"
    );

    let mut per_figure: BTreeMap<Option<i32>, usize> = BTreeMap::new();
    for statistic in &kb.statistics {
        *per_figure.entry(statistic.figure).or_default() += 1;
    }
    assert_eq!(
        per_figure,
        BTreeMap::from([
            (None, 2),
            (Some(1), 4),
            (Some(3), 6),
            (Some(4), 7),
            (Some(5), 4)
        ]),
        "values of Figures 1, 3, 4, 5 and the text"
    );

    let surveyed = [
        "wushan",
        "pengshui",
        "kaizhou",
        "fuling",
        "jiangjin",
        "rongchang",
    ];
    for slug in surveyed {
        let region = kb
            .regions
            .iter()
            .find(|r| r.slug == slug)
            .unwrap_or_else(|| panic!("district {slug}"));
        assert!(region.zone.is_some(), "{slug} needs its zone");
        assert!(!region.indicators.is_empty(), "{slug} needs its indicators");
        assert!(
            kb.cases.iter().any(|c| c.region.as_deref() == Some(slug)),
            "{slug} needs its own approach as a case"
        );
    }
    let cases: HashSet<&str> = kb.cases.iter().map(|c| c.slug.as_str()).collect();
    for named in [
        "chengkou-culture-platforms",
        "dianjiang-aspiration-activities",
        "wuxi-four-lessons",
        "fengjie-centralised-care",
        "fengqiao-experience",
        "fengdu-one-chicken",
        "shizhu-tongxin-drinking-water-association",
        "wushan-employment-measures",
        "lidu-li-wei",
        "tianbaosi-zhang-wenmo",
    ] {
        assert!(cases.contains(named), "missing case {named}");
    }
    let wushan: BTreeMap<&str, f64> = kb
        .regions
        .iter()
        .find(|r| r.slug == "wushan")
        .unwrap()
        .indicators
        .iter()
        .map(|i| (i.slug.as_str(), i.value))
        .collect();
    assert_eq!(wushan["wushan-rural-income-2014"], 6935.0);
    assert_eq!(wushan["wushan-rural-income-2019"], 11229.0);
    let illness = kb
        .statistics
        .iter()
        .find(|s| s.slug == "illness-causes-poverty")
        .unwrap();
    assert_eq!(
        (illness.value, illness.cause.as_deref()),
        (37.62, Some("household-foundation-deficits"))
    );
    for term in [
        "等靠要",
        "扶志",
        "扶智",
        "三变改革",
        "两不愁三保障",
        "一村一品",
        "枫桥经验",
        "造血",
        "输血",
        "控辍保学",
    ] {
        assert!(
            kb.glossary.iter().any(|g| g.term == term),
            "glossary lacks {term}"
        );
    }
}

async fn the_links_the_paper_states_are_exact(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let data = app
        .data(
            "{ dimensions { slug strategies { slug } } strategies { slug dimension { slug } } }",
            json!({}),
        )
        .await;
    let answers: BTreeMap<String, Vec<String>> = data["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["slug"].as_str().unwrap().to_string(),
                slugs(&d["strategies"]),
            )
        })
        .collect();
    assert_eq!(answers["awareness-poverty"], ["education"]);
    assert_eq!(answers["capability-poverty"], ["cultivation"]);
    assert_eq!(answers["governance-poverty"], ["organisation"]);
    assert_eq!(answers["opportunity-poverty"], ["industry"]);
    let long_term = data["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == "long-term")
        .unwrap();
    assert_eq!(
        long_term["dimension"],
        serde_json::Value::Null,
        "the long-term prong answers relapse, not a kind of poverty"
    );
}

async fn export_then_import_reproduces_the_database(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let original = kb::dump(&app.db).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let export = policy_kb(
        &[
            "export",
            "--format",
            "json",
            "--out",
            out.path().to_str().unwrap(),
        ],
        &app.storage,
    );
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );

    // Import into an empty database: migrate only, no bundled seed.
    let target_dir = tempfile::tempdir().unwrap();
    let target = backend.fresh_storage(&target_dir).await;
    let files: Vec<PathBuf> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let import = policy_kb(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &target,
    );
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&import.stderr).contains("importing ["),
        "no progress bar off a terminal"
    );

    // Serving the imported database keeps it as it is (the bundle is not loaded on top).
    let imported = TestApp::spawn_on(target, target_dir).await;
    let reproduced = kb::dump(&imported.db).await.unwrap();
    assert_eq!(reproduced, original);

    let again = tempfile::tempdir().unwrap();
    let export_again = policy_kb(
        &["export", "--out", again.path().to_str().unwrap()],
        &imported.storage,
    );
    assert!(export_again.status.success());
    for file in &files {
        let name = file.file_name().unwrap();
        assert_eq!(
            std::fs::read_to_string(file).unwrap(),
            std::fs::read_to_string(again.path().join(name)).unwrap(),
            "{name:?} differs"
        );
    }
}

async fn a_bad_import_names_file_entry_and_field_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let before = kb::dump(&app.db).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good_case = "- slug: new-good-case\n  region: wushan\n  title: {zh: 新案例, en: A new case}\n  measures: [industry-planning]\n  citations:\n    - section: {zh: 五, en: '5'}\n      excerpt: {zh: 一只鸡, en: one chicken}\n";
    let bad = [
        ("cases.yaml", format!("{good_case}- slug: broken\n  title: {{zh: 坏, en: Broken}}\n  measures: [no-such-measure]\n  citations: [{{section: {{zh: 五, en: '5'}}, excerpt: {{zh: 一只鸡, en: one chicken}}}}]\n"), ["cases.yaml", "case 'broken'", "measures[0]", "no-such-measure"]),
        ("cases.yaml", format!("{good_case}- slug: fengdu-one-chicken\n  title: {{zh: 重复, en: Duplicate}}\n  citations: []\n"), ["cases.yaml", "case 'fengdu-one-chicken'", "`slug`", "duplicate"]),
        ("causes.yaml", "- slug: new-cause\n  name: {zh: 新原因, en: New cause}\n  aliases:\n    zh: [撒胡椒面, 撒胡椒麵]\n  citations: [{section: {zh: 一, en: '1'}, excerpt: {zh: 一, en: one}}]\n".to_string(), ["causes.yaml", "cause 'new-cause'", "aliases.zh[1]", "already"]),
        ("measures.json", r#"[{"slug": "half-translated", "strategy": "industry", "title": {"zh": "只有中文", "en": " "}, "citations": []}]"#.to_string(), ["measures.json", "measure 'half-translated'", "title.en", "missing"]),
        ("statistics.yaml", "- slug: odd\n  label: {zh: 奇怪, en: Odd}\n  value: lots\n  unit: {zh: '%', en: '%'}\n  cause: weak-will\n  citations: []\n".to_string(), ["statistics.yaml", "entry 1 ('odd')", "value", "line"]),
        ("regions.yaml", "- slug: future\n  level: county\n  name: {zh: 未来, en: Future}\n  indicators:\n    - slug: future-year\n      name: {zh: 年, en: Year}\n      value: 1\n      unit: {zh: 年, en: year}\n      year: 3000\n      citations: [{section: {zh: 一, en: '1'}, excerpt: {zh: 一, en: one}}]\n  citations: [{section: {zh: 一, en: '1'}, excerpt: {zh: 一, en: one}}]\n".to_string(), ["regions.yaml", "indicator 'future-year'", "year", "3000"]),
    ];
    for (name, contents, expected) in bad {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        let output = policy_kb(&["import", path.to_str().unwrap()], &app.storage);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name} should be refused");
        for part in expected {
            assert!(
                stderr.contains(part),
                "{name}: the error should mention {part:?}: {stderr}"
            );
        }
        assert_eq!(
            kb::dump(&app.db).await.unwrap(),
            before,
            "{name}: a failed import must write nothing"
        );
    }
    let missing = policy_kb(
        &["import", dir.path().join("nowhere.yaml").to_str().unwrap()],
        &app.storage,
    );
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere.yaml"));
}

async fn csv_export_has_a_row_per_entry(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let kb = kb::dump(&app.db).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let export = policy_kb(
        &[
            "export",
            "--format",
            "csv",
            "--out",
            out.path().to_str().unwrap(),
        ],
        &app.storage,
    );
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let rows = |name: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(out.path().join(name))
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let header = |name: &str| {
        csv::Reader::from_path(out.path().join(name))
            .unwrap()
            .headers()
            .unwrap()
            .clone()
    };
    assert_eq!(rows("cases.csv").len(), kb.cases.len());
    assert_eq!(rows("measures.csv").len(), kb.measures.len());
    assert_eq!(
        rows("indicators.csv").len(),
        kb.regions.iter().map(|r| r.indicators.len()).sum::<usize>()
    );
    assert_eq!(
        rows("citations.csv").len(),
        citation_lists(&kb)
            .iter()
            .map(|(_, c)| c.len())
            .sum::<usize>()
    );
    let cases_header = header("cases.csv");
    for column in ["slug", "title.zh", "title.en", "region", "measures"] {
        assert!(
            cases_header.iter().any(|c| c == column),
            "cases.csv lacks {column}"
        );
    }
}

async fn glossary_and_survey_are_served(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let data = app
        .data(
            r#"{ glossaryTerm(slug: "wait-rely-ask") { term pinyin english explanation { zh en } citations { excerpt { zh } } }
                 glossary { term }
                 sources { survey { start end sampling { zh en } questionnairesIssued questionnairesReturned questionnairesValid validRate } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["glossaryTerm"]["term"], "等靠要");
    assert_eq!(data["glossaryTerm"]["pinyin"], "děng kào yào");
    assert!(data["glossaryTerm"]["citations"][0]["excerpt"]["zh"]
        .as_str()
        .unwrap()
        .contains("等靠要"));
    assert!(data["glossary"].as_array().unwrap().len() >= 20);
    let survey = &data["sources"][0]["survey"];
    assert_eq!(survey["start"], "2019-10-21");
    assert_eq!(survey["questionnairesValid"], 1634);
    assert_eq!(survey["validRate"], 96.12);
}

/// Every bilingual text of `value` (any object with a `zh` and an `en` string), with where it is;
/// aliases are left out: they are other names on purpose.
fn bilingual_texts(value: &serde_json::Value, at: String, out: &mut Vec<(String, String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let (Some(zh), Some(en)) = (
                map.get("zh").and_then(|v| v.as_str()),
                map.get("en").and_then(|v| v.as_str()),
            ) {
                out.push((at, zh.to_string(), en.to_string()));
                return;
            }
            for (key, inner) in map.iter().filter(|(key, _)| *key != "aliases") {
                bilingual_texts(inner, format!("{at}.{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = item
                    .get("slug")
                    .and_then(|s| s.as_str())
                    .map_or(i.to_string(), str::to_string);
                bilingual_texts(item, format!("{at}[{name}]"), out);
            }
        }
        _ => {}
    }
}

/// The words every English text must use for a glossary term: its quoted name if the rendering
/// has one (`"three changes" reform`), else the rendering without its parenthesis.
fn rendering(english: &str) -> &str {
    let mut quoted = english.split('"');
    match (quoted.next(), quoted.next()) {
        (Some(_), Some(name)) if !name.is_empty() => name,
        _ => english.split(" (").next().unwrap_or(english),
    }
}

/// The texts whose Chinese has a glossary term and whose English does not render it the
/// glossary's way (compared by English word stems, so "relapsing" renders "relapse").
fn misrendered(glossary: &[kb::GlossaryEntry], texts: &[(String, String, String)]) -> Vec<String> {
    use policy_kb::search::tokenizer::english_keys;
    let mut faults = Vec::new();
    for term in glossary {
        let wanted = english_keys(rendering(&term.english));
        for (at, zh, en) in texts.iter().filter(|(_, zh, _)| zh.contains(&term.term)) {
            let keys = english_keys(en);
            if !keys.windows(wanted.len()).any(|run| run == wanted.as_slice()) {
                faults.push(format!(
                    "{at}: {} must read {:?}: {en:?} (zh: {zh})",
                    term.term,
                    rendering(&term.english)
                ));
            }
        }
    }
    faults
}

#[test]
fn every_english_text_renders_the_glossary_terms_the_glossarys_way() {
    let kb = KnowledgeBase::bundled().unwrap();
    let mut texts = Vec::new();
    let files = json!({
        "sources": kb.sources, "regions": kb.regions, "dimensions": kb.dimensions,
        "causes": kb.causes, "strategies": kb.strategies, "measures": kb.measures,
        "cases": kb.cases, "statistics": kb.statistics, "glossary": kb.glossary,
    });
    bilingual_texts(&files, String::new(), &mut texts);
    assert!(texts.len() > 500, "the walk must reach every text");
    let faults = misrendered(&kb.glossary, &texts);
    assert!(faults.is_empty(), "{}", faults.join("\n"));

    // The check itself: another rendering of 内生动力 is a fault while the glossary says otherwise.
    let drive = [(
        "probe".to_string(),
        "激发内生动力".to_string(),
        "stimulate their endogenous drive".to_string(),
    )];
    assert_eq!(misrendered(&kb.glossary, &drive).len(), 1);
    assert!(kb.glossary.iter().any(|g| g.term == "内生动力" && g.english == "endogenous motivation"));
}

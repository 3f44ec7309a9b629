//! The bundled knowledge base: complete, consistent, faithful to the paper, and movable between
//! databases by export and import.

use secrecy::ExposeSecret;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
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
    numbers_questions_and_links_say_how_the_paper_supports_them,
    named_actors_are_records_that_find_their_cases,
    a_batched_load_takes_ids_after_every_id_ever_given,
);

fn paper_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/source/endogenous-motivation-paper.zh.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("the source paper must be at {}: {err}", path.display()))
}

/// The paper without white space (the PDF extraction breaks lines anywhere), with where each of
/// its parts begins: the label a citation of a passage from that point on must carry (`摘要`,
/// `引言`, `一、...`, `四、（一）...`).
struct Sections {
    text: String,
    starts: Vec<(usize, String)>,
    /// Where each heading stands: a word ends where it ends even when the next line runs on.
    headings: Vec<Range<usize>>,
    /// Where each figure's caption stands (`图1扶贫工作难题反馈调查`).
    captions: Vec<Range<usize>>,
    /// Where the body begins: after the title block, the author lines and `【摘要】：`.
    body: usize,
}

impl Sections {
    fn of_paper() -> Sections {
        const NUMERALS: &str = "一二三四五六七八九十";
        let mut text = String::new();
        let mut starts = Vec::new();
        let mut headings = Vec::new();
        let mut captions = Vec::new();
        let mut body = 0;
        let mut part = String::new();
        for line in paper_text().lines() {
            let line: String = line.split_whitespace().collect();
            let numbered = |open: &str, close: char| {
                line.strip_prefix(open).is_some_and(|rest| {
                    let digits: String =
                        rest.chars().take_while(|c| NUMERALS.contains(*c)).collect();
                    !digits.is_empty() && rest[digits.len()..].starts_with(close)
                })
            };
            // A heading is a short numbered line; body lines that start a list ("一是") do not match.
            let heading = line.chars().count() <= 40 && !line.ends_with('。');
            let here = text.len()..text.len() + line.len();
            if line.starts_with("【摘要】") {
                starts.push((text.len(), "摘要".to_string()));
                body = text.len() + "【摘要】：".len();
            } else if line.starts_with("我国扶贫开发成就") {
                starts.push((text.len(), "引言".to_string()));
            } else if heading && numbered("", '、') {
                part = line.clone();
                starts.push((text.len(), part.clone()));
                headings.push(here);
            } else if heading && numbered("（", '）') {
                let number: String = part.chars().take_while(|c| *c != '、').collect();
                starts.push((text.len(), format!("{number}、{line}")));
                headings.push(here);
            } else if line.starts_with('图')
                && line["图".len()..].starts_with(|c: char| c.is_ascii_digit())
            {
                captions.push(here);
            }
            text.push_str(&line);
        }
        Sections {
            text,
            starts,
            headings,
            captions,
            body,
        }
    }

    /// The sentences of the body: cut after 。！？； (with a closing quotation mark that
    /// follows), and where a part, a heading or a caption begins or ends (the PDF breaks its
    /// other lines anywhere).
    fn sentences(&self) -> Vec<Range<usize>> {
        let mut bounds: HashSet<usize> = self.starts.iter().map(|(at, _)| *at).collect();
        bounds.extend(
            self.headings
                .iter()
                .chain(&self.captions)
                .flat_map(|r| [r.start, r.end]),
        );
        let mut sentences = Vec::new();
        let mut start = self.body;
        let mut chars = self.text[self.body..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let mut end = self.body + i + c.len_utf8();
            if "。！？；".contains(c) {
                if let Some((_, quote)) = chars.next_if(|(_, q)| "”’".contains(*q)) {
                    end += quote.len_utf8();
                }
            } else if !bounds.contains(&end) && end < self.text.len() {
                continue;
            }
            if !self.text[start..end]
                .trim_matches(|c| "。！？；".contains(c))
                .is_empty()
            {
                sentences.push(start..end);
            }
            start = end;
        }
        sentences
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

/// Where jieba cuts the paper into words (and where its headings end): an excerpt must start
/// and end on such a cut, never inside a word (内生|动力 cut after 内生 is a fault).
fn word_cuts(sections: &Sections) -> HashSet<usize> {
    let jieba = policy_kb::search::tokenizer::jieba();
    let mut cuts = HashSet::from([0, sections.text.len()]);
    cuts.extend(sections.headings.iter().map(|h| h.end));
    let mut at = 0;
    for word in jieba.cut(&sections.text, true) {
        at += word.word.len();
        cuts.insert(at);
    }
    cuts
}

/// A Chinese text without its quotation marks: “三变”改革 names 三变改革.
fn unquoted(zh: &str) -> String {
    zh.chars().filter(|c| !"“”‘’\"".contains(*c)).collect()
}

fn policy_kb(args: &[&str], storage: &StorageSettings) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_policy-kb"));
    command
        .args(args)
        .env("KB_DATA_DIR", &storage.data_dir)
        .env_remove("DATABASE_URL");
    if let Some(url) = &storage.database_url {
        command.env("DATABASE_URL", url.expose_secret());
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
    let cuts = word_cuts(&sections);
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
            let whole_words = sections
                .text
                .match_indices(&excerpt)
                .any(|(at, _)| cuts.contains(&at) && cuts.contains(&(at + excerpt.len())));
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
        if !term
            .citations
            .iter()
            .any(|c| unquoted(&c.excerpt.zh).contains(&term.term))
        {
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
    }
    // Every link of the bundled data says how the source supports it: the citation that states
    // it, or the rationale of a link the source only implies.
    let mut links: Vec<(String, &kb::Link)> = Vec::new();
    links.extend(
        kb.measures
            .iter()
            .flat_map(|m| m.causes.iter().map(|l| (format!("measure {}", m.slug), l))),
    );
    links.extend(
        kb.cases
            .iter()
            .flat_map(|c| c.measures.iter().map(|l| (format!("case {}", c.slug), l))),
    );
    links.extend(kb.causes.iter().flat_map(|c| {
        c.dimensions
            .iter()
            .map(|l| (format!("cause {}", c.slug), l))
    }));
    links.extend(kb.statistics.iter().flat_map(|s| {
        s.cause
            .iter()
            .chain(&s.dimension)
            .map(|l| (format!("statistic {}", s.slug), l))
    }));
    for (owner, link) in &links {
        assert!(
            link.citation().is_some() != link.rationale().is_some(),
            "{owner}: the link to {} needs its provenance (a citation or a rationale)",
            link.slug()
        );
    }
    // 五（二） answers 四（一）三是 in so many words: special education and job training for
    // those who cannot fully work.
    let skills = kb
        .measures
        .iter()
        .find(|m| m.slug == "innovative-skills-training")
        .unwrap();
    let stated = skills
        .causes
        .iter()
        .find(|l| l.slug() == "lack-of-education-opportunity")
        .expect("skills training answers the lack of education of special groups");
    let passage = &skills.citations[stated.citation().unwrap() as usize];
    assert!(passage.excerpt.zh.contains("特殊教育"));
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
        .filter(|r| !["chongqing", "zhejiang", "china"].contains(&r.slug.as_str()))
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
        (illness.value, illness.cause.as_ref().map(kb::Link::slug)),
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
        ("cases.yaml", format!("{good_case}- slug: both-ways\n  title: {{zh: 两者, en: Both}}\n  measures: [{{slug: industry-planning, citation: 0, rationale: {{zh: 因, en: why}}}}]\n  citations: [{{section: {{zh: 五, en: '5'}}, excerpt: {{zh: 一只鸡, en: one chicken}}}}]\n"), ["cases.yaml", "case 'both-ways'", "measures[0]", "not both"]),
        ("cases.yaml", format!("{good_case}- slug: no-such-passage\n  title: {{zh: 无, en: None}}\n  measures: [{{slug: industry-planning, citation: 3}}]\n  citations: [{{section: {{zh: 五, en: '5'}}, excerpt: {{zh: 一只鸡, en: one chicken}}}}]\n"), ["cases.yaml", "case 'no-such-passage'", "measures[0].citation", "no citation 3"]),
        ("statistics.yaml", "- slug: vague\n  label: {zh: 含糊, en: Vague}\n  value: 1\n  qualifier: roughly\n  unit: {zh: '%', en: '%'}\n  cause: weak-will\n  citations: []\n".to_string(), ["statistics.yaml", "vague", "qualifier", "roughly"]),
        ("cases.yaml", format!("{good_case}- slug: taken-actor\n  title: {{zh: 重名, en: Taken}}\n  actors:\n    - slug: huayu-nongke\n      kind: company\n      name: {{zh: 华裕农科, en: Huayu Nongke}}\n  citations: [{{section: {{zh: 五, en: '5'}}, excerpt: {{zh: 一只鸡, en: one chicken}}}}]\n"), ["cases.yaml", "actor 'huayu-nongke'", "`slug`", "duplicate"]),
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
        for (at, zh, en) in texts
            .iter()
            .filter(|(_, zh, _)| unquoted(zh).contains(&term.term))
        {
            let keys = english_keys(en);
            if !keys
                .windows(wanted.len())
                .any(|run| run == wanted.as_slice())
            {
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
    assert!(kb
        .glossary
        .iter()
        .any(|g| g.term == "内生动力" && g.english == "endogenous motivation"));
}

async fn numbers_questions_and_links_say_how_the_paper_supports_them(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let data = app
        .data(
            r#"{ region(slug: "pengshui") { indicators { slug qualifier } }
                 aid: statistic(slug: "aid-money") { unit { en } multipleAnswers question { zh en } }
                 low: statistic(slug: "helpers-low-participation") {
                   causeProvenance { kind rationale { zh en } citation { excerpt { zh } } }
                   dimensionProvenance { kind citation { excerpt { zh } } } }
                 measure(slug: "innovative-skills-training") {
                   causeLinks { target { slug } provenance { kind rationale { en } citation { excerpt { zh } } } } }
                 case(slug: "fengqiao-experience") { outside { zh en } measureLinks { target { slug } provenance { kind } } }
                 glossaryTerm(slug: "four-dont-removes") { english outside { en } } }"#,
            json!({}),
        )
        .await;
    let qualifiers: BTreeMap<String, String> = data["region"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["slug"].as_str().unwrap().to_string(),
                i["qualifier"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        qualifiers["pengshui-households-lifted"], "MORE_THAN",
        "2万余户"
    );
    assert_eq!(
        qualifiers["pengshui-people-lifted"], "MORE_THAN",
        "11万余名"
    );
    assert_eq!(qualifiers["pengshui-poor-villages-lifted"], "EXACT");
    assert_eq!(data["aid"]["unit"]["en"], "% of respondents");
    assert_eq!(data["aid"]["multipleAnswers"], true);
    assert!(data["aid"]["question"]["zh"]
        .as_str()
        .unwrap()
        .contains("扶贫资源供给"));
    let low = &data["low"];
    assert_eq!(low["causeProvenance"]["kind"], "INFERRED");
    assert!(!low["causeProvenance"]["rationale"]["en"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(low["causeProvenance"]["citation"], serde_json::Value::Null);
    assert_eq!(low["dimensionProvenance"]["kind"], "STATED");
    assert!(low["dimensionProvenance"]["citation"]["excerpt"]["zh"]
        .as_str()
        .unwrap()
        .contains("参与度比较低"));
    let links = data["measure"]["causeLinks"].as_array().unwrap();
    let stated = links
        .iter()
        .find(|l| l["target"]["slug"] == "lack-of-education-opportunity")
        .unwrap();
    assert_eq!(stated["provenance"]["kind"], "STATED");
    assert!(stated["provenance"]["citation"]["excerpt"]["zh"]
        .as_str()
        .unwrap()
        .contains("特殊教育"));
    assert!(links
        .iter()
        .filter(|l| l["target"]["slug"] != "lack-of-education-opportunity")
        .all(|l| l["provenance"]["kind"] == "INFERRED"
            && l["provenance"]["rationale"]["en"].is_string()));
    assert!(data["case"]["outside"]["en"]
        .as_str()
        .unwrap()
        .contains("general knowledge"));
    assert_eq!(
        data["case"]["measureLinks"][0]["provenance"]["kind"],
        "STATED"
    );
    assert_eq!(
        data["glossaryTerm"]["english"],
        "\"four things not removed\""
    );
    assert!(data["glossaryTerm"]["outside"]["en"].is_string());

    // Recommendation paths carry the provenance of each link they follow.
    let data = app
        .data(
            r#"{ recommend(input: { causes: ["lack-of-education-opportunity"] }) {
                   items { measure { slug } paths { steps { kind slug provenance { kind } } } } } }"#,
            json!({}),
        )
        .await;
    let items = data["recommend"]["items"].as_array().unwrap();
    let skills = items
        .iter()
        .find(|i| i["measure"]["slug"] == "innovative-skills-training")
        .expect("skills training answers the cause");
    let steps = skills["paths"][0]["steps"].as_array().unwrap();
    let measure_step = steps.iter().find(|s| s["kind"] == "MEASURE").unwrap();
    assert_eq!(measure_step["provenance"]["kind"], "STATED");
    let dimension_step = steps.iter().find(|s| s["kind"] == "DIMENSION").unwrap();
    assert_eq!(dimension_step["provenance"]["kind"], "INFERRED");
}

/// A named actor is as the case's own citations name it: its Chinese name occurs in one of them
/// (a company's full legal name, known from elsewhere, would be a fact from outside the source).
#[test]
fn every_actor_is_named_as_its_case_cites_it() {
    let kb = KnowledgeBase::bundled().unwrap();
    let unnamed: Vec<String> = kb
        .cases
        .iter()
        .flat_map(|case| {
            case.actors
                .iter()
                .filter(|actor| {
                    !case
                        .citations
                        .iter()
                        .any(|c| c.excerpt.zh.contains(actor.name.zh.as_str()))
                })
                .map(move |actor| format!("{} in case {}", actor.name.zh, case.slug))
        })
        .collect();
    assert!(
        unnamed.is_empty(),
        "actors no citation of their case names: {unnamed:#?}"
    );
    assert!(kb.cases.iter().map(|c| c.actors.len()).sum::<usize>() >= 8);
}

async fn named_actors_are_records_that_find_their_cases(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let data = app
        .data(
            r#"{ case(slug: "fengdu-one-chicken") { actors { slug kind name { zh en } role { en } case { slug } } } }"#,
            json!({}),
        )
        .await;
    let actors = data["case"]["actors"].as_array().unwrap();
    assert_eq!(
        actors
            .iter()
            .map(|a| a["slug"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["huayu-nongke", "beijing-deqingyuan", "wens-group"]
    );
    assert!(actors
        .iter()
        .all(|a| a["kind"] == "COMPANY" && a["case"]["slug"] == "fengdu-one-chicken"));
    let query = "query($q: String!) { search(query: $q) { hits { kind slug } } }";
    for (typed, case) in [
        ("Wens Group", "fengdu-one-chicken"),
        ("温氏集团", "fengdu-one-chicken"),
        ("李伟", "lidu-li-wei"),
        ("Zhang Wenmo", "tianbaosi-zhang-wenmo"),
        ("太极集团", "fuling-portrait-targeting"),
    ] {
        let hits = app.data(query, json!({ "q": typed })).await["search"]["hits"].clone();
        assert!(
            hits.as_array()
                .unwrap()
                .iter()
                .take(3)
                .any(|h| h["kind"] == "CASE" && h["slug"] == case),
            "{typed}: {hits:#}"
        );
    }
}

/// Why a sentence of the paper is in no citation (`tests/fidelity/uncited.yaml`): a closed set.
#[derive(serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
enum Uncited {
    /// A heading that no citation's section label names.
    Heading,
    /// A figure's caption (the figure's values are statistics, its title their `series`).
    FigureCaption,
    /// Framing or rhetoric that states nothing a planner could use.
    RhetoricNoFact,
    /// What other authors found or argued (section 一's review of the literature).
    LiteratureReviewOfOthers,
    /// Says again what a cited passage says (`repeats` gives that passage).
    Repeats,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerEntry {
    sentence: String,
    reason: Uncited,
    /// For `repeats`: the passage, in some citation's excerpt, that says it already.
    #[serde(default)]
    repeats: Option<String>,
}

/// The characters of a sentence that no excerpt covers, leaving out punctuation and the
/// paper's reference marks (`[4]`).
fn uncovered_part(text: &str, sentence: &Range<usize>, covered: &[bool]) -> String {
    const PUNCTUATION: &str = "，。、；：！？“”‘’（）《》—～…·";
    let mut part = String::new();
    let mut in_mark = false;
    for (i, c) in text[sentence.clone()].char_indices() {
        match c {
            '[' => in_mark = true,
            ']' => in_mark = false,
            _ if in_mark || covered[sentence.start + i] => {}
            _ if c.is_ascii_punctuation() || PUNCTUATION.contains(c) => {}
            _ => part.push(c),
        }
    }
    part
}

/// Coverage: every sentence of the paper's body is in the knowledge base's citations, or the
/// reviewed ledger says why it need not be. A sentence is covered when the excerpts (of every
/// kind of entry, together) hold all of it but its punctuation and reference marks, so every
/// clause and every item of a named list is cited; a heading is covered when a citation's
/// section label names it. The ledger may list only sentences of the paper that are not
/// covered, so it cannot go stale.
#[test]
fn every_sentence_of_the_paper_is_cited_or_excused() {
    let kb = KnowledgeBase::bundled().unwrap();
    let sections = Sections::of_paper();
    let text = &sections.text;
    let citations: Vec<&kb::CitationEntry> = citation_lists(&kb)
        .into_iter()
        .flat_map(|(_, list)| list.iter())
        .collect();
    let excerpts: HashSet<String> = citations
        .iter()
        .map(|c| c.excerpt.zh.split_whitespace().collect())
        .collect();
    let mut covered = vec![false; text.len()];
    for excerpt in &excerpts {
        for (at, _) in text.match_indices(excerpt.as_str()) {
            covered[at..at + excerpt.len()].fill(true);
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity/uncited.yaml");
    let ledger: Vec<LedgerEntry> =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();

    let sentences = sections.sentences();
    assert!(sentences.len() > 150, "the body must be read whole");
    let mut faults = Vec::new();
    let mut uncited: BTreeMap<&str, String> = BTreeMap::new();
    for sentence in &sentences {
        let left = uncovered_part(text, sentence, &covered);
        let is_covered = if sections.headings.contains(sentence) {
            citations
                .iter()
                .any(|c| c.section.zh.contains(&text[sentence.clone()]))
        } else {
            left.is_empty()
        };
        if !is_covered {
            uncited.insert(&text[sentence.clone()], left);
        }
    }
    let mut listed = HashSet::new();
    let mut reasons: BTreeMap<Uncited, usize> = BTreeMap::new();
    for entry in &ledger {
        let sentence: String = entry.sentence.split_whitespace().collect();
        if !listed.insert(sentence.clone()) {
            faults.push(format!("the ledger lists twice: {sentence}"));
        }
        *reasons.entry(entry.reason).or_default() += 1;
        let at = sentences.iter().find(|s| text[(*s).clone()] == sentence);
        match at {
            None => faults.push(format!(
                "the ledger lists what is not a sentence of the paper: {sentence}"
            )),
            Some(_) if !uncited.contains_key(sentence.as_str()) => faults.push(format!(
                "the ledger lists a sentence the citations cover: {sentence}"
            )),
            Some(range) => {
                let fits = (entry.reason == Uncited::Repeats) == entry.repeats.is_some()
                    && match entry.reason {
                        Uncited::Heading => sections.headings.contains(range),
                        // The caption's title is the `series` of its figure's statistics.
                        Uncited::FigureCaption => {
                            let title = sentence
                                .trim_start_matches(|c: char| c == '图' || c.is_ascii_digit());
                            sections.captions.contains(range)
                                && kb.statistics.iter().any(|s| {
                                    s.series.as_ref().is_some_and(|series| series.zh == title)
                                })
                        }
                        Uncited::Repeats => entry.repeats.as_ref().is_some_and(|passage| {
                            let passage: String = passage.split_whitespace().collect();
                            passage.chars().count() >= 4
                                && excerpts.iter().any(|e| e.contains(&passage))
                        }),
                        Uncited::RhetoricNoFact | Uncited::LiteratureReviewOfOthers => true,
                    };
                if !fits {
                    faults.push(format!(
                        "the ledger's reason {:?} does not fit (a heading, a caption, or `repeats` naming a passage some excerpt holds): {sentence}",
                        entry.reason
                    ));
                }
            }
        }
    }
    for (sentence, left) in &uncited {
        if !listed.contains(*sentence) {
            faults.push(format!(
                "not in the knowledge base: {sentence}\n    left out: {left}"
            ));
        }
    }
    println!(
        "{} sentences in the body, {} covered, {} excused: {reasons:?}",
        sentences.len(),
        sentences.len() - uncited.len(),
        uncited.len()
    );
    assert!(
        faults.is_empty(),
        "{}\n{} faults",
        faults.join("\n"),
        faults.len()
    );
}

/// A database written when glossary terms' citations and aliases called their owner
/// `glossary-term` reads the same after the migration that gives each kind one name.
#[tokio::test]
async fn the_kind_name_migration_keeps_glossary_citations_and_aliases() {
    use migrations::{Migrator, MigratorTrait};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    kb::seed_bundled(&db).await.unwrap();
    let original = kb::dump(&db).await.unwrap();
    let glossary_citations = || {
        entities::citations::Entity::find()
            .filter(entities::citations::Column::EntityType.eq("glossary"))
            .all(&db)
    };
    let named = glossary_citations().await.unwrap();
    assert!(!named.is_empty(), "the bundled glossary cites the paper");
    assert!(named.iter().all(|c| c.slug.starts_with("glossary-")));

    // Back to the old names, as an older release wrote them, and forward again.
    Migrator::down(&db, Some(1)).await.unwrap();
    assert!(glossary_citations().await.unwrap().is_empty());
    let old = entities::citations::Entity::find()
        .filter(entities::citations::Column::EntityType.eq("glossary-term"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(old.len(), named.len());
    assert!(old.iter().all(|c| c.slug.starts_with("glossary-term-")));
    Migrator::up(&db, None).await.unwrap();

    assert_eq!(glossary_citations().await.unwrap(), named);
    assert_eq!(kb::dump(&db).await.unwrap(), original);
}

/// A load writes its rows in batches, under ids it hands out itself: they must come after every
/// id the table has given (a deleted record's too: an undo restores it under that id), a load
/// larger than one batch must keep every row and link, and the database's own ids must go on
/// after the load's (PostgreSQL's sequence is not moved by explicit ids).
async fn a_batched_load_takes_ids_after_every_id_ever_given(backend: Backend) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

    let app = TestApp::spawn(&backend).await;
    let bundled = KnowledgeBase::bundled().unwrap();
    let case = |slug: &str| {
        let mut entry = kb::synthetic::cases(&bundled, 1).cases.remove(0);
        entry.slug = slug.to_string();
        kb::Record::Case(entry)
    };
    let write = |record: kb::Record| {
        let db = app.db.clone();
        async move {
            let txn = policy_kb::db::begin_write(&db).await.unwrap();
            let id = kb::write_record(&txn, &record, kb::Target::New)
                .await
                .unwrap();
            txn.commit().await.unwrap();
            id
        }
    };
    let deleted = write(case("deleted-before-the-load")).await;
    let txn = policy_kb::db::begin_write(&app.db).await.unwrap();
    kb::delete_record(&txn, policy_kb::domain::EntryKind::Case, deleted)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    // 3,000 cases with their citations and links: more rows than one batch holds.
    let generated = kb::synthetic::cases(&bundled, 3_000);
    let txn = policy_kb::db::begin_write(&app.db).await.unwrap();
    let report = kb::load(
        &txn,
        generated.clone(),
        &kb::FileNames::default(),
        &mut |_| (),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!((report.cases, report.citations), (3_000, 3_000));

    let ids: Vec<i32> = entities::cases::Entity::find()
        .select_only()
        .column(entities::cases::Column::Id)
        .filter(entities::cases::Column::Slug.starts_with("synthetic-case-"))
        .into_tuple()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(ids.len(), 3_000);
    assert!(ids.iter().all(|&id| id > deleted), "an id was given twice");
    let loaded: BTreeMap<String, Vec<String>> = kb::dump(&app.db)
        .await
        .unwrap()
        .cases
        .into_iter()
        .filter(|entry| entry.slug.starts_with("synthetic-case-"))
        .map(|entry| {
            let measures = entry
                .measures
                .iter()
                .map(|l| l.slug().to_string())
                .collect();
            (entry.slug, measures)
        })
        .collect();
    let expected: BTreeMap<String, Vec<String>> = generated
        .cases
        .iter()
        .map(|entry| {
            let mut measures: Vec<String> = entry
                .measures
                .iter()
                .map(|l| l.slug().to_string())
                .collect();
            measures.sort_by_key(|slug| bundled.measures.iter().position(|m| &m.slug == slug));
            (entry.slug.clone(), measures)
        })
        .collect();
    assert_eq!(loaded, expected);

    let after = write(case("created-after-the-load")).await;
    assert!(after > *ids.iter().max().unwrap());
}

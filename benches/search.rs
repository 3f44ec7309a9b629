//! In-process search benchmarks: query latency on the bundled knowledge base and on 100,000
//! generated records, and indexing throughput. Run with `cargo bench --bench search`;
//! results are kept in docs/benchmarks.md.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use policy_kb::kb::{self, synthetic, KnowledgeBase};
use policy_kb::search::{
    from_database, tokenizer, Scope, SearchDocument, SearchEngine, SearchRequest, UserQuery,
};
use policy_kb::settings::StorageSettings;

const QUERIES: [&str; 5] = [
    "饮水",
    "养鸡",
    "因病致贫 辍学",
    "farmers wait for handouts",
    "\"一只鸡\" -丰都",
];

/// The searchable documents of the bundled knowledge base plus `generated` synthetic cases.
fn documents(generated: usize) -> Vec<SearchDocument> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let db = policy_kb::startup::prepare_database(&StorageSettings::new(dir.path(), None))
            .await
            .unwrap();
        if generated > 0 {
            let corpus = synthetic::cases(&KnowledgeBase::bundled().unwrap(), generated);
            let txn = policy_kb::db::begin_write(&db).await.unwrap();
            kb::load(&txn, corpus, &kb::FileNames::default(), &mut |_| ())
                .await
                .unwrap();
            txn.commit().await.unwrap();
        }
        let graph = policy_kb::graph::Graph::load(&db).await.unwrap();
        from_database(&db, &graph).await.unwrap()
    })
}

fn engine(docs: &[SearchDocument]) -> SearchEngine {
    let engine = SearchEngine::in_memory(tokenizer::jieba()).unwrap();
    engine
        .rebuild(docs.iter().cloned(), 1, &mut |_| ())
        .unwrap();
    engine
}

/// A search as the API runs it when the client asks for everything (facets, highlights).
fn request(text: &str) -> SearchRequest {
    SearchRequest {
        query: UserQuery::parse(text).unwrap(),
        kinds: Vec::new(),
        facets: BTreeMap::new(),
        limit: 10,
        offset: 0,
        without_facets: false,
        without_highlights: false,
        scope: Scope::Everything,
    }
}

fn queries(c: &mut Criterion) {
    for (name, generated) in [("bundled", 0), ("100k", 100_000)] {
        let docs = documents(generated);
        let started = Instant::now();
        let engine = Arc::new(engine(&docs));
        eprintln!(
            "{name}: indexed {} documents in {:.1?}",
            docs.len(),
            started.elapsed()
        );
        let mut group = c.benchmark_group(format!("query/{name}"));
        group.measurement_time(Duration::from_secs(5));
        for text in QUERIES {
            let full = request(text);
            group.bench_with_input(BenchmarkId::new("full", text), &full, |b, request| {
                b.iter(|| engine.search(request).unwrap())
            });
            let lean = SearchRequest {
                without_facets: true,
                without_highlights: true,
                ..full
            };
            group.bench_with_input(BenchmarkId::new("hits only", text), &lean, |b, request| {
                b.iter(|| engine.search(request).unwrap())
            });
        }
        group.finish();
    }
}

fn indexing(c: &mut Criterion) {
    let docs = documents(10_000);
    let mut group = c.benchmark_group("index");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(docs.len() as u64));
    let jieba = tokenizer::jieba();
    group.bench_function(format!("{} documents", docs.len()), |b| {
        b.iter(|| {
            let engine = SearchEngine::in_memory(jieba.clone()).unwrap();
            engine.rebuild(docs.clone(), 1, &mut |_| ()).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, queries, indexing);
criterion_main!(benches);

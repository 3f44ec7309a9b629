//! The one schema of the index.

use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};

use super::tokenizer::{CJK, EN, ZH};

/// Bump when the schema, a tokenizer or what documents hold changes: an index of another version
/// is rebuilt.
pub const SCHEMA_VERSION: u32 = 8;

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `kind:id`, unique per record: what an update deletes by.
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    pub slug: Field,
    pub title_zh: Field,
    pub title_en: Field,
    pub summary_zh: Field,
    pub summary_en: Field,
    pub body_zh: Field,
    pub body_en: Field,
    /// Other names of the record (aliases, a glossary term's pinyin), weighted like the title.
    pub aliases_zh: Field,
    pub aliases_en: Field,
    /// Every name of the record whole, as `normalise::name_key` gives it: a query that is
    /// exactly one of them finds the record first.
    pub names: Field,
    /// All Chinese text of the record, by character and character pair. Not stored: it is the
    /// other Chinese fields joined (`character_text`), and storing it twice made every hit's
    /// document half as large again to read.
    pub chars: Field,
    /// `/kind/..`, `/strategy/..`, `/dimension/..`, `/cause/..`, `/region/..`.
    pub facets: Field,
    /// The keys of the records the document was built from: which documents a change touches.
    pub deps: Field,
}

fn text(tokenizer: &str) -> TextOptions {
    indexed(tokenizer).set_stored()
}

fn indexed(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The text of the `chars` field: a record's Chinese title, aliases, summary and body, joined.
pub fn character_text(title: &str, aliases: &str, summary: &str, body: &str) -> String {
    [title, aliases, summary, body].join("\n")
}

pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        id: builder.add_u64_field("id", STORED),
        slug: builder.add_text_field("slug", STRING | STORED),
        title_zh: builder.add_text_field("title_zh", text(ZH)),
        title_en: builder.add_text_field("title_en", text(EN)),
        summary_zh: builder.add_text_field("summary_zh", text(ZH)),
        summary_en: builder.add_text_field("summary_en", text(EN)),
        body_zh: builder.add_text_field("body_zh", text(ZH)),
        body_en: builder.add_text_field("body_en", text(EN)),
        aliases_zh: builder.add_text_field("aliases_zh", text(ZH)),
        aliases_en: builder.add_text_field("aliases_en", text(EN)),
        names: builder.add_text_field("names", STRING),
        chars: builder.add_text_field("chars", indexed(CJK)),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
        deps: builder.add_text_field("deps", STRING),
    };
    (builder.build(), fields)
}

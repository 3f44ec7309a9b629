//! The root Mutation: editing records. Every field needs `Authorization: Bearer <token>`; the
//! input objects mirror the file format of `data/kb` (references by slug), and an update
//! changes only the fields it names (null clears an optional field).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ResultExt, ID};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use entities::{cases, causes, measures, regions, statistics};

use super::context::db;
use super::id::GlobalId;
use super::types::*;
use crate::auth::{Actor, Credentials};
use crate::catalog::Table;
use crate::domain::EntryKind;
use crate::domain::RecordKind;
use crate::editing::{self, LinkRequest, Relation};
use crate::error::{AppError, AppResult};
use crate::kb;
use crate::search::Search;

pub struct Mutation;

/// A text in both languages; both are required.
#[derive(InputObject, Serialize, Clone)]
pub struct TextInput {
    zh: String,
    en: String,
}

impl From<TextInput> for kb::Text {
    fn from(text: TextInput) -> kb::Text {
        kb::Text {
            zh: text.zh,
            en: text.en,
        }
    }
}

/// The passage of a source that supports a record.
#[derive(InputObject, Serialize)]
pub struct CitationInput {
    /// The source's slug; may be left out while the knowledge base has one source.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    section: TextInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    figure: Option<i32>,
    /// `zh` verbatim from the source (at most 200 characters), `en` its rendering.
    excerpt: TextInput,
}

/// Other words planners use for a record. In an update, a list given replaces that language's
/// list, a list left out stays as it is, and `aliases: null` removes them all.
#[derive(InputObject, Serialize)]
pub struct AliasesInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    zh: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    en: Option<Vec<String>>,
}

#[derive(InputObject, Serialize)]
pub struct IndicatorInput {
    slug: String,
    name: TextInput,
    value: f64,
    /// How the value relates to the quantity; `EXACT` when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    qualifier: Option<Qualifier>,
    unit: TextInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<TextInput>,
    citations: Vec<CitationInput>,
}

/// A person or organisation a case names.
#[derive(InputObject, Serialize)]
pub struct ActorInput {
    slug: String,
    kind: ActorKind,
    name: TextInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<TextInput>,
}

#[derive(InputObject, Serialize)]
pub struct CreateCaseInput {
    slug: String,
    title: TextInput,
    /// The region's slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcomes: Option<TextInput>,
    /// The people and organisations the case names.
    #[serde(skip_serializing_if = "Option::is_none")]
    actors: Option<Vec<ActorInput>>,
    /// What the case says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    outside: Option<TextInput>,
    citations: Vec<CitationInput>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateCaseInput {
    #[serde(skip)]
    id: ID,
    /// The version you read; a newer one makes this a `CONFLICT`.
    #[serde(skip)]
    version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    region: MaybeUndefined<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    year: MaybeUndefined<i32>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    summary: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    actions: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    outcomes: MaybeUndefined<TextInput>,
    /// Replaces all of the case's actors.
    #[serde(skip_serializing_if = "Option::is_none")]
    actors: Option<Vec<ActorInput>>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    outside: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    citations: Option<Vec<CitationInput>>,
}

#[derive(InputObject, Serialize)]
pub struct CreateMeasureInput {
    slug: String,
    /// The strategy prong's slug, such as `industry`.
    strategy: String,
    title: TextInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    aliases: Option<AliasesInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<TextInput>,
    /// What the record says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    outside: Option<TextInput>,
    citations: Vec<CitationInput>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateMeasureInput {
    #[serde(skip)]
    id: ID,
    #[serde(skip)]
    version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    aliases: MaybeUndefined<AliasesInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    summary: MaybeUndefined<TextInput>,
    /// What the record says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    outside: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    citations: Option<Vec<CitationInput>>,
}

#[derive(InputObject, Serialize)]
pub struct CreateCauseInput {
    slug: String,
    /// The group's slug; none for a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    name: TextInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    aliases: Option<AliasesInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<TextInput>,
    /// What the record says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    outside: Option<TextInput>,
    citations: Vec<CitationInput>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateCauseInput {
    #[serde(skip)]
    id: ID,
    #[serde(skip)]
    version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    parent: MaybeUndefined<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    aliases: MaybeUndefined<AliasesInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    summary: MaybeUndefined<TextInput>,
    /// What the record says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    outside: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    citations: Option<Vec<CitationInput>>,
}

#[derive(InputObject, Serialize)]
pub struct CreateStatisticInput {
    slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    figure: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<TextInput>,
    label: TextInput,
    value: f64,
    /// How the value relates to the quantity; `EXACT` when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    qualifier: Option<Qualifier>,
    unit: TextInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    respondent: Option<RespondentGroup>,
    /// The question asked, as the source reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    question: Option<TextInput>,
    /// Whether a respondent could give several answers; leave out when the source does not tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    multiple_answers: Option<bool>,
    /// Who the value is a share of, when the source says.
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample: Option<i32>,
    /// The cause's slug; a statistic is evidence for a cause or a dimension.
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimension: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    /// What the record says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    outside: Option<TextInput>,
    citations: Vec<CitationInput>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateStatisticInput {
    #[serde(skip)]
    id: ID,
    #[serde(skip)]
    version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    figure: MaybeUndefined<i32>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    series: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qualifier: Option<Qualifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    respondent: MaybeUndefined<RespondentGroup>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    question: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    multiple_answers: MaybeUndefined<bool>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    base: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    sample: MaybeUndefined<i32>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    cause: MaybeUndefined<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    dimension: MaybeUndefined<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    region: MaybeUndefined<String>,
    /// What the record says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    outside: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    citations: Option<Vec<CitationInput>>,
}

#[derive(InputObject, Serialize)]
pub struct CreateRegionInput {
    slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    /// `municipality`, `district`, `county`, `township`, `village`...
    level: String,
    name: TextInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    zone: Option<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    indicators: Option<Vec<IndicatorInput>>,
    /// What the region says that the source does not, and where that comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    outside: Option<TextInput>,
    citations: Vec<CitationInput>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateRegionInput {
    #[serde(skip)]
    id: ID,
    #[serde(skip)]
    version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    parent: MaybeUndefined<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    zone: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    summary: MaybeUndefined<TextInput>,
    /// Replaces all of the region's indicators.
    #[serde(skip_serializing_if = "Option::is_none")]
    indicators: Option<Vec<IndicatorInput>>,
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    outside: MaybeUndefined<TextInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    citations: Option<Vec<CitationInput>>,
}

#[derive(InputObject)]
pub struct DeleteInput {
    id: ID,
    /// The version you read; a newer one makes this a `CONFLICT`.
    version: i32,
    /// Also remove every link to the record from other records (each gets a revision);
    /// without it, a record others link to is not deleted (`CONFLICT` naming them).
    #[graphql(default = false)]
    cascade: bool,
}

#[derive(InputObject)]
pub struct MeasureCauseInput {
    measure: ID,
    cause: ID,
    /// Why the measure answers the cause (ignored by unlink).
    rationale: Option<TextInput>,
    /// For a link the source states: the position (from 0) of the owner's citation that
    /// states it (ignored by unlink). Give this or `rationale`.
    citation: Option<i32>,
    /// The measure's version, to refuse the change if the measure changed since you read it.
    version: Option<i32>,
}

#[derive(InputObject)]
pub struct CaseMeasureInput {
    case: ID,
    measure: ID,
    /// How the case applies the measure (ignored by unlink).
    rationale: Option<TextInput>,
    /// For a link the source states: the position (from 0) of the owner's citation that
    /// states it (ignored by unlink). Give this or `rationale`.
    citation: Option<i32>,
    /// The case's version, to refuse the change if the case changed since you read it.
    version: Option<i32>,
}

#[derive(InputObject)]
pub struct CauseDimensionInput {
    cause: ID,
    dimension: ID,
    /// How the cause feeds this kind of poverty (ignored by unlink).
    rationale: Option<TextInput>,
    /// For a link the source states: the position (from 0) of the owner's citation that
    /// states it (ignored by unlink). Give this or `rationale`.
    citation: Option<i32>,
    /// The cause's version, to refuse the change if the cause changed since you read it.
    version: Option<i32>,
}

#[derive(InputObject)]
pub struct StatisticCauseInput {
    statistic: ID,
    cause: ID,
    /// Why the statistic is evidence for the cause, when the source implies it (ignored by
    /// unlink).
    rationale: Option<TextInput>,
    /// The position (from 0) of the statistic's citation that states the link (ignored by
    /// unlink).
    citation: Option<i32>,
    /// The statistic's version, to refuse the change if it changed since you read it.
    version: Option<i32>,
}

/// The database id in a global ID that must be of `kind`.
fn id_of(raw: &ID, kind: RecordKind, field: &str) -> AppResult<i32> {
    let id = GlobalId::decode(raw).map_err(|err| AppError::bad_field(field, err.to_string()))?;
    if id.kind != kind {
        return Err(AppError::bad_field(
            field,
            format!("expected the ID of a {}", kind.type_name()),
        ));
    }
    Ok(id.id)
}

/// The database and the actor behind the request's token (`UNAUTHENTICATED` without one).
async fn editor<'a>(ctx: &Context<'a>) -> Result<(&'a DatabaseConnection, Actor)> {
    let db = db(ctx);
    let credentials = ctx.data_opt::<Credentials>().cloned().unwrap_or_default();
    let actor = credentials.authenticate(db).await.extend()?;
    Ok((db, actor))
}

/// Wakes this process's indexer and change feed, so the edit is searchable and its
/// subscribers hear of it at once.
fn edited(ctx: &Context<'_>) {
    if let Some(search) = ctx.data_opt::<Search>() {
        search.wake();
    }
    if let Some(feed) = ctx.data_opt::<crate::feed::Feed>() {
        feed.wake();
    }
}

fn json(input: &impl Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(input)
        .map_err(AppError::internal)
        .extend()
}

async fn create<E: Table, T: From<E::Model>>(
    ctx: &Context<'_>,
    kind: EntryKind,
    input: &impl Serialize,
) -> Result<T> {
    let (db, actor) = editor(ctx).await?;
    let row = editing::create::<E>(db, &actor, kind, json(input)?)
        .await
        .extend()?;
    edited(ctx);
    Ok(T::from(row))
}

async fn update<E: Table, T: From<E::Model>>(
    ctx: &Context<'_>,
    kind: EntryKind,
    id: &ID,
    version: i32,
    input: &impl Serialize,
) -> Result<T> {
    let (db, actor) = editor(ctx).await?;
    let id = id_of(id, kind.into(), "input.id").extend()?;
    let row = editing::update::<E>(db, &actor, kind, id, version, json(input)?)
        .await
        .extend()?;
    edited(ctx);
    Ok(T::from(row))
}

async fn delete(ctx: &Context<'_>, kind: EntryKind, input: DeleteInput) -> Result<ID> {
    let (db, actor) = editor(ctx).await?;
    let id = id_of(&input.id, kind.into(), "input.id").extend()?;
    editing::delete(db, &actor, kind, id, input.version, input.cascade)
        .await
        .extend()?;
    edited(ctx);
    Ok(input.id)
}

/// A link or unlink as the client sent it: the two ends (with the input field naming each),
/// the rationale and the owner's version.
struct LinkArgs {
    relation: Relation,
    owner: (ID, &'static str),
    target: (ID, &'static str),
    rationale: Option<TextInput>,
    citation: Option<i32>,
    version: Option<i32>,
}

impl From<MeasureCauseInput> for LinkArgs {
    fn from(input: MeasureCauseInput) -> LinkArgs {
        LinkArgs {
            relation: Relation::MeasureCause,
            owner: (input.measure, "input.measure"),
            target: (input.cause, "input.cause"),
            rationale: input.rationale,
            citation: input.citation,
            version: input.version,
        }
    }
}

impl From<CaseMeasureInput> for LinkArgs {
    fn from(input: CaseMeasureInput) -> LinkArgs {
        LinkArgs {
            relation: Relation::CaseMeasure,
            owner: (input.case, "input.case"),
            target: (input.measure, "input.measure"),
            rationale: input.rationale,
            citation: input.citation,
            version: input.version,
        }
    }
}

impl From<CauseDimensionInput> for LinkArgs {
    fn from(input: CauseDimensionInput) -> LinkArgs {
        LinkArgs {
            relation: Relation::CauseDimension,
            owner: (input.cause, "input.cause"),
            target: (input.dimension, "input.dimension"),
            rationale: input.rationale,
            citation: input.citation,
            version: input.version,
        }
    }
}

impl From<StatisticCauseInput> for LinkArgs {
    fn from(input: StatisticCauseInput) -> LinkArgs {
        LinkArgs {
            relation: Relation::StatisticCause,
            owner: (input.statistic, "input.statistic"),
            target: (input.cause, "input.cause"),
            rationale: input.rationale,
            citation: input.citation,
            version: input.version,
        }
    }
}

/// Links or unlinks; returns the owner of the link.
async fn relink<E: Table, T: From<E::Model>>(
    ctx: &Context<'_>,
    args: LinkArgs,
    linked: bool,
) -> Result<T> {
    let (db, actor) = editor(ctx).await?;
    let (owner_kind, target_kind) = args.relation.ends();
    let request = LinkRequest {
        relation: args.relation,
        owner: id_of(&args.owner.0, owner_kind.into(), args.owner.1).extend()?,
        target: id_of(&args.target.0, target_kind.into(), args.target.1).extend()?,
        rationale: args.rationale.filter(|_| linked).map(kb::Text::from),
        citation: args.citation.filter(|_| linked),
        version: args.version,
    };
    let row = if linked {
        editing::link::<E>(db, &actor, request).await
    } else {
        editing::unlink::<E>(db, &actor, request).await
    }
    .extend()?;
    edited(ctx);
    Ok(T::from(row))
}

/// Edits of the knowledge base. Each needs a token with the editor role (`revert`: admin),
/// runs in one transaction with a revision and a change-log entry, and is searchable on every
/// replica within a second.
#[Object]
impl Mutation {
    async fn create_case(&self, ctx: &Context<'_>, input: CreateCaseInput) -> Result<Case> {
        create::<cases::Entity, _>(ctx, EntryKind::Case, &input).await
    }
    async fn update_case(&self, ctx: &Context<'_>, input: UpdateCaseInput) -> Result<Case> {
        update::<cases::Entity, _>(ctx, EntryKind::Case, &input.id, input.version, &input).await
    }
    /// Deletes a case with its citations and measure links; returns its ID.
    async fn delete_case(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<ID> {
        delete(ctx, EntryKind::Case, input).await
    }

    async fn create_measure(
        &self,
        ctx: &Context<'_>,
        input: CreateMeasureInput,
    ) -> Result<Measure> {
        create::<measures::Entity, _>(ctx, EntryKind::Measure, &input).await
    }
    async fn update_measure(
        &self,
        ctx: &Context<'_>,
        input: UpdateMeasureInput,
    ) -> Result<Measure> {
        update::<measures::Entity, _>(ctx, EntryKind::Measure, &input.id, input.version, &input)
            .await
    }
    async fn delete_measure(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<ID> {
        delete(ctx, EntryKind::Measure, input).await
    }

    async fn create_cause(&self, ctx: &Context<'_>, input: CreateCauseInput) -> Result<Cause> {
        create::<causes::Entity, _>(ctx, EntryKind::Cause, &input).await
    }
    async fn update_cause(&self, ctx: &Context<'_>, input: UpdateCauseInput) -> Result<Cause> {
        update::<causes::Entity, _>(ctx, EntryKind::Cause, &input.id, input.version, &input).await
    }
    async fn delete_cause(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<ID> {
        delete(ctx, EntryKind::Cause, input).await
    }

    async fn create_statistic(
        &self,
        ctx: &Context<'_>,
        input: CreateStatisticInput,
    ) -> Result<Statistic> {
        create::<statistics::Entity, _>(ctx, EntryKind::Statistic, &input).await
    }
    async fn update_statistic(
        &self,
        ctx: &Context<'_>,
        input: UpdateStatisticInput,
    ) -> Result<Statistic> {
        update::<statistics::Entity, _>(ctx, EntryKind::Statistic, &input.id, input.version, &input)
            .await
    }
    async fn delete_statistic(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<ID> {
        delete(ctx, EntryKind::Statistic, input).await
    }

    async fn create_region(&self, ctx: &Context<'_>, input: CreateRegionInput) -> Result<Region> {
        create::<regions::Entity, _>(ctx, EntryKind::Region, &input).await
    }
    async fn update_region(&self, ctx: &Context<'_>, input: UpdateRegionInput) -> Result<Region> {
        update::<regions::Entity, _>(ctx, EntryKind::Region, &input.id, input.version, &input).await
    }
    async fn delete_region(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<ID> {
        delete(ctx, EntryKind::Region, input).await
    }

    /// Links a measure to a cause it answers (or replaces the link's rationale).
    async fn link_measure_cause(
        &self,
        ctx: &Context<'_>,
        input: MeasureCauseInput,
    ) -> Result<Measure> {
        relink::<measures::Entity, _>(ctx, input.into(), true).await
    }
    async fn unlink_measure_cause(
        &self,
        ctx: &Context<'_>,
        input: MeasureCauseInput,
    ) -> Result<Measure> {
        relink::<measures::Entity, _>(ctx, input.into(), false).await
    }
    /// Links a case to a measure it applies (or replaces the link's rationale).
    async fn link_case_measure(&self, ctx: &Context<'_>, input: CaseMeasureInput) -> Result<Case> {
        relink::<cases::Entity, _>(ctx, input.into(), true).await
    }
    async fn unlink_case_measure(
        &self,
        ctx: &Context<'_>,
        input: CaseMeasureInput,
    ) -> Result<Case> {
        relink::<cases::Entity, _>(ctx, input.into(), false).await
    }
    /// Links a cause to a kind of poverty it feeds (or replaces the link's rationale).
    async fn link_cause_dimension(
        &self,
        ctx: &Context<'_>,
        input: CauseDimensionInput,
    ) -> Result<Cause> {
        relink::<causes::Entity, _>(ctx, input.into(), true).await
    }
    async fn unlink_cause_dimension(
        &self,
        ctx: &Context<'_>,
        input: CauseDimensionInput,
    ) -> Result<Cause> {
        relink::<causes::Entity, _>(ctx, input.into(), false).await
    }
    /// Makes a statistic evidence for a cause (replacing the cause it had).
    async fn link_statistic_cause(
        &self,
        ctx: &Context<'_>,
        input: StatisticCauseInput,
    ) -> Result<Statistic> {
        relink::<statistics::Entity, _>(ctx, input.into(), true).await
    }
    /// Removes a statistic's cause (refused if it would then be evidence for nothing).
    async fn unlink_statistic_cause(
        &self,
        ctx: &Context<'_>,
        input: StatisticCauseInput,
    ) -> Result<Statistic> {
        relink::<statistics::Entity, _>(ctx, input.into(), false).await
    }

    /// Puts a record back as it was before a revision (admin only); the undoing is itself a
    /// revision. `CONFLICT` if the record changed since: revert newer revisions first.
    async fn revert(&self, ctx: &Context<'_>, revision: ID) -> Result<Revision> {
        let (db, actor) = editor(ctx).await?;
        let id = id_of(&revision, RecordKind::Revision, "revision").extend()?;
        let reverted = editing::revert(db, &actor, id).await.extend()?;
        edited(ctx);
        Ok(Revision(reverted))
    }
}

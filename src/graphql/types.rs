//! The GraphQL object types: thin wrappers over entity rows whose relations all go through
//! the request's DataLoader.

use async_graphql::{
    Context, Enum, InputValueError, InputValueResult, Interface, Object, Result, ResultExt, Scalar,
    ScalarType, SimpleObject, Value, ID,
};
use sea_orm::EntityTrait;

use entities::{
    actors, cases, causes, citations, dimensions, glossary_terms, indicators, measures, regions,
    revisions, sources, statistics, strategies,
};

use super::connection::{connection, connection_cost, page_request, KbConnection, RecordOrder};
use super::context::db;
use super::id::GlobalId;
use super::loaders::{loader, AliasesOf, ById, ChildrenOf, CitationsOf, LinkedTo, LinksOf};
use crate::catalog;
use crate::catalog::tables::*;
use crate::domain::RecordKind;
use crate::domain::Respondent;

/// A human-readable text in Chinese (the source language) and English.
#[derive(SimpleObject, Clone, Debug)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    fn of(zh: &str, en: &str) -> Text {
        Text {
            zh: zh.to_string(),
            en: en.to_string(),
        }
    }

    /// An optional text is present only when both languages are.
    fn maybe(zh: &Option<String>, en: &Option<String>) -> Option<Text> {
        match (zh, en) {
            (Some(zh), Some(en)) => Some(Text::of(zh, en)),
            _ => None,
        }
    }
}

/// The words planners use for a record besides its name, per language: colloquial and official
/// Chinese, English synonyms and abbreviations. Search and recommendations read them like the
/// name.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct Aliases {
    pub zh: Vec<String>,
    pub en: Vec<String>,
}

async fn aliases<E: Table>(ctx: &Context<'_>, id: i32) -> Result<Aliases> {
    let list = loader(ctx)
        .load_one(AliasesOf::new::<E>(id))
        .await?
        .unwrap_or_default();
    Ok(Aliases {
        zh: list.zh,
        en: list.en,
    })
}

/// A point in time, ISO 8601 (RFC 3339) in UTC with milliseconds, such as
/// `2026-11-29T08:30:00.000Z`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTime(pub String);

#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map(|time| DateTime(crate::domain::timestamp(time.with_timezone(&chrono::Utc))))
                .map_err(|_| InputValueError::custom("expected an RFC 3339 date and time")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// Which side of the survey a figure comes from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RespondentGroup {
    /// The helpers: district poverty-alleviation staff, township and village cadres.
    Helpers,
    /// The poor households themselves.
    PoorHouseholds,
}

impl From<Respondent> for RespondentGroup {
    fn from(respondent: Respondent) -> Self {
        match respondent {
            Respondent::Helpers => RespondentGroup::Helpers,
            Respondent::PoorHouseholds => RespondentGroup::PoorHouseholds,
        }
    }
}

/// How a number relates to the quantity it stands for, as the source words it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[graphql(remote = "entities::qualifier::Qualifier")]
pub enum Qualifier {
    /// The number as the source gives it.
    Exact,
    /// About (约, 近).
    About,
    /// More than (余, 多, 上万).
    MoreThan,
    /// Less than (不足).
    LessThan,
    /// At most (以内, 最多).
    AtMost,
    /// At least (以上, 至少).
    AtLeast,
}

/// What kind of actor a case names.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[graphql(remote = "entities::actors::ActorKind")]
pub enum ActorKind {
    /// A person: a cadre, a villager.
    Person,
    /// A company.
    Company,
    /// Any other organisation: an association, an aid group.
    Organisation,
}

/// A person or organisation a model case names.
#[Object]
impl Actor {
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn kind(&self) -> ActorKind {
        self.0.kind.into()
    }
    /// As the source names it (`zh`), and its English rendering.
    async fn name(&self) -> Text {
        Text::of(&self.0.name_zh, &self.0.name_en)
    }
    /// What the actor is or did in the case, as the source says.
    async fn role(&self) -> Option<Text> {
        Text::maybe(&self.0.role_zh, &self.0.role_en)
    }
    /// The case that names the actor (its citations are the actor's).
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        one::<cases::Entity, _>(ctx, Some(self.0.case_id)).await
    }
}

/// Whether the source says a link or the knowledge base reads it from the source.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvenanceKind {
    /// The source states it.
    Stated,
    /// The source implies it; `rationale` says why.
    Inferred,
}

/// How the source supports a link between two records.
pub struct Provenance {
    /// The citations of the link's owner (the record the link is written in).
    owner: CitationsOf,
    link: LinkProvenance,
}

impl Provenance {
    pub fn new(owner_kind: RecordKind, owner_id: i32, link: LinkProvenance) -> Provenance {
        Provenance {
            owner: CitationsOf(owner_kind, owner_id),
            link,
        }
    }
}

#[Object]
impl Provenance {
    async fn kind(&self) -> ProvenanceKind {
        if self.link.is_stated() {
            ProvenanceKind::Stated
        } else {
            ProvenanceKind::Inferred
        }
    }
    /// The passage that states the link: one of the owner's citations. Null for an inferred
    /// link, and for a stated link whose owner's citations as a whole state it.
    async fn citation(&self, ctx: &Context<'_>) -> Result<Option<Citation>> {
        let Some(position) = self.link.citation.and_then(|n| usize::try_from(n).ok()) else {
            return Ok(None);
        };
        let rows = loader(ctx).load_one(self.owner).await?.unwrap_or_default();
        Ok(rows.into_iter().nth(position).map(Citation))
    }
    /// Why the link holds, for a link the source implies without saying so.
    async fn rationale(&self) -> Option<Text> {
        self.link
            .rationale
            .as_ref()
            .map(|(zh, en)| Text::of(zh, en))
    }
}

/// A linked record and how the source supports the link.
#[derive(SimpleObject)]
#[graphql(concrete(name = "CauseLink", params(Cause)))]
#[graphql(concrete(name = "MeasureLink", params(Measure)))]
#[graphql(concrete(name = "DimensionLink", params(Dimension)))]
pub struct LinkTo<T: async_graphql::OutputType> {
    target: T,
    provenance: Provenance,
}

/// The links of the row `id` of table `E` along `L`, with their provenance.
async fn links<E: Table, L: Linked, T>(ctx: &Context<'_>, id: i32) -> Result<Vec<LinkTo<T>>>
where
    T: From<<L::Target as EntityTrait>::Model> + async_graphql::OutputType,
    <L::Target as EntityTrait>::Model: Sync,
{
    let rows = loader(ctx)
        .load_one(LinksOf::<L>::new(id))
        .await?
        .unwrap_or_default();
    Ok(rows
        .into_iter()
        .take(LIST_LIMIT)
        .map(|(row, link)| LinkTo {
            target: T::from(row),
            provenance: Provenance::new(E::KIND, id, link),
        })
        .collect())
}

/// Every record of the knowledge base, reachable by its opaque global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Source(Source),
    Region(Region),
    Indicator(Indicator),
    Dimension(Dimension),
    Cause(Cause),
    Strategy(Strategy),
    Measure(Measure),
    Case(Case),
    Statistic(Statistic),
    Citation(Citation),
    GlossaryTerm(GlossaryTerm),
    Revision(Revision),
}

async fn one<E: Table, T: From<E::Model>>(ctx: &Context<'_>, id: Option<i32>) -> Result<Option<T>>
where
    E::Model: Sync,
{
    match id {
        Some(id) => Ok(loader(ctx).load_one(ById::<E>::new(id)).await?.map(T::from)),
        None => Ok(None),
    }
}

async fn children<R: HasMany, T: From<<R::Child as EntityTrait>::Model>>(
    ctx: &Context<'_>,
    id: i32,
) -> Result<Vec<T>>
where
    <R::Child as EntityTrait>::Model: Sync,
{
    let rows = loader(ctx)
        .load_one(ChildrenOf::<R>::new(id))
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().take(LIST_LIMIT).map(T::from).collect())
}

async fn linked<L: Linked, T: From<<L::Target as EntityTrait>::Model>>(
    ctx: &Context<'_>,
    id: i32,
) -> Result<Vec<T>>
where
    <L::Target as EntityTrait>::Model: Sync,
{
    let rows = loader(ctx)
        .load_one(LinkedTo::<L>::new(id))
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().take(LIST_LIMIT).map(T::from).collect())
}

/// Most items a plain relation list returns (in id order): a relation that can grow large
/// (the cases of a measure or a region) also has a connection that pages through all of it.
pub const LIST_LIMIT: usize = 100;

async fn cited<E: Table>(ctx: &Context<'_>, id: i32) -> Result<Vec<Citation>> {
    let rows = loader(ctx)
        .load_one(CitationsOf::new::<E>(id))
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().map(Citation).collect())
}

macro_rules! wrappers {
    ($($name:ident($module:ident)),* $(,)?) => {$(
        pub struct $name(pub $module::Model);
        impl From<$module::Model> for $name {
            fn from(model: $module::Model) -> Self {
                $name(model)
            }
        }
    )*};
}

wrappers!(
    Source(sources),
    Region(regions),
    Indicator(indicators),
    Actor(actors),
    Dimension(dimensions),
    Cause(causes),
    Strategy(strategies),
    Measure(measures),
    Case(cases),
    Statistic(statistics),
    Citation(citations),
    GlossaryTerm(glossary_terms),
    Revision(revisions),
);

/// One edit of one record: who made it, when, and the record before and after, in the file
/// format of `data/kb` (JSON, references by slug).
#[Object]
impl Revision {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Revision, self.0.id).encode()
    }
    /// `create`, `update`, `delete`, `link`, `unlink` or `revert`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// The name of the token that made the edit.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// When, in RFC 3339 (UTC).
    async fn at(&self) -> &str {
        &self.0.at
    }
    /// When the edit was made (a revision never changes: the same as `updatedAt`).
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.at.clone())
    }
    /// The same as `createdAt`: every record type has both.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.at.clone())
    }
    /// The global ID of the edited record (which may since have been deleted).
    async fn record_id(&self) -> Option<ID> {
        crate::domain::EntryKind::parse(&self.0.entity_type)
            .ok()
            .map(|kind| GlobalId::new(kind, self.0.entity_id).encode())
    }
    /// The record before the edit; null for a create.
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(&self.0.before)
    }
    /// The record after the edit; null for a delete.
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(&self.0.after)
    }
    /// For a revert: the revision it undid.
    async fn reverts(&self) -> Option<ID> {
        self.0
            .reverts
            .map(|id| GlobalId::new(RecordKind::Revision, id).encode())
    }
}

fn json(text: &Option<String>) -> Option<async_graphql::Json<serde_json::Value>> {
    text.as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .map(async_graphql::Json)
}

/// A document that facts come from.
#[Object]
impl Source {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Source, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn title(&self) -> Text {
        Text::of(&self.0.title_zh, &self.0.title_en)
    }
    async fn authors(&self) -> Text {
        Text::of(&self.0.authors_zh, &self.0.authors_en)
    }
    async fn institution(&self) -> Text {
        Text::of(&self.0.institution_zh, &self.0.institution_en)
    }
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    /// How to cite the document.
    async fn citation(&self) -> Text {
        Text::of(&self.0.citation_zh, &self.0.citation_en)
    }
    /// What the document is and how its evidence was gathered.
    async fn summary(&self) -> Option<Text> {
        Text::maybe(&self.0.summary_zh, &self.0.summary_en)
    }
    /// The field survey behind the document, if it reports one.
    async fn survey(&self) -> Option<Survey> {
        let s = &self.0;
        Some(Survey {
            start: s.survey_start.clone()?,
            end: s.survey_end.clone()?,
            sampling: Text::maybe(&s.sampling_zh, &s.sampling_en)?,
            questionnaires_issued: s.questionnaires_issued?,
            questionnaires_returned: s.questionnaires_returned?,
            questionnaires_valid: s.questionnaires_valid?,
            valid_rate: s.valid_rate?,
        })
    }
}

/// How a source's evidence was gathered.
#[derive(SimpleObject)]
pub struct Survey {
    /// First day, `YYYY-MM-DD`.
    start: String,
    /// Last day, `YYYY-MM-DD`.
    end: String,
    /// How the surveyed places and people were chosen.
    sampling: Text,
    questionnaires_issued: i32,
    questionnaires_returned: i32,
    questionnaires_valid: i32,
    /// Valid questionnaires as a percentage of those issued.
    valid_rate: f64,
}

/// A Chinese policy term, its pinyin, and the English rendering the knowledge base uses for it.
#[Object]
impl GlossaryTerm {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::GlossaryTerm, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    /// The term as the source writes it, such as 等靠要.
    async fn term(&self) -> &str {
        &self.0.term
    }
    /// Other words planners use for it (edit them like any other field).
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Aliases> {
        aliases::<glossary_terms::Entity>(ctx, self.0.id).await
    }
    async fn pinyin(&self) -> &str {
        &self.0.pinyin
    }
    /// The rendering used throughout the English texts.
    async fn english(&self) -> &str {
        &self.0.english
    }
    async fn explanation(&self) -> Text {
        Text::of(&self.0.explanation_zh, &self.0.explanation_en)
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<glossary_terms::Entity>(ctx, self.0.id).await
    }
}

/// A province, municipality, district, county, township or village.
#[Object]
impl Region {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Region, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn name(&self) -> Text {
        Text::of(&self.0.name_zh, &self.0.name_en)
    }
    /// Administrative level: `province`, `municipality`, `district`, `county`, `township`, `subdistrict` or `village`.
    async fn level(&self) -> &str {
        &self.0.level
    }
    /// The zone the region lies in, such as eastern Chongqing.
    async fn zone(&self) -> Option<Text> {
        Text::maybe(&self.0.zone_zh, &self.0.zone_en)
    }
    async fn summary(&self) -> Option<Text> {
        Text::maybe(&self.0.summary_zh, &self.0.summary_en)
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        one::<regions::Entity, _>(ctx, self.0.parent_id).await
    }
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        children::<ChildrenOfRegion, _>(ctx, self.0.id).await
    }
    /// Model cases located in this region (not in the regions inside it): the first 100 in id
    /// order; `casesConnection` pages through all of them.
    async fn cases(&self, ctx: &Context<'_>) -> Result<Vec<Case>> {
        children::<CasesOfRegion, _>(ctx, self.0.id).await
    }
    /// The cases located in this region, a page at a time.
    #[graphql(complexity = "connection_cost(first, last) * child_complexity")]
    async fn cases_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100, after `after`.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100, before `before`.")] last: Option<i32>,
        before: Option<String>,
        order_by: Option<RecordOrder>,
    ) -> Result<KbConnection<Case>> {
        let page = page_request(first, after, last, before, order_by)?;
        let field = page.order.field;
        let rows = catalog::cases_in_region(db(ctx), self.0.id, page)
            .await
            .extend()?;
        Ok(connection::<cases::Entity, _>(field, rows))
    }
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        children::<IndicatorsOfRegion, _>(ctx, self.0.id).await
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<regions::Entity>(ctx, self.0.id).await
    }
}

/// A measured value of a region, such as poverty incidence or rural income in a given year.
#[Object]
impl Indicator {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Indicator, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn name(&self) -> Text {
        Text::of(&self.0.name_zh, &self.0.name_en)
    }
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// How `value` relates to the quantity: `MORE_THAN` for 2万余户.
    async fn qualifier(&self) -> Qualifier {
        self.0.qualifier.into()
    }
    async fn unit(&self) -> Text {
        Text::of(&self.0.unit_zh, &self.0.unit_en)
    }
    /// The year the value refers to, when the source gives one.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    async fn note(&self) -> Option<Text> {
        Text::maybe(&self.0.note_zh, &self.0.note_en)
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        one::<regions::Entity, _>(ctx, Some(self.0.region_id)).await
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<indicators::Entity>(ctx, self.0.id).await
    }
}

/// One of the four kinds of poverty: awareness, capability, governance, opportunity.
#[Object]
impl Dimension {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Dimension, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn name(&self) -> Text {
        Text::of(&self.0.name_zh, &self.0.name_en)
    }
    /// Other words planners use for it (edit them like any other field).
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Aliases> {
        aliases::<dimensions::Entity>(ctx, self.0.id).await
    }
    /// The source's findings about this kind of poverty.
    async fn summary(&self) -> Option<Text> {
        Text::maybe(&self.0.summary_zh, &self.0.summary_en)
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    /// The causes that feed this kind of poverty.
    async fn causes(&self, ctx: &Context<'_>) -> Result<Vec<Cause>> {
        linked::<CausesOfDimension, _>(ctx, self.0.id).await
    }
    /// The strategy prongs that answer this kind of poverty.
    async fn strategies(&self, ctx: &Context<'_>) -> Result<Vec<Strategy>> {
        children::<StrategiesOfDimension, _>(ctx, self.0.id).await
    }
    async fn statistics(&self, ctx: &Context<'_>) -> Result<Vec<Statistic>> {
        children::<StatisticsOfDimension, _>(ctx, self.0.id).await
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<dimensions::Entity>(ctx, self.0.id).await
    }
}

/// A factor that holds poverty reduction back, or a group of such factors.
#[Object]
impl Cause {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Cause, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn name(&self) -> Text {
        Text::of(&self.0.name_zh, &self.0.name_en)
    }
    /// Other words planners use for it (edit them like any other field).
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Aliases> {
        aliases::<causes::Entity>(ctx, self.0.id).await
    }
    async fn summary(&self) -> Option<Text> {
        Text::maybe(&self.0.summary_zh, &self.0.summary_en)
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    /// True for a group of factors (a cause without a parent).
    async fn is_group(&self) -> bool {
        self.0.parent_id.is_none()
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Cause>> {
        one::<causes::Entity, _>(ctx, self.0.parent_id).await
    }
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Cause>> {
        children::<ChildrenOfCause, _>(ctx, self.0.id).await
    }
    /// The kinds of poverty this cause feeds.
    async fn dimensions(&self, ctx: &Context<'_>) -> Result<Vec<Dimension>> {
        linked::<DimensionsOfCause, _>(ctx, self.0.id).await
    }
    /// The kinds of poverty this cause feeds, each with whether the source states the link.
    async fn dimension_links(&self, ctx: &Context<'_>) -> Result<Vec<LinkTo<Dimension>>> {
        links::<causes::Entity, DimensionsOfCause, _>(ctx, self.0.id).await
    }
    /// The measures that address this cause.
    async fn measures(&self, ctx: &Context<'_>) -> Result<Vec<Measure>> {
        linked::<MeasuresOfCause, _>(ctx, self.0.id).await
    }
    /// The survey figures that quantify this cause.
    async fn statistics(&self, ctx: &Context<'_>) -> Result<Vec<Statistic>> {
        children::<StatisticsOfCause, _>(ctx, self.0.id).await
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<causes::Entity>(ctx, self.0.id).await
    }
}

/// One prong of the five-pronged strategy.
#[Object]
impl Strategy {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Strategy, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    /// 1-based place in the strategy.
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn name(&self) -> Text {
        Text::of(&self.0.name_zh, &self.0.name_en)
    }
    /// Other words planners use for it (edit them like any other field).
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Aliases> {
        aliases::<strategies::Entity>(ctx, self.0.id).await
    }
    /// What the prong strengthens, such as initiative or the capacity to act.
    async fn aim(&self) -> Text {
        Text::of(&self.0.aim_zh, &self.0.aim_en)
    }
    async fn summary(&self) -> Option<Text> {
        Text::maybe(&self.0.summary_zh, &self.0.summary_en)
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    /// The kind of poverty the prong answers (none for the long-term prong).
    async fn dimension(&self, ctx: &Context<'_>) -> Result<Option<Dimension>> {
        one::<dimensions::Entity, _>(ctx, self.0.dimension_id).await
    }
    async fn measures(&self, ctx: &Context<'_>) -> Result<Vec<Measure>> {
        children::<MeasuresOfStrategy, _>(ctx, self.0.id).await
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<strategies::Entity>(ctx, self.0.id).await
    }
}

/// A policy measure under one prong of the strategy.
#[Object]
impl Measure {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Measure, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn title(&self) -> Text {
        Text::of(&self.0.title_zh, &self.0.title_en)
    }
    /// Other words planners use for it (edit them like any other field).
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Aliases> {
        aliases::<measures::Entity>(ctx, self.0.id).await
    }
    async fn summary(&self) -> Option<Text> {
        Text::maybe(&self.0.summary_zh, &self.0.summary_en)
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    async fn strategy(&self, ctx: &Context<'_>) -> Result<Option<Strategy>> {
        one::<strategies::Entity, _>(ctx, Some(self.0.strategy_id)).await
    }
    /// The causes this measure addresses.
    async fn causes(&self, ctx: &Context<'_>) -> Result<Vec<Cause>> {
        linked::<CausesOfMeasure, _>(ctx, self.0.id).await
    }
    /// The causes this measure addresses, each with whether the source states the link.
    async fn cause_links(&self, ctx: &Context<'_>) -> Result<Vec<LinkTo<Cause>>> {
        links::<measures::Entity, CausesOfMeasure, _>(ctx, self.0.id).await
    }
    /// Model cases that show this measure at work: the first 100 in id order;
    /// `casesConnection` pages through all of them.
    async fn cases(&self, ctx: &Context<'_>) -> Result<Vec<Case>> {
        linked::<CasesOfMeasure, _>(ctx, self.0.id).await
    }
    /// The cases that show this measure at work, a page at a time.
    #[graphql(complexity = "connection_cost(first, last) * child_complexity")]
    async fn cases_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100, after `after`.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100, before `before`.")] last: Option<i32>,
        before: Option<String>,
        order_by: Option<RecordOrder>,
    ) -> Result<KbConnection<Case>> {
        let page = page_request(first, after, last, before, order_by)?;
        let field = page.order.field;
        let rows = catalog::cases_of_measure(db(ctx), self.0.id, page)
            .await
            .extend()?;
        Ok(connection::<cases::Entity, _>(field, rows))
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<measures::Entity>(ctx, self.0.id).await
    }
}

/// A model case: what a place did, and what came of it.
#[Object]
impl Case {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Case, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn title(&self) -> Text {
        Text::of(&self.0.title_zh, &self.0.title_en)
    }
    async fn summary(&self) -> Option<Text> {
        Text::maybe(&self.0.summary_zh, &self.0.summary_en)
    }
    /// What was done.
    async fn actions(&self) -> Option<Text> {
        Text::maybe(&self.0.actions_zh, &self.0.actions_en)
    }
    /// What came of it.
    async fn outcomes(&self) -> Option<Text> {
        Text::maybe(&self.0.outcomes_zh, &self.0.outcomes_en)
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    /// The year of the case, when the source gives one.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        one::<regions::Entity, _>(ctx, self.0.region_id).await
    }
    /// The measures this case exemplifies.
    async fn measures(&self, ctx: &Context<'_>) -> Result<Vec<Measure>> {
        linked::<MeasuresOfCase, _>(ctx, self.0.id).await
    }
    /// The people and organisations the case names.
    async fn actors(&self, ctx: &Context<'_>) -> Result<Vec<Actor>> {
        children::<ActorsOfCase, _>(ctx, self.0.id).await
    }
    /// The measures this case exemplifies, each with whether the source states the link.
    async fn measure_links(&self, ctx: &Context<'_>) -> Result<Vec<LinkTo<Measure>>> {
        links::<cases::Entity, MeasuresOfCase, _>(ctx, self.0.id).await
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<cases::Entity>(ctx, self.0.id).await
    }
}

/// A survey figure, with the cause or dimension it is evidence for.
#[Object]
impl Statistic {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Statistic, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    /// The number of the source's figure that shows the value, if any.
    async fn figure(&self) -> Option<i32> {
        self.0.figure
    }
    /// The question or series the value belongs to.
    async fn series(&self) -> Option<Text> {
        Text::maybe(&self.0.series_zh, &self.0.series_en)
    }
    async fn label(&self) -> Text {
        Text::of(&self.0.label_zh, &self.0.label_en)
    }
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// How `value` relates to the quantity.
    async fn qualifier(&self) -> Qualifier {
        self.0.qualifier.into()
    }
    async fn unit(&self) -> Text {
        Text::of(&self.0.unit_zh, &self.0.unit_en)
    }
    /// The question asked, as the source reports it.
    async fn question(&self) -> Option<Text> {
        Text::maybe(&self.0.question_zh, &self.0.question_en)
    }
    /// Whether a respondent could give several answers (the shares of a figure then add up to
    /// more than 100%); null when the source does not tell.
    async fn multiple_answers(&self) -> Option<bool> {
        self.0.multiple_answers
    }
    /// Who the value is a share of, when the source says.
    async fn base(&self) -> Option<Text> {
        Text::maybe(&self.0.base_zh, &self.0.base_en)
    }
    /// Whose answers the value summarises.
    async fn respondent(&self) -> Option<RespondentGroup> {
        self.0
            .respondent
            .as_deref()
            .and_then(|raw| Respondent::parse(raw).ok())
            .map(RespondentGroup::from)
    }
    /// The number of respondents behind the value, when the source gives it.
    async fn sample(&self) -> Option<i32> {
        self.0.sample
    }
    async fn cause(&self, ctx: &Context<'_>) -> Result<Option<Cause>> {
        one::<causes::Entity, _>(ctx, self.0.cause_id).await
    }
    /// How the source supports the link to `cause`.
    async fn cause_provenance(&self) -> Option<Provenance> {
        self.0.cause_id.map(|_| {
            Provenance::new(
                statistics::Entity::KIND,
                self.0.id,
                LinkProvenance::of(
                    &self.0.cause_rationale_zh,
                    &self.0.cause_rationale_en,
                    self.0.cause_citation,
                ),
            )
        })
    }
    async fn dimension(&self, ctx: &Context<'_>) -> Result<Option<Dimension>> {
        one::<dimensions::Entity, _>(ctx, self.0.dimension_id).await
    }
    /// How the source supports the link to `dimension`.
    async fn dimension_provenance(&self) -> Option<Provenance> {
        self.0.dimension_id.map(|_| {
            Provenance::new(
                statistics::Entity::KIND,
                self.0.id,
                LinkProvenance::of(
                    &self.0.dimension_rationale_zh,
                    &self.0.dimension_rationale_en,
                    self.0.dimension_citation,
                ),
            )
        })
    }
    /// The area the figure describes, when it is narrower than the whole survey.
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        one::<regions::Entity, _>(ctx, self.0.region_id).await
    }
    /// What the record says that its source does not, and where that comes from.
    async fn outside(&self) -> Option<Text> {
        Text::maybe(&self.0.outside_zh, &self.0.outside_en)
    }
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        cited::<statistics::Entity>(ctx, self.0.id).await
    }
}

/// The passage of a source that supports a record.
#[Object]
impl Citation {
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Citation, self.0.id).encode()
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was first written.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at.clone())
    }
    /// When the record was last written (an edit of the record itself, not of what links to it).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at.clone())
    }
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        one::<sources::Entity, _>(ctx, Some(self.0.source_id)).await
    }
    /// The section of the source, such as "四、(一) 基础条件不优".
    async fn section(&self) -> Text {
        Text::of(&self.0.section_zh, &self.0.section_en)
    }
    async fn figure(&self) -> Option<i32> {
        self.0.figure
    }
    /// A verbatim excerpt (`zh`, at most 200 characters) and its English rendering (`en`).
    async fn excerpt(&self) -> Text {
        Text::of(&self.0.excerpt_zh, &self.0.excerpt_en)
    }
}

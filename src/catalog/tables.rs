//! What the service layer knows about each table: its id and slug columns, the name citations
//! use for it, and the one-to-many and many-to-many relations between tables.

use entities::*;
use sea_orm::EntityTrait;

use crate::domain::RecordKind;

/// A knowledge table: rows with an integer id and a unique slug.
pub trait Table: EntityTrait {
    /// The kind of the table's rows.
    const KIND: RecordKind;
    fn id_column() -> Self::Column;
    fn slug_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i32;
    fn slug_of(model: &Self::Model) -> &str;
    /// The optimistic-concurrency counter every edit of the row bumps.
    fn version_column() -> Self::Column;
    /// When the row was first written, and last written (RFC 3339 text, UTC).
    fn created_at_column() -> Self::Column;
    fn updated_at_column() -> Self::Column;
    /// The row's title in Chinese and in English (its name or label where it has no title).
    fn title_columns() -> (Self::Column, Self::Column);
}

macro_rules! tables {
    ($($module:ident => $Kind:ident ($Zh:ident, $En:ident)),* $(,)?) => {$(
        impl Table for $module::Entity {
            const KIND: RecordKind = RecordKind::$Kind;
            fn id_column() -> $module::Column { $module::Column::Id }
            fn slug_column() -> $module::Column { $module::Column::Slug }
            fn id_of(model: &$module::Model) -> i32 { model.id }
            fn slug_of(model: &$module::Model) -> &str { &model.slug }
            fn version_column() -> $module::Column { $module::Column::Version }
            fn created_at_column() -> $module::Column { $module::Column::CreatedAt }
            fn updated_at_column() -> $module::Column { $module::Column::UpdatedAt }
            fn title_columns() -> ($module::Column, $module::Column) {
                ($module::Column::$Zh, $module::Column::$En)
            }
        }
    )*};
}

tables! {
    sources => Source (TitleZh, TitleEn),
    regions => Region (NameZh, NameEn),
    indicators => Indicator (NameZh, NameEn),
    dimensions => Dimension (NameZh, NameEn),
    causes => Cause (NameZh, NameEn),
    strategies => Strategy (NameZh, NameEn),
    measures => Measure (TitleZh, TitleEn),
    cases => Case (TitleZh, TitleEn),
    statistics => Statistic (LabelZh, LabelEn),
    citations => Citation (SectionZh, SectionEn),
    glossary_terms => GlossaryTerm (Term, English),
    actors => Actor (NameZh, NameEn),
}

/// A one-to-many relation: the rows of `Child` whose foreign key points at a parent id.
pub trait HasMany: Send + Sync + 'static {
    type Child: Table;
    fn foreign_key() -> <Self::Child as EntityTrait>::Column;
    fn parent_of(child: &<Self::Child as EntityTrait>::Model) -> Option<i32>;
}

/// How the source supports one link: the rationale of a link it implies (inferred), or the
/// position of the owner's citation that states it (stated; neither: the owner's citations as
/// a whole state it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkProvenance {
    pub rationale: Option<(String, String)>,
    pub citation: Option<i32>,
}

impl LinkProvenance {
    pub fn of(zh: &Option<String>, en: &Option<String>, citation: Option<i32>) -> LinkProvenance {
        LinkProvenance {
            rationale: zh.clone().zip(en.clone()),
            citation,
        }
    }

    pub fn is_stated(&self) -> bool {
        self.rationale.is_none()
    }
}

/// A many-to-many relation through a link table: from a row id to the `Target` rows.
pub trait Linked: Send + Sync + 'static {
    type Link: EntityTrait;
    type Target: Table;
    fn from_column() -> <Self::Link as EntityTrait>::Column;
    fn to_column() -> <Self::Link as EntityTrait>::Column;
    fn ends(link: &<Self::Link as EntityTrait>::Model) -> (i32, i32);
    fn provenance(link: &<Self::Link as EntityTrait>::Model) -> LinkProvenance;
}

macro_rules! has_many {
    ($($(#[$doc:meta])* $name:ident: $child:ident.$fk:ident ($Fk:ident);)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl HasMany for $name {
            type Child = $child::Entity;
            fn foreign_key() -> $child::Column { $child::Column::$Fk }
            fn parent_of(child: &$child::Model) -> Option<i32> { child.$fk.into() }
        }
    )*};
}

macro_rules! linked {
    ($($(#[$doc:meta])* $name:ident: $link:ident.$from:ident ($From:ident) -> $to:ident ($To:ident) => $target:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Linked for $name {
            type Link = $link::Entity;
            type Target = $target::Entity;
            fn from_column() -> $link::Column { $link::Column::$From }
            fn to_column() -> $link::Column { $link::Column::$To }
            fn ends(link: &$link::Model) -> (i32, i32) { (link.$from, link.$to) }
            fn provenance(link: &$link::Model) -> LinkProvenance {
                LinkProvenance::of(&link.rationale_zh, &link.rationale_en, link.citation)
            }
        }
    )*};
}

has_many! {
    /// A strategy's measures.
    MeasuresOfStrategy: measures.strategy_id (StrategyId);
    /// The strategies that answer a dimension.
    StrategiesOfDimension: strategies.dimension_id (DimensionId);
    /// The factors of a cause group.
    ChildrenOfCause: causes.parent_id (ParentId);
    /// The regions inside a region.
    ChildrenOfRegion: regions.parent_id (ParentId);
    /// The model cases located in a region.
    CasesOfRegion: cases.region_id (RegionId);
    /// A region's indicators.
    IndicatorsOfRegion: indicators.region_id (RegionId);
    /// The people and organisations a model case names.
    ActorsOfCase: actors.case_id (CaseId);
    /// The survey figures that quantify a cause.
    StatisticsOfCause: statistics.cause_id (CauseId);
    /// The survey figures that are evidence for a dimension.
    StatisticsOfDimension: statistics.dimension_id (DimensionId);
}

linked! {
    /// The causes a measure addresses.
    CausesOfMeasure: measure_causes.measure_id (MeasureId) -> cause_id (CauseId) => causes;
    /// The measures that address a cause.
    MeasuresOfCause: measure_causes.cause_id (CauseId) -> measure_id (MeasureId) => measures;
    /// The model cases that exemplify a measure.
    CasesOfMeasure: case_measures.measure_id (MeasureId) -> case_id (CaseId) => cases;
    /// The measures a model case exemplifies.
    MeasuresOfCase: case_measures.case_id (CaseId) -> measure_id (MeasureId) => measures;
    /// The dimensions of poverty a cause feeds.
    DimensionsOfCause: cause_dimensions.cause_id (CauseId) -> dimension_id (DimensionId) => dimensions;
    /// The causes that feed a dimension.
    CausesOfDimension: cause_dimensions.dimension_id (DimensionId) -> cause_id (CauseId) => causes;
}

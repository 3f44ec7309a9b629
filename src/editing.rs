//! Editing the knowledge base: create, update, delete, link and unlink records, each in one
//! transaction that holds the write lock, checks the row's version, writes the records, a
//! revision (who, when, what, before and after) and change-log entries for the search indexes.
//! A revision's before and after are the record in the file format (JSON with slugs), which is
//! also what `revert` writes back.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{json, Value};

use entities::*;

use crate::auth::{Actor, Role};
use crate::catalog::{self, Table};
use crate::changes;
use crate::db::{begin_write, WriteTxn};
use crate::domain::{EntryKind, RecordKind};
use crate::error::{AppError, AppResult};
use crate::kb::{self, KbError, Link, Record, Target, Text};

/// The kinds of records editors can change.
pub const EDITABLE: [EntryKind; 5] = [
    EntryKind::Region,
    EntryKind::Cause,
    EntryKind::Measure,
    EntryKind::Case,
    EntryKind::Statistic,
];

/// A link between records, and which record owns it (its revision records the change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    MeasureCause,
    CaseMeasure,
    CauseDimension,
    StatisticCause,
}

impl Relation {
    /// The owner's kind and the linked record's kind.
    pub fn ends(self) -> (EntryKind, EntryKind) {
        match self {
            Relation::MeasureCause => (EntryKind::Measure, EntryKind::Cause),
            Relation::CaseMeasure => (EntryKind::Case, EntryKind::Measure),
            Relation::CauseDimension => (EntryKind::Cause, EntryKind::Dimension),
            Relation::StatisticCause => (EntryKind::Statistic, EntryKind::Cause),
        }
    }
}

/// What a link or unlink asks for.
pub struct LinkRequest {
    pub relation: Relation,
    pub owner: i32,
    pub target: i32,
    /// Why the records are linked, when the source implies it (an inferred link).
    pub rationale: Option<Text>,
    /// The position of the owner's citation that states the link (a stated link).
    pub citation: Option<i32>,
    /// The owner's version, when the client wants the link checked against it.
    pub version: Option<i32>,
}

fn editable(kind: EntryKind) -> AppResult<RecordKind> {
    if EDITABLE.contains(&kind) {
        Ok(kind.record())
    } else {
        Err(AppError::bad_field(
            "input.id",
            format!("{} records cannot be edited", kind.record().label()),
        ))
    }
}

/// A file-format error of the record in a mutation's `input`.
fn input_error(err: KbError) -> AppError {
    match err {
        KbError::Entry { field, message, .. } => {
            AppError::bad_field(format!("input.{field}"), message)
        }
        KbError::Parse { message, .. } => AppError::bad_field("input", message),
        KbError::Database(err) => AppError::internal(err),
        other => AppError::internal(other),
    }
}

pub fn record_to_json(record: &Record) -> Value {
    let value = match record {
        Record::Region(e) => serde_json::to_value(e),
        Record::Cause(e) => serde_json::to_value(e),
        Record::Measure(e) => serde_json::to_value(e),
        Record::Case(e) => serde_json::to_value(e),
        Record::Statistic(e) => serde_json::to_value(e),
    };
    value.unwrap_or(Value::Null)
}

/// Reads a record of `kind` from its file-format JSON.
pub fn record_from_json(kind: EntryKind, value: Value) -> AppResult<Record> {
    fn parse<T: serde::de::DeserializeOwned>(value: Value) -> AppResult<T> {
        serde_json::from_value(value).map_err(|err| AppError::bad_field("input", err.to_string()))
    }
    Ok(match kind {
        EntryKind::Region => Record::Region(parse(value)?),
        EntryKind::Cause => Record::Cause(parse(value)?),
        EntryKind::Measure => Record::Measure(parse(value)?),
        EntryKind::Case => Record::Case(parse(value)?),
        EntryKind::Statistic => Record::Statistic(parse(value)?),
        other => return Err(editable(other).unwrap_err()),
    })
}

async fn current<C: ConnectionTrait>(
    db: &C,
    kind: EntryKind,
    id: i32,
) -> AppResult<Option<Record>> {
    kb::record(db, editable(kind)?, id)
        .await
        .map_err(input_error)
}

/// Calls `$function::<E, _>(args)` with `E` the table of the record kind `$kind`.
macro_rules! on_table {
    ($kind:expr, $function:ident($($arg:expr),*)) => {
        match $kind {
            EntryKind::Region => $function::<regions::Entity, _>($($arg),*).await,
            EntryKind::Cause => $function::<causes::Entity, _>($($arg),*).await,
            EntryKind::Measure => $function::<measures::Entity, _>($($arg),*).await,
            EntryKind::Case => $function::<cases::Entity, _>($($arg),*).await,
            EntryKind::Statistic => $function::<statistics::Entity, _>($($arg),*).await,
            EntryKind::Dimension => $function::<dimensions::Entity, _>($($arg),*).await,
            EntryKind::Strategy => $function::<strategies::Entity, _>($($arg),*).await,
            EntryKind::Glossary => $function::<glossary_terms::Entity, _>($($arg),*).await,
        }
    };
}

/// One column of the row whose `by` column equals `value`.
async fn column_where<E: Table, T: sea_orm::TryGetableMany, C: ConnectionTrait>(
    db: &C,
    column: E::Column,
    by: E::Column,
    value: impl Into<sea_orm::Value>,
) -> AppResult<Option<T>> {
    Ok(E::find()
        .select_only()
        .column(column)
        .filter(by.eq(value))
        .into_tuple()
        .one(db)
        .await?)
}

async fn version_of<E: Table, C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Option<i32>> {
    column_where::<E, _, C>(db, E::version_column(), E::id_column(), id).await
}

async fn slug_of<E: Table, C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Option<String>> {
    column_where::<E, _, C>(db, E::slug_column(), E::id_column(), id).await
}

async fn version<C: ConnectionTrait>(db: &C, kind: EntryKind, id: i32) -> AppResult<Option<i32>> {
    editable(kind)?;
    on_table!(kind, version_of(db, id))
}

/// The slug of any record, for messages and link targets.
async fn slug<C: ConnectionTrait>(db: &C, kind: EntryKind, id: i32) -> AppResult<Option<String>> {
    on_table!(kind, slug_of(db, id))
}

/// The current version of `id`, which must equal the client's `expected`.
async fn check_version<C: ConnectionTrait>(
    db: &C,
    kind: EntryKind,
    id: i32,
    expected: Option<i32>,
) -> AppResult<i32> {
    let current = version(db, kind, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no {} with this id", kind.as_str())))?;
    match expected {
        Some(expected) if expected != current => Err(AppError::Conflict(format!(
            "the {} was changed by someone else: you sent version {expected}, it is at version {current}; reload it and apply your change again",
            kind.as_str()
        ))),
        _ => Ok(current),
    }
}

/// The records a record refers to (by slug), with their ids: their documents embed it. One
/// query per kind of record referred to, however many links the record has.
async fn references<C: ConnectionTrait>(
    db: &C,
    record: &Record,
) -> AppResult<BTreeSet<(EntryKind, i32)>> {
    let mut slugs: BTreeMap<EntryKind, Vec<String>> = BTreeMap::new();
    let mut add = |kind: EntryKind, slug: &str| {
        slugs.entry(kind).or_default().push(slug.to_string());
    };
    match record {
        Record::Region(e) => e.parent.iter().for_each(|s| add(EntryKind::Region, s)),
        Record::Cause(e) => {
            e.parent.iter().for_each(|s| add(EntryKind::Cause, s));
            e.dimensions
                .iter()
                .for_each(|l| add(EntryKind::Dimension, l.slug()));
        }
        Record::Measure(e) => {
            add(EntryKind::Strategy, &e.strategy);
            e.causes
                .iter()
                .for_each(|l| add(EntryKind::Cause, l.slug()));
        }
        Record::Case(e) => {
            e.region.iter().for_each(|s| add(EntryKind::Region, s));
            e.measures
                .iter()
                .for_each(|l| add(EntryKind::Measure, l.slug()));
        }
        Record::Statistic(e) => {
            e.cause.iter().for_each(|l| add(EntryKind::Cause, l.slug()));
            e.dimension
                .iter()
                .for_each(|l| add(EntryKind::Dimension, l.slug()));
            e.region.iter().for_each(|s| add(EntryKind::Region, s));
        }
    }
    let mut found = BTreeSet::new();
    for (kind, slugs) in slugs {
        let ids = on_table!(kind, ids_of(db, &slugs))?;
        found.extend(ids.into_iter().map(|id| (kind, id)));
    }
    Ok(found)
}

/// The ids of the rows of `E` with these slugs (a slug no row has is left out).
async fn ids_of<E: Table, C: ConnectionTrait>(db: &C, slugs: &[String]) -> AppResult<Vec<i32>> {
    let mut ids = Vec::with_capacity(slugs.len());
    // A statement has a bounded number of parameters.
    for chunk in slugs.chunks(500) {
        let rows: Vec<i32> = E::find()
            .select_only()
            .column(E::id_column())
            .filter(E::slug_column().is_in(chunk.iter().map(String::as_str)))
            .into_tuple()
            .all(db)
            .await?;
        ids.extend(rows);
    }
    Ok(ids)
}

/// The records that refer to `kind`/`id`, so that deleting it would leave them dangling.
async fn referrers<C: ConnectionTrait>(
    db: &C,
    kind: EntryKind,
    id: i32,
) -> AppResult<Vec<(EntryKind, i32)>> {
    async fn ids<E: EntityTrait, C: ConnectionTrait>(
        db: &C,
        select: E::Column,
        filter: E::Column,
        id: i32,
    ) -> AppResult<Vec<i32>> {
        Ok(E::find()
            .select_only()
            .column(select)
            .filter(filter.eq(id))
            .order_by_asc(select)
            .into_tuple()
            .all(db)
            .await?)
    }
    let mut found = Vec::new();
    let mut add =
        |kind: EntryKind, ids: Vec<i32>| found.extend(ids.into_iter().map(|id| (kind, id)));
    match kind {
        EntryKind::Region => {
            use regions::Column as R;
            add(
                EntryKind::Region,
                ids::<regions::Entity, C>(db, R::Id, R::ParentId, id).await?,
            );
            add(
                EntryKind::Case,
                ids::<cases::Entity, C>(db, cases::Column::Id, cases::Column::RegionId, id).await?,
            );
            use statistics::Column as S;
            add(
                EntryKind::Statistic,
                ids::<statistics::Entity, C>(db, S::Id, S::RegionId, id).await?,
            );
        }
        EntryKind::Cause => {
            use causes::Column as K;
            add(
                EntryKind::Cause,
                ids::<causes::Entity, C>(db, K::Id, K::ParentId, id).await?,
            );
            use measure_causes::Column as MC;
            add(
                EntryKind::Measure,
                ids::<measure_causes::Entity, C>(db, MC::MeasureId, MC::CauseId, id).await?,
            );
            use statistics::Column as S;
            add(
                EntryKind::Statistic,
                ids::<statistics::Entity, C>(db, S::Id, S::CauseId, id).await?,
            );
        }
        EntryKind::Measure => {
            use case_measures::Column as CM;
            add(
                EntryKind::Case,
                ids::<case_measures::Entity, C>(db, CM::CaseId, CM::MeasureId, id).await?,
            );
        }
        _ => {}
    }
    Ok(found)
}

/// `record` with every reference to the `kind` record `slug` removed.
fn without_reference(record: &Record, kind: EntryKind, slug: &str) -> Record {
    let clear = |field: &mut Option<String>| {
        if field.as_deref() == Some(slug) {
            *field = None;
        }
    };
    let mut record = record.clone();
    match (&mut record, kind) {
        (Record::Region(e), EntryKind::Region) => clear(&mut e.parent),
        (Record::Cause(e), EntryKind::Cause) => clear(&mut e.parent),
        (Record::Measure(e), EntryKind::Cause) => e.causes.retain(|l| l.slug() != slug),
        (Record::Case(e), EntryKind::Region) => clear(&mut e.region),
        (Record::Case(e), EntryKind::Measure) => e.measures.retain(|l| l.slug() != slug),
        (Record::Statistic(e), EntryKind::Cause)
            if e.cause.as_ref().map(Link::slug) == Some(slug) =>
        {
            e.cause = None;
        }
        (Record::Statistic(e), EntryKind::Region) => clear(&mut e.region),
        _ => {}
    }
    record
}

/// What other records' search documents read of a record: its slug, its name and its links
/// (with their provenance). An update that leaves it as it was changes no document but the
/// record's own (tested against the document builder: `editing::an_amendment_rebuilds_only_its_own_document`).
fn read_by_others(record: &Record) -> serde_json::Value {
    match record {
        Record::Region(e) => json!([e.slug, e.name, e.level, e.parent]),
        Record::Cause(e) => json!([e.slug, e.name, e.parent, e.dimensions]),
        Record::Measure(e) => json!([e.slug, e.title, e.strategy, e.causes]),
        Record::Case(e) => json!([e.slug, e.title, e.region, e.measures]),
        Record::Statistic(e) => json!([e.slug, e.label, e.cause, e.dimension, e.region]),
    }
}

/// What an edit did, as its revision records it (`revisions.operation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EditOperation {
    Create,
    Update,
    Delete,
    Link,
    Unlink,
    /// An earlier edit undone (or a deleted record written back).
    Revert,
}

impl EditOperation {
    fn as_str(self) -> &'static str {
        match self {
            EditOperation::Create => "create",
            EditOperation::Update => "update",
            EditOperation::Delete => "delete",
            EditOperation::Link => "link",
            EditOperation::Unlink => "unlink",
            EditOperation::Revert => "revert",
        }
    }
}

/// One edit of one record: the record before (none for a create) and after (none for a
/// delete), and the revision it undoes, if any.
struct Edit<'r> {
    kind: EntryKind,
    /// The row; none for a create.
    id: Option<i32>,
    operation: EditOperation,
    before: Option<&'r Record>,
    after: Option<&'r Record>,
    reverts: Option<i32>,
}

impl<'r> Edit<'r> {
    fn create(kind: EntryKind, record: &'r Record) -> Edit<'r> {
        Edit {
            kind,
            id: None,
            operation: EditOperation::Create,
            before: None,
            after: Some(record),
            reverts: None,
        }
    }

    /// `before` becomes `after` in the row `id` (an update, link, unlink or revert).
    fn replace(
        kind: EntryKind,
        id: i32,
        operation: EditOperation,
        before: &'r Record,
        after: &'r Record,
    ) -> Edit<'r> {
        Edit {
            kind,
            id: Some(id),
            operation,
            before: Some(before),
            after: Some(after),
            reverts: None,
        }
    }

    fn delete(kind: EntryKind, id: i32, before: &'r Record) -> Edit<'r> {
        Edit {
            kind,
            id: Some(id),
            operation: EditOperation::Delete,
            before: Some(before),
            after: None,
            reverts: None,
        }
    }

    /// A deleted record written back under its old id.
    fn restore(kind: EntryKind, id: i32, record: &'r Record) -> Edit<'r> {
        Edit {
            kind,
            id: Some(id),
            operation: EditOperation::Revert,
            before: None,
            after: Some(record),
            reverts: None,
        }
    }

    fn reverting(self, revision: i32) -> Edit<'r> {
        Edit {
            reverts: Some(revision),
            ..self
        }
    }
}

/// Applies one edit inside the caller's transaction: writes `after` (or deletes the row), bumps
/// the row's version, then writes the revision and the change-log entries.
async fn apply(db: &WriteTxn, actor: &Actor, edit: Edit<'_>) -> AppResult<(i32, revisions::Model)> {
    let Edit {
        kind,
        id,
        operation,
        before,
        after,
        reverts,
    } = edit;
    let id = match (after, id) {
        (Some(record), id) => {
            let target = match (id, before) {
                (None, _) => Target::New,
                (Some(id), Some(_)) => Target::Replace {
                    id,
                    version: check_version(db, kind, id, None).await? + 1,
                },
                (Some(id), None) => Target::Restore { id, version: 1 },
            };
            kb::write_record(db, record, target)
                .await
                .map_err(input_error)?
        }
        (None, Some(id)) => {
            kb::delete_record(db, kind, id).await.map_err(input_error)?;
            id
        }
        (None, None) => {
            return Err(AppError::internal(anyhow::anyhow!(
                "a delete without an id"
            )));
        }
    };
    // What was written, as a later read (and a revert) will see it.
    let written = match after {
        Some(_) => current(db, kind, id).await?,
        None => None,
    };
    let json = |record: Option<&Record>| record.map(|r| record_to_json(r).to_string());
    let revision = revisions::Entity::insert(revisions::ActiveModel {
        id: NotSet,
        entity_type: Set(kind.as_str().to_string()),
        entity_id: Set(id),
        operation: Set(operation.as_str().to_string()),
        actor: Set(actor.name.clone()),
        at: Set(crate::domain::now()),
        before: Set(json(before)),
        after: Set(json(written.as_ref())),
        reverts: Set(reverts),
    })
    .exec_with_returning(db)
    .await?;
    let edited = changes::Edited {
        kind,
        id,
        operation: match (before, &written) {
            (None, _) => changes::Operation::Create,
            (_, None) => changes::Operation::Delete,
            (Some(before), Some(after)) if read_by_others(before) == read_by_others(after) => {
                changes::Operation::Amend
            }
            _ => changes::Operation::Update,
        },
        version: match written {
            Some(_) => version(db, kind, id).await?,
            None => None,
        },
    };
    let mut related = BTreeSet::new();
    for record in [before, written.as_ref()].into_iter().flatten() {
        related.extend(references(db, record).await?);
    }
    changes::record(db, edited, &related, Some(revision.id)).await?;
    Ok((id, revision))
}

/// The row of an edited record as its edit's transaction wrote it: an edit answers with what
/// it wrote, never with what a later edit has made of the row since the commit.
async fn written<E: Table>(txn: &WriteTxn, id: i32) -> AppResult<E::Model> {
    catalog::by_id::<E, _>(txn, id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("an edited row vanished in its edit")))
}

/// Creates a record; returns its row as written. `E` is the table of `kind`.
pub async fn create<E: Table>(
    db: &DatabaseConnection,
    actor: &Actor,
    kind: EntryKind,
    input: Value,
) -> AppResult<E::Model> {
    actor.require(Role::Editor)?;
    let record = record_from_json(kind, input)?;
    let txn = begin_write(db).await?;
    let (id, _) = apply(&txn, actor, Edit::create(kind, &record)).await?;
    let row = written::<E>(&txn, id).await?;
    txn.commit().await?;
    Ok(row)
}

/// Refuses an edit that would leave the record as it is: it would bump the version and write
/// a revision for nothing.
fn changes_something(before: &Record, after: &Record) -> AppResult<()> {
    if before == after {
        return Err(AppError::bad_input(
            "this edit changes nothing: name at least one field with a new value (required fields cannot be null)",
        ));
    }
    Ok(())
}

/// Changes the members of a record that `patch` names (JSON merge patch over the file format),
/// if the record is still at `expected_version`; returns its row as written.
pub async fn update<E: Table>(
    db: &DatabaseConnection,
    actor: &Actor,
    kind: EntryKind,
    id: i32,
    expected_version: i32,
    patch: Value,
) -> AppResult<E::Model> {
    actor.require(Role::Editor)?;
    let txn = begin_write(db).await?;
    check_version(&txn, kind, id, Some(expected_version)).await?;
    let before = current(&txn, kind, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no {} with this id", kind.as_str())))?;
    let mut merged = record_to_json(&before);
    json_patch::merge(&mut merged, &patch);
    let after = record_from_json(kind, merged)?;
    changes_something(&before, &after)?;
    apply(
        &txn,
        actor,
        Edit::replace(kind, id, EditOperation::Update, &before, &after),
    )
    .await?;
    let row = written::<E>(&txn, id).await?;
    txn.commit().await?;
    Ok(row)
}

/// Deletes a record at `expected_version`. Records that refer to it make this a `CONFLICT`
/// naming them, unless `cascade`, which first removes those references (one revision each).
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    kind: EntryKind,
    id: i32,
    expected_version: i32,
    cascade: bool,
) -> AppResult<()> {
    actor.require(Role::Editor)?;
    let txn = begin_write(db).await?;
    check_version(&txn, kind, id, Some(expected_version)).await?;
    delete_in(&txn, actor, kind, id, cascade, None).await?;
    txn.commit().await?;
    Ok(())
}

async fn delete_in(
    db: &WriteTxn,
    actor: &Actor,
    kind: EntryKind,
    id: i32,
    cascade: bool,
    reverts: Option<i32>,
) -> AppResult<revisions::Model> {
    let before = current(db, kind, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no {} with this id", kind.as_str())))?;
    let referrers = referrers(db, kind, id).await?;
    if !referrers.is_empty() && !cascade {
        let mut names = Vec::new();
        for (k, i) in &referrers {
            names.push(format!(
                "{} '{}'",
                k.as_str(),
                slug(db, *k, *i).await?.unwrap_or_default()
            ));
        }
        return Err(AppError::Conflict(format!(
            "{} '{}' is linked from {}; unlink those first, or delete with cascade: true",
            kind.as_str(),
            before.slug(),
            names.join(", ")
        )));
    }
    for (referrer_kind, referrer_id) in referrers {
        let Some(referrer) = current(db, referrer_kind, referrer_id).await? else {
            continue;
        };
        let unlinked = without_reference(&referrer, kind, before.slug());
        let edit = Edit::replace(
            referrer_kind,
            referrer_id,
            EditOperation::Unlink,
            &referrer,
            &unlinked,
        );
        apply(db, actor, edit).await.map_err(|err| match err {
            AppError::BadUserInput { message, .. } => AppError::Conflict(format!(
                "cannot cascade to {} '{}': without the link, {message}",
                referrer_kind.as_str(),
                referrer.slug()
            )),
            other => other,
        })?;
    }
    let mut edit = Edit::delete(kind, id, &before);
    edit.reverts = reverts;
    let (_, revision) = apply(db, actor, edit).await?;
    Ok(revision)
}

/// Links two records (or, for an existing link, replaces its rationale); returns the owner's
/// row as written. `E` is the owner's table.
pub async fn link<E: Table>(
    db: &DatabaseConnection,
    actor: &Actor,
    request: LinkRequest,
) -> AppResult<E::Model> {
    relink::<E>(db, actor, request, true).await
}

/// Removes a link; `NOT_FOUND` if the records are not linked.
pub async fn unlink<E: Table>(
    db: &DatabaseConnection,
    actor: &Actor,
    request: LinkRequest,
) -> AppResult<E::Model> {
    relink::<E>(db, actor, request, false).await
}

async fn relink<E: Table>(
    db: &DatabaseConnection,
    actor: &Actor,
    request: LinkRequest,
    linked: bool,
) -> AppResult<E::Model> {
    actor.require(Role::Editor)?;
    let (owner_kind, target_kind) = request.relation.ends();
    let txn = begin_write(db).await?;
    check_version(&txn, owner_kind, request.owner, request.version).await?;
    let before = current(&txn, owner_kind, request.owner)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("there is no {} with this id", owner_kind.as_str()))
        })?;
    let target_slug = slug(&txn, target_kind, request.target)
        .await?
        .ok_or_else(|| {
            AppError::bad_field(
                format!("input.{}", target_kind.as_str()),
                format!("there is no {} with this id", target_kind.as_str()),
            )
        })?;
    let link = Link::with_provenance(
        target_slug.clone(),
        request.rationale.clone(),
        request.citation,
    );
    let mut after = before.clone();
    let was_linked = match (&mut after, request.relation) {
        (Record::Measure(e), Relation::MeasureCause) => set_link(&mut e.causes, link, linked),
        (Record::Case(e), Relation::CaseMeasure) => set_link(&mut e.measures, link, linked),
        (Record::Cause(e), Relation::CauseDimension) => set_link(&mut e.dimensions, link, linked),
        (Record::Statistic(e), Relation::StatisticCause) => {
            let was = e.cause.as_ref().map(Link::slug) == Some(target_slug.as_str());
            if linked {
                e.cause = Some(link);
            } else if was {
                e.cause = None;
            }
            was
        }
        _ => {
            return Err(AppError::internal(anyhow::anyhow!(
                "relation and record disagree"
            )))
        }
    };
    if !linked && !was_linked {
        return Err(AppError::NotFound(format!(
            "{} '{}' is not linked to {} '{target_slug}'",
            owner_kind.as_str(),
            before.slug(),
            target_kind.as_str()
        )));
    }
    changes_something(&before, &after)?;
    let operation = if linked {
        EditOperation::Link
    } else {
        EditOperation::Unlink
    };
    let edit = Edit::replace(owner_kind, request.owner, operation, &before, &after);
    apply(&txn, actor, edit).await?;
    let row = written::<E>(&txn, request.owner).await?;
    txn.commit().await?;
    Ok(row)
}

/// Adds (or replaces) or removes `link` in `links`; tells whether it was there before.
fn set_link(links: &mut Vec<Link>, link: Link, linked: bool) -> bool {
    let position = links.iter().position(|l| l.slug() == link.slug());
    match (position, linked) {
        (Some(n), true) => links[n] = link,
        (None, true) => links.push(link),
        (Some(n), false) => {
            links.remove(n);
        }
        (None, false) => {}
    }
    position.is_some()
}

/// Puts a record back as it was before `revision` (admins only). Refused with `CONFLICT` when
/// the record has changed since: revert the later revisions first, newest first.
pub async fn revert(
    db: &DatabaseConnection,
    actor: &Actor,
    revision_id: i32,
) -> AppResult<revisions::Model> {
    actor.require(Role::Admin)?;
    let txn = begin_write(db).await?;
    let revision = revisions::Entity::find_by_id(revision_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("there is no revision with this id".into()))?;
    let kind = EntryKind::parse(&revision.entity_type).map_err(AppError::internal)?;
    let parse = |json: &Option<String>| -> AppResult<Option<Record>> {
        json.as_deref()
            .map(|text| {
                let value = serde_json::from_str(text).map_err(AppError::internal)?;
                record_from_json(kind, value)
            })
            .transpose()
    };
    let (before, after) = (parse(&revision.before)?, parse(&revision.after)?);
    let now = current(&txn, kind, revision.entity_id).await?;
    if now != after {
        return Err(AppError::Conflict(format!(
            "the {} has changed since revision {revision_id}; revert the later revisions first (newest first)",
            kind.as_str()
        )));
    }
    let id = revision.entity_id;
    let reverted = match (&now, &before) {
        (Some(now), Some(before)) => {
            let edit =
                Edit::replace(kind, id, EditOperation::Revert, now, before).reverting(revision_id);
            apply(&txn, actor, edit).await
        }
        (Some(_), None) => delete_in(&txn, actor, kind, id, false, Some(revision_id))
            .await
            .map(|revision| (id, revision)),
        (None, Some(before)) => {
            let edit = Edit::restore(kind, id, before).reverting(revision_id);
            apply(&txn, actor, edit).await
        }
        (None, None) => Err(AppError::Conflict("this revision changed nothing".into())),
    }
    .map_err(|err| match err {
        AppError::BadUserInput { message, .. } => {
            AppError::Conflict(format!("cannot revert revision {revision_id}: {message}"))
        }
        other => other,
    })?;
    txn.commit().await?;
    Ok(reverted.1)
}

/// The revisions of one record, newest first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    kind: EntryKind,
    id: i32,
) -> AppResult<Vec<revisions::Model>> {
    Ok(revisions::Entity::find()
        .filter(revisions::Column::EntityType.eq(kind.as_str()))
        .filter(revisions::Column::EntityId.eq(id))
        .order_by_desc(revisions::Column::Id)
        .limit(HISTORY_LIMIT)
        .all(db)
        .await?)
}

/// How many revisions `history` returns at most (the newest): a record edited many times must
/// not make one answer unbounded.
pub const HISTORY_LIMIT: u64 = 100;

pub async fn revision<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Option<revisions::Model>> {
    Ok(revisions::Entity::find_by_id(id).one(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_patch_replaces_named_members_and_removes_nulls() {
        let mut record = json!({"slug": "a", "title": {"zh": "甲", "en": "A"}, "year": 2019});
        json_patch::merge(&mut record, &json!({"title": {"en": "B"}, "year": null}));
        assert_eq!(
            record,
            json!({"slug": "a", "title": {"zh": "甲", "en": "B"}})
        );
    }

    #[test]
    fn set_link_adds_replaces_and_removes() {
        let mut links = vec![Link::Slug("a".into())];
        assert!(!set_link(&mut links, Link::Slug("b".into()), true));
        assert!(set_link(&mut links, Link::Slug("a".into()), false));
        assert_eq!(links, vec![Link::Slug("b".into())]);
        assert!(!set_link(&mut links, Link::Slug("c".into()), false));
    }
}

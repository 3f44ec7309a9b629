//! The change log: which records changed, in commit order. Every edit appends to it in the
//! transaction that writes the records; every search index tails it (see `search::Search`).

use std::collections::BTreeSet;

use sea_orm::sea_query::{Alias, Func, Query};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::ColumnTrait;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use entities::change_log;

use crate::domain::EntryKind;
use crate::error::AppResult;

/// The PostgreSQL channel an edit notifies on commit, waking the indexers of every replica.
pub const CHANNEL: &str = "policy_kb_changes";

/// The `entity_type` of a change that touches everything (a bulk import).
const EVERYTHING: &str = "*";

/// One change-log row as the indexer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub position: i64,
    /// `None` for a change to everything.
    pub record: Option<(EntryKind, i32)>,
}

/// The time now as the database stores it: RFC 3339 in UTC with milliseconds, fixed width, so
/// that text order is time order.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Appends one change per record, then notifies (PostgreSQL delivers it on commit).
pub async fn record<C: ConnectionTrait>(
    db: &C,
    records: &BTreeSet<(EntryKind, i32)>,
    revision_id: Option<i32>,
) -> AppResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows = records.iter().map(|(kind, id)| change_log::ActiveModel {
        position: NotSet,
        entity_type: Set(kind.as_str().to_string()),
        entity_id: Set(*id),
        revision_id: Set(revision_id),
        at: Set(at.clone()),
    });
    change_log::Entity::insert_many(rows).exec(db).await?;
    notify(db).await
}

/// Appends a change to everything: the indexers rebuild from the database.
pub async fn record_everything<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    change_log::Entity::insert(change_log::ActiveModel {
        position: NotSet,
        entity_type: Set(EVERYTHING.to_string()),
        entity_id: Set(0),
        revision_id: Set(None),
        at: Set(now()),
    })
    .exec(db)
    .await?;
    notify(db).await
}

/// `SELECT pg_notify(CHANNEL, '')`: delivered to every listener when the transaction commits.
async fn notify<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        let notify = Query::select()
            .expr(Func::cust(Alias::new("pg_notify")).arg(CHANNEL).arg(""))
            .to_owned();
        db.execute(backend.build(&notify)).await?;
    }
    Ok(())
}

/// Up to `limit` changes after `position`, in order.
pub async fn after<C: ConnectionTrait>(
    db: &C,
    position: i64,
    limit: u64,
) -> AppResult<Vec<Change>> {
    let rows = change_log::Entity::find()
        .filter(change_log::Column::Position.gt(position))
        .order_by_asc(change_log::Column::Position)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Change {
            position: row.position.into(),
            // A type this version does not index (or `*`) means: rebuild everything.
            record: EntryKind::parse(&row.entity_type)
                .ok()
                .map(|kind| (kind, row.entity_id)),
        })
        .collect())
}

/// The last position of the log (0 when empty).
pub async fn last_position<C: ConnectionTrait>(db: &C) -> AppResult<i64> {
    let last: Option<i32> = change_log::Entity::find()
        .select_only()
        .column_as(change_log::Column::Position.max(), "last")
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten();
    Ok(last.map(i64::from).unwrap_or(0))
}

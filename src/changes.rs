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

use secrecy::{ExposeSecret, SecretString};

use crate::db::WriteTxn;
use crate::domain::EntryKind;
use crate::error::AppResult;

/// The PostgreSQL channel an edit notifies on commit, waking the indexers and change feeds of
/// every replica.
pub const CHANNEL: &str = "policy_kb_changes";

/// The `entity_type` of a change that touches everything (a bulk import).
const EVERYTHING: &str = "*";

/// What a change did to its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    /// An update of what only the record's own search document reads (a summary, a citation,
    /// an alias, an outside mark...): its slug, name and links are as they were, so no other
    /// record's document follows it. Clients see it as an update.
    Amend,
    Delete,
    /// The record was not edited, but a record it links to or that links to it was: its
    /// relations (and its search document) may differ.
    Related,
    /// Everything may have changed (a bulk import).
    Reload,
}

impl Operation {
    const ALL: [Operation; 6] = [
        Operation::Create,
        Operation::Update,
        Operation::Amend,
        Operation::Delete,
        Operation::Related,
        Operation::Reload,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Amend => "amend",
            Operation::Delete => "delete",
            Operation::Related => "related",
            Operation::Reload => "reload",
        }
    }

    /// The operation stored as `raw`; entries older than the column have none, and a change
    /// to a record is at least a change to its relations.
    fn parse(raw: Option<&str>) -> Operation {
        Operation::ALL
            .into_iter()
            .find(|operation| Some(operation.as_str()) == raw)
            .unwrap_or(Operation::Related)
    }
}

/// The record an edit wrote, as its change-log entry records it.
#[derive(Clone, Copy, Debug)]
pub struct Edited {
    pub kind: EntryKind,
    pub id: i32,
    /// `Create`, `Update` or `Delete`.
    pub operation: Operation,
    /// The row's version after the edit; none for a delete.
    pub version: Option<i32>,
}

/// One change-log row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub position: i64,
    /// `None` for a change to everything.
    pub record: Option<(EntryKind, i32)>,
    pub operation: Operation,
    pub version: Option<i32>,
    /// When the edit was made (RFC 3339, UTC).
    pub at: String,
}

/// Appends one change for the edited record and one for each `related` record (the records it
/// refers to before and after the edit), then notifies (PostgreSQL delivers it on commit).
pub async fn record(
    db: &WriteTxn,
    edited: Edited,
    related: &BTreeSet<(EntryKind, i32)>,
    revision_id: Option<i32>,
) -> AppResult<()> {
    let at = crate::domain::now();
    let row = |kind: EntryKind, id: i32, operation: Operation, version: Option<i32>| {
        change_log::ActiveModel {
            position: NotSet,
            entity_type: Set(kind.as_str().to_string()),
            entity_id: Set(id),
            revision_id: Set(revision_id),
            at: Set(at.clone()),
            operation: Set(Some(operation.as_str().to_string())),
            version: Set(version),
        }
    };
    let rows = std::iter::once(row(
        edited.kind,
        edited.id,
        edited.operation,
        edited.version,
    ))
    .chain(
        related
            .iter()
            .filter(|&&record| record != (edited.kind, edited.id))
            .map(|&(kind, id)| row(kind, id, Operation::Related, None)),
    );
    change_log::Entity::insert_many(rows).exec(db).await?;
    notify(db).await
}

/// Appends a change to everything: the indexers rebuild from the database.
pub async fn record_everything(db: &WriteTxn) -> AppResult<()> {
    change_log::Entity::insert(change_log::ActiveModel {
        position: NotSet,
        entity_type: Set(EVERYTHING.to_string()),
        entity_id: Set(0),
        revision_id: Set(None),
        at: Set(crate::domain::now()),
        operation: Set(Some(Operation::Reload.as_str().to_string())),
        version: Set(None),
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

/// Calls `wake` on every notification of the change-log channel (a commit of any process on
/// this PostgreSQL database), reconnecting after failures. Readers of the log poll as well, for
/// what is missed meanwhile.
pub async fn listen(url: SecretString, wake: impl Fn()) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let listener = async {
            let mut listener = PgListener::connect(url.expose_secret()).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        match listener.await {
            // `recv` re-establishes a lost connection by itself.
            Ok(mut listener) => loop {
                match listener.recv().await {
                    Ok(_) => wake(),
                    Err(err) => {
                        tracing::warn!(error = %err, "lost the change-log notifications; polling until they are back");
                        break;
                    }
                }
            },
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for change-log notifications; polling")
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
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
        .map(|row| {
            // A type this version does not index (or `*`) means: rebuild everything.
            let record = EntryKind::parse(&row.entity_type)
                .ok()
                .map(|kind| (kind, row.entity_id));
            Change {
                position: row.position.into(),
                operation: match record {
                    Some(_) => Operation::parse(row.operation.as_deref()),
                    None => Operation::Reload,
                },
                record,
                version: row.version,
                at: row.at,
            }
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

#[cfg(test)]
mod tests {
    use super::Operation;

    #[test]
    fn operations_round_trip_and_old_entries_are_related_changes() {
        for operation in Operation::ALL {
            assert_eq!(Operation::parse(Some(operation.as_str())), operation);
        }
        assert_eq!(Operation::parse(None), Operation::Related);
    }
}

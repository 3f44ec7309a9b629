//! The root `Subscription`: live changes to the knowledge base. They come from the change feed
//! (`crate::feed`), which follows the change log in the database, so a client connected to one
//! replica sees the edits made through any replica. Transport and limits: `ws.rs`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_graphql::{Context, Enum, ErrorExtensions, Object, Result, Subscription, ID};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::Notify;

use super::id::GlobalId;
use super::node::load_node;
use super::search::EntryKind;
use super::types::{DateTime, Node};
use crate::changes::Change;
use crate::domain;
use crate::error::AppError;
use crate::feed::Feed;

pub struct Subscription;

#[Subscription]
impl Subscription {
    /// Every change committed to the knowledge base from the moment of subscribing, through any
    /// replica, in the change log's order: the edited record (`CREATE`, `UPDATE`, `DELETE`),
    /// each record whose relations the edit changed (`RELATED`), or `RELOAD` after a bulk
    /// import. A client that falls too far behind is disconnected (close code 1013) and should
    /// refetch what it shows when it reconnects.
    async fn record_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only changes to records of these kinds (every kind when absent).")]
        kinds: Option<Vec<EntryKind>>,
        #[graphql(desc = "Only changes to these records (global IDs; every record when absent).")]
        ids: Option<Vec<ID>>,
    ) -> Result<impl Stream<Item = RecordChange>> {
        let filter = Arc::new(Filter::new(kinds, ids).map_err(|err| err.extend())?);
        let receiver = ctx.data_unchecked::<Feed>().subscribe();
        let behind = ctx.data_opt::<Behind>().cloned();
        Ok(futures_util::stream::unfold(
            (receiver, behind),
            move |(mut receiver, behind)| {
                let filter = filter.clone();
                async move {
                    loop {
                        match receiver.recv().await {
                            Ok(change) if filter.admits(&change) => {
                                return Some((RecordChange(change), (receiver, behind)))
                            }
                            Ok(_) => continue,
                            Err(RecvError::Lagged(missed)) => {
                                if let Some(behind) = &behind {
                                    behind.report(missed);
                                }
                                return None;
                            }
                            Err(RecvError::Closed) => return None,
                        }
                    }
                }
            },
        ))
    }
}

/// Which changes a subscriber asked for. A `RELOAD` passes every filter: any record may have
/// changed.
#[derive(Debug)]
struct Filter {
    kinds: Option<HashSet<domain::EntryKind>>,
    records: Option<HashSet<(domain::EntryKind, i32)>>,
}

impl Filter {
    fn new(kinds: Option<Vec<EntryKind>>, ids: Option<Vec<ID>>) -> Result<Filter, AppError> {
        if kinds.as_ref().is_some_and(Vec::is_empty) || ids.as_ref().is_some_and(Vec::is_empty) {
            return Err(AppError::bad_input(
                "an empty list would match no change: leave `kinds` or `ids` out to get every change",
            ));
        }
        let records = ids
            .map(|ids| {
                ids.iter()
                    .map(|raw| {
                        let id = GlobalId::decode(raw)
                            .map_err(|err| AppError::bad_field("ids", err.to_string()))?;
                        let kind = domain::EntryKind::of(id.kind).ok_or_else(|| {
                            AppError::bad_field(
                                "ids",
                                format!(
                                    "'{}' is a {}, which has no changes of its own; name records of an EntryKind",
                                    raw.as_str(),
                                    id.kind.type_name()
                                ),
                            )
                        })?;
                        Ok((kind, id.id))
                    })
                    .collect::<Result<HashSet<_>, AppError>>()
            })
            .transpose()?;
        Ok(Filter {
            kinds: kinds.map(|kinds| kinds.into_iter().map(Into::into).collect()),
            records,
        })
    }

    fn admits(&self, change: &Change) -> bool {
        let Some((kind, id)) = change.record else {
            return true;
        };
        self.kinds
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&kind))
            && self
                .records
                .as_ref()
                .is_none_or(|records| records.contains(&(kind, id)))
    }
}

/// How far a subscription of the connection fell behind the feed: set by the subscription,
/// awaited by the connection, which then closes (`ws.rs`).
#[derive(Clone, Default)]
pub struct Behind(Arc<(AtomicU64, Notify)>);

impl Behind {
    fn report(&self, missed: u64) {
        self.0 .0.fetch_max(missed, Ordering::Relaxed);
        // A permit is stored when nobody waits yet: the report is never lost.
        self.0 .1.notify_one();
    }

    /// Waits until a subscription falls behind; how many changes it missed.
    pub async fn reported(&self) -> u64 {
        self.0 .1.notified().await;
        self.0 .0.load(Ordering::Relaxed)
    }
}

/// What a change did to its record.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOperation {
    /// The record was created (or a deletion of it was reverted).
    Create,
    /// The record was edited: its fields, or the links it owns.
    Update,
    /// The record was deleted.
    Delete,
    /// The record itself was not edited, but a record linked to it or from it was: its
    /// relations may differ.
    Related,
    /// Any record may have changed (a bulk import): refetch what you show.
    Reload,
}

impl From<crate::changes::Operation> for ChangeOperation {
    fn from(operation: crate::changes::Operation) -> ChangeOperation {
        use crate::changes::Operation;
        match operation {
            Operation::Create => ChangeOperation::Create,
            // Which documents of the index follow an update is the indexer's business.
            Operation::Update | Operation::Amend => ChangeOperation::Update,
            Operation::Delete => ChangeOperation::Delete,
            Operation::Related => ChangeOperation::Related,
            Operation::Reload => ChangeOperation::Reload,
        }
    }
}

pub struct RecordChange(Arc<Change>);

/// One committed change, as `recordChanged` emits it.
#[Object]
impl RecordChange {
    /// The change's position in the change log: it increases in commit order, and is the
    /// same whichever replica reports it.
    async fn position(&self) -> i64 {
        self.0.position
    }

    async fn operation(&self) -> ChangeOperation {
        self.0.operation.into()
    }

    /// The kind of the changed record; null for `RELOAD`.
    async fn kind(&self) -> Option<EntryKind> {
        self.0.record.map(|(kind, _)| kind.into())
    }

    /// The global ID of the changed record (also when it was deleted); null for `RELOAD`.
    async fn record_id(&self) -> Option<ID> {
        self.0
            .record
            .map(|(kind, id)| GlobalId::new(kind, id).encode())
    }

    /// The record's version after a `CREATE` or `UPDATE`: what the next edit must send.
    async fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// When the change was committed.
    async fn at(&self) -> DateTime {
        DateTime(self.0.at.clone())
    }

    /// The record as it is when the event is sent (a later edit may already show); null once
    /// it is deleted, and for `RELOAD`.
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        match self.0.record {
            Some((kind, id)) => load_node(ctx, GlobalId::new(kind, id)).await,
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::Operation;

    fn change(record: Option<(domain::EntryKind, i32)>) -> Change {
        Change {
            position: 1,
            record,
            operation: Operation::Update,
            version: Some(2),
            at: crate::domain::now(),
        }
    }

    #[test]
    fn filters_combine_kinds_and_ids_and_a_reload_passes_them_all() {
        let case = GlobalId::new(domain::EntryKind::Case, 7).encode();
        let filter = Filter::new(Some(vec![EntryKind::Case]), Some(vec![case])).unwrap();
        assert!(filter.admits(&change(Some((domain::EntryKind::Case, 7)))));
        assert!(!filter.admits(&change(Some((domain::EntryKind::Case, 8)))));
        assert!(!filter.admits(&change(Some((domain::EntryKind::Measure, 7)))));
        assert!(filter.admits(&change(None)));
        let any = Filter::new(None, None).unwrap();
        assert!(any.admits(&change(Some((domain::EntryKind::Region, 1)))));
    }

    #[test]
    fn bad_filters_are_bad_user_input() {
        let citation = GlobalId::new(crate::domain::RecordKind::Citation, 1).encode();
        for (kinds, ids) in [
            (Some(vec![]), None),
            (None, Some(vec![])),
            (None, Some(vec![ID::from("not an id")])),
            (None, Some(vec![citation])),
        ] {
            let err = Filter::new(kinds, ids).unwrap_err();
            assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput, "{err}");
        }
    }
}

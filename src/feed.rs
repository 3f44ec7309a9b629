//! The change feed: one task per process follows the change log and publishes each change, in
//! order, to a bounded broadcast that the live subscriptions read (`graphql::subscription`).
//! It reads the database, not this process's edits, so a subscriber connected to one replica
//! sees the edits made through every replica; subscribers never query the database for it.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{broadcast, Notify};

use crate::changes::{self, Change};

/// How many change-log entries one read takes at most.
const BATCH: u64 = 500;

/// How often the feed reads the change log when nothing woke it: the bound on how late an
/// edit made through another process reaches this one's subscribers.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Clone)]
pub struct Feed {
    sender: broadcast::Sender<Arc<Change>>,
    wake: Arc<Notify>,
}

impl Feed {
    /// A feed that keeps the last `capacity` changes for subscribers that are behind (at
    /// least one).
    pub fn new(capacity: usize) -> Feed {
        Feed {
            sender: broadcast::channel(capacity.max(1)).0,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Every change published from now on; a receiver more than the capacity behind gets
    /// `Lagged` instead of the changes it missed.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.sender.subscribe()
    }

    /// Reads the change log now (an edit in this process, a notification from PostgreSQL).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Publishes every change after `position` as it is committed, until the task is dropped.
    /// Positions follow commit order (`begin_write`), so nothing committed is skipped.
    pub async fn follow(self, db: DatabaseConnection, mut position: i64) {
        loop {
            match changes::after(&db, position, BATCH).await {
                Ok(batch) => {
                    let full = batch.len() as u64 == BATCH;
                    for change in batch {
                        position = change.position;
                        // No subscriber is not an error: the change is simply not needed.
                        let _ = self.sender.send(Arc::new(change));
                    }
                    if full {
                        continue;
                    }
                }
                Err(err) => {
                    tracing::error!(error = ?err, "reading the change log for subscribers failed; retrying")
                }
            }
            let _ = tokio::time::timeout(POLL_INTERVAL, self.wake.notified()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_feed_keeps_at_least_one_change_and_tells_a_late_subscriber_what_it_missed() {
        // A capacity of 0 (a bad setting) would make tokio panic.
        let feed = Feed::new(0);
        let mut receiver = feed.subscribe();
        for position in 1..=3 {
            feed.sender
                .send(Arc::new(Change {
                    position,
                    record: None,
                    operation: changes::Operation::Reload,
                    version: None,
                    at: crate::domain::now(),
                }))
                .unwrap();
        }
        assert!(matches!(
            receiver.recv().await,
            Err(broadcast::error::RecvError::Lagged(2))
        ));
        assert_eq!(receiver.recv().await.unwrap().position, 3);
    }
}

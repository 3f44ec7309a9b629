//! Request-scoped DataLoaders: every relation a resolver follows is batched here, so a query
//! runs a constant number of SQL statements however many rows it returns.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::domain::RecordKind;
use std::marker::PhantomData;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions};
use futures_util::future::BoxFuture;
use futures_util::Stream;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::catalog::batch;
use crate::catalog::tables::{HasMany, LinkProvenance, Linked, Table};

/// The one loader behind every key type below.
pub struct Loaders {
    db: DatabaseConnection,
}

impl Loaders {
    /// A fresh loader for one request: its cache must not outlive the request.
    ///
    /// No time window: a batch waits until the request has nothing left to do but wait
    /// (`Activity`), then takes every pending key. async-graphql resolves a list through a
    /// `FuturesUnordered`, which polls 32 items and yields, so a level of 100 objects takes
    /// several polls of the request; a batch that ran after the first would miss the rest. So a
    /// relation costs one statement per level whatever the machine's load (a timer window made
    /// the count depend on how fast a level resolved, and added its length to every level).
    pub fn for_request(db: DatabaseConnection, activity: Activity) -> DataLoader<Loaders> {
        DataLoader::new(Loaders { db }, move |batch| activity.spawn_when_idle(batch))
            .delay(Duration::ZERO)
    }
}

/// How often the request's future has been polled: a batch task compares it across one yield
/// to the scheduler, and runs once the request was not polled in between (it is waiting).
#[derive(Clone, Default)]
pub struct Activity(Arc<AtomicU64>);

impl Activity {
    /// Runs `request`, counting its polls.
    pub async fn track<F: Future>(&self, request: F) -> F::Output {
        let mut request = std::pin::pin!(request);
        std::future::poll_fn(|cx| {
            self.0.fetch_add(1, Ordering::Relaxed);
            request.as_mut().poll(cx)
        })
        .await
    }

    /// Runs `stream` (a subscription), counting its polls: each event's fields batch like a
    /// request's.
    pub fn track_stream<S: Stream + Send + 'static>(
        &self,
        stream: S,
    ) -> impl Stream<Item = S::Item> + Send + 'static {
        let polls = self.0.clone();
        let mut stream = Box::pin(stream);
        futures_util::stream::poll_fn(move |cx| {
            polls.fetch_add(1, Ordering::Relaxed);
            stream.as_mut().poll_next(cx)
        })
    }

    fn spawn_when_idle(&self, batch: BoxFuture<'static, ()>) {
        let polls = self.0.clone();
        tokio::spawn(async move {
            loop {
                let seen = polls.load(Ordering::Relaxed);
                tokio::task::yield_now().await;
                if polls.load(Ordering::Relaxed) == seen {
                    break;
                }
            }
            batch.await
        });
    }
}

pub fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<Loaders> {
    // Registered on every request by `graphql::execute`; its absence is a programming error.
    ctx.data_unchecked::<DataLoader<Loaders>>()
}

/// Keys carry their table or relation as a type parameter; `fn() -> T` keeps them Send + Sync.
macro_rules! key {
    ($(#[$doc:meta])* $name:ident<$param:ident: $bound:path>) => {
        $(#[$doc])*
        pub struct $name<$param>(pub i32, PhantomData<fn() -> $param>);

        impl<$param: $bound> $name<$param> {
            pub fn new(id: i32) -> Self {
                $name(id, PhantomData)
            }
        }
        impl<$param> Clone for $name<$param> {
            fn clone(&self) -> Self {
                $name(self.0, PhantomData)
            }
        }
        impl<$param> PartialEq for $name<$param> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl<$param> Eq for $name<$param> {}
        impl<$param> Hash for $name<$param> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }
    };
}

key!(
    /// A row of table `E` by id.
    ById<E: Table>
);
key!(
    /// The children of a parent row along relation `R`.
    ChildrenOf<R: HasMany>
);
key!(
    /// The rows linked to a row along relation `L`.
    LinkedTo<L: Linked>
);
key!(
    /// The rows linked to a row along relation `L`, with each link's provenance.
    LinksOf<L: Linked>
);

/// The citations of a row of table `E`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CitationsOf(pub RecordKind, pub i32);

impl CitationsOf {
    pub fn new<E: Table>(id: i32) -> Self {
        CitationsOf(E::KIND, id)
    }
}

/// The aliases of a row of table `E`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AliasesOf(pub RecordKind, pub i32);

impl AliasesOf {
    pub fn new<E: Table>(id: i32) -> Self {
        AliasesOf(E::KIND, id)
    }
}

fn ids<K>(keys: &[K], id: impl Fn(&K) -> i32) -> Vec<i32> {
    let mut ids: Vec<i32> = keys.iter().map(id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl<E: Table> Loader<ById<E>> for Loaders
where
    E::Model: Sync,
{
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ById<E>]) -> Result<HashMap<ById<E>, E::Model>, Self::Error> {
        let rows = batch::by_ids::<E>(&self.db, &ids(keys, |key| key.0))
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|(id, row)| (ById::new(id), row))
            .collect())
    }
}

impl<R: HasMany> Loader<ChildrenOf<R>> for Loaders
where
    <R::Child as EntityTrait>::Model: Sync,
{
    type Value = Vec<<R::Child as EntityTrait>::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ChildrenOf<R>],
    ) -> Result<HashMap<ChildrenOf<R>, Self::Value>, Self::Error> {
        let rows = batch::children::<R>(&self.db, &ids(keys, |key| key.0))
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (ChildrenOf::new(id), rows))
            .collect())
    }
}

impl<L: Linked> Loader<LinkedTo<L>> for Loaders
where
    <L::Target as EntityTrait>::Model: Sync,
{
    type Value = Vec<<L::Target as EntityTrait>::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[LinkedTo<L>],
    ) -> Result<HashMap<LinkedTo<L>, Self::Value>, Self::Error> {
        let rows = batch::linked::<L>(&self.db, &ids(keys, |key| key.0))
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (LinkedTo::new(id), rows))
            .collect())
    }
}

impl<L: Linked> Loader<LinksOf<L>> for Loaders
where
    <L::Target as EntityTrait>::Model: Sync,
{
    type Value = Vec<(<L::Target as EntityTrait>::Model, LinkProvenance)>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[LinksOf<L>],
    ) -> Result<HashMap<LinksOf<L>, Self::Value>, Self::Error> {
        let rows = batch::links::<L>(&self.db, &ids(keys, |key| key.0))
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|(id, rows)| (LinksOf::new(id), rows))
            .collect())
    }
}

impl Loader<CitationsOf> for Loaders {
    type Value = Vec<entities::citations::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CitationsOf],
    ) -> Result<HashMap<CitationsOf, Self::Value>, Self::Error> {
        let pairs: Vec<(RecordKind, i32)> = keys.iter().map(|key| (key.0, key.1)).collect();
        let rows = batch::citations_of(&self.db, &pairs)
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|((kind, id), rows)| (CitationsOf(kind, id), rows))
            .collect())
    }
}

impl Loader<AliasesOf> for Loaders {
    type Value = crate::kb::Aliases;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[AliasesOf],
    ) -> Result<HashMap<AliasesOf, Self::Value>, Self::Error> {
        let pairs: Vec<(RecordKind, i32)> = keys.iter().map(|key| (key.0, key.1)).collect();
        let rows = batch::aliases_of(&self.db, &pairs)
            .await
            .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|((kind, id), aliases)| (AliasesOf(kind, id), aliases))
            .collect())
    }
}

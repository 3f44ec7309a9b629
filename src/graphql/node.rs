//! `node(id:)`: the record a global ID names, shared by the root `Query`, search results,
//! recommendations and subscriptions.

use async_graphql::{Context, Result, ResultExt};

use entities::{
    cases, causes, citations, dimensions, glossary_terms, indicators, measures, regions, sources,
    statistics, strategies,
};

use super::context::db;
use super::id::GlobalId;
use super::loaders::{loader, ById};
use super::types::{Node, Revision};
use crate::catalog::Table;
use crate::domain::RecordKind;

/// The record a global ID names, through the request's DataLoader.
pub(super) async fn load_node(
    ctx: &Context<'_>,
    GlobalId { kind, id }: GlobalId,
) -> Result<Option<Node>> {
    async fn load<E: Table, T: From<E::Model>>(
        ctx: &Context<'_>,
        id: i32,
        wrap: fn(T) -> Node,
    ) -> Result<Option<Node>>
    where
        E::Model: Sync,
    {
        Ok(loader(ctx)
            .load_one(ById::<E>::new(id))
            .await?
            .map(|row| wrap(T::from(row))))
    }
    match kind {
        RecordKind::Source => load::<sources::Entity, _>(ctx, id, Node::Source).await,
        RecordKind::Region => load::<regions::Entity, _>(ctx, id, Node::Region).await,
        RecordKind::Indicator => load::<indicators::Entity, _>(ctx, id, Node::Indicator).await,
        RecordKind::Dimension => load::<dimensions::Entity, _>(ctx, id, Node::Dimension).await,
        RecordKind::Cause => load::<causes::Entity, _>(ctx, id, Node::Cause).await,
        RecordKind::Strategy => load::<strategies::Entity, _>(ctx, id, Node::Strategy).await,
        RecordKind::Measure => load::<measures::Entity, _>(ctx, id, Node::Measure).await,
        RecordKind::Case => load::<cases::Entity, _>(ctx, id, Node::Case).await,
        RecordKind::Statistic => load::<statistics::Entity, _>(ctx, id, Node::Statistic).await,
        RecordKind::Citation => load::<citations::Entity, _>(ctx, id, Node::Citation).await,
        RecordKind::GlossaryTerm => {
            load::<glossary_terms::Entity, _>(ctx, id, Node::GlossaryTerm).await
        }
        RecordKind::Revision => Ok(crate::editing::revision(db(ctx), id)
            .await
            .extend()?
            .map(|row| Node::Revision(Revision(row)))),
        // Not a node: `GlobalId::decode` refuses actor IDs.
        RecordKind::Actor => Ok(None),
    }
}

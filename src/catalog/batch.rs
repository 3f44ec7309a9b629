//! Batched reads for relations: each function answers many keys with a constant number of
//! statements, so that GraphQL DataLoaders never issue a query per row. Key sets larger than
//! `CHUNK` are read a chunk per statement: a database bounds the parameters of one statement
//! (SQLite: 32,766), and a relation at 100,000 records reaches that.

use std::collections::{HashMap, HashSet};

use entities::{aliases, citations};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationDef,
};

use super::tables::{HasMany, LinkProvenance, Linked, Table};
use crate::domain::RecordKind;
use crate::error::AppResult;

/// Most keys one statement binds.
pub const CHUNK: usize = 5_000;

/// The rows `select` finds for each chunk of `keys`, in one list (one statement per chunk).
async fn chunked<K: Copy, M, F, Fut>(keys: &[K], select: F) -> AppResult<Vec<M>>
where
    F: Fn(Vec<K>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<M>, sea_orm::DbErr>>,
{
    let mut rows = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        rows.extend(select(chunk.to_vec()).await?);
    }
    Ok(rows)
}

/// Rows of `E` by id (one statement per `CHUNK` ids).
pub async fn by_ids<E: Table>(
    db: &DatabaseConnection,
    ids: &[i32],
) -> AppResult<HashMap<i32, E::Model>> {
    let rows = chunked(ids, |chunk| {
        E::find().filter(E::id_column().is_in(chunk)).all(db)
    })
    .await?;
    Ok(rows.into_iter().map(|row| (E::id_of(&row), row)).collect())
}

/// The children of each parent id, in id order (one statement).
pub async fn children<R: HasMany>(
    db: &DatabaseConnection,
    parent_ids: &[i32],
) -> AppResult<HashMap<i32, Vec<<R::Child as EntityTrait>::Model>>> {
    let rows = chunked(parent_ids, |chunk| {
        R::Child::find()
            .filter(R::foreign_key().is_in(chunk))
            .order_by_asc(R::Child::id_column())
            .all(db)
    })
    .await?;
    let mut grouped: HashMap<i32, Vec<_>> = HashMap::new();
    for row in rows {
        if let Some(parent) = R::parent_of(&row) {
            grouped.entry(parent).or_default().push(row);
        }
    }
    // Chunks arrive one after another, each in id order: restore id order within a parent.
    for rows in grouped.values_mut() {
        rows.sort_by_key(R::Child::id_of);
    }
    Ok(grouped)
}

/// The rows linked to each id through a link table, in id order (one statement).
pub async fn linked<L: Linked>(
    db: &DatabaseConnection,
    from_ids: &[i32],
) -> AppResult<HashMap<i32, Vec<<L::Target as EntityTrait>::Model>>> {
    Ok(links::<L>(db, from_ids)
        .await?
        .into_iter()
        .map(|(from, rows)| (from, rows.into_iter().map(|(row, _)| row).collect()))
        .collect())
}

/// The rows linked to each row along `L`, each with the provenance of its link: the link table
/// joined to the target's (one statement).
pub async fn links<L: Linked>(
    db: &DatabaseConnection,
    from_ids: &[i32],
) -> AppResult<HashMap<i32, Vec<(<L::Target as EntityTrait>::Model, LinkProvenance)>>> {
    let target = || -> RelationDef {
        L::Link::belongs_to(L::Target::default())
            .from(L::to_column())
            .to(L::Target::id_column())
            .into()
    };
    let links = chunked(from_ids, |chunk| {
        L::Link::find()
            .filter(L::from_column().is_in(chunk))
            .join(JoinType::InnerJoin, target())
            .select_also(L::Target::default())
            .all(db)
    })
    .await?;
    let mut grouped: HashMap<i32, Vec<_>> = HashMap::new();
    for (link, target) in links {
        if let Some(target) = target {
            grouped
                .entry(L::ends(&link).0)
                .or_default()
                .push((target, L::provenance(&link)));
        }
    }
    for rows in grouped.values_mut() {
        rows.sort_by_key(|(row, _)| L::Target::id_of(row));
    }
    Ok(grouped)
}

/// The citations of each (entity kind, id), in id order (one statement).
pub async fn citations_of(
    db: &DatabaseConnection,
    keys: &[(RecordKind, i32)],
) -> AppResult<HashMap<(RecordKind, i32), Vec<citations::Model>>> {
    let mut kinds: Vec<RecordKind> = keys.iter().map(|&(kind, _)| kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let ids: Vec<i32> = keys.iter().map(|&(_, id)| id).collect();
    let mut rows = chunked(&ids, |chunk| {
        citations::Entity::find()
            .filter(citations::Column::EntityType.is_in(kinds.iter().map(|kind| kind.name())))
            .filter(citations::Column::EntityId.is_in(chunk))
            .order_by_asc(citations::Column::Id)
            .all(db)
    })
    .await?;
    rows.sort_by_key(|row| row.id);
    let wanted: HashSet<(RecordKind, i32)> = keys.iter().copied().collect();
    let mut grouped: HashMap<(RecordKind, i32), Vec<_>> = HashMap::new();
    for row in rows {
        // Map the row's kind back to the caller's; the filter above may return
        // rows of another requested kind whose id happens to match, which are kept only if asked for.
        if let Some(&kind) = kinds.iter().find(|kind| kind.name() == row.entity_type) {
            if wanted.contains(&(kind, row.entity_id)) {
                grouped.entry((kind, row.entity_id)).or_default().push(row);
            }
        }
    }
    Ok(grouped)
}

/// The aliases of each (entity kind, id), both languages in list order (one statement).
pub async fn aliases_of(
    db: &DatabaseConnection,
    keys: &[(RecordKind, i32)],
) -> AppResult<HashMap<(RecordKind, i32), crate::kb::Aliases>> {
    let mut kinds: Vec<RecordKind> = keys.iter().map(|&(kind, _)| kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let rows = aliases::Entity::find()
        .filter(aliases::Column::EntityType.is_in(kinds.iter().map(|kind| kind.name())))
        .filter(aliases::Column::EntityId.is_in(keys.iter().map(|&(_, id)| id)))
        .order_by_asc(aliases::Column::Position)
        .all(db)
        .await?;
    let wanted: HashSet<(RecordKind, i32)> = keys.iter().copied().collect();
    let mut grouped: HashMap<(RecordKind, i32), crate::kb::Aliases> = HashMap::new();
    for row in rows {
        let Some(&kind) = kinds.iter().find(|kind| kind.name() == row.entity_type) else {
            continue;
        };
        if !wanted.contains(&(kind, row.entity_id)) {
            continue;
        }
        grouped
            .entry((kind, row.entity_id))
            .or_default()
            .push(&row.lang, row.text);
    }
    Ok(grouped)
}

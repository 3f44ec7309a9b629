//! What a resolver reads from the request's context. Its own module, below every resolver
//! module, so that the root `Query`, `search`, `recommend`, the mutations and the object types
//! share it without importing each other.

use async_graphql::Context;
use sea_orm::DatabaseConnection;

/// The database of the schema (`Api::new` puts it in the schema's data).
pub(super) fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

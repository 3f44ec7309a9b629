//! API tokens: who may edit. A token is 32 random bytes shown once at creation; the database
//! keeps only its SHA-256, so a leaked database does not leak working tokens. SHA-256 rather
//! than a slow password hash because the secret is random, not chosen by a person: there is
//! nothing to guess, and a fast hash keeps every authenticated request cheap.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use entities::api_tokens;

use crate::error::{AppError, AppResult};

/// What a token may do. Reads need no token at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Create, update, delete and link records.
    Editor,
    /// Everything an editor may do, and revert revisions.
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> AppResult<Role> {
        match raw {
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            other => Err(AppError::bad_field(
                "role",
                format!("unknown role '{other}': expected editor or admin"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The holder of a valid token: the name revisions record as the author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// `FORBIDDEN` unless the actor's role is at least `role`.
    pub fn require(&self, role: Role) -> AppResult<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {role} role; the token '{}' has the {} role",
                self.name, self.role
            )))
        }
    }
}

/// The token a request presented, as sent (`Authorization: Bearer <token>`): a secret, which
/// `Debug` shows redacted.
#[derive(Clone, Debug, Default)]
pub struct Credentials(Option<SecretString>);

impl Credentials {
    /// Reads an `Authorization` header value; anything but a bearer token counts as a wrong
    /// token (so an edit with it is refused), not as no token.
    pub fn from_header(value: Option<&str>) -> Credentials {
        Credentials(value.map(|value| {
            let value = value.trim();
            match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    SecretString::from(token.trim())
                }
                _ => SecretString::default(),
            }
        }))
    }

    /// The actor behind the token: `UNAUTHENTICATED` if there is no token, or it is unknown or
    /// revoked.
    pub async fn authenticate<C: ConnectionTrait>(&self, db: &C) -> AppResult<Actor> {
        let Some(token) = &self.0 else {
            return Err(AppError::Unauthenticated);
        };
        let row = api_tokens::Entity::find()
            .filter(api_tokens::Column::TokenHash.eq(hash(token.expose_secret())))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .one(db)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Actor {
            name: row.name,
            role: Role::parse(&row.role).map_err(|_| {
                AppError::internal(anyhow::anyhow!("token '{}' has an unknown role", row.role))
            })?,
        })
    }
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Creates a token and returns it: the only time it is ever shown.
pub async fn create<C: ConnectionTrait>(db: &C, name: &str, role: Role) -> AppResult<SecretString> {
    let name = name.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        return Err(AppError::bad_field(
            "name",
            "a token name has 1 to 64 characters: letters, digits, - _ . @",
        ));
    }
    if api_tokens::Entity::find()
        .filter(api_tokens::Column::Name.eq(name))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "a token named '{name}' exists already (names stay taken after a revoke, so that history stays unambiguous)"
        )));
    }
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = format!("pkb_{}", URL_SAFE_NO_PAD.encode(secret));
    api_tokens::ActiveModel {
        id: NotSet,
        name: Set(name.to_string()),
        role: Set(role.as_str().to_string()),
        token_hash: Set(hash(&token)),
        created_at: Set(crate::domain::now()),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token.into())
}

/// Every token, oldest first (without secrets: there are none to show).
pub async fn list<C: ConnectionTrait>(db: &C) -> AppResult<Vec<api_tokens::Model>> {
    Ok(api_tokens::Entity::find()
        .order_by_asc(api_tokens::Column::Id)
        .all(db)
        .await?)
}

/// Revokes a token by name: it stops working at once, on every replica.
pub async fn revoke<C: ConnectionTrait>(db: &C, name: &str) -> AppResult<()> {
    let row = api_tokens::Entity::find()
        .filter(api_tokens::Column::Name.eq(name))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no token named '{name}'")))?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    let mut row: api_tokens::ActiveModel = row.into();
    row.revoked_at = Set(Some(crate::domain::now()));
    row.update(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: Option<&str>) -> Option<String> {
        Credentials::from_header(header)
            .0
            .map(|token| token.expose_secret().to_string())
    }

    #[test]
    fn only_a_bearer_header_carries_a_token() {
        assert_eq!(token(Some("Bearer abc")).as_deref(), Some("abc"));
        assert_eq!(token(Some("bearer  abc ")).as_deref(), Some("abc"));
        assert_eq!(token(Some("Basic abc")).as_deref(), Some(""));
        assert_eq!(token(None), None);
    }

    #[test]
    fn debug_never_prints_a_token() {
        let printed = format!("{:?}", Credentials::from_header(Some("Bearer pkb_hunter2")));
        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn roles_are_ordered_and_parsed() {
        assert!(Role::Admin > Role::Editor);
        assert_eq!(Role::parse("admin").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
        let editor = Actor {
            name: "e".into(),
            role: Role::Editor,
        };
        assert!(editor.require(Role::Editor).is_ok());
        assert!(matches!(
            editor.require(Role::Admin),
            Err(AppError::Forbidden(_))
        ));
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

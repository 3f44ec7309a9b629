//! Aliases in the database: validation of a record's lists, writing them (a record's aliases
//! are replaced whole), and reading them back by record.

use std::collections::{BTreeSet, HashMap};

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use entities::aliases;

use super::format::Aliases;
use crate::domain::{Lang, RecordKind};
use crate::search::normalise::normalise;

/// The longest alias, in characters.
pub const MAX_ALIAS_CHARS: usize = 60;
/// The most aliases a record may have per language.
pub const MAX_ALIASES: usize = 100;

/// A rule an alias list breaks: the field (`aliases.zh[2]`) and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

/// Checks a record's aliases and returns them trimmed, as (language, text) in list order.
pub fn validate(aliases: &Aliases) -> Result<Vec<(Lang, String)>, Invalid> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        let list = aliases.of(lang);
        if list.len() > MAX_ALIASES {
            return Err(Invalid {
                field: format!("aliases.{}", lang.code()),
                message: format!("at most {MAX_ALIASES} aliases per language"),
            });
        }
        let mut seen = BTreeSet::new();
        for (n, alias) in list.iter().enumerate() {
            let field = format!("aliases.{}[{n}]", lang.code());
            let invalid = |message: String| Invalid {
                field: field.clone(),
                message,
            };
            let alias = alias.trim();
            let count = alias.chars().count();
            if count == 0 {
                return Err(invalid("an alias must not be empty".into()));
            }
            if count > MAX_ALIAS_CHARS {
                return Err(invalid(format!(
                    "an alias has at most {MAX_ALIAS_CHARS} characters ({count} given)"
                )));
            }
            if alias.chars().any(char::is_control) {
                return Err(invalid(
                    "an alias must not contain control characters".into(),
                ));
            }
            if !seen.insert(normalise(alias)) {
                return Err(invalid(format!(
                    "'{alias}' is already an alias of this record"
                )));
            }
            out.push((lang, alias.to_string()));
        }
    }
    Ok(out)
}

/// The rows of record (`kind`, `id`)'s aliases `list` (from `validate`), for a knowledge-base
/// write to insert (`kb::write_record`, `kb::load`), hence private to `kb`.
pub(super) fn rows(
    kind: RecordKind,
    id: i32,
    list: &[(Lang, String)],
) -> Vec<aliases::ActiveModel> {
    let mut position: HashMap<Lang, i32> = HashMap::new();
    list.iter()
        .map(|(lang, text)| {
            let at = position.entry(*lang).or_default();
            *at += 1;
            aliases::ActiveModel {
                id: NotSet,
                entity_type: Set(kind.name().to_string()),
                entity_id: Set(id),
                lang: Set(lang.code().to_string()),
                position: Set(*at - 1),
                text: Set(text.clone()),
            }
        })
        .collect()
}

/// Deletes the aliases of rows of one kind (inside `kb::delete_record`, and before a record's
/// aliases are replaced).
pub(super) async fn delete<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    ids: &[i32],
) -> Result<(), sea_orm::DbErr> {
    aliases::Entity::delete_many()
        .filter(aliases::Column::EntityType.eq(kind.name()))
        .filter(aliases::Column::EntityId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// The aliases of the records of `kind` (all of them, or those in `ids`), by record id.
pub async fn of_kind<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    ids: Option<&[i32]>,
) -> Result<HashMap<i32, Aliases>, sea_orm::DbErr> {
    let mut query = aliases::Entity::find()
        .filter(aliases::Column::EntityType.eq(kind.name()))
        .order_by_asc(aliases::Column::EntityId)
        .order_by_asc(aliases::Column::Lang)
        .order_by_asc(aliases::Column::Position);
    if let Some(ids) = ids {
        query = query.filter(aliases::Column::EntityId.is_in(ids.iter().copied()));
    }
    let mut by_id: HashMap<i32, Aliases> = HashMap::new();
    for row in query.all(db).await? {
        by_id
            .entry(row.entity_id)
            .or_default()
            .push(&row.lang, row.text);
    }
    Ok(by_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases(zh: &[&str], en: &[&str]) -> Aliases {
        Aliases {
            zh: zh.iter().map(|s| s.to_string()).collect(),
            en: en.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn valid_lists_come_back_trimmed_in_order() {
        let list = validate(&aliases(
            &[" 两委班子老化 ", "党支部软弱涣散"],
            &["weak party branch"],
        ))
        .unwrap();
        assert_eq!(
            list,
            [
                (Lang::Zh, "两委班子老化".to_string()),
                (Lang::Zh, "党支部软弱涣散".into()),
                (Lang::En, "weak party branch".into())
            ]
        );
    }

    #[test]
    fn bad_aliases_name_their_place() {
        let long = "长".repeat(61);
        for (bad, field) in [
            (aliases(&["", "x"], &[]), "aliases.zh[0]"),
            (aliases(&[&long], &[]), "aliases.zh[0]"),
            (aliases(&[], &["ok", "tab\there"]), "aliases.en[1]"),
            // Duplicates after normalisation: traditional and simplified, upper and lower case.
            (aliases(&["控辍保学", "控輟保學"], &[]), "aliases.zh[1]"),
            (
                aliases(&[], &["Left Behind", "left behind"]),
                "aliases.en[1]",
            ),
        ] {
            assert_eq!(validate(&bad).unwrap_err().field, field, "{bad:?}");
        }
    }
}
